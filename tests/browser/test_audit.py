"""The auditor's view: every sign-in is on the trail."""

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


def test_auditor_lands_on_the_trail_and_sees_alices_sign_in(
    world: Any, new_session: Any, sign_in: Any
):
    alice = new_session().new_page()
    sign_in(alice, "alice")
    expect(alice.get_by_test_id("scope")).to_contain_text("甲市总工会")

    page = new_session().new_page()
    sign_in(page, "audrey")

    expect(page).to_have_url(re.compile(r"/audit/$"))
    expect(page.locator("h1")).to_have_text("审计日志")
    expect(page.get_by_test_id("scope")).to_contain_text("审计员")
    table = page.get_by_test_id("audit-table")
    row = table.locator("tbody tr").filter(has=page.locator('td[title="auth.login"]'))
    row = row.filter(has_text="alice")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("甲市总工会")
    expect(row).to_contain_text("登录")  # what the action code means, in words
    expect(row).not_to_contain_text("auth.login")
    expect(row.locator(".tag")).to_have_text("成功")
    # the auditor's menu opens the trail and nothing of the programmes' data
    nav = page.get_by_role("navigation", name="业务模块")
    expect(nav.get_by_role("link", name="审计日志")).to_be_visible()
    expect(nav.get_by_role("link", name="组织", exact=True)).to_have_count(0)


def test_auditor_filters_the_trail_without_leaving_the_page(
    world: Any, new_session: Any, sign_in: Any
):
    sign_in(new_session().new_page(), "alice")
    sign_in(new_session().new_page(), "alice", "not-the-password")
    page = new_session().new_page()
    sign_in(page, "audrey")
    table = page.get_by_test_id("audit-table")
    rows = table.locator("tbody tr")
    expect(rows.filter(has_text="登录失败")).to_have_count(1)
    page.evaluate("window.__sameDocument = true")

    page.get_by_label("结果").select_option(label="失败")

    expect(page).to_have_url(re.compile(r"outcome=failure"))
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("登录失败")
    expect(rows).to_contain_text("alice")
    expect(rows.locator(".tag")).to_have_text("失败")

    page.locator("select[name=action]").select_option(label="退出登录")

    expect(page).to_have_url(re.compile(r"action=auth\.logout"))
    expect(rows).to_have_text(["没有符合条件的审计记录。"])
    assert page.evaluate("window.__sameDocument") is True
