"""The roster pages: scoped, masked, searchable by full number, reveal audited."""

from __future__ import annotations

from datetime import date

import pytest

from gonghui.accounts.actions import grant_role
from gonghui.accounts.models import Role
from gonghui.core.models import AuditEvent
from gonghui.people.actions import PersonDetails, register_member
from gonghui.people.models import MembershipStatus, Person

pytestmark = pytest.mark.django_db

ID_A = "650102199003070072"
ID_B = "11010519491231002X"


@pytest.fixture
def members(world):
    a = register_member(
        by=None,
        identity_number=ID_A,
        details=PersonDetails(
            name="阿依古丽·买买提", phone="13812345678", skill_level="technician", is_frontline=True
        ),
        union=world.gr_a1,
        joined_on=date(2020, 1, 1),
    )
    b = register_member(
        by=None, identity_number=ID_B, details=PersonDetails(name="张三"), union=world.gr_b1
    )
    return a.person, b.person


def test_list_is_scoped_masked_and_in_pinyin_order(world, members, client_for) -> None:
    client = client_for(world.fed_officer)
    response = client.get("/members/")
    names = [m.person.name for m in response.context["page"]]
    assert names == ["阿依古丽·买买提", "张三"]
    body = response.content.decode()
    assert "650102********0072" in body and ID_A not in body and "13812345678" not in body
    city = client_for(world.city_officer).get("/members/")
    assert [m.person.name for m in city.context["page"]] == ["阿依古丽·买买提"]
    assert client_for(world.outsider).get(f"/members/{members[0].pk}/").status_code == 404


def test_search_by_full_identity_number_and_mobile(world, members, client_for) -> None:
    client = client_for(world.fed_officer)
    assert [m.person.name for m in client.get(f"/members/?q={ID_B.lower()}").context["page"]] == [
        "张三"
    ]
    assert [m.person.name for m in client.get("/members/?q=13812345678").context["page"]] == [
        "阿依古丽·买买提"
    ]
    assert list(client.get("/members/?q=650102199003070073").context["page"]) == []


def test_filters(world, members, client_for) -> None:
    client = client_for(world.fed_officer)
    assert len(client.get("/members/?frontline=on").context["page"]) == 1
    assert len(client.get("/members/?skill_level=technician").context["page"]) == 1
    assert len(client.get("/members/?union=CB-1").context["page"]) == 1
    assert len(client.get("/members/?status=left").context["page"]) == 0
    count = client.get("/members/count/?frontline=on", headers={"HX-Request": "true"})
    assert "1 member matches" in count.content.decode()


def test_register_through_the_web_shows_errors_beside_fields(world, client_for) -> None:
    client = client_for(world.grassroots_officer)
    response = client.post(
        "/members/new/",
        {
            "identity_number": "650102199003070073",
            "name": "王五",
            "union": "CA-K-1",
            "phone": "123",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "id_identity_number_errors" in body and "should be 2" in body
    response = client.post(
        "/members/new/",
        {"identity_number": ID_A, "name": "王五", "union": "CA-K-1", "phone": "138 1234 5678"},
    )
    assert response.status_code == 302
    assert Person.objects.get().phone_masked == "138****5678"
    refused = client.post(
        "/members/new/", {"identity_number": ID_B, "name": "赵六", "union": "CB-1"}
    )
    assert "within your scope" in refused.content.decode()


def test_viewer_cannot_register(world, client_for) -> None:
    assert client_for(world.city_viewer).get("/members/new/").status_code == 403


def test_reveal_is_audited_and_needs_the_role(world, members, client_for) -> None:
    person = members[0]
    client = client_for(world.city_officer)
    assert (
        client.post(f"/members/{person.pk}/reveal/", {"field": "identity_number"}).status_code
        == 403
    )
    assert "Show in full" not in client.get(f"/members/{person.pk}/").content.decode()
    grant_role(
        by=world.security, user=world.city_officer, organisation=world.city_a, role=Role.REVEAL
    )
    response = client.post(
        f"/members/{person.pk}/reveal/",
        {"field": "identity_number"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert ID_A in response.content.decode()
    assert AuditEvent.objects.filter(action="person.reveal", actor=world.city_officer).count() == 1


def test_transfer_and_end_from_the_person_page(world, members, client_for) -> None:
    person = members[0]
    membership = person.memberships.get()
    client = client_for(world.city_officer)
    client.post(f"/members/memberships/{membership.pk}/transfer/", {"to_union": "CA-3"})
    current = person.memberships.get(status=MembershipStatus.ACTIVE)
    assert current.union.code == "CA-3"
    client.post(f"/members/memberships/{current.pk}/end/", {"reason": "调离"})
    assert not person.memberships.filter(status=MembershipStatus.ACTIVE).exists()
    history = client.get(f"/members/{person.pk}/").context["memberships"]
    assert [m.status for m in history] == ["left", "transferred"]


def test_transfer_out_of_scope_is_refused(world, members, client_for) -> None:
    membership = members[0].memberships.get()
    client = client_for(world.grassroots_officer)
    client.post(f"/members/memberships/{membership.pk}/transfer/", {"to_union": "CB-1"})
    assert members[0].memberships.get().status == MembershipStatus.ACTIVE
    assert (
        client_for(world.outsider)
        .post(f"/members/memberships/{membership.pk}/end/", {"reason": "x"})
        .status_code
        == 404
    )


def test_edit_keeps_the_masked_phone_when_left_empty(world, members, client_for) -> None:
    person = members[0]
    client = client_for(world.grassroots_officer)
    response = client.post(
        f"/members/{person.pk}/edit/", {"name": "阿依古丽·买买提", "post": "焊工", "phone": ""}
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.post == "焊工" and person.reveal_phone() == "13812345678"
