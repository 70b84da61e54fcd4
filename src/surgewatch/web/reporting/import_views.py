"""Bulk import pages: upload a file, then see every problem by row, or a preview to confirm.

Views are thin: check who may do what, call :mod:`surgewatch.web.reporting.imports`
(and :mod:`~surgewatch.web.reporting.spreadsheets` for the file's limits) with the
time now, and show its words. Refusals answer 400 (fix the file) or
409 (this import can no longer be done), so nothing half-done looks like success.
"""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from surgewatch.core.assess import ReadingsError, RowError
from surgewatch.web.orgs.models import Organisation
from surgewatch.web.orgs.permissions import reportable_areas, require_view
from surgewatch.web.orgs.requests import signed_in_user as _user
from surgewatch.web.reporting import imports, spreadsheets
from surgewatch.web.reporting.models import ImportBatch

# Longer lists help nobody on one page; the summary says how many more there are.
SHOWN_ROWS = 1000

FILE_HINT = (
    f"A CSV file (UTF-8) or an Excel workbook (.xlsx, first sheet only), at most "
    f"{spreadsheets.MAX_BYTES // 1024 // 1024} MB and {spreadsheets.MAX_ROWS:,} readings. "
    "Row 1 names the columns: area, indicator, value and observed_at; organisation is optional."
)


class UploadForm(forms.Form):
    file = forms.FileField(
        label="File of readings",
        help_text=FILE_HINT,
        error_messages={
            "required": "Choose a CSV or Excel file to import",
            "empty": "The file is empty; choose a file with a header row and readings",
        },
    )

    def clean_file(self) -> UploadedFile[bytes]:
        """Refuse an oversized file before it is read into memory."""
        upload: UploadedFile[bytes] = self.cleaned_data["file"]
        problem = spreadsheets.size_problem(upload.size or 0)
        if problem:
            raise ValidationError(problem)
        return upload


@login_required
def upload(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _reporting_organisation(request, slug)
    form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
    errors: list[RowError] = []
    if form.is_bound and form.is_valid():
        try:
            batch = _stage(request, organisation, form.cleaned_data["file"])
        except spreadsheets.ImportFileError as refused:
            form.add_error("file", str(refused))
        except ReadingsError as refused:
            errors = refused.errors
            form.add_error("file", _summary(errors))
        else:
            return redirect("import-preview", slug=slug, token=batch.token)
    context = {
        "organisation": organisation,
        "form": form,
        "filename": _filename(request),
        "importable": imports.importable(_user(request), organisation),
        **_listed_errors(errors),
    }
    status = 400 if form.is_bound else 200
    return render(request, "reporting/import_upload.html", context, status=status)


@login_required
def preview(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    # Another person's batch is simply not found: its token says nothing to them.
    batch = get_object_or_404(
        ImportBatch.objects.select_related("organisation__framework", "framework"),
        organisation__slug=slug,
        token=token,
        uploaded_by=_user(request),
    )
    require_view(_user(request), batch.organisation)
    if request.method == "POST":
        return _act(request, batch, timezone.now())
    return _show(request, batch, timezone.now())


def _reporting_organisation(request: HttpRequest, slug: str) -> Organisation:
    organisation = get_object_or_404(Organisation.objects.select_related("framework"), slug=slug)
    require_view(_user(request), organisation)
    if not reportable_areas(_user(request), organisation):
        raise PermissionDenied(f"{request.user} reports no indicator in {slug}")
    return organisation


def _filename(request: HttpRequest) -> str:
    upload = request.FILES.get("file")
    return (upload.name or "") if isinstance(upload, UploadedFile) else ""


def _stage(
    request: HttpRequest, organisation: Organisation, upload: UploadedFile[bytes]
) -> ImportBatch:
    name = upload.name or "upload"
    return imports.stage(organisation, _user(request), name, upload.read(), timezone.now())


def _summary(errors: list[RowError]) -> str:
    rows = len({e.row for e in errors})
    return (
        f"The file has {len(errors)} problem{'s' if len(errors) != 1 else ''} in "
        f"{rows} row{'s' if rows != 1 else ''}, listed below. Nothing was imported: "
        "fix every row and upload the file again."
    )


def _act(request: HttpRequest, batch: ImportBatch, now: datetime) -> HttpResponse:
    action = request.POST.get("action")
    try:
        if action == "import":
            saved = imports.commit(batch, _user(request), now)
            messages.success(request, f"{saved} readings imported from {batch.filename}.")
            return redirect("organisation", slug=batch.organisation.slug)
        if action == "cancel":
            imports.discard(batch, _user(request), now)
            messages.success(request, f"Import of {batch.filename} cancelled; nothing was saved.")
            return redirect("import", slug=batch.organisation.slug)
    except imports.CommitError as refused:
        return _show(request, batch, now, problem=str(refused), status=409)
    except ReadingsError as refused:
        # The rows passed when uploaded; scope, plan or clock has moved since.
        problem = (
            "Nothing was imported: some rows no longer pass the checks (listed below). "
            "Fix them and upload the file again."
        )
        return _show(request, batch, now, problem=problem, errors=refused.errors, status=400)
    return _show(request, batch, now, problem="Choose Import or Cancel.", status=400)


def _show(
    request: HttpRequest,
    batch: ImportBatch,
    now: datetime,
    *,
    problem: str | None = None,
    errors: list[RowError] | None = None,
    status: int = 200,
) -> HttpResponse:
    shown = imports.preview(batch, now)
    context = {
        "organisation": batch.organisation,
        "preview": shown,
        "problem": problem,
        "listed_rows": shown.rows[:SHOWN_ROWS],
        "hidden_rows": len(shown.rows) > SHOWN_ROWS,
        **_listed_errors(errors or []),
    }
    return render(request, "reporting/import_preview.html", context, status=status)


def _listed_errors(errors: list[RowError]) -> dict[str, object]:
    return {
        "row_errors": errors,
        "listed_errors": errors[:SHOWN_ROWS],
        "hidden_errors": len(errors) > SHOWN_ROWS,
    }
