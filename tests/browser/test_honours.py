"""One nomination from draft to approved, in a real browser, by each officer at their level."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from gonghui.honours.models import Honouree, Nomination, NominationStatus
from tests.honours.conftest import Honours, make_honours, member

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.xdist_group("browser"),
]


@pytest.fixture
def honours(world: Any) -> Honours:
    return make_honours(world)


class People:
    """Each officer in a browser of their own; every session kept for the offline check."""

    def __init__(self, new_session: Any, sign_in: Any) -> None:
        self.new_session, self.sign_in, self.sessions = new_session, sign_in, []

    def open(self) -> Any:
        session = self.new_session()
        self.sessions.append(session)
        return session


def _as(people: People, username: str) -> Page:
    page: Page = people.open().new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # the data-confirm questions
    people.sign_in(page, username)
    return page


def _approve(page: Page, nomination: Nomination, button: str) -> None:
    page.goto(f"/honours/nominations/{nomination.pk}/")
    expect(page.get_by_test_id("approve")).to_have_text(button)
    page.get_by_test_id("approve").click()
    expect(page.locator(".messages")).to_contain_text("已完成")
    expect(page.get_by_test_id("approve")).to_have_count(0)


def test_a_nomination_walks_from_draft_to_approved(
    world: Any, honours: Any, new_session: Any, sign_in: Any
) -> None:
    people = People(new_session, sign_in)
    person = member(world.gr_a1, "阿依古丽·买买提", is_frontline=True, female=True)
    campaign = honours.campaign

    dave = _as(people, "dave")
    dave.goto(f"/honours/campaigns/{campaign.pk}/")
    dave.get_by_test_id("nominate").click()
    form = dave.get_by_test_id("nomination-form")
    form.get_by_label("推荐工会").select_option(label="甲县一厂工会")
    form.get_by_label("会员公民身份号码").fill(person.reveal_identity_number())
    form.get_by_label("先进事迹").fill("扎根一线二十年，带领班组完成技术革新十二项。")
    form.get_by_label("公示用简要事迹").fill("技术革新能手。")
    form.get_by_label("民主推荐情况").fill("2026年3月职代会推荐，实到81人，赞成76票。")
    form.get_by_label("被推荐人同意公开").check()
    form.get_by_role("button").click()
    expect(dave.get_by_test_id("status")).to_have_text("草稿")
    dave.get_by_test_id("submit").click()
    expect(dave.get_by_test_id("status")).to_have_text("审核中")
    nomination = Nomination.objects.get(person=person)

    for username in ("carol", "alice"):
        _approve(_as(people, username), nomination, "审核通过并上报")
    fed = _as(people, "fed")
    fed.goto(f"/honours/nominations/{nomination.pk}/")
    expect(fed.get_by_test_id("approve")).to_have_text("审核通过并确定入围")
    fed.get_by_test_id("approve").click()
    expect(fed.get_by_test_id("status")).to_have_text("入围")

    # the notice: published as if three weeks ago, so that it has ended today
    fed.goto(f"/honours/campaigns/{campaign.pk}/")
    started = timezone.localdate() - timedelta(days=21)
    fed.get_by_label("公示开始日期").fill(started.isoformat())
    fed.get_by_test_id("publish-notice").click()
    expect(fed.locator(".messages")).to_contain_text("公示期为")
    fed.locator('textarea[name="names"]').fill("甲委员\n乙委员\n丙委员")
    fed.get_by_role("button", name="添加评审委员").click()
    fed.get_by_test_id("start-vote").click()
    expect(fed.locator(".messages")).to_contain_text("评审委员会表决")

    fed.goto(f"/honours/nominations/{nomination.pk}/")
    ballots = fed.get_by_test_id("ballots")
    for row, choice in zip(
        ballots.locator("tbody tr").all(), ("赞成", "赞成", "反对"), strict=True
    ):
        row.get_by_label(choice).check()
    fed.get_by_test_id("close-vote").click()
    expect(fed.get_by_test_id("status")).to_have_text("表彰")
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.APPROVED
    assert Honouree.objects.filter(nomination=nomination).exists()

    # and the public sees the honouree in the hall of honour, without signing in
    public = people.open().new_page()
    public.goto("/public/honours/")
    expect(public.get_by_test_id("hall")).to_contain_text("阿依古丽·买买提")
    public.goto("/public/notices/")
    expect(public.get_by_test_id("results")).to_contain_text("阿依古丽·买买提")

    # offline: nothing fetched from beyond the server, no script or policy errors
    assert [url for s in people.sessions for url in s.foreign_requests()] == []
    assert [error for s in people.sessions for error in s.console_errors] == []


def test_reject_asks_first_and_a_no_changes_nothing(
    world: Any, honours: Any, new_session: Any, sign_in: Any
) -> None:
    """The question sits on the 不通过 button, not on its form: it is asked all the same."""
    from gonghui.honours import actions
    from tests.honours.conftest import nominate

    nomination = nominate(world, honours, member(world.gr_a1, "王工"))
    actions.submit_nomination(by=world.grassroots_officer, nomination=nomination)
    page: Page = new_session().new_page()
    sign_in(page, "carol")
    questions: list[str] = []

    def answer(dialog: Any, accept: bool) -> None:
        questions.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, accept=False))
    page.goto(f"/honours/nominations/{nomination.pk}/")
    page.get_by_test_id("reason").fill("材料不全")
    page.get_by_role("button", name="不通过").click()
    expect(page.get_by_test_id("status")).to_have_text("审核中")
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.SUBMITTED

    page.once("dialog", lambda dialog: answer(dialog, accept=True))
    page.get_by_test_id("reason").fill("材料不全")
    page.get_by_role("button", name="不通过").click()
    expect(page.get_by_test_id("status")).to_have_text("未通过")
    assert questions == ["确定不通过该推荐？"] * 2
