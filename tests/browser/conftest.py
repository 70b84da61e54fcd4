"""Browser tests: Playwright driving Debian's Chromium against Django's live server.

``scripts/test`` installs Chromium (apt) and the front-end packages (npm)
before the suite runs. Playwright's sync API keeps an event loop on the test
thread, so Django's guard against ORM calls from async code is lifted here:
the test itself is synchronous.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from pytest_django.live_server_helper import LiveServer

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
LOGIN_PATH = "/accounts/login/"


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail(
            "Chromium is not installed; fix: run ./scripts/test, which installs it with apt"
        )
    return found


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=_chromium(), args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    yield opened
    context.close()


@pytest.fixture
def sign_in(page: Page, live_server: LiveServer) -> Callable[..., None]:
    """``sign_in(username, password)``: log in through the form and wait for the board.

    ``start`` is the address opened first (the login page, or a page that redirects to
    it); ``start=None`` fills the form already on screen.
    """

    def sign_in_as(username: str, password: str, *, start: str | None = LOGIN_PATH) -> None:
        if start is not None:
            page.goto(f"{live_server.url}{start}")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("heading", name="Status board")).to_be_visible()

    return sign_in_as
