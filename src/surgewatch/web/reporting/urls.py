from __future__ import annotations

from django.urls import path

from surgewatch.web.reporting import import_views, indicator_views, views

urlpatterns = [
    path("org/<slug:slug>/area/<slug:area_slug>/report/", views.report, name="report"),
    path("org/<slug:slug>/area/<slug:area_slug>/confirm/", views.confirm, name="confirm"),
    path("reading/<int:reading_id>/amend/", views.amend, name="amend"),
    path(
        "org/<slug:slug>/area/<slug:area_slug>/indicator/<slug:indicator>/",
        indicator_views.indicator,
        name="indicator",
    ),
    path("org/<slug:slug>/import/", import_views.upload, name="import"),
    path("org/<slug:slug>/import/<str:token>/", import_views.preview, name="import-preview"),
]
