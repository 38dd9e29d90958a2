"""The platform runs on networks with no way out: every request stays on its own host."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.xdist_group("browser"),
]


def test_no_request_leaves_the_live_server(
    world: Any, live_server: Any, session: Any, sign_in: Any
):
    seen: list[str] = []
    page = session.new_page()
    page.on("request", lambda request: seen.append(request.url))

    sign_in(page, "alice")
    expect(page.get_by_test_id("counts")).to_be_visible()
    page.goto("/orgs/")
    page.get_by_test_id("org-search").fill("甲县")
    expect(page.get_by_test_id("org-table").locator("tbody tr")).to_have_count(3)
    page.goto("/orgs/CA-K/")
    page.goto("/units/")
    page.goto("/accounts/me/")
    # the API documentation, linked from every page's menu, brings its own Swagger UI
    page.get_by_role("navigation").get_by_role("link", name="API").click()
    expect(page.locator("#swagger-ui")).to_contain_text("gonghui API", timeout=30_000)
    page.goto("/orgs/CB/")
    page.locator("select#language").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("button", name="Sign out").click()
    expect(page.locator("h1")).to_have_text("Sign in")

    assert any("/static/js/htmx" in url for url in seen), "htmx was not loaded"
    assert any("/api/v1/openapi.json" in url for url in seen), "Swagger UI did not run"
    assert [url for url in seen if not url.startswith(live_server.url + "/")] == []
    # nor did any other page of the context (redirects, fetches started by scripts)
    assert session.foreign_requests() == []


def test_pages_load_without_script_or_policy_errors(world: Any, session: Any, sign_in: Any):
    """A blocked script or style (the CSP allows only 'self') shows up as a console error."""
    failed: list[str] = []
    page = session.new_page()
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    sign_in(page, "alice")
    for path in ["/", "/orgs/", "/orgs/CA/", "/units/", "/accounts/me/", "/api/v1/docs"]:
        page.goto(path)
        expect(page.locator("body")).not_to_be_empty()
    page.goto("/orgs/")
    page.get_by_test_id("org-search").fill("甲县")
    expect(page.get_by_test_id("org-table").locator("tbody tr")).to_have_count(3)

    assert failed == []
    # chromium asks for /favicon.ico on its own; the platform has none (404)
    assert [e for e in session.console_errors if "/favicon.ico" not in e] == []
