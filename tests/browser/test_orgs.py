"""Finding one's way through the organisation tree, and where the tree stops."""

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


def test_search_then_walk_down_the_tree_and_back_up(world: Any, page: Any, sign_in: Any):
    sign_in(page, "alice")
    page.goto("/orgs/")
    table = page.get_by_test_id("org-table")
    expect(table).to_contain_text("甲市三厂工会")
    # a mark on the window survives an htmx swap but not a page load
    page.evaluate("window.__sameDocument = true")

    page.get_by_test_id("org-search").fill("甲县")

    expect(table.locator("tbody tr")).to_have_count(3)
    expect(table).not_to_contain_text("甲市三厂工会")
    expect(table).to_contain_text("甲县一厂工会")
    expect(page).to_have_url(re.compile(r"/orgs/\?q="))
    assert page.evaluate("window.__sameDocument") is True

    table.get_by_role("link", name="甲县总工会", exact=True).click()

    expect(page).to_have_url(re.compile(r"/orgs/CA-K/$"))
    expect(page.get_by_test_id("org-name")).to_have_text("甲县总工会")
    children = page.get_by_test_id("children-table")
    expect(children.locator("tbody tr")).to_have_count(2)
    expect(children).to_contain_text("甲县二厂工会")

    children.get_by_role("link", name="甲县一厂工会", exact=True).click()

    expect(page).to_have_url(re.compile(r"/orgs/CA-K-1/$"))
    expect(page.get_by_test_id("org-name")).to_have_text("甲县一厂工会")
    expect(page.locator("dl.facts")).to_contain_text("基层工会")
    crumbs = page.locator("div.breadcrumbs a")
    expect(crumbs).to_have_text(["甲市总工会", "甲县总工会"])
    expect(page.locator("div.breadcrumbs")).not_to_contain_text("自治区总工会")

    crumbs.filter(has_text="甲市总工会").click()

    expect(page).to_have_url(re.compile(r"/orgs/CA/$"))
    expect(page.get_by_test_id("org-name")).to_have_text("甲市总工会")
    expect(page.locator("div.breadcrumbs")).to_have_count(0)


def test_an_organisation_outside_the_scope_is_not_found(world: Any, page: Any, sign_in: Any):
    sign_in(page, "alice")

    response = page.goto("/orgs/CB/")

    assert response is not None and response.status == 404
    expect(page.get_by_test_id("not-found")).to_contain_text("该页面不存在，或不在您的管辖范围内。")
    expect(page.locator("body")).not_to_contain_text("乙市总工会")
    # the page still belongs to the platform: navigation and a way home
    expect(page.get_by_test_id("scope")).to_contain_text("甲市总工会")
    page.get_by_test_id("not-found").get_by_role("link", name="返回首页").click()
    expect(page.get_by_test_id("counts")).to_be_visible()


def test_a_viewer_may_not_edit(world: Any, page: Any, sign_in: Any):
    sign_in(page, "bob")
    page.goto("/orgs/CA/")
    expect(page.get_by_test_id("org-name")).to_have_text("甲市总工会")
    expect(page.get_by_role("link", name="编辑")).to_have_count(0)
    expect(page.get_by_test_id("scope")).to_contain_text("只读")

    response = page.goto("/orgs/CA/edit/")

    assert response is not None and response.status == 403
    denied = page.get_by_test_id("denied")
    expect(denied.locator("h1")).to_have_text("无权操作")
    expect(denied).to_contain_text("安全管理员")
    expect(page.locator("form.stacked")).to_have_count(0)


def test_an_outsider_sees_nothing_of_another_city(world: Any, page: Any, sign_in: Any):
    sign_in(page, "charlie")
    page.goto("/orgs/")
    table = page.get_by_test_id("org-table")
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table).to_contain_text("乙市一厂工会")

    page.get_by_test_id("org-search").fill("甲")

    expect(table).to_contain_text("没有符合条件的组织。")
    response = page.goto("/orgs/CA-K-1/")
    assert response is not None and response.status == 404
    expect(page.get_by_test_id("not-found")).to_be_visible()
