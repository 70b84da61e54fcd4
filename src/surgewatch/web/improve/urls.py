"""Self-assessment pages: the HICM (seed 003) and NHS England's winter roles (seed 004)."""

from __future__ import annotations

from django.urls import URLPattern, path

from surgewatch.web.improve import views

BASE = "org/<slug:slug>/improve/<slug:framework>/"

urlpatterns: list[URLPattern] = [
    path("org/<slug:slug>/improve/", views.improve, name="improve"),
    path(BASE, views.framework_results, name="improve-framework"),
    path(f"{BASE}assess/", views.assess, name="improve-assess"),
    path(f"{BASE}assessments/<int:number>/", views.assessment, name="improve-assessment"),
    path(f"{BASE}plan/", views.action_plan, name="improve-plan"),
    path(f"{BASE}plan/<int:number>/status/", views.action_status, name="improve-action-status"),
    path(f"{BASE}export.pdf", views.export_pdf, name="improve-pdf"),
    path(f"{BASE}export.xlsx", views.export_xlsx, name="improve-xlsx"),
]
