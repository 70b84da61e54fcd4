"""``surgewatch token issue USERNAME --name NAME`` and ``surgewatch token revoke ID``.

A feed (a council's case system, a trust's bed tool) posts readings with a
bearer token that acts as one user with that user's roles. Issuing one from
the command line suits whoever sets the feed up on a server; the admin does
the same in the browser. The plaintext is printed once and never stored.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from surgewatch.commands.demo import setup_django


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("token", help="issue or revoke API tokens")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    issue = actions.add_parser("issue", help="issue a token for a user; prints it once")
    issue.add_argument("username", help="the user the token acts as")
    issue.add_argument("--name", required=True, help="what the token is for, e.g. 'DGS feed'")
    issue.set_defaults(handler=run_issue)
    revoke = actions.add_parser("revoke", help="stop a token working (it stays on record)")
    revoke.add_argument("id", type=int, help="the token's number, as 'issue' printed it")
    revoke.set_defaults(handler=run_revoke)


def run_issue(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.exceptions import ValidationError

    from surgewatch.web.accounts.models import User
    from surgewatch.web.api.services import issue_token

    user = User.objects.filter(username=args.username, is_active=True).first()
    if user is None:
        print(f"no active user '{args.username}'; fix: check the username", file=sys.stderr)
        return 2
    try:
        token, plaintext = issue_token(user, args.name)
    except ValidationError as refused:
        print(f"--name {refused.message_dict['name'][0]}", file=sys.stderr)
        return 2
    print(f"token {token.pk} for {user.username} ({token.name}); shown once, keep it safe:")
    print(plaintext)
    return 0


def run_revoke(args: argparse.Namespace) -> int:
    setup_django()
    from surgewatch.web.api.models import ApiToken
    from surgewatch.web.api.services import revoke_token

    token = ApiToken.objects.filter(pk=args.id).first()
    if token is None:
        print(f"no token {args.id}; fix: use the number 'issue' printed", file=sys.stderr)
        return 2
    revoke_token(token)
    print(f"token {token.pk} ({token.name}) revoked at {token.revoked_at:%Y-%m-%d %H:%M} UTC")
    return 0
