"""Webhooks: Microsoft Teams, Slack and plain JSON, each one HTTP POST.

Issue 4: an answer of 400, 401, 403, 404 or 410 means the webhook is wrong or
gone, so the message fails at once; a timeout, a refused connection, 408,
429 or a 5xx answer is retried. Redirects are not followed: a POST silently
turned into a GET would be reported as delivered when it was not.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

from surgewatch.web.notify.channels.base import (
    Outgoing,
    PermanentError,
    TransientError,
    http_error_is_transient,
)

Payload = dict[str, Any]


class TeamsTransport:
    """A Teams incoming webhook, as a legacy actionable MessageCard with an 'Open' button."""

    def send(self, target: str, outgoing: Outgoing) -> None:
        post_json(target, teams_payload(outgoing))


class SlackTransport:
    """A Slack incoming webhook: ``text`` for notifications, blocks for the channel."""

    def send(self, target: str, outgoing: Outgoing) -> None:
        post_json(target, slack_payload(outgoing))


class JsonTransport:
    """Any other system: the message's fields as JSON, with ids to drop repeats by."""

    def send(self, target: str, outgoing: Outgoing) -> None:
        post_json(target, json_payload(outgoing))


def teams_payload(outgoing: Outgoing) -> Payload:
    card: Payload = {
        "@type": "MessageCard",
        "@context": "https://schema.org/extensions",
        "summary": outgoing.subject,
        "title": outgoing.subject,
        # Teams reads the text as Markdown, where a single newline is no break.
        "text": outgoing.body.replace("\n", "\n\n"),
    }
    if outgoing.link:
        target = {"os": "default", "uri": outgoing.link}
        card["potentialAction"] = [
            {"@type": "OpenUri", "name": "Open in Surgewatch", "targets": [target]}
        ]
    return card


def slack_payload(outgoing: Outgoing) -> Payload:
    subject, body = _slack_escape(outgoing.subject), _slack_escape(outgoing.body)
    link = f"\n<{outgoing.link}|Open in Surgewatch>" if outgoing.link else ""
    text = f"*{subject}*\n{body}{link}"
    # Slack refuses a section longer than 3,000 characters; the text stays whole.
    return {"text": text, "blocks": [{"type": "section", "text": _mrkdwn(text[:3000])}]}


def json_payload(outgoing: Outgoing) -> Payload:
    return {
        "message_id": outgoing.message_id,
        "event_key": outgoing.event_key,
        "organisation": outgoing.organisation,
        "role": outgoing.role,
        "subject": outgoing.subject,
        "body": outgoing.body,
        "link": outgoing.link,
    }


def _mrkdwn(text: str) -> Payload:
    return {"type": "mrkdwn", "text": text}


def _slack_escape(text: str) -> str:
    """Slack reads &, < and > as markup (its 'Formatting text' guide)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def post_json(url: str, payload: Payload) -> None:
    """POST ``payload``; raise PermanentError or TransientError unless the answer is 2xx."""
    host = urlsplit(url).hostname or "the webhook"
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode("utf-8"),
        headers={"Content-Type": "application/json", "User-Agent": "Surgewatch"},
        method="POST",
    )
    try:
        with _opener.open(request, timeout=settings.NOTIFY_WEBHOOK_TIMEOUT_SECONDS):
            return
    except urllib.error.HTTPError as error:
        raise _answer_error(host, error) from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise TransientError(f"could not reach {host}: {reason}") from None


def _answer_error(host: str, error: urllib.error.HTTPError) -> PermanentError | TransientError:
    # The start of the answer often says why (Slack: 'no_service', 'invalid_token').
    said = _start_of(error)
    detail = f"{host} answered HTTP {error.code}" + (f": {said}" if said else "")
    if http_error_is_transient(error.code):
        return TransientError(detail)
    return PermanentError(detail)


def _start_of(error: urllib.error.HTTPError) -> str:
    try:
        return error.read(200).decode("utf-8", "replace").strip()
    except OSError:
        return ""
