"""Scope, as a property: on any tree, every list shows exactly the user's subtrees.

A generated tree with users at random nodes; for every list, count and API endpoint the
codes returned equal those of an oracle that walks parent pointers (never the stored
paths). Then a subtree moves and a role is revoked, and the next request follows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from gonghui.accounts.models import Role, RoleAssignment, User
from gonghui.contests.actions import create_contest
from gonghui.contests.permissions import visible_contests
from gonghui.core.validators import credit_code_check_character, identity_check_character
from gonghui.orgs.actions import OrgRow, create_organisation_quietly, move_organisation
from gonghui.orgs.models import EmployerUnit, Organisation
from gonghui.orgs.permissions import visible_orgs, visible_units
from gonghui.people.actions import PersonDetails, register_member
from tests.conftest import signed_in

CHILD_TYPES = ["prefecture", "county", "industry", "grassroots", "joint"]


@dataclass
class Spec:
    parents: list[int | None]
    types: list[str]
    users: list[tuple[int, str]]
    move: tuple[int, int] | None
    revoke: int


@st.composite
def specs(draw: st.DrawFn) -> Spec:
    n = draw(st.integers(min_value=2, max_value=18))
    parents: list[int | None] = [None]
    types = ["federation"]
    for i in range(1, n):
        candidates = [j for j in range(i) if types[j] != "grassroots"]
        parents.append(draw(st.sampled_from(candidates)))
        types.append(draw(st.sampled_from(CHILD_TYPES)))
    users = draw(
        st.lists(
            st.tuples(st.integers(0, n - 1), st.sampled_from([Role.OFFICER, Role.VIEWER])),
            min_size=1,
            max_size=4,
        )
    )
    movable = []
    for node in range(1, n):
        below = _subtree(parents, node)
        movable += [
            (node, p)
            for p in range(n)
            if p not in below and types[p] != "grassroots" and p != parents[node]
        ]
    move = draw(st.sampled_from(movable)) if movable else None
    return Spec(parents, types, users, move, draw(st.integers(0, len(users) - 1)))


def _subtree(parents: list[int | None], node: int) -> set[int]:
    out = set()
    for candidate in range(len(parents)):
        walk: int | None = candidate
        while walk is not None:
            if walk == node:
                out.add(candidate)
                break
            walk = parents[walk]
    return out


def _identity(i: int) -> str:
    body = f"650102{19900101 + i:08d}"[:14] + f"{i % 1000:03d}"
    return body + identity_check_character(body)


def _credit_code(i: int) -> str:
    body = f"91650102{i:09d}"
    return body + credit_code_check_character(body)


@pytest.mark.slow
class ScopeProperties(TestCase):
    def _build(self, spec: Spec) -> tuple[list[Organisation], list[User]]:
        orgs: list[Organisation] = []
        self.member_unions = {
            f"N{i}" for i, t in enumerate(spec.types) if t in ("grassroots", "joint")
        }
        for i, (parent, org_type) in enumerate(zip(spec.parents, spec.types, strict=True)):
            row = OrgRow(code=f"N{i}", name=f"组织{i}", org_type=org_type, parent_code="")
            orgs.append(
                create_organisation_quietly(
                    row=row, parent=orgs[parent] if parent is not None else None
                )
            )
            EmployerUnit.objects.create(
                name=f"单位{i}", credit_code=_credit_code(i), organisation=orgs[-1]
            )
            create_contest(
                by=None,
                code=f"K{i}",
                name=f"竞赛{i}",
                organiser=orgs[-1],
                starts_on=date(2026, 5, 1),
                ends_on=date(2026, 5, 2),
            )
            if org_type in ("grassroots", "joint"):
                register_member(
                    by=None,
                    identity_number=_identity(i),
                    details=PersonDetails(name=f"会员{'零一二三四五六七八九'[i % 10]}"),
                    union=orgs[-1],
                )
        users = []
        for k, (node, role) in enumerate(spec.users):
            user = User.objects.create_user(username=f"u{k}", password="x", organisation=orgs[node])
            RoleAssignment.objects.create(user=user, organisation=orgs[node], role=role)
            users.append(user)
        User.objects.create_user(username="outsider", password="x")
        return orgs, users

    def _expected(self, parents: list[int | None], nodes: list[int]) -> set[str]:
        return {f"N{i}" for node in nodes for i in _subtree(parents, node)}

    def _check_functions(self, user: User, expected: set[str]) -> None:
        fresh = User.objects.get(pk=user.pk)
        assert {o.code for o in visible_orgs(fresh)} == expected
        assert {u.organisation.code for u in visible_units(fresh)} == expected
        assert {c.organiser.code for c in visible_contests(fresh)} == expected

    def _check(self, client: Client, user: User, expected: set[str]) -> None:
        self._check_functions(user, expected)
        page = client.get("/orgs/").context["page"]
        assert {o.code for o in page.object_list} == expected
        assert page.paginator.count == len(expected)
        body = client.get("/api/v1/orgs?limit=200").json()
        assert {o["code"] for o in body["items"]} == expected
        assert body["count"] == len(expected)
        units = client.get("/api/v1/units?limit=200").json()
        assert {u["organisation_code"] for u in units["items"]} == expected
        members = {m.union.code for m in client.get("/members/").context["page"]}
        assert members == {c for c in expected if c in self.member_unions}
        api_members = client.get("/api/v1/members?limit=200").json()
        assert {m["union_code"] for m in api_members["items"]} == members
        exported_members = b"".join(client.get("/members/export.csv").streaming_content).decode(
            "utf-8-sig"
        )
        assert {line.split(",")[-3] for line in exported_members.splitlines()[1:]} == members
        unit_page = client.get("/units/").context["page"]
        assert {u.organisation.code for u in unit_page.object_list} == expected
        exported = b"".join(client.get("/orgs/export.csv").streaming_content).decode("utf-8-sig")
        assert {line.split(",")[0] for line in exported.splitlines()[1:]} == expected
        if expected:
            figures = {str(f.label): f.value for f in client.get("/").context["figures"]}
            assert figures["Organisations in your scope"] == len(expected)
        contests = client.get("/contests/").context["page"]
        assert {c.organiser.code for c in contests.object_list} == expected
        api_contests = client.get("/api/v1/contests?limit=200").json()
        assert {c["organiser_code"] for c in api_contests["items"]} == expected
        for code in ("N0", "N1"):
            seen = code in expected
            assert client.get(f"/contests/K{code[1:]}/").status_code == (200 if seen else 404)
            assert client.get(f"/api/v1/contests/K{code[1:]}").status_code == (200 if seen else 404)
        for code in ("N0", "N1"):
            assert client.get(f"/orgs/{code}/").status_code == (200 if code in expected else 404)
            assert client.get(f"/api/v1/orgs/{code}").status_code == (
                200 if code in expected else 404
            )

    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(spec=specs())
    def test_scope_functions_equal_the_oracle_after_moves_and_revocations(self, spec: Spec) -> None:
        orgs, users = self._build(spec)
        nodes_of = [
            [n for (n, _r), u in zip(spec.users, users, strict=True) if u.pk == user.pk]
            for user in users
        ]
        for user, nodes in zip(users, nodes_of, strict=True):
            self._check_functions(user, self._expected(spec.parents, nodes))
        assert not visible_orgs(User.objects.get(username="outsider")).exists()
        parents = list(spec.parents)
        if spec.move is not None:
            node, new_parent = spec.move
            move_organisation(by=None, org=orgs[node], new_parent=orgs[new_parent])
            parents[node] = new_parent
        RoleAssignment.objects.filter(user=users[spec.revoke]).delete()
        for k, user in enumerate(users):
            nodes = [] if user.pk == users[spec.revoke].pk else nodes_of[k]
            self._check_functions(user, self._expected(parents, nodes))

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(spec=specs())
    def test_every_list_equals_the_oracle_and_follows_moves_and_revocations(
        self, spec: Spec
    ) -> None:
        orgs, users = self._build(spec)
        clients = [signed_in(user) for user in users]
        nodes_of = [
            [node for (node, _r), u in zip(spec.users, users, strict=True) if u.pk == user.pk]
            for user in users
        ]
        for user, client, nodes in zip(users, clients, nodes_of, strict=True):
            self._check(client, user, self._expected(spec.parents, nodes))

        outsider = signed_in(User.objects.get(username="outsider"))
        assert outsider.get("/api/v1/orgs").json() == {"items": [], "count": 0}
        assert outsider.get("/orgs/").context["page"].paginator.count == 0
        assert outsider.get("/orgs/N0/").status_code == 404
        assert outsider.get("/api/v1/contests").json() == {"items": [], "count": 0}
        assert outsider.get("/contests/K0/").status_code == 404

        parents = list(spec.parents)
        if spec.move is not None:
            node, new_parent = spec.move
            move_organisation(by=None, org=orgs[node], new_parent=orgs[new_parent])
            parents[node] = new_parent
        revoked = users[spec.revoke]
        RoleAssignment.objects.filter(user=revoked).delete()
        for k, (user, client) in enumerate(zip(users, clients, strict=True)):
            nodes = [] if user.pk == revoked.pk else nodes_of[k]
            self._check(client, user, self._expected(parents, nodes))
