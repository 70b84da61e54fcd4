"""Settings: prod refuses to start half-configured; DATABASE_URL chooses the database."""

from __future__ import annotations

import runpy

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from surgewatch.web.settings.base import databases

PROD = "surgewatch.web.settings.prod"
POSTGRES = "postgres://surge:secret@db.example:5432/surgewatch"


def test_prod_refuses_to_start_without_a_secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", POSTGRES)
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY is not set"):
        runpy.run_module(PROD)


def test_prod_refuses_to_start_without_a_database_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRET_KEY", "x" * 50)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL is not set"):
        runpy.run_module(PROD)


def test_prod_starts_with_both(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRET_KEY", "x" * 50)
    monkeypatch.setenv("DATABASE_URL", POSTGRES)
    monkeypatch.setenv("ALLOWED_HOSTS", "surgewatch.example, www.surgewatch.example")
    prod = runpy.run_module(PROD)
    assert prod["DEBUG"] is False
    assert prod["ALLOWED_HOSTS"] == ["surgewatch.example", "www.surgewatch.example"]
    assert prod["DATABASES"]["default"]["HOST"] == "db.example"
    assert prod["TIME_ZONE"] == "Europe/London"
    assert prod["USE_TZ"] is True


def test_database_url_overrides_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", POSTGRES)
    config = databases("sqlite://:memory:")["default"]
    assert (config["ENGINE"], config["NAME"]) == ("django.db.backends.postgresql", "surgewatch")
    monkeypatch.delenv("DATABASE_URL")
    config = databases("sqlite://:memory:")["default"]
    assert (config["ENGINE"], config["NAME"]) == ("django.db.backends.sqlite3", ":memory:")


def test_every_model_change_has_a_migration(db: None) -> None:
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_a_server_error_is_logged_to_standard_error(capsys: pytest.CaptureFixture[str]) -> None:
    """With DEBUG off Django logs nothing by itself; the settings send errors to stderr."""
    import logging
    import logging.config

    from django.conf import settings

    root, request_logger = logging.getLogger(), logging.getLogger("django.request")
    saved = (root.handlers[:], root.level, request_logger.level)
    try:
        logging.config.dictConfig(settings.LOGGING)
        request_logger.error("Internal Server Error: %s", "/org/kcc-asch/")
        logging.getLogger("django.request").warning("Not Found: /nowhere")
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
        request_logger.setLevel(saved[2])
    err = capsys.readouterr().err
    assert "ERROR django.request: Internal Server Error: /org/kcc-asch/" in err
    assert "Not Found" not in err  # a 404 is not an error worth waking anyone for
