"""The multi-agency calls (seed 000, section 5.1): schedule, records, exports, answers."""

from __future__ import annotations

from django.urls import URLPattern, path

from surgewatch.web.calls import views

urlpatterns: list[URLPattern] = [
    path("org/<slug:slug>/calls/", views.calls, name="calls"),
    path("org/<slug:slug>/calls.csv", views.calls_csv, name="calls-csv"),
    path("org/<slug:slug>/calls/new/", views.call_new, name="call-new"),
    path("org/<slug:slug>/calls/<int:pk>/", views.call, name="call"),
    path("org/<slug:slug>/calls/<int:pk>.csv", views.call_csv, name="call-csv"),
    path("calls/actions/<int:action_id>/answer/", views.answer, name="call-action-answer"),
]
