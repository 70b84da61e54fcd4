"""The audit log page and its CSV export: administrators only."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from surgewatch.web.audit import export
from surgewatch.web.audit.forms import AuditFilterForm
from surgewatch.web.audit.models import AuditEntry
from surgewatch.web.audit.selectors import audit_log, field_changes
from surgewatch.web.orgs.requests import signed_in_user

ENTRIES_PER_PAGE = 100


def _administrator(request: HttpRequest) -> None:
    if not signed_in_user(request).is_superuser:
        raise PermissionDenied("only an administrator can read the audit log")


def _filtered(request: HttpRequest) -> tuple[AuditFilterForm, QuerySet[AuditEntry]]:
    """The filters as given; the whole log when they are empty or invalid (errors shown)."""
    form = AuditFilterForm(request.GET or None)
    if not form.is_valid():
        return form, audit_log()
    since, until = form.bounds()
    data = form.cleaned_data
    return form, audit_log(model=data["model"], who=data["who"], since=since, until=until)


@login_required
def audit_page(request: HttpRequest) -> HttpResponse:
    _administrator(request)
    form, entries = _filtered(request)
    page = Paginator(entries, ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    rows = [(entry, field_changes(entry)) for entry in page.object_list]
    context = {"filter_form": form, "page": page, "rows": rows}
    return render(request, "audit/log.html", context)


@login_required
def audit_csv(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    _administrator(request)
    form, entries = _filtered(request)
    if form.errors:
        return render(request, "audit/log.html", {"filter_form": form, "rows": []}, status=400)
    name = f"audit-{timezone.localdate():%Y-%m-%d}.csv"
    response = StreamingHttpResponse(
        export.csv_lines(entries.iterator(chunk_size=2000)), content_type="text/csv"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
