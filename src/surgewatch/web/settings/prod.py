"""Production: refuses to start without SECRET_KEY and DATABASE_URL from the environment."""

from __future__ import annotations

import os

from surgewatch.web.settings.base import *  # noqa: F403
from surgewatch.web.settings.base import databases, required_env

DEBUG = False
SECRET_KEY = required_env("SECRET_KEY", "export SECRET_KEY=<a long random string>")
DATABASES = databases(None)
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
# Covers only names under Surgewatch's own host, never its parent organisation's domain.
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# Preloading is for a registrable domain's apex, which a Surgewatch host is not.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
