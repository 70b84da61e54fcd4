"""Local development: debug on, SQLite under var/ unless DATABASE_URL says otherwise."""

from __future__ import annotations

from surgewatch.web.settings.base import *  # noqa: F403
from surgewatch.web.settings.base import REPO_ROOT, databases

DEBUG = True
SECRET_KEY = "dev-only-not-secret"
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]"]

(REPO_ROOT / "var").mkdir(exist_ok=True)
DATABASES = databases(f"sqlite:///{REPO_ROOT / 'var' / 'surgewatch.sqlite3'}")
# Serve static files straight from the finders (node_modules, app folders).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
