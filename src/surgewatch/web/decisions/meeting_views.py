"""Pages for meetings of the escalation group (seed 000, section 5.2).

Thin, as the log's views: scope, form, service. A meeting record is never
edited; a correction is a new record pointing at the one it corrects.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from surgewatch.core.pack import Pack
from surgewatch.web.calls.selectors import person_choices
from surgewatch.web.decisions import snapshot
from surgewatch.web.decisions.forms import (
    ROLE_LIST_ID,
    MeetingCorrectionForm,
    MeetingForm,
    attach,
    meeting_initial,
    new_meeting_initial,
)
from surgewatch.web.decisions.models import Meeting
from surgewatch.web.decisions.permissions import can_record
from surgewatch.web.decisions.selectors import describe_person, latest_version, meeting_log
from surgewatch.web.decisions.services import record_meeting
from surgewatch.web.decisions.views import organisation_in_scope, request_user
from surgewatch.web.orgs.models import Organisation
from surgewatch.web.orgs.packs import pack_of


@login_required
def meetings(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = organisation_in_scope(request, slug)
    context = {
        "organisation": organisation,
        "meetings": meeting_log(organisation),
        "can_record": can_record(request_user(request), organisation),
        "groups": pack_of(organisation.framework).groups,
    }
    return render(request, "decisions/meetings.html", context)


@login_required
def meeting(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = organisation_in_scope(request, slug)
    record = get_object_or_404(Meeting.objects.for_log(), organisation=organisation, pk=pk)
    context = {
        "organisation": organisation,
        "meeting": record,
        "attendees": record.attendees.all(),
        "snapshot": snapshot.read(record.snapshot),
        "can_record": can_record(request_user(request), organisation),
    }
    return render(request, "decisions/meeting.html", context)


@login_required
def meeting_new(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = organisation_in_scope(request, slug, writing=True)
    user, pack, now = request_user(request), pack_of(organisation.framework), timezone.now()
    group = next((g for g in pack.groups if g.id == request.GET.get("group")), None)
    group = group or (pack.groups[0] if pack.groups else None)
    convener = describe_person(user, organisation)
    initial = new_meeting_initial(group, _role_names(pack), convener, now)
    people = person_choices(organisation)
    form = MeetingForm(pack.groups, request.POST or None, initial=initial, people=people)
    if request.method == "POST" and form.is_valid():
        try:
            record = record_meeting(user, organisation, **form.meeting_fields(), now=now)
        except ValidationError as error:
            attach(form, error)
        else:
            messages.success(request, f"The meeting of {record.group_name} is on record.")
            return redirect("meeting", slug=slug, pk=record.pk)
    return _form_page(request, organisation, pack, form, None)


@login_required
def meeting_correct(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = organisation_in_scope(request, slug, writing=True)
    original = get_object_or_404(Meeting, organisation=organisation, pk=pk)
    latest = latest_version(original)
    if latest != original:
        messages.info(
            request, f"Meeting {pk} was corrected by meeting {latest.pk}: correct that instead."
        )
        return redirect("meeting-correct", slug=slug, pk=latest.pk)
    pack = pack_of(organisation.framework)
    initial = meeting_initial(original)
    people = person_choices(organisation)
    form = MeetingCorrectionForm(pack.groups, request.POST or None, initial=initial, people=people)
    if request.method == "POST" and form.is_valid():
        try:
            record = record_meeting(
                request_user(request),
                organisation,
                **form.meeting_fields(),
                now=timezone.now(),
                corrects=original,
                correction_reason=form.cleaned_data["correction_reason"],
            )
        except ValidationError as error:
            attach(form, error)
        else:
            messages.success(request, f"Meeting {record.pk} corrects meeting {original.pk}.")
            return redirect("meeting", slug=slug, pk=record.pk)
    return _form_page(request, organisation, pack, form, original)


def _form_page(
    request: HttpRequest,
    organisation: Organisation,
    pack: Pack,
    form: MeetingForm,
    original: Meeting | None,
) -> HttpResponse:
    context = {
        "organisation": organisation,
        "form": form,
        "original": original,
        "groups": pack.groups,
        "role_options": _role_options(pack),
        "role_list_id": ROLE_LIST_ID,
    }
    return render(request, "decisions/meeting_form.html", context, status=_status(form))


def _role_names(pack: Pack) -> dict[str, str]:
    return {r.id: r.name for r in pack.roles}


def _role_options(pack: Pack) -> list[str]:
    """The roles offered for attendees: each group's chair and members first, then the rest."""
    names = _role_names(pack)
    in_groups = [r for g in pack.groups for r in [g.chair_role, *g.member_roles]]
    ordered = dict.fromkeys([*in_groups, *names])
    return [names.get(r, r) for r in ordered]


def _status(form: MeetingForm) -> int:
    return 400 if form.is_bound else 200
