"""The decision and dynamic risk assessment log and the escalation group's meetings."""

from __future__ import annotations

from django.urls import URLPattern, path

from surgewatch.web.decisions import meeting_views, views

urlpatterns: list[URLPattern] = [
    path("org/<slug:slug>/decisions/", views.decisions, name="decisions"),
    path("org/<slug:slug>/decisions.csv", views.decisions_csv, name="decisions-csv"),
    path("org/<slug:slug>/decisions/new/", views.decision_new, name="decision-new"),
    path("org/<slug:slug>/decisions/<int:pk>/", views.decision, name="decision"),
    path(
        "org/<slug:slug>/decisions/<int:pk>/correct/",
        views.decision_correct,
        name="decision-correct",
    ),
    path(
        "org/<slug:slug>/decisions/<int:pk>/review/",
        views.decision_review,
        name="decision-review",
    ),
    path("org/<slug:slug>/meetings/", meeting_views.meetings, name="meetings"),
    path("org/<slug:slug>/meetings/new/", meeting_views.meeting_new, name="meeting-new"),
    path("org/<slug:slug>/meetings/<int:pk>/", meeting_views.meeting, name="meeting"),
    path(
        "org/<slug:slug>/meetings/<int:pk>/correct/",
        meeting_views.meeting_correct,
        name="meeting-correct",
    ),
]
