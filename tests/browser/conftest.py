"""The staff site in a real browser: Debian's chromium driven by Playwright against pytest-django's
``live_server`` (a threaded server on the test database).

The browser is never downloaded (``playwright install`` is not used): ``CHROMIUM_PATH`` (default
``/usr/bin/chromium``) is launched headless with a fresh profile. Screenshots of each step go to
``tests/browser/screenshots/`` (git-ignored) for a person to look at. Run with ``make browser-test``.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from accounts.tests.conftest import totp_code

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).parent / "screenshots"
PASSWORD = "correct-horse-battery"  # set by the root make_user fixture
TIMEOUT_MS = 15_000


@pytest.fixture(scope="session")
def browser() -> Iterator:
    if not (Path(CHROMIUM_PATH).exists() or shutil.which(CHROMIUM_PATH)):
        pytest.fail(f"No chromium at {CHROMIUM_PATH}: apt-get install -y chromium (or set CHROMIUM_PATH)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop in this thread between calls, which trips Django's
    # "async unsafe" guard on every ORM call the tests make to set up data; they are plain sync calls.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    SCREENSHOTS.mkdir(exist_ok=True)
    for stale in SCREENSHOTS.glob("*.png"):
        stale.unlink()
    try:
        with sync_playwright() as playwright:
            # launch() gives the browser a fresh temporary profile (user-data-dir) every run.
            browser = playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, live_server, transactional_db, request):
    """A fresh browser context (no cookies) per test, opened on the live server."""
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1366, "height": 900}, accept_downloads=True
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    if getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed:
        page.screenshot(path=SCREENSHOTS / f"FAILED-{_slug(request.node.name)}.png", full_page=True)
    context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@pytest.fixture
def shot(request):
    """``shot(page, "step")`` saves a full-page screenshot named after the test and the step."""
    counter = iter(range(1, 100))

    def take(page, step: str) -> Path:
        path = SCREENSHOTS / f"{_slug(request.node.name)}-{next(counter):02d}-{_slug(step)}.png"
        page.screenshot(path=path, full_page=True)
        return path

    return take


def sign_in(page, *, email: str, password: str = PASSWORD, totp_secret: str | None = None) -> None:
    """Sign in through the staff login form as a person would, then pass the second factor if asked."""
    page.goto("/admin/login/?next=/admin/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", password)
    page.click("input[type=submit]")
    second_factor(page, email=email, totp_secret=totp_secret)
    page.wait_for_selector("#dca-dashboard")


def second_factor(page, *, email: str, totp_secret: str | None) -> None:
    """The two-factor step of the staff sign-in: when the site asks for a code, type the one the admin's
    authenticator app shows now (computed from its secret, as the phone would)."""
    page.wait_for_load_state()
    if not page.locator("input[name=code]").count():
        return
    if totp_secret is None:
        pytest.fail(f"{email}: the site asks for a second factor but the test gave no authenticator secret")
    page.fill("input[name=code]", totp_code(totp_secret))
    page.click("input[type=submit]")
    page.wait_for_load_state()


@pytest.fixture
def staff(make_user):
    return make_user("admin", full_name="Sunita Staff", email="sunita.staff@example.com")


@pytest.fixture
def signed_in(page, staff):
    sign_in(page, email=staff.email)
    return page


def run_action(page, *, changelist: str, selected: list, action_label: str) -> None:
    """Tick rows of a changelist, choose an action by its label and press Go."""
    page.goto(changelist)
    for pk in selected:
        page.check(f"input[name=_selected_action][value='{pk}']")
    page.select_option("select[name=action]", label=action_label)
    page.click("button[name=index]")
    page.wait_for_load_state()
