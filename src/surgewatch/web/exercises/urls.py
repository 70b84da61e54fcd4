"""Exercise mode (issue 7): one page per organisation."""

from __future__ import annotations

from django.urls import URLPattern, path

from surgewatch.web.exercises import views

urlpatterns: list[URLPattern] = [
    path("org/<slug:slug>/exercises/", views.exercises, name="exercises"),
]
