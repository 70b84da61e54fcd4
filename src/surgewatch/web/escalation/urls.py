from __future__ import annotations

from django.urls import path

from surgewatch.web.escalation import views

urlpatterns = [
    path("", views.board, name="board"),
    path("org/<slug:slug>/", views.organisation, name="organisation"),
    path("org/<slug:slug>/declare/", views.declare, name="declare"),
    path("org/<slug:slug>/system/", views.system, name="system"),
]
