"""Local development: debug on, SQLite under var/ unless DATABASE_URL says otherwise."""

from __future__ import annotations

import os

from surgewatch.web.settings.base import *  # noqa: F403
from surgewatch.web.settings.base import REPO_ROOT, databases

DEBUG = True
SECRET_KEY = "dev-only-not-secret"
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]"] + [
    h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()
]

(REPO_ROOT / "var").mkdir(exist_ok=True)
DATABASES = databases(f"sqlite:///{REPO_ROOT / 'var' / 'surgewatch.sqlite3'}")
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Two gunicorn workers share the file: take the write lock at BEGIN and let
    # readers carry on beside a writer, so a save waits instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=5000;",
    }
# Serve static files straight from the finders (node_modules, app folders).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# The demo has no mail server: emails print in `surgewatch worker`'s output
# unless EMAIL_BACKEND names another backend.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
