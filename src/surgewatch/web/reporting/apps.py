from __future__ import annotations

from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "surgewatch.web.reporting"
    label = "reporting"
