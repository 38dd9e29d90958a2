"""Real-browser fixtures: one headless Debian chromium for all browser tests, a fresh context
per test.

The browser talks to pytest-django's live server. Every context records each request its
pages make, so that tests can check that the platform never reaches beyond its own host
(it must work on a network with no way out).

Playwright and Django in one thread
-----------------------------------
Playwright's sync API marks its asyncio loop as running in the calling thread between
calls (playwright/_impl/_greenlets.py). Django then sees "async" code and

* refuses ORM calls from the test process (SynchronousOnlyOperation): the `world`
  fixture, assertions on the database, the flush after each transactional test. Browser
  tests are let through with DJANGO_ALLOW_ASYNC_UNSAFE, set only while they run, and
  Playwright stops when the last of them ends.
* looks up database connections in a per-context store instead of the thread's, so the
  test body would get a second connection: one without the serialised migration data
  that `serialized_rollback` restores, and not the one the live server shares. The
  fixture that starts Playwright pins the thread's connections into that store.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import connections
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    expect,
    sync_playwright,
)

from tests.conftest import PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
# What a union officer's browser in China asks for; tests that need another say so.
DEFAULT_LOCALE = "zh-CN"
TIMEOUT_MS = 15_000
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"


def pytest_configure(config: pytest.Config) -> None:
    # pytest-xdist registers this marker; declare it as well for runs with `-p no:xdist`,
    # where --strict-markers would otherwise refuse it.
    config.addinivalue_line("markers", "xdist_group(name): run the group in one xdist worker")


@contextmanager
def _orm_beside_playwright(item: pytest.Item) -> Iterator[None]:
    if item.get_closest_marker("browser") is None:
        yield
        return
    before = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    try:
        yield
    finally:
        if before is None:
            del os.environ[ASYNC_UNSAFE]
        else:
            os.environ[ASYNC_UNSAFE] = before


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    with _orm_beside_playwright(item):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    with _orm_beside_playwright(item):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    with _orm_beside_playwright(item):
        return (yield)


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    """Overrides the suite-wide fixture: in the browser the real default language is used."""
    settings.LANGUAGE_CODE = "zh-hans"


@pytest.fixture(autouse=True, scope="package")
def _migration_data_restored(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """Leaves the database as the migrations made it for whatever runs next in this worker.

    Browser tests are transactional: each ends by emptying every table, including rows
    that migrations create (the audit chain's head). `serialized_rollback` reloads those
    rows before each browser test; this reloads them once more after the last one.
    """
    yield
    with django_db_blocker.unblock():
        for alias in connections:
            contents = getattr(connections[alias], "_test_serialized_contents", None)
            if contents:
                connections[alias].creation.deserialize_db_from_string(contents)


# Package scope rather than session scope: the browser tests run together (one package,
# one xdist group), so chromium still starts once; and Playwright is stopped, its loop no
# longer marked as running, before any other test in this process touches the database.
@pytest.fixture(scope="package")
def playwright_instance(django_db_setup: Any) -> Iterator[Playwright]:
    own = {alias: connections[alias] for alias in connections}
    # A loaded machine (xdist workers beside chromium) is slower than Playwright's 5 s.
    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        for alias, connection in own.items():
            connections[alias] = connection
        yield playwright


@pytest.fixture(scope="package")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    browser = playwright_instance.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@dataclass
class Session:
    """One browser context (one person's cookies) and every request its pages made."""

    context: BrowserContext
    base_url: str
    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def new_page(self) -> Page:
        page = self.context.new_page()
        page.on("console", self._console)
        return page

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.console_errors.append(f"{message.text} ({message.location.get('url', '')})")

    def foreign_requests(self) -> list[str]:
        return [url for url in self.requests if not url.startswith(self.base_url + "/")]


@pytest.fixture
def new_session(browser: Browser, live_server: Any) -> Iterator[Callable[..., Session]]:
    """Opens contexts on demand (several people at once); all close after the test."""
    sessions: list[Session] = []

    def make(locale: str = DEFAULT_LOCALE) -> Session:
        context = browser.new_context(locale=locale, base_url=live_server.url)
        context.set_default_timeout(TIMEOUT_MS)
        session = Session(context=context, base_url=live_server.url)
        context.on("request", lambda request: session.requests.append(request.url))
        sessions.append(session)
        return session

    yield make
    for session in sessions:
        session.context.close()


@pytest.fixture
def session(new_session: Callable[..., Session]) -> Session:
    return new_session()


@pytest.fixture
def page(session: Session) -> Page:
    return session.new_page()


def _sign_in(page: Page, username: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    form = page.locator("main form")
    form.locator('input[name="username"]').fill(username)
    form.locator('input[name="password"]').fill(password)
    with page.expect_navigation():
        form.locator('button[type="submit"]').click()


@pytest.fixture
def sign_in() -> Callable[..., None]:
    """Fills in and submits the sign-in form on a page, as a person would."""
    return _sign_in
