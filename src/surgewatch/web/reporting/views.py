"""Reporting pages: submit a team's indicators, confirm no change, amend a value.

Views are thin: check scope, call the service, show its errors beside the fields.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from surgewatch.core.bands import BandTable, CellStatus
from surgewatch.core.pack import Indicator
from surgewatch.web.accounts.models import User
from surgewatch.web.orgs.models import Area
from surgewatch.web.orgs.packs import pack_of, table_of
from surgewatch.web.orgs.permissions import reportable_indicators, require_view
from surgewatch.web.reporting.forms import AmendForm, ConfirmForm, ReportForm
from surgewatch.web.reporting.models import Reading
from surgewatch.web.reporting.selectors import standing_cells
from surgewatch.web.reporting.services import amend_reading, confirm_no_change, submit_readings


def request_user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # login_required guarantees it
    return request.user


def area_in_scope(request: HttpRequest, slug: str, area_slug: str) -> Area:
    """The area, after checking the user may see its organisation at all."""
    area = get_object_or_404(
        Area.objects.select_related("organisation__framework"),
        organisation__slug=slug,
        slug=area_slug,
    )
    require_view(request_user(request), area.organisation)
    return area


def attach_errors(form: Form, error: ValidationError) -> None:
    """Put a service's errors beside the fields they name; the rest above the form."""
    for field, problems in error.message_dict.items():
        for problem in problems:
            form.add_error(field if field in form.fields else None, problem)


@login_required
def report(request: HttpRequest, slug: str, area_slug: str) -> HttpResponse:
    area = area_in_scope(request, slug, area_slug)
    user = request_user(request)
    indicators = _reportable(user, area)
    last = {
        ind: s.reading
        for (ind, a), s in standing_cells(area.organisation).items()
        if a == area.slug
    }
    form = ReportForm(indicators, last, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            saved = submit_readings(user, area, form.values(), form.cleaned_data["observed_at"])
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, f"{len(saved)} readings saved for {area.name}.")
            return redirect("organisation", slug=slug)
    status = 400 if form.is_bound else 200
    context = {
        "area": area,
        "form": form,
        "confirm_form": ConfirmForm(initial=form.initial),
        "has_last": bool(last),
    }
    return render(request, "reporting/report.html", context, status=status)


@login_required
@require_POST
def confirm(request: HttpRequest, slug: str, area_slug: str) -> HttpResponse:
    area = area_in_scope(request, slug, area_slug)
    _reportable(request_user(request), area)
    form = ConfirmForm(request.POST)
    if form.is_valid():
        try:
            saved = confirm_no_change(request_user(request), area, form.cleaned_data["observed_at"])
        except ValidationError as error:
            messages.error(request, "Nothing was confirmed: " + "; ".join(error.messages))
        else:
            messages.success(
                request, f"No change confirmed for {len(saved)} indicators in {area.name}."
            )
    else:
        messages.error(request, "Nothing was confirmed: give the time the values still describe.")
    return redirect("report", slug=slug, area_slug=area_slug)


@login_required
def amend(request: HttpRequest, reading_id: int) -> HttpResponse:
    reading = get_object_or_404(Reading.objects.select_related("area__organisation"), pk=reading_id)
    area = reading.area
    require_view(request_user(request), area.organisation)
    if reading.indicator not in reportable_indicators(request_user(request), area):
        raise PermissionDenied("only a team that reports this indicator may amend it")
    form = AmendForm(request.POST or None, initial={"value": reading.value})
    if request.method == "POST" and form.is_valid():
        try:
            amend_reading(
                request_user(request),
                reading.pk,
                form.cleaned_data["value"],
                form.cleaned_data["reason"],
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, "Amendment saved; the original stays on record.")
            return redirect(
                "indicator",
                slug=area.organisation.slug,
                area_slug=area.slug,
                indicator=reading.indicator,
            )
    context = {"reading": reading, "form": form, "now": timezone.now()}
    return render(request, "reporting/amend.html", context, status=400 if form.is_bound else 200)


def _reportable(user: User, area: Area) -> list[Indicator]:
    """The user's indicators for the area, leaving out those the plan marks N/A there."""
    ids = set(reportable_indicators(user, area))
    if not ids:
        raise PermissionDenied(f"{user} reports no indicator for {area.slug}")
    table = table_of(area.organisation.framework)
    indicators = pack_of(area.organisation.framework).indicators
    return [i for i in indicators if i.id in ids and _monitored(table, i.id, area.slug)]


def _monitored(table: BandTable, indicator: str, area: str) -> bool:
    key = (indicator, area)
    return key in table.index and table.cell(*key).status is not CellStatus.NOT_MONITORED
