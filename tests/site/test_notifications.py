"""Notifications: written by the actions that do the work, read in the header and the API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from gonghui.accounts import actions as account_actions
from gonghui.core import notifications as notices
from gonghui.core.models import Notification
from gonghui.honours import actions
from gonghui.honours.notifications import remind_of_closing_notices
from tests.conftest import PASSWORD, api_token, bearer
from tests.honours.conftest import make_honours, member, nominate
from tests.honours.test_nomination_flow import _to_notice

pytestmark = pytest.mark.django_db


def _texts(user) -> list[str]:
    return [n.text for n in notices.inbox(user)]


def _signed_in(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def test_a_nomination_tells_each_level_as_it_arrives_and_the_union_when_returned(world) -> None:
    honours = make_honours(world)
    nomination = nominate(world, honours, member(world.gr_a1, "王工"))
    actions.submit_nomination(by=world.grassroots_officer, nomination=nomination)
    campaign = honours.campaign.name
    assert _texts(world.county_officer) == [
        f"{campaign}: the nomination of 王工 awaits your review"
    ]
    for nobody in (world.grassroots_officer, world.city_officer, world.outsider, world.fed_officer):
        assert _texts(nobody) == []
    actions.approve_nomination(by=world.county_officer, nomination=nomination)
    assert len(_texts(world.city_officer)) == 1
    actions.return_nomination(by=world.city_officer, nomination=nomination, reason="补充材料")
    assert _texts(world.grassroots_officer) == [
        f"{campaign}: the nomination of 王工 was returned for changes"
    ]


def test_the_badge_the_list_and_opening_one(world) -> None:
    honours = make_honours(world)
    nomination = nominate(world, honours, member(world.gr_a1, "王工"))
    actions.submit_nomination(by=world.grassroots_officer, nomination=nomination)
    carol = _signed_in("carol")
    home = carol.get("/")
    assert home.context["unread_notifications"] == 1
    assert 'data-testid="unread-badge"' in home.content.decode()
    [notification] = carol.get("/notifications/").context["page"]
    opened = carol.get(f"/notifications/{notification.pk}/")
    assert opened["Location"] == nomination.get_absolute_url()
    assert carol.get("/").context["unread_notifications"] == 0
    assert 'data-testid="unread-badge"' not in carol.get("/").content.decode()
    # nobody opens another's notification: the same answer as a missing one
    assert _signed_in("dave").get(f"/notifications/{notification.pk}/").status_code == 404


def test_an_address_off_this_site_is_not_followed(world) -> None:
    notices.notify([world.city_officer], "Look", url="https://evil.example/")
    [notification] = notices.inbox(world.city_officer)
    opened = _signed_in("alice").get(f"/notifications/{notification.pk}/")
    assert opened["Location"] == "/notifications/"


def test_the_api_lists_and_marks_read(world) -> None:
    account_actions.grant_role(
        by=world.security, user=world.city_viewer, organisation=world.gr_b1, role="viewer"
    )
    api = bearer(api_token("bob"))
    listed = api.get("/api/v1/notifications?unread=true").json()
    assert [item["text"] for item in listed["items"]] == [
        "You were given the role Viewer on 乙市一厂工会"
    ]
    marked = api.post("/api/v1/notifications/read", {}, content_type="application/json")
    assert marked.json() == {"marked": 1, "unread": 0}
    assert api.get("/api/v1/notifications?unread=true").json()["count"] == 0
    assert api.get("/api/v1/notifications").json()["count"] == 1
    refused = api.post(
        "/api/v1/notifications/read", {"ids": "all"}, content_type="application/json"
    )
    assert refused.status_code == 422


def test_an_objection_tells_the_nominating_union(world) -> None:
    honours = make_honours(world)
    nomination = _to_notice(
        world,
        honours,
        nominate(world, honours, member(world.gr_a1, "王工")),
        starts_on=timezone.localdate(),
    )
    actions.file_objection(
        nomination=nomination, reporter="", contact="13900000000", facts="事迹材料不实。"
    )
    assert _texts(world.grassroots_officer)[0].endswith("an objection was filed against 王工")


def test_a_closing_notice_is_told_once_however_often_the_worker_looks(world) -> None:
    honours = make_honours(world)
    campaign = honours.campaign
    campaign.notice_starts = timezone.localdate() - timedelta(days=5)
    campaign.notice_ends = timezone.localdate()
    campaign.save(update_fields=["notice_starts", "notice_ends"])
    remind_of_closing_notices()
    notices.mark_read(world.fed_officer)
    remind_of_closing_notices()
    assert len(_texts(world.fed_officer)) == 1


def test_old_notifications_are_forgotten(world, settings) -> None:
    notices.notify([world.city_officer], "Old")
    notices.notify([world.city_officer], "New")
    Notification.objects.filter(message="Old").update(
        created_at=timezone.now() - timedelta(days=settings.NOTIFICATION_DAYS + 1)
    )
    assert notices.forget_old_notifications() == 1
    assert _texts(world.city_officer) == ["New"]
