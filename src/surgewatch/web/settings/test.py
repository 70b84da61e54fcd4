"""Tests: in-memory SQLite by default; set DATABASE_URL to run against PostgreSQL."""

from __future__ import annotations

from surgewatch.web.settings.base import *  # noqa: F403
from surgewatch.web.settings.base import MIDDLEWARE, databases

DEBUG = False
SECRET_KEY = "test-only-not-secret"
ALLOWED_HOSTS = ["testserver"]
DATABASES = databases("sqlite://:memory:")
# Hashing at full strength only slows the tests down.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Static files come from the finders in tests; WhiteNoise would only warn
# that no collected static folder exists.
MIDDLEWARE = [m for m in MIDDLEWARE if not m.startswith("whitenoise.")]
# Tasks run at once, in the test's own thread and transaction, on in-memory storage.
HUEY = {"huey_class": "huey.MemoryHuey", "name": "surgewatch-test", "immediate": True}
