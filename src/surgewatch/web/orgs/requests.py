"""What every page view asks of a request: who is signed in, and an organisation
they may see (404 if there is none, 403 if they hold no role in it)."""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from surgewatch.web.accounts.models import User
from surgewatch.web.orgs.models import Organisation
from surgewatch.web.orgs.permissions import require_view


def signed_in_user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # login_required guarantees it
    return request.user


def viewable_organisation(request: HttpRequest, slug: str) -> Organisation:
    organisation = get_object_or_404(Organisation.objects.select_related("framework"), slug=slug)
    require_view(signed_in_user(request), organisation)
    return organisation
