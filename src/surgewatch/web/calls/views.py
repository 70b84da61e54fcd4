"""Pages for the multi-agency calls (seed 000, section 5.1).

Thin, as elsewhere: scope, form, service. A call record is never edited and
has no correction (see ``calls.models``); an action's outcome is recorded as
answers, and anything missed goes on the next call's agenda.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from surgewatch.core.pack import Pack, SystemCall
from surgewatch.web.actions.selectors import acting_change
from surgewatch.web.calls import agenda, export, schedule, selectors
from surgewatch.web.calls.forms import PARTNER_LIST_ID, AnswerForm, CallForm, new_call_initial
from surgewatch.web.calls.models import Call, CallAction
from surgewatch.web.calls.permissions import (
    can_answer,
    can_hold_call,
    require_answer,
    require_hold_call,
)
from surgewatch.web.calls.services import answer_action, find_call, record_call
from surgewatch.web.decisions.forms import attach
from surgewatch.web.orgs.models import Organisation
from surgewatch.web.orgs.packs import pack_of
from surgewatch.web.orgs.permissions import require_view
from surgewatch.web.orgs.requests import signed_in_user as _user
from surgewatch.web.orgs.requests import viewable_organisation as _organisation


@login_required
def calls(request: HttpRequest, slug: str) -> HttpResponse:
    organisation, now = _organisation(request, slug), timezone.now()
    pack = pack_of(organisation.framework)
    acting = acting_change(organisation)
    level = acting.to_level if acting else None
    context = {
        "organisation": organisation,
        "level": level,
        "plans": schedule.next_calls(pack, level, now),
        "calls": selectors.call_log(organisation),
        "can_hold": can_hold_call(_user(request), organisation),
    }
    return render(request, "calls/calls.html", context)


@login_required
def call(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = _organisation(request, slug)
    record = get_object_or_404(Call.objects.for_log(), organisation=organisation, pk=pk)
    user = _user(request)
    actions = list(selectors.call_actions(record))
    context = {
        "organisation": organisation,
        "call": record,
        "agenda": agenda.read(record.agenda),
        "attendees": record.attendees.all(),
        "actions": [(a, can_answer(user, a)) for a in actions],
    }
    return render(request, "calls/call.html", context)


@login_required
def call_new(request: HttpRequest, slug: str) -> HttpResponse:
    organisation, user, now = _organisation(request, slug), _user(request), timezone.now()
    require_hold_call(user, organisation)
    pack = pack_of(organisation.framework)
    kind = _kind(organisation, pack, request.GET.get("call", ""))
    initial = new_call_initial(kind, _role_names(pack), user, now)
    form = CallForm(selectors.person_choices(organisation), request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            fields = form.call_fields()
            record = record_call(user, organisation, call_id=kind.id, **fields, now=now)
        except ValidationError as error:
            attach(form, error)
        else:
            messages.success(request, f"The {record.call_name} is on record; owners are told.")
            return redirect("call", slug=slug, pk=record.pk)
    return _call_form_page(request, organisation, kind, form, now)


def _call_form_page(
    request: HttpRequest,
    organisation: Organisation,
    kind: SystemCall,
    form: CallForm,
    now: datetime,
) -> HttpResponse:
    """The form under the agenda as it stands now (saving generates it afresh)."""
    pack = pack_of(organisation.framework)
    context = {
        "organisation": organisation,
        "form": form,
        "kind": kind,
        "agenda": agenda.read(agenda.generate(organisation, pack, kind, now)),
        "partner_options": list(_role_names(pack).values()),
        "partner_list_id": PARTNER_LIST_ID,
    }
    return render(request, "calls/call_form.html", context, status=_status(form))


def _status(form: Form) -> int:
    """400 for a form sent back with problems, so scripts and tests can tell."""
    return 400 if form.is_bound else 200


def _kind(organisation: Organisation, pack: Pack, call_id: str) -> SystemCall:
    """The call named in the address; the first of the pack's when none is named."""
    if not call_id and pack.calls:
        return pack.calls[0]
    try:
        return find_call(organisation, call_id)
    except ValidationError as error:
        raise Http404(" ".join(error.messages)) from None


def _role_names(pack: Pack) -> dict[str, str]:
    return {r.id: r.name for r in pack.roles}


@login_required
def call_csv(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = _organisation(request, slug)
    record = get_object_or_404(Call.objects.for_log(), organisation=organisation, pk=pk)
    response = _csv_response(f"{organisation.slug}-call-{record.pk}.csv")
    response.write(export.call_csv(record))
    return response


@login_required
def calls_csv(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _organisation(request, slug)
    response = _csv_response(f"{organisation.slug}-calls.csv")
    response.write(export.calls_csv(organisation))
    return response


def _csv_response(filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def answer(request: HttpRequest, action_id: int) -> HttpResponse:
    """Is it done? Answered by the owner, the chair, a declarer or a superuser."""
    action, user = _answerable(request, action_id), _user(request)
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            answer_action(user, action, **form.answer_fields(), now=timezone.now())
        except ValidationError as error:
            attach(form, error)
        else:
            messages.success(request, "Your answer is on record.")
            return redirect("call", slug=action.call.organisation.slug, pk=action.call_id)
    context = {
        "organisation": action.call.organisation,
        "action": action,
        "answers": action.answers.select_related("by"),
        "form": form,
    }
    return render(request, "calls/answer.html", context, status=_status(form))


def _answerable(request: HttpRequest, action_id: int) -> CallAction:
    related = ("call__organisation__framework", "call__chair", "owner")
    action = get_object_or_404(CallAction.objects.select_related(*related), pk=action_id)
    require_view(_user(request), action.call.organisation)
    require_answer(_user(request), action)
    return action
