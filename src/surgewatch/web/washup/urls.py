"""The discharge wash-up board (seed 003): cases, the weekly improvement cycle, DTOC."""

from __future__ import annotations

from django.urls import URLPattern, path

from surgewatch.web.washup import views

urlpatterns: list[URLPattern] = [
    path("org/<slug:slug>/washup/", views.board, name="washup"),
    path("org/<slug:slug>/washup/new/", views.case_new, name="washup-case-new"),
    path("org/<slug:slug>/washup/<int:pk>/", views.case_page, name="washup-case"),
    path("org/<slug:slug>/washup/<int:pk>/edit/", views.case_edit, name="washup-case-edit"),
    path("org/<slug:slug>/washup/cycle/", views.cycle, name="washup-cycle"),
    path("org/<slug:slug>/washup/cycle/escalate/", views.escalate, name="washup-escalate"),
    path("org/<slug:slug>/washup/dtoc/", views.dtoc, name="washup-dtoc"),
]
