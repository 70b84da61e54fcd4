"""Action pages: my actions, actions by role, one card, the printable checklist.

Views are thin: check scope, validate, call a service, redirect. The services
check again who may act on a card, so a forged POST is refused there too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from surgewatch.core.actions import checklist_for
from surgewatch.core.pack import LEVELS, Pack
from surgewatch.web.accounts.models import User
from surgewatch.web.actions import protocols, selectors, services
from surgewatch.web.actions.forms import (
    AssignForm,
    NotApplicableForm,
    NoteForm,
    ReviewForm,
    StatusFilterForm,
    StopForm,
)
from surgewatch.web.actions.models import ActionCard, ProtocolRun
from surgewatch.web.actions.permissions import can_act_on, role_holders
from surgewatch.web.improve.selectors import open_actions_for  # issue 7: improvement plans
from surgewatch.web.orgs.models import Organisation
from surgewatch.web.orgs.packs import pack_of
from surgewatch.web.orgs.permissions import require_view, visible_organisations
from surgewatch.web.orgs.requests import signed_in_user as _user
from surgewatch.web.orgs.requests import viewable_organisation as _organisation


@login_required
def my_actions(request: HttpRequest) -> HttpResponse:
    user, now = _user(request), timezone.now()
    packs = {o.pk: pack_of(o.framework) for o in visible_organisations(user)}
    cards = selectors.my_cards(user).filter(organisation_id__in=packs)
    views = selectors.card_views(cards, packs, now)
    improvement = open_actions_for(user, timezone.localdate(now))  # issue 7, HICM action plans
    context = {"cards": views, "now": now, "improvement_actions": improvement}
    return render(request, "actions/my_actions.html", context)


@login_required
def organisation_actions(request: HttpRequest, slug: str) -> HttpResponse:
    organisation, now = _organisation(request, slug), timezone.now()
    pack = pack_of(organisation.framework)
    active = organisation.areas.filter(active=True).order_by("name")
    areas = list(active.values_list("slug", "name"))
    form = StatusFilterForm(request.GET or None, areas=areas)
    valid = form.is_valid()
    status = form.cleaned_data["status"] if valid else "active"
    area = form.cleaned_data["area"] if valid else ""
    cards = selectors.organisation_cards(organisation, status, area)
    views = selectors.card_views(cards, {organisation.pk: pack}, now)
    context = {
        "organisation": organisation,
        "pack": pack,
        "form": form,
        "by_role": _by_role(views),
        "overdue": [v for v in views if v.overdue],
        "acting": selectors.acting_change(organisation),
        "changes": selectors.level_changes(organisation),
        "runs": selectors.running_protocols(organisation),
        "startable": _startable(request, organisation, pack),
        "levels": LEVELS,
    }
    return render(request, "actions/organisation_actions.html", context)


def _by_role(views: list[selectors.CardView]) -> list[tuple[str, list[selectors.CardView]]]:
    grouped: dict[str, list[selectors.CardView]] = defaultdict(list)
    for view in views:
        grouped[view.role_name].append(view)
    return sorted(grouped.items())


def _startable(request: HttpRequest, organisation: Organisation, pack: Pack) -> list[object]:
    user = _user(request)
    return [p for p in pack.protocols if protocols.may_run(user, organisation, p)]


@login_required
def checklist(request: HttpRequest, slug: str, level: int) -> HttpResponse:
    """Seed 000, Appendix 3: the de-escalation actions for one level, to print."""
    organisation = _organisation(request, slug)
    if level not in LEVELS:
        raise Http404(f"no level {level}")
    pack = pack_of(organisation.framework)
    context = {"organisation": organisation, "pack": pack, "level": level}
    context["items"] = checklist_for(pack, level)
    return render(request, "actions/checklist.html", context)


@login_required
def action_card(request: HttpRequest, card_id: int) -> HttpResponse:
    card = _card(request, card_id)
    return _card_page(request, card, {})


def _card(request: HttpRequest, card_id: int) -> ActionCard:
    card = get_object_or_404(
        ActionCard.objects.select_related("organisation__framework", "assignee", "protocol_run"),
        pk=card_id,
    )
    require_view(_user(request), card.organisation)
    return card


def _card_page(
    request: HttpRequest, card: ActionCard, forms: dict[str, Form], status: int = 200
) -> HttpResponse:
    pack = pack_of(card.organisation.framework)
    holders = _holder_choices(card)
    context = {
        "card": card,
        "pack": pack,
        "role_name": next((r.name for r in pack.roles if r.id == card.role), card.role),
        "deadlines": card.deadlines.order_by("due_at"),
        "events": card.events.select_related("by"),
        "may_act": can_act_on(_user(request), card) and card.is_active,
        "done_form": forms.get("done") or NoteForm(),
        "na_form": forms.get("not-applicable") or NotApplicableForm(),
        "assign_form": forms.get("assign") or AssignForm(holders),
        "review_form": forms.get("review") or ReviewForm(),
        "is_review": card.protocol_run is not None and card.recurring,
        "now": timezone.now(),
    }
    return render(request, "actions/card.html", context, status=status)


def _holder_choices(card: ActionCard) -> list[tuple[str, str]]:
    holders = role_holders(card.organisation, card.role, deputies=True, area=card.area)
    return [(u.get_username(), u.get_full_name() or u.get_username()) for u in holders]


Change = tuple[Form, Callable[[Form], object]]


def _acknowledge(request: HttpRequest, card: ActionCard, user: User, now: datetime) -> Change:
    return Form(request.POST), lambda f: services.acknowledge(card, user, now)


def _done(request: HttpRequest, card: ActionCard, user: User, now: datetime) -> Change:
    form = NoteForm(request.POST)
    return form, lambda f: services.complete(card, user, now, f.cleaned_data["note"])


def _not_applicable(request: HttpRequest, card: ActionCard, user: User, now: datetime) -> Change:
    form = NotApplicableForm(request.POST)
    return form, lambda f: services.not_applicable(card, user, f.cleaned_data["reason"], now)


def _assign(request: HttpRequest, card: ActionCard, user: User, now: datetime) -> Change:
    form = AssignForm(_holder_choices(card), request.POST)
    return form, lambda f: services.assign(card, user, _holder(f.cleaned_data["assignee"]), now)


def _review(request: HttpRequest, card: ActionCard, user: User, now: datetime) -> Change:
    def act(f: Form) -> object:
        remains, note = f.cleaned_data["pressure_remains"], f.cleaned_data["note"]
        return protocols.review(card, user, pressure_remains=remains, note=note, now=now)

    return ReviewForm(request.POST), act


CHANGES = {
    "acknowledge": _acknowledge,
    "done": _done,
    "not-applicable": _not_applicable,
    "assign": _assign,
    "review": _review,
}


@login_required
@require_POST
def update_card(request: HttpRequest, card_id: int, do: str) -> HttpResponse:
    if do not in CHANGES:
        raise Http404(f"no such change: {do}")
    card, user = _card(request, card_id), _user(request)
    form, act = CHANGES[do](request, card, user, timezone.now())
    if form.is_valid():
        try:
            act(form)
        except ValidationError as refused:
            _add_errors(form, refused)
        else:
            messages.success(request, "Saved.")
            return redirect("action-card", card_id=card.pk)
    return _card_page(request, card, {do: form}, status=400)


def _holder(username: str) -> User:
    return User.objects.get(username=username)


def _add_errors(form: Form, refused: ValidationError) -> None:
    for field, problems in refused.message_dict.items():
        form.add_error(field if field in form.fields else None, problems)


@login_required
@require_POST
def start_protocol(request: HttpRequest, slug: str, protocol_id: str) -> HttpResponse:
    organisation = _organisation(request, slug)
    try:
        run = protocols.start_protocol(organisation, protocol_id, _user(request), timezone.now())
    except ValidationError as refused:
        for problems in refused.message_dict.values():
            for problem in problems:
                messages.error(request, problem)
    else:
        messages.success(request, f"Started at {timezone.localtime(run.started_at):%H:%M}.")
    return redirect("organisation-actions", slug=slug)


@login_required
@require_POST
def stop_protocol(request: HttpRequest, run_id: int) -> HttpResponse:
    run = get_object_or_404(ProtocolRun.objects.select_related("organisation"), pk=run_id)
    organisation = _organisation(request, run.organisation.slug)
    pack = pack_of(organisation.framework)
    protocol = protocols.protocol_of(pack, run.protocol_id)
    if not protocols.may_run(_user(request), organisation, protocol):
        raise PermissionDenied(f"{request.user} may not stop {protocol.name}")
    form = StopForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Enter why the protocol stops.")
    else:
        protocols.stop_protocol(run, _user(request), form.cleaned_data["reason"], timezone.now())
        messages.success(request, f"{protocol.name} stopped.")
    return redirect("organisation-actions", slug=organisation.slug)
