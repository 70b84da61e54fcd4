from __future__ import annotations

from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "surgewatch.web.orgs"
    label = "orgs"
    verbose_name = "Organisations"
