from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "surgewatch.web.accounts"
    label = "accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from surgewatch.web.security import stamp_sign_in

        # Every sign-in (password or single sign-on) starts its 12-hour clock.
        user_logged_in.connect(stamp_sign_in, dispatch_uid="surgewatch-sign-in-stamp")
