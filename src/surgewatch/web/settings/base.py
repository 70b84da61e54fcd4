"""Settings every environment shares.

Times are stored in UTC (``USE_TZ``) and shown in Europe/London, the time
zone every deadline in the plans is written in (DESIGN.md, 'Time').
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from surgewatch.web.accounts.sso_settings import oidc_settings

# src/surgewatch/web/settings/base.py -> the repository root
REPO_ROOT = Path(__file__).resolve().parents[4]
WEB_ROOT = REPO_ROOT / "src" / "surgewatch" / "web"
NODE_MODULES = REPO_ROOT / "node_modules"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "ninja",
    "huey.contrib.djhuey",
    "surgewatch.web.accounts",
    "surgewatch.web.orgs",
    "surgewatch.web.reporting",
    "surgewatch.web.escalation",
    "surgewatch.web.api",
    "surgewatch.web.demo",
    "surgewatch.web.actions",
    "surgewatch.web.notify",
    "surgewatch.web.decisions",
    "surgewatch.web.sitrep",
    "surgewatch.web.calls",
    "surgewatch.web.audit",
    "surgewatch.web.plans",
    "surgewatch.web.exercises",  # exercise mode (issue 7)
    "surgewatch.web.improve",  # HICM and winter roles self-assessments (issue 7)
    "surgewatch.web.casework",  # placement and case timers (issue 7)
    "surgewatch.web.governance",
    "surgewatch.web.washup",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication: every write in a request is attributed to its user (audit log).
    "surgewatch.web.audit.middleware.AuditMiddleware",
    "surgewatch.web.security.SignInLifetimeMiddleware",  # a sign-in lasts one shift
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "surgewatch.web.security.SecurityHeadersMiddleware",  # CSP and Permissions-Policy
    # Last, as django-axes asks, so it sees every authentication attempt.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Single sign-on (OpenID Connect, mozilla-django-oidc): on only when OIDC_RP_CLIENT_ID is
# set; every OIDC_* variable is described in surgewatch/web/accounts/sso_settings.py.
oidc = oidc_settings(os.environ)
globals().update(oidc)
if oidc["OIDC_ENABLED"]:
    AUTHENTICATION_BACKENDS.append("surgewatch.web.accounts.oidc.RoleMappingBackend")
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "board"
LOGOUT_REDIRECT_URL = "login"

# Guessing passwords: five failures for one username from one address lock
# that pair out for an hour (django-axes).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# A sign-in lasts one 12-hour shift at most (checked on the server, not only by the
# cookie) and ends when the browser closes, for shared control-room computers. It is
# not extended by use, so a director on call signs in again at the start of each shift.
SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

ROOT_URLCONF = "surgewatch.web.urls"
WSGI_APPLICATION = "surgewatch.web.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [WEB_ROOT / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "surgewatch.web.context_processors.navigation",
            ],
            "builtins": ["surgewatch.web.orgs.templatetags.surgewatch_tags"],
        },
    },
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = REPO_ROOT / "static"
# Front-end packages come from npm (package.json); they are served from
# node_modules under these prefixes and never copied into the repository.
STATICFILES_DIRS = [
    ("nhsuk", NODE_MODULES / "nhsuk-frontend" / "dist" / "nhsuk"),
    ("htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("chartjs", NODE_MODULES / "chart.js" / "dist"),
    WEB_ROOT / "static",
]


def huey_settings(redis_url: str | None, sqlite_file: Path) -> dict[str, object]:
    """The task queue: Redis in production (REDIS_URL), else SQLite beside the database.

    Clocks, reminders, escalations and notification retries run here, in
    ``surgewatch worker`` (huey's consumer), never in a web request.
    """
    consumer = {"workers": 2, "worker_type": "thread", "periodic": True}
    # djhuey runs tasks inline when DEBUG is on; the demo is a real deployment
    # in small, so it queues for the worker like production.
    common = {"name": "surgewatch", "immediate": False, "consumer": consumer}
    if redis_url:
        return {"huey_class": "huey.RedisHuey", "url": redis_url, **common}
    sqlite_file.parent.mkdir(parents=True, exist_ok=True)
    return {"huey_class": "huey.SqliteHuey", "filename": str(sqlite_file), **common}


HUEY = huey_settings(os.environ.get("REDIS_URL"), REPO_ROOT / "var" / "huey.sqlite3")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # At least 12 characters (NCSC: length beats complexity rules); common and all-digit refused.
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]


def databases(default_url: str | None) -> dict[str, dj_database_url.DBConfig]:
    """The database from ``DATABASE_URL``, else ``default_url``; refuse when neither is set."""
    url = os.environ.get("DATABASE_URL") or default_url
    if not url:
        raise ImproperlyConfigured(
            "DATABASE_URL is not set; fix: export DATABASE_URL=postgres://user:pass@host:5432/db"
        )
    return {"default": dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)}


def required_env(name: str, fix: str) -> str:
    """An environment variable prod cannot start without."""
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"{name} is not set; fix: {fix}")
    return value


# --- Notifications (surgewatch.web.notify, issue 4) ---------------------------------------
# Email, GOV.UK Notify and webhooks; every value from the environment. Messages are
# sent by `surgewatch worker`, retried with backoff, and shown in the outbox (/outbox/).


def _env_number(name: str, default: str) -> int:
    value = os.environ.get(name, default).strip()
    if not value.isdigit():
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}")
    return int(value)


# Links in messages are this address plus a path on the site.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Email through SMTP. EMAIL_BACKEND may name Django's console backend for a demo without a
# mail server; tests swap in the in-memory backend themselves.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _env_number("EMAIL_PORT", "25")
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "").lower() in ("1", "true", "yes")
EMAIL_TIMEOUT = _env_number("EMAIL_TIMEOUT", "30")  # seconds; Django's default waits for ever
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Surgewatch <surgewatch@localhost>")

# GOV.UK Notify. Unset, Notify channels' messages fail at once naming the missing
# setting. Each template uses ((subject)), ((body)) and ((link)).
GOVUK_NOTIFY_API_KEY = os.environ.get("GOVUK_NOTIFY_API_KEY", "")
GOVUK_NOTIFY_BASE_URL = os.environ.get(
    "GOVUK_NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk"
)
GOVUK_NOTIFY_EMAIL_TEMPLATE_ID = os.environ.get("GOVUK_NOTIFY_EMAIL_TEMPLATE_ID", "")
GOVUK_NOTIFY_SMS_TEMPLATE_ID = os.environ.get("GOVUK_NOTIFY_SMS_TEMPLATE_ID", "")

NOTIFY_WEBHOOK_TIMEOUT_SECONDS = _env_number("NOTIFY_WEBHOOK_TIMEOUT_SECONDS", "10")
# Retries wait 1, 2, 4, 8 ... minutes, at most the cap; after the last attempt the
# message is failed (and stays in the outbox, where an administrator can retry it).
NOTIFY_MAX_ATTEMPTS = _env_number("NOTIFY_MAX_ATTEMPTS", "10")
NOTIFY_BACKOFF_CAP_MINUTES = _env_number("NOTIFY_BACKOFF_CAP_MINUTES", "60")
# --- end of notifications -----------------------------------------------------------------

# Patient-level records (issue 7, 'Security'): closed ones are deleted this many days after
# they closed, by `surgewatch purge` and the worker's daily task. Each app with such
# records lists its purge here (a dotted path; see surgewatch.web.washup.retention).
PATIENT_RECORD_RETENTION_DAYS = _env_number("PATIENT_RECORD_RETENTION_DAYS", "365")
PATIENT_RECORD_PURGES = ["surgewatch.web.washup.retention.purge_closed_cases"]
PATIENT_RECORD_PURGES += ["surgewatch.web.casework.retention.purge_closed_records"]  # issue 7

# Errors (a 500, a failed on-commit callback, a task that raised) go to standard error,
# where gunicorn and the worker's supervisor keep them; Django's default logs nothing
# once DEBUG is off. LOG_LEVEL=INFO adds what Surgewatch's tasks did each minute.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["stderr"], "level": "WARNING"},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "surgewatch": {"level": os.environ.get("LOG_LEVEL", "WARNING").upper()},
    },
}
