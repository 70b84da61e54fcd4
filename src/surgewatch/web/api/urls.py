"""Placeholder until the REST API lands (being written now)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
