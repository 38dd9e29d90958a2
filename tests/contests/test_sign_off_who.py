"""A sign-off says who signed: the chief judge in person, or an officer on their behalf."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from gonghui.accounts.models import User
from gonghui.core.models import AuditEvent
from tests.conftest import PASSWORD
from tests.contests.conftest import fill_marks

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client(headers={"Accept-Language": "zh-hans"})
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _marked(running) -> None:
    one, two, three = running.competitors
    fill_marks(
        running.skill,
        {one: ("60", [2, 2, 2]), two: ("50", [1, 1, 2, 2]), three: ("40", [1, 1, 1, 1])},
    )


def test_an_officer_signing_for_a_chief_judge_without_an_account_is_named(world, running) -> None:
    """The chief judge 裁判一 has no account here: the organiser's officer signs for them."""
    world.city_officer.full_name = "李娜"
    world.city_officer.save(update_fields=["full_name"])
    _marked(running)
    alice = _client(world.city_officer)
    alice.post(reverse("contests:sign_off", args=[running.skill.pk]))
    running.skill.refresh_from_db()
    assert running.skill.is_signed_off and not running.skill.signed_off_in_person
    page = alice.get(reverse("contests:skill", args=[running.skill.pk])).content.decode()
    assert "李娜 已于" in page and "代裁判长 J1 裁判一 确认" in page
    assert "裁判长 J1 裁判一 已于" not in page  # it does not claim the chief judge signed
    event = AuditEvent.objects.filter(action="contest.skill.sign_off").latest("id")
    assert event.extra["in_person"] is False and event.extra["chief_judge"] == "J1 裁判一"


def test_the_chief_judge_signing_with_their_own_account_is_named_as_such(world, running) -> None:
    judy = User.objects.create_user(username="judy", password=PASSWORD, full_name="热依拉")
    chief = running.skill.judges.get(is_chief=True)
    chief.user = judy
    chief.save(update_fields=["user"])
    _marked(running)
    _client(judy).post(reverse("contests:sign_off", args=[running.skill.pk]))
    running.skill.refresh_from_db()
    assert running.skill.signed_off_in_person
    page = (
        _client(world.city_officer)
        .get(reverse("contests:skill", args=[running.skill.pk]))
        .content.decode()
    )
    assert "裁判长 J1 裁判一 已于" in page and "代裁判长" not in page
