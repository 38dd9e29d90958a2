"""Signing in and out, as a union officer does it in a browser."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.xdist_group("browser"),
]


def test_officer_signs_in_and_sees_her_scope_and_counts(world: Any, page: Any, sign_in: Any):
    sign_in(page, "alice")

    expect(page).to_have_url(re.compile(r"/$"))
    scope = page.get_by_test_id("scope")
    expect(scope).to_contain_text("甲市总工会")
    expect(scope).to_contain_text("管理员")
    expect(scope).not_to_contain_text("自治区总工会")
    expect(page.locator("h1")).to_have_text("甲市总工会")
    counts = page.get_by_test_id("counts")
    expect(counts).to_be_visible()
    # 甲市总工会, 甲县总工会 and three grassroots unions are hers; 乙市 is not.
    in_scope = counts.locator(".stat").first
    expect(in_scope.locator(".label")).to_have_text("管辖范围内的组织")
    expect(in_scope.locator(".n")).to_have_text("5")
    expect(counts).to_contain_text("基层工会")
    expect(page.get_by_test_id("current-user")).to_have_text("alice")


def test_wrong_password_is_refused_on_the_sign_in_page(world: Any, page: Any, sign_in: Any):
    sign_in(page, "alice", "not-the-password")

    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_role("alert")).to_have_text("用户名或密码错误。")
    expect(page.get_by_test_id("scope")).to_have_count(0)
    # the password is not handed back
    expect(page.locator('input[name="password"]')).to_have_value("")


def test_anonymous_visitor_is_sent_to_sign_in_and_then_back(world: Any, page: Any):
    response = page.goto("/orgs/")

    assert response is not None and response.ok
    assert response.request.redirected_from is not None
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/orgs/$"))
    expect(page.locator("h1")).to_have_text("登录")
    expect(page.locator("nav")).to_have_count(0)

    form = page.locator("main form")
    form.locator('input[name="username"]').fill("alice")
    form.locator('input[name="password"]').fill(PASSWORD)
    form.locator('button[type="submit"]').click()
    expect(page).to_have_url(re.compile(r"/orgs/$"))
    expect(page.get_by_test_id("org-table")).to_contain_text("甲市总工会")


def test_sign_out_returns_to_the_sign_in_page(world: Any, page: Any, sign_in: Any):
    sign_in(page, "alice")
    page.get_by_role("button", name="退出登录").click()

    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.locator("ul.messages")).to_contain_text("您已退出登录。")
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))


def test_a_search_after_the_session_went_idle_leads_to_the_sign_in_page(
    world: Any, page: Any, sign_in: Any, settings: Any
):
    sign_in(page, "alice")
    page.goto("/orgs/")
    expect(page.get_by_test_id("org-table")).to_contain_text("甲市总工会")
    settings.IDLE_TIMEOUT_MINUTES = 0  # the officer left the page open past the idle limit

    page.get_by_test_id("org-search").fill("甲县")

    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.locator("h1")).to_have_text("登录", timeout=3_000)
    expect(page.locator("header.top")).to_have_count(1)
    expect(page.get_by_test_id("org-table")).to_have_count(0)
