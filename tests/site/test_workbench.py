"""The workbench: each persona's to-dos, each a link to the rows; figures of the scope."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from gonghui.accounts import actions as account_actions
from gonghui.contests.models import ContestStatus
from gonghui.core import workbench
from gonghui.honours import actions as honours_actions
from gonghui.people import actions as people_actions
from tests.conftest import PASSWORD
from tests.contests.factories import add_judge, make_contest, make_skill
from tests.honours.conftest import make_honours, member, nominate

pytestmark = pytest.mark.django_db


def _home(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def _todos(username: str) -> dict[str, str]:
    response = _home(username).get("/")
    assert response.status_code == 200
    return {str(item.text): item.url for item in response.context["todos"]}


def test_a_nomination_sent_up_waits_on_the_next_level_only(world) -> None:
    honours = make_honours(world)
    nomination = nominate(world, honours, member(world.gr_a1, "王工"))
    honours_actions.submit_nomination(by=world.grassroots_officer, nomination=nomination)
    carol = _todos("carol")  # the county reviews first
    assert carol == {"1 nomination awaits your review": "/honours/#awaiting"}
    listed = _home("carol").get("/honours/")
    assert [n.pk for n in listed.context["awaiting"]] == [nomination.pk]
    for username in ("alice", "fed", "dave", "bob", "charlie"):
        assert "1 nomination awaits your review" not in _todos(username), username

    honours_actions.return_nomination(
        by=world.county_officer, nomination=nomination, reason="补充材料"
    )
    assert _todos("carol") == {}
    dave = _todos("dave")
    [(text, url)] = dave.items()
    assert "1 nomination returned for changes" in text
    assert url == f"/honours/campaigns/{honours.campaign.pk}/?status=returned"
    assert [n.pk for n in _home("dave").get(url).context["nominations"]] == [nomination.pk]


def test_a_notice_closing_soon_is_on_its_organisers_workbench(world) -> None:
    honours = make_honours(world)
    campaign = honours.campaign
    today = timezone.localdate()
    campaign.notice_starts, campaign.notice_ends = today - timedelta(days=5), today
    campaign.save(update_fields=["notice_starts", "notice_ends"])
    items = _home("fed").get("/").context["todos"]
    [closing] = [item for item in items if item.due]
    assert closing.due == today and closing.url == campaign.get_absolute_url()
    assert not [item for item in _home("alice").get("/").context["todos"] if item.due]


def test_accounts_without_a_role_wait_on_the_security_administrator(world) -> None:
    erin = account_actions.create_user(
        by=world.security,
        username="erin",
        full_name="",
        organisation=world.county_a,
        password="a-long-enough-passphrase",
    )
    todos = _todos("sam")
    assert todos == {"1 account has no role yet": "/accounts/users/?role=none"}
    listed = _home("sam").get("/accounts/users/?role=none").context["page"]
    assert [u.pk for u in listed] == [erin.pk]
    account_actions.grant_role(
        by=world.security, user=erin, organisation=world.county_a, role="viewer"
    )
    # nothing waits, and no programme is the administrator's: the accounts page is home
    assert _home("sam").get("/")["Location"] == "/accounts/users/"


def test_a_judge_without_a_union_role_sees_the_skills_to_mark(world) -> None:
    contest = make_contest(world.city_a)
    skill = make_skill(contest)
    judge_account = account_actions.create_user(
        by=None, username="judy", full_name="", organisation=None, password=PASSWORD
    )
    add_judge(skill, 1, is_chief=True, user=judge_account)
    type(contest).objects.filter(pk=contest.pk).update(status=ContestStatus.RUNNING)
    assert _todos("judy") == {"1 skill you judge is not signed off yet": "/contests/"}
    alice = _todos("alice")  # the organiser's officer: one line a skill, to its page
    assert list(alice.values()) == [skill.get_absolute_url()]
    assert _todos("charlie") == {}


def test_the_outsider_has_nothing_waiting_and_no_figures(world) -> None:
    honours = make_honours(world)
    nomination = nominate(world, honours, member(world.gr_a1, "王工"))
    honours_actions.submit_nomination(by=world.grassroots_officer, nomination=nomination)
    response = _home("charlie").get("/")
    assert response.context["todos"] == []
    figures = {str(f.label): f.value for f in response.context["figures"]}
    assert figures["Members"] == 0 and figures["Organisations in your scope"] == 1


def test_figures_count_the_scope_and_on_an_organisation_page_its_subtree(world) -> None:
    for name, union in zip(
        "甲乙丙丁", [world.gr_a1, world.gr_a1, world.gr_a3, world.gr_b1], strict=True
    ):
        member(union, f"{name}工")
    fed = {str(f.label): f.value for f in workbench.figures_for(world.fed_officer)}
    alice = {str(f.label): f.value for f in workbench.figures_for(world.city_officer)}
    county = {
        str(f.label): f.value for f in workbench.figures_for(world.city_officer, world.county_a)
    }
    assert (fed["Members"], alice["Members"], county["Members"]) == (4, 3, 2)
    assert fed["Joined this month"] >= 0
    page = _home("alice").get("/orgs/CA-K/")
    assert {str(f.label): f.value for f in page.context["figures"]}["Members"] == 2
    # a member who leaves is no longer counted
    leaving = world.gr_a1.memberships.filter(status="active").first()
    people_actions.end_membership(by=world.grassroots_officer, membership=leaving, reason="退休")
    assert {str(f.label): f.value for f in workbench.figures_for(world.fed_officer)}["Members"] == 3
