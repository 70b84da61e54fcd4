from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "surgewatch.web.accounts"
    label = "accounts"
