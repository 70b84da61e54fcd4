"""Pages for seeing the system: status board, organisation, declarations, system view.

Views are thin: check scope, call a selector or service, render.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from surgewatch.core.pack import Area as PackArea
from surgewatch.web.actions.selectors import (
    CardView,
    acting_change,
    card_views,
    organisation_cards,
)
from surgewatch.web.escalation.board import BoardFilters, organisation_board
from surgewatch.web.escalation.forms import BoardFilterForm, DeclareForm
from surgewatch.web.escalation.models import Declaration
from surgewatch.web.escalation.selectors import organisation_status, system_level
from surgewatch.web.escalation.services import declare_level
from surgewatch.web.orgs.models import Organisation
from surgewatch.web.orgs.packs import pack_of
from surgewatch.web.orgs.permissions import (
    can_declare,
    reportable_areas,
    visible_organisations,
)
from surgewatch.web.orgs.requests import signed_in_user as _user
from surgewatch.web.orgs.requests import viewable_organisation as _organisation


@login_required
def board(request: HttpRequest) -> HttpResponse:
    organisations = list(visible_organisations(_user(request)))
    areas = sorted({(a.id, a.name) for o in organisations for a in _areas(o)})
    form = BoardFilterForm(request.GET or None, [(o.slug, o.name) for o in organisations], areas)
    filters = BoardFilters(**form.cleaned_data) if form.is_valid() else BoardFilters()
    shown = [o for o in organisations if not filters.organisation or o.slug == filters.organisation]
    now = timezone.now()
    boards = [organisation_board(o, filters, now) for o in shown]
    partial = request.headers.get("HX-Request") == "true"
    template = "escalation/_board.html" if partial else "escalation/board.html"
    return render(request, template, {"boards": boards, "form": form, "now": now})


def _areas(organisation: Organisation) -> list[PackArea]:
    return list(pack_of(organisation.framework).organisation.areas)


@login_required
def organisation(request: HttpRequest, slug: str) -> HttpResponse:
    return _organisation_page(request, _organisation(request, slug), DeclareForm())


@login_required
@require_POST
def declare(request: HttpRequest, slug: str) -> HttpResponse:
    org = _organisation(request, slug)
    # Refuse before reading the form, so a non-declarer gets 403, not the form's errors.
    if not can_declare(_user(request), org):
        raise PermissionDenied(f"{request.user} may not declare the level of {org.slug}")
    form = DeclareForm(request.POST)
    if form.is_valid():
        level, reason = form.cleaned_data["level"], form.cleaned_data["reason"]
        try:
            declared = declare_level(_user(request), org, level, reason)
        except ValidationError as error:
            _attach(form, error)
        else:
            messages.success(request, f"{org.name} declared at OPEL {declared.level}.")
            return redirect("organisation", slug=org.slug)
    return _organisation_page(request, org, form, status=400)


def _organisation_page(
    request: HttpRequest, org: Organisation, form: DeclareForm, status: int = 200
) -> HttpResponse:
    user, cards = _user(request), _open_cards(org)
    context = {
        "organisation": org,
        "status": organisation_status(org),
        "declarations": Declaration.objects.filter(organisation=org).latest_first()[:20],
        "can_declare": can_declare(user, org),
        "report_areas": reportable_areas(user, org),
        "form": form,
        "acting": acting_change(org),
        "cards": cards,
        "overdue": sum(card.overdue for card in cards),
    }
    return render(request, "escalation/organisation.html", context, status=status)


def _open_cards(org: Organisation) -> list[CardView]:
    """Issue 4: the organisation page shows open actions, overdue ones first."""
    cards = organisation_cards(org)
    return card_views(cards, {org.pk: pack_of(org.framework)}, timezone.now())


@login_required
def system(request: HttpRequest, slug: str) -> HttpResponse:
    org = _organisation(request, slug)
    status = organisation_status(org)
    aggregate, members = system_level(status)
    context = {"organisation": org, "status": status, "aggregate": aggregate, "members": members}
    return render(request, "escalation/system.html", context)


def _attach(form: DeclareForm, error: ValidationError) -> None:
    for field, problems in error.message_dict.items():
        for problem in problems:
            form.add_error(field if field in form.fields else None, problem)
