"""Values every page's layout needs."""

from __future__ import annotations

from django.http import HttpRequest

from surgewatch.web.orgs.permissions import visible_organisations


def navigation(request: HttpRequest) -> dict[str, object]:
    """The organisations the signed-in user may open, for the header menu."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_organisations": []}
    return {"nav_organisations": list(visible_organisations(user))}
