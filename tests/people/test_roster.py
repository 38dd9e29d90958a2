"""Roster pages: keyset pages in pinyin order, scoped, searched by name or pinyin prefix, each
read off an index in roster order (no sort of every membership in scope)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from django.db import connection, transaction

from gonghui.core.validators import identity_check_character
from gonghui.people import roster as roster_module
from gonghui.people.actions import PersonDetails, register_member, update_person
from gonghui.people.models import Membership
from gonghui.people.roster import Cursor, RosterQuery, page_queries, roster_page
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

NAMES = ["张伟", "张伟", "章伟", "王芳", "李娜", "张三", "张三丰", "阿依古丽·买买提", "Anna Li"]


def _identity(n: int) -> str:
    body = f"650102199001{n % 28 + 1:02d}{n:03d}"
    return body + identity_check_character(body)


@pytest.fixture
def roster(world: Any) -> list[Membership]:
    """Members in four unions, names repeated so that many rows tie on the sort key."""
    unions = [world.gr_a1, world.gr_a2, world.gr_a3, world.gr_b1]
    return [
        register_member(
            by=None,
            identity_number=_identity(n),
            details=PersonDetails(name=NAMES[n % len(NAMES)], is_migrant=n % 3 == 0),
            union=unions[n % 7 % 4],
            joined_on=date(2020, 1, 1),
        )
        for n in range(60)
    ]


def _expected(rows: list[Membership], unions: set[int]) -> list[int]:
    return [m.pk for m in sorted(rows, key=lambda m: (m.name_key, m.pk)) if m.union_id in unions]


def _walk(user: Any, query: RosterQuery, size: int) -> tuple[list[int], list[int]]:
    """Every row, page by page forward to the end, then back again to the first page."""
    pages, cursor = [], None
    while True:
        page = roster_page(user, query, cursor=cursor, size=size)
        pages.append([m.pk for m in page])
        if not page.has_next:
            break
        cursor = Cursor.decode(page.next_cursor)
    forward = [pk for rows in pages for pk in rows]
    back = []
    while page.has_previous:
        page = roster_page(user, query, cursor=Cursor.decode(page.previous_cursor), size=size)
        back.append([m.pk for m in page])
    assert back == pages[-2::-1]
    return forward, pages[0]


@pytest.mark.parametrize("merge_up_to", [0, 8], ids=["walk", "merge"])
def test_keyset_pages_hold_every_row_once_in_pinyin_order_with_ties(
    world: Any, roster: list[Membership], monkeypatch: Any, merge_up_to: int
) -> None:
    monkeypatch.setattr(roster_module, "MERGE_UP_TO", merge_up_to)
    everyone = {world.gr_a1.pk, world.gr_a2.pk, world.gr_a3.pk, world.gr_b1.pk}
    city_a = {world.gr_a1.pk, world.gr_a2.pk, world.gr_a3.pk}
    for user, unions in [
        (world.fed_officer, everyone),
        (world.city_officer, city_a),
        (world.county_officer, {world.gr_a1.pk, world.gr_a2.pk}),
        (world.grassroots_officer, {world.gr_a1.pk}),
    ]:
        for size in (2, 7, 100):
            forward, _first = _walk(user, RosterQuery(), size)
            assert forward == _expected(roster, unions), (user, size)


def test_outsider_and_officers_of_other_subtrees_see_none_of_it(
    world: Any, roster: list[Membership]
) -> None:
    city_a = {world.gr_a1.pk, world.gr_a2.pk, world.gr_a3.pk}
    assert not roster_page(make_user("nobody", None), RosterQuery()).object_list
    outsider, _first = _walk(world.outsider, RosterQuery(), 5)
    assert outsider == _expected(roster, {world.gr_b1.pk})
    county = roster_page(world.county_officer, RosterQuery(union="CB-1"))
    assert not county.object_list
    # a cursor made by hand moves within the scope, never out of it
    stolen = Cursor("", 0).encode()
    page = roster_page(world.city_officer, RosterQuery(), cursor=Cursor.decode(stolen), size=100)
    assert {m.union_id for m in page} <= city_a


def test_a_search_matches_the_beginning_of_the_name_or_of_its_pinyin(
    world: Any, roster: list[Membership]
) -> None:
    def names(q: str) -> set[str]:
        page = roster_page(world.fed_officer, RosterQuery(q=q), size=100)
        return {m.person.name for m in page}

    assert names("张三") == {"张三", "张三丰"}
    assert names("张") == {"张伟", "张三", "张三丰"}  # 章伟 sounds alike but is not 张
    assert names("zhang") == {"张伟", "章伟", "张三", "张三丰"}
    assert names("zh") == {"张伟", "章伟", "张三", "张三丰"}
    assert names("Zhang1 san") == {"张三", "张三丰"}
    assert names("阿依古丽·") == {"阿依古丽·买买提"}
    assert names("anna") == {"Anna Li"}
    assert names("三") == set()  # not a substring search
    assert names(_identity(5)) == {NAMES[5]}


def test_a_changed_person_moves_in_the_roster_and_its_filters(
    world: Any, roster: list[Membership]
) -> None:
    person = roster[3].person  # 王芳
    update_person(
        by=None, person=person, details=PersonDetails(name="阿大", skill_level="technician")
    )
    technicians = roster_page(world.fed_officer, RosterQuery(skill_level="technician"))
    assert [m.person_id for m in technicians] == [person.pk]
    first = roster_page(world.fed_officer, RosterQuery(), size=1).object_list[0]
    assert first.person_id == person.pk and first.name_key == "a1 da4"
    assert set(Membership.objects.filter(person=person).values_list("name_key", flat=True)) == {
        "a1 da4"
    }


def test_the_page_links_and_the_api_cursor(
    world: Any, roster: list[Membership], client_for
) -> None:
    client = client_for(world.fed_officer)
    first = client.get("/members/")
    assert first.context["page"].has_next and not first.context["page"].has_previous
    second = client.get(f"/members/?cursor={first.context['page'].next_cursor}")
    assert [m.pk for m in second.context["page"]] == _expected(
        roster, {world.gr_a1.pk, world.gr_a2.pk, world.gr_a3.pk, world.gr_b1.pk}
    )[50:]
    assert 'data-testid="first-page"' in second.content.decode()
    assert client.get("/members/?cursor=not-a-cursor").status_code == 200
    api = client.get("/api/v1/members?limit=25").json()
    later = client.get(f"/api/v1/members?limit=25&cursor={api['next_cursor']}").json()
    assert len(api["items"]) == len(later["items"]) == 25 and api["previous_cursor"] is None
    assert {m["membership_id"] for m in api["items"]}.isdisjoint(
        m["membership_id"] for m in later["items"]
    )
    assert client.get("/api/v1/members?limit=201").status_code == 422
    assert client.get("/api/v1/members?cursor=nonsense").status_code == 400


def _plans(user: Any, query: RosterQuery, cursor: Cursor | None = None) -> list[str]:
    """The plan of each query a page runs, as text (PostgreSQL: JSON)."""
    queries = page_queries(user, query, cursor=cursor)
    assert queries
    if connection.vendor == "sqlite":
        return [rows.explain() for rows in queries]
    with transaction.atomic(), connection.cursor() as cursor_:
        # Test tables are tiny, where sorting is cheapest; with sorting priced out, a Sort node
        # still left over the memberships means no index gives the roster's order.
        cursor_.execute("SET LOCAL enable_sort = off")
        return [rows.explain(format="json") for rows in queries]


def _sorts_memberships(plan: str) -> bool:
    if connection.vendor == "sqlite":
        return "TEMP B-TREE" in plan
    found = False

    def visit(node: dict[str, Any], sorting: bool) -> None:
        nonlocal found
        sorting = sorting or node["Node Type"] in {"Sort", "Incremental Sort"}
        if sorting and node.get("Relation Name") == "people_membership":
            found = True
        for child in node.get("Plans", []):
            visit(child, sorting)

    visit(json.loads(plan)[0]["Plan"], False)
    return found


@pytest.mark.parametrize("merge_up_to", [0, 8], ids=["walk", "merge"])
@pytest.mark.parametrize(
    "query",
    [
        RosterQuery(),
        RosterQuery(q="张"),
        RosterQuery(q="zh"),
        RosterQuery(skill_level="technician", migrant=True),
        RosterQuery(status="left"),
    ],
    ids=["first page", "name", "pinyin", "filters", "status"],
)
def test_roster_pages_read_an_index_in_roster_order_and_sort_nothing(
    world: Any, roster: list[Membership], monkeypatch: Any, merge_up_to: int, query: RosterQuery
) -> None:
    monkeypatch.setattr(roster_module, "MERGE_UP_TO", merge_up_to)
    for user in (world.fed_officer, world.city_officer, world.grassroots_officer):
        for cursor in (None, Cursor("wang2", roster[0].pk), Cursor("wang2", 1, before=True)):
            for plan in _plans(user, query, cursor):
                assert "membership_roster" in plan or "membership_union_roster" in plan, plan
                assert not _sorts_memberships(plan), plan


def test_an_identity_number_or_mobile_is_found_through_its_hash_index_alone(
    world: Any, roster: list[Membership]
) -> None:
    member = register_member(
        by=None,
        identity_number=_identity(99),
        details=PersonDetails(name="赵六", phone="13912345678"),
        union=world.gr_a1,
    )
    for text in (_identity(99), "13912345678"):
        page = roster_page(world.county_officer, RosterQuery(q=text))
        assert [m.pk for m in page] == [member.pk]
        assert not roster_page(world.outsider, RosterQuery(q=text)).object_list
        if connection.vendor == "sqlite":  # the people first, then their memberships by person
            for plan in _plans(world.fed_officer, RosterQuery(q=text)):
                assert "membership_roster" not in plan and "SCAN" not in plan, plan


def test_a_search_by_full_number_is_on_the_trail_masked(world, roster) -> None:
    from gonghui.core.models import AuditEvent

    person = roster[0].person
    number = person.reveal_identity_number()
    page = roster_page(world.city_officer, RosterQuery(q=number))
    assert [m.person for m in page.object_list] == [person]
    roster_page(world.city_officer, RosterQuery(q="13812345678"))
    events = list(AuditEvent.objects.filter(action="person.search_exact").order_by("id"))
    assert [e.extra["field"] for e in events] == ["identity_number", "phone"]
    assert events[0].extra["searched"] == person.identity_masked
    assert events[0].actor_id == world.city_officer.pk
    assert events[0].organisation_id == world.city_officer.organisation_id
    assert not AuditEvent.objects.filter(extra__icontains=number).exists()
    roster_page(world.city_officer, RosterQuery(q="张"))  # a name is not recorded
    assert AuditEvent.objects.filter(action="person.search_exact").count() == 2
