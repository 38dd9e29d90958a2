"""The interface speaks Chinese unless the user asks for English."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.xdist_group("browser"),
]


def test_chinese_by_default_then_english_then_chinese_again(world: Any, page: Any, sign_in: Any):
    sign_in(page, "alice")
    page.goto("/orgs/CA/")
    nav = page.get_by_role("navigation", name="业务模块")

    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(nav.get_by_role("link", name="组织", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="退出登录")).to_have_count(0)
    expect(page.get_by_role("button", name="退出登录")).to_be_visible()
    expect(page.locator("dl.facts")).to_contain_text("地州市总工会")

    page.locator("select#language").select_option("en")

    expect(page.locator("html")).to_have_attribute("lang", "en")
    # the switch keeps the user on the page they were reading
    expect(page).to_have_url(re.compile(r"/orgs/CA/$"))
    nav = page.get_by_role("navigation", name="Programmes")
    expect(nav.get_by_role("link", name="Organisations", exact=True)).to_be_visible()
    expect(page.locator("dl.facts")).to_contain_text("Prefecture or city federation")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    # the choice sticks for the next page
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_test_id("counts")).to_contain_text("Organisations in your scope")

    page.locator("select#language").select_option("zh-hans")

    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    nav = page.get_by_role("navigation", name="业务模块")
    expect(nav.get_by_role("link", name="组织", exact=True)).to_be_visible()
    expect(page.get_by_test_id("counts")).to_contain_text("管辖范围内的组织")


@pytest.mark.parametrize("locale", ["ug-CN", "fr-FR"])
def test_a_browser_asking_for_a_language_we_lack_gets_chinese(
    world: Any, new_session: Any, locale: str
):
    page = new_session(locale=locale).new_page()
    page.goto("/accounts/login/")

    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("h1")).to_have_text("登录")
    expect(page.locator("select#language")).to_have_value("zh-hans")
    expect(page.locator('label[for="id_username"]')).to_have_text("用户名")


def test_a_visitor_can_switch_language_before_signing_in(world: Any, page: Any, sign_in: Any):
    page.goto("/accounts/login/")
    page.locator("select#language").select_option("en")

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.locator("h1")).to_have_text("Sign in")

    sign_in(page, "alice", "not-the-password")
    expect(page.get_by_role("alert")).to_have_text("The username or password is wrong.")


def test_switching_language_keeps_the_search_on_screen(world: Any, page: Any, sign_in: Any):
    sign_in(page, "alice")
    page.goto("/orgs/")
    page.get_by_test_id("org-search").fill("甲县")
    expect(page.get_by_test_id("org-table").locator("tbody tr")).to_have_count(3)

    page.locator("select#language").select_option("en")

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/orgs/\?q=%E7%94%B2%E5%8E%BF"), timeout=2_000)
    expect(page.get_by_test_id("org-search")).to_have_value("甲县")
    expect(page.get_by_test_id("org-table").locator("tbody tr")).to_have_count(3)
