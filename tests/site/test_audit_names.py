"""The audit trail and a nomination's history name people, not usernames."""

from __future__ import annotations

import pytest

from gonghui.people import actions as people_actions
from tests.honours.conftest import make_honours, member, nominate

pytestmark = pytest.mark.django_db


def test_the_trail_shows_the_actors_name_with_the_username_beside(world, client_for) -> None:
    world.grassroots_officer.full_name = "王建国"
    world.grassroots_officer.save(update_fields=["full_name"])
    person = member(world.gr_a1, "李工")
    membership = person.memberships.get(status="active")
    people_actions.end_membership(by=world.grassroots_officer, membership=membership, reason="退休")
    page = client_for(world.auditor).get("/audit/?action=membership.end").content.decode()
    assert '<td class="actor" title="dave">王建国</td>' in page


def test_a_nominations_history_names_who_took_each_step(world, client_for) -> None:
    world.fed_officer.full_name = "阿依古丽"
    world.fed_officer.save(update_fields=["full_name"])
    honours = make_honours(world)
    nomination = nominate(world, honours, member(world.gr_a1, "王工"))
    from gonghui.honours import actions

    actions.submit_nomination(by=world.fed_officer, nomination=nomination)
    page = client_for(world.fed_officer).get(nomination.get_absolute_url()).content.decode()
    assert '<td class="actor" title="fed">阿依古丽</td>' in page
