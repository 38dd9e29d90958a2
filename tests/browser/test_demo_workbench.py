"""Each demo persona's workbench in chromium: the to-dos the demo leaves, and each link opens
its page."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from gonghui.contests.demo import build_contests
from gonghui.honours.demo import build_honours
from gonghui.orgs.demo import DEMO_PASSWORD, build_demo
from gonghui.people.demo import build_roster

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.xdist_group("browser"),
]

EXPECTED = {
    "federation": "维修电工：还有",
    "prefecture": "维修电工：还有",
    "grassroots": "件异议待调查核实",
}


def test_each_persona_finds_its_work_and_every_link_opens(new_session: Any, sign_in: Any) -> None:
    summary = build_demo(grassroots_per_county=1)
    build_roster(members=60)
    build_honours()
    organisations = {a.username: a.organisation for a in summary.accounts}
    build_contests(root=summary.root, prefecture=organisations["prefecture"])
    for username, words in EXPECTED.items():
        page: Page = new_session().new_page()
        sign_in(page, username, DEMO_PASSWORD)
        todos = page.get_by_test_id("todos")
        expect(todos).to_contain_text(words)
        links = todos.get_by_role("link")
        for n in range(links.count()):
            page.goto("/")
            link = page.get_by_test_id("todos").get_by_role("link").nth(n)
            link.click()
            expect(page.locator("h1")).to_be_visible()
            assert "未找到" not in page.title(), (username, page.url)
