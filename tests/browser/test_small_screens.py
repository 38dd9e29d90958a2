"""On a phone (390 × 844) no page scrolls sideways: the menu sits behind a button, tables are
stacked cards, the mark grid scrolls inside its own frame."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from tests.contests.factories import add_competitor, add_judge, make_contest, make_skill
from tests.honours.conftest import make_honours, member, nominate
from tests.honours.test_nomination_flow import _to_notice

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.xdist_group("browser"),
]

PHONE = {"width": 390, "height": 844}


def _overflow(page: Page) -> int:
    """How far the page reaches past the screen's right edge, in CSS pixels."""
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


def test_no_page_scrolls_sideways_on_a_phone(
    world: Any, browser: Browser, live_server: Any, sign_in: Any
) -> None:
    honours = make_honours(world)
    people = [
        member(world.gr_a1, name)
        for name in ("阿依古丽·买买提", "热依拉·阿不都热合曼", "欧阳修远", "王五")
    ]
    nomination = _to_notice(
        world, honours, nominate(world, honours, people[0]), starts_on=timezone.localdate()
    )
    skill = make_skill(make_contest(world.city_a))
    for n in (1, 2, 3):
        add_judge(skill, n, is_chief=n == 1)
    for n in range(1, 6):
        add_competitor(skill, n)
    membership = people[1].memberships.get(status="active")

    context = browser.new_context(locale="zh-CN", base_url=live_server.url, viewport=PHONE)
    page = context.new_page()
    try:
        # the public pages, before signing in
        for path in ("/public/notices/", "/public/honours/"):
            page.goto(path)
            assert _overflow(page) <= 0, path
        sign_in(page, "fed")
        page.goto("/")
        nav = page.locator("#main-nav")
        expect(nav).to_be_hidden()
        page.locator("[data-menu-toggle]").click()
        expect(nav).to_be_visible()
        pages = [
            "/",
            "/members/",
            f"/members/{membership.person_id}/",
            nomination.get_absolute_url(),
            honours.campaign.get_absolute_url(),
            f"/contests/skills/{skill.pk}/marks/",
        ]
        for path in pages:
            page.goto(path)
            assert _overflow(page) <= 0, path
        # the roster's names are read across, not one character a line
        page.goto("/members/")
        name = page.get_by_test_id("member-table").locator("tbody td").first
        assert name.bounding_box()["width"] > 200
    finally:
        context.close()
    auditor = browser.new_context(locale="zh-CN", base_url=live_server.url, viewport=PHONE)
    try:
        page = auditor.new_page()
        sign_in(page, "audrey")
        page.goto("/audit/")
        assert _overflow(page) <= 0, "/audit/"
    finally:
        auditor.close()
