"""The officer's workbench in a real browser: a notification arrives and is read, a transfer is
made with the picker alone, the notice is published with its prefilled date, and a phone
number in the public summary is refused."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from gonghui.honours import actions
from gonghui.honours.models import Campaign, Nomination, NominationStatus
from gonghui.people.models import Membership
from tests.honours.conftest import make_honours, member, nominate

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.xdist_group("browser"),
]


def _page(new_session: Any, sign_in: Any, username: str) -> Page:
    page: Page = new_session().new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, username)
    return page


def test_a_nomination_sent_up_is_told_in_the_header_until_read(
    world: Any, new_session: Any, sign_in: Any
) -> None:
    honours = make_honours(world)
    nomination = nominate(world, honours, member(world.gr_a1, "王工"))
    carol = _page(new_session, sign_in, "carol")
    expect(carol.get_by_test_id("unread-badge")).to_have_count(0)
    actions.submit_nomination(by=world.grassroots_officer, nomination=nomination)
    carol.goto("/")
    expect(carol.get_by_test_id("unread-badge")).to_have_text("1")
    expect(carol.get_by_test_id("todos")).to_contain_text("1 项推荐待您审核")
    carol.get_by_test_id("notifications-link").click()
    carol.get_by_test_id("notifications").get_by_role("link").first.click()
    expect(carol.get_by_test_id("nominee")).to_have_text("王工")
    expect(carol.get_by_test_id("unread-badge")).to_have_count(0)


def test_a_transfer_is_made_with_the_picker_alone(
    world: Any, new_session: Any, sign_in: Any
) -> None:
    person = member(world.gr_a1, "李工")
    alice = _page(new_session, sign_in, "alice")
    alice.goto(f"/members/{person.pk}/")
    field = alice.get_by_label("转入工会（名称或代码）")
    field.fill("二厂")  # a part of the name; nobody remembers codes
    options = alice.locator("datalist option")
    expect(options).to_have_count(1)
    expect(options.first).to_have_attribute("value", "CA-K-2")
    # choosing the option puts its code in the field (headless chromium draws no list to
    # click, so the choice is made as the list would make it)
    field.fill(options.first.get_attribute("value") or "")
    alice.get_by_role("button", name="转接", exact=True).click()
    expect(alice.locator(".messages")).to_be_visible()
    assert Membership.objects.get(person=person, status="active").union == world.gr_a2


def test_the_notice_is_published_with_its_prefilled_date(
    world: Any, new_session: Any, sign_in: Any
) -> None:
    honours = make_honours(world)
    nomination = nominate(world, honours, member(world.gr_a1, "王工"))
    actions.submit_nomination(by=world.grassroots_officer, nomination=nomination)
    for officer in (world.county_officer, world.city_officer, world.fed_officer):
        actions.approve_nomination(by=officer, nomination=nomination)
    fed = _page(new_session, sign_in, "fed")
    fed.goto(honours.campaign.get_absolute_url())
    start = fed.get_by_label("公示开始日期")
    expect(start).to_have_value(timezone.localdate().isoformat())
    fed.get_by_test_id("publish-notice").click()
    expect(fed.locator(".messages")).to_contain_text("公示期为")
    assert Campaign.objects.get(pk=honours.campaign.pk).notice_starts == timezone.localdate()
    assert Nomination.objects.get(pk=nomination.pk).status == NominationStatus.IN_NOTICE


def test_a_phone_number_in_the_public_summary_is_refused(
    world: Any, new_session: Any, sign_in: Any
) -> None:
    honours = make_honours(world)
    person = member(world.gr_a1, "赵工")
    dave = _page(new_session, sign_in, "dave")
    dave.goto(honours.campaign.get_absolute_url())
    dave.get_by_test_id("nominate").click()
    form = dave.get_by_test_id("nomination-form")
    form.get_by_label("推荐工会").select_option(label="甲县一厂工会")
    form.get_by_label("会员公民身份号码").fill(person.reveal_identity_number())
    form.get_by_label("先进事迹").fill("扎根一线二十年。")
    form.get_by_label("公示用简要事迹").fill("技术能手，电话 13912345678。")
    form.get_by_label("民主推荐情况").fill("职代会推荐。")
    form.get_by_role("button").click()
    expect(dave.locator("body")).to_contain_text("公开的文字不能含身份证号")
    assert not Nomination.objects.filter(person=person).exists()
