"""The daily SitRep page and its downloads (issue 4). Thin: check scope and date, build, render.

Anyone who may view the organisation may read its SitRep
(``require_view``); the clock is read here, at the edge, and passed in.
"""

from __future__ import annotations

from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from surgewatch.web.orgs.models import Organisation
from surgewatch.web.orgs.requests import viewable_organisation as _organisation
from surgewatch.web.sitrep.builder import sitrep_for_day, sitrep_zone
from surgewatch.web.sitrep.dates import SitRepDateError, local_today, parse_sitrep_date
from surgewatch.web.sitrep.forms import SitRepDateForm
from surgewatch.web.sitrep.outputs import FORMATS, filename
from surgewatch.web.sitrep.pdf import PdfUnavailableError


@login_required
def sitrep(request: HttpRequest, slug: str) -> HttpResponse:
    org = _organisation(request, slug)
    now, zone = timezone.now(), sitrep_zone(org)
    form = SitRepDateForm(request.GET or None, today=local_today(now, zone))
    context = {"organisation": org, "form": form}
    if form.is_bound and not form.is_valid():
        return render(request, "sitrep/page.html", context, status=400)
    day: date = form.cleaned_data["date"] if form.is_bound else form.today
    report = sitrep_for_day(org, day, now)
    return render(request, "sitrep/page.html", {**context, "sitrep": report, "day": day})


@login_required
def sitrep_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    return _download(request, slug, "pdf")


@login_required
def sitrep_xlsx(request: HttpRequest, slug: str) -> HttpResponse:
    return _download(request, slug, "xlsx")


@login_required
def sitrep_csv(request: HttpRequest, slug: str) -> HttpResponse:
    return _download(request, slug, "csv")


def _download(request: HttpRequest, slug: str, extension: str) -> HttpResponse:
    org = _organisation(request, slug)
    now, zone = timezone.now(), sitrep_zone(org)
    try:
        day = parse_sitrep_date(request.GET.get("date"), local_today(now, zone))
    except SitRepDateError as problem:
        return _problem(request, org, "The SitRep date is not right", str(problem), 400)
    output = FORMATS[extension]
    try:
        body = output.render(sitrep_for_day(org, day, now))
    except PdfUnavailableError as missing:
        return _problem(request, org, "The PDF cannot be made on this server", str(missing), 503)
    response = HttpResponse(body, content_type=output.content_type)
    name = filename(org.slug, day, output.extension)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _problem(
    request: HttpRequest, org: Organisation, heading: str, message: str, status: int
) -> HttpResponse:
    context = {"organisation": org, "heading": heading, "message": message}
    return render(request, "sitrep/problem.html", context, status=status)
