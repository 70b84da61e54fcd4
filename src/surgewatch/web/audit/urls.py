"""The audit log for administrators."""

from __future__ import annotations

from django.urls import URLPattern, path

from surgewatch.web.audit import views

urlpatterns: list[URLPattern] = [
    path("audit/", views.audit_page, name="audit-log"),
    path("audit.csv", views.audit_csv, name="audit-csv"),
]
