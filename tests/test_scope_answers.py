"""Scope, as a property of every answer: nothing about a person outside the officer's subtree.

On a generated tree with a member, an employer unit and an honouree in every member union, each
officer registers every person in the tree as a member (web and API) and as a contest
competitor, and checks a roster naming them all; each officer and viewer reads a sanatorium
session shared by the whole tree. No answer — including the 400s — contains the name, the
union or the unit of a person outside the officer's subtree: such a person is only
"registered in a union outside your scope".
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis.extra.django import TestCase

from gonghui.accounts.models import Role, RoleAssignment, User
from gonghui.contests.actions import create_contest, create_skill
from gonghui.honours.actions import book_stay, create_session
from gonghui.honours.models import Honouree, HonourKind, HonourLevel
from gonghui.orgs.actions import OrgRow, create_organisation_quietly
from gonghui.orgs.models import EmployerUnit, Organisation
from gonghui.people.actions import PersonDetails, register_member
from gonghui.people.importing.pipeline import import_members
from gonghui.people.tabular import MEMBER_SPEC
from tests.conftest import signed_in
from tests.orgs.test_scope import Spec, _credit_code, _identity, _subtree, specs

# two characters each, all different: no name is part of another
ROSTER_HEADER = ",".join(MEMBER_SPEC.header(key) for key in ("name", "identity_number"))
GIVEN = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥"


def _person_name(i: int) -> str:
    return f"王{GIVEN[i]}{GIVEN[-1 - i]}"


class NoAnswerDescribesAnyoneOutsideTheScope(TestCase):
    def _build(self, spec: Spec) -> tuple[list[Organisation], list[User]]:
        self.orgs: list[Organisation] = []
        self.member_nodes: list[int] = []
        for i, (parent, org_type) in enumerate(zip(spec.parents, spec.types, strict=True)):
            row = OrgRow(code=f"N{i}", name=f"组织{i}号", org_type=org_type, parent_code="")
            org = create_organisation_quietly(
                row=row, parent=self.orgs[parent] if parent is not None else None
            )
            self.orgs.append(org)
            if org_type in ("grassroots", "joint"):
                self.member_nodes.append(i)
                unit = EmployerUnit.objects.create(
                    name=f"单位{i}号", credit_code=_credit_code(i), organisation=org
                )
                register_member(
                    by=None,
                    identity_number=_identity(i),
                    details=PersonDetails(name=_person_name(i), unit=unit),
                    union=org,
                )
        root = self.orgs[0]
        self.booker = User.objects.create_user(username="booker", password="x", organisation=root)
        RoleAssignment.objects.create(user=self.booker, organisation=root, role=Role.OFFICER)
        kind = HonourKind.objects.create(name="自治区劳动模范", level=HonourLevel.REGIONAL)
        self.session = create_session(
            by=self.booker,
            organisation=root,
            name="疗休养",
            starts_on=date(2026, 7, 1),
            ends_on=date(2026, 7, 8),
            places=40,
        )
        for i in self.member_nodes:
            honouree = Honouree.objects.create(
                name=_person_name(i),
                organisation=self.orgs[i],
                unit_name=f"单位{i}号",
                kind=kind,
                level=HonourLevel.REGIONAL,
                year=2020,
            )
            book_stay(by=self.booker, session=self.session, honouree=honouree)
        users = []
        for k, (node, role) in enumerate(spec.users):
            user = User.objects.create_user(
                username=f"u{k}", password="x", organisation=self.orgs[node]
            )
            RoleAssignment.objects.create(user=user, organisation=self.orgs[node], role=role)
            users.append(user)
        return self.orgs, users

    def _outside(self, parents: list[int | None], node: int) -> list[str]:
        """What must never be said to an officer at `node`: its outsiders' names, unions, units."""
        inside = _subtree(parents, node)
        return [
            text
            for i in self.member_nodes
            if i not in inside
            for text in (_person_name(i), f"组织{i}号", f"单位{i}号")
        ]

    def _answers(self, user: User, node: int, role: str) -> list[tuple[str, str, str]]:
        """(where, the answer, a name the officer typed in the question: not a leak)"""
        client = signed_in(user)
        session = client.get(f"/honours/sessions/{self.session.pk}/")
        said = [("session", session.content.decode(), "")]
        if role != Role.OFFICER:
            return said
        union = next((self.orgs[i] for i in self.member_nodes if i in self.inside), None)
        contest = create_contest(
            by=None,
            code=f"K{user.pk}",
            name="竞赛",
            organiser=self.orgs[node],
            starts_on=date(2026, 5, 1),
            ends_on=date(2026, 5, 2),
        )
        skill = create_skill(by=None, contest=contest, code="DG", name="维修电工")
        for i in self.member_nodes:
            number = _identity(i)
            for name in ("赵钱孙", _person_name(i)):
                response = client.post(
                    f"/api/v1/contests/skills/{skill.pk}/competitors",
                    {"number": f"{i}{name}", "name": name, "identity_number": number},
                    content_type="application/json",
                )
                said.append((f"competitor {i} {name}", response.content.decode(), name))
            if union is None:
                continue
            api = client.post(
                "/api/v1/members",
                {"identity_number": number, "name": "赵钱孙", "union_code": union.code},
                content_type="application/json",
            )
            said.append((f"api member {i}", api.content.decode(), ""))
            page = client.post(
                "/members/new/",
                {"identity_number": number, "name": "赵钱孙", "union": union.code},
            )
            said.append((f"form member {i}", page.content.decode(), ""))
        if union is not None:
            with tempfile.TemporaryDirectory() as folder:
                roster = Path(folder) / "roster.csv"
                lines = [ROSTER_HEADER] + [
                    f"{_person_name(i)},{_identity(i)}" for i in self.member_nodes
                ]
                roster.write_text("\n".join(lines), encoding="utf-8")
                for transfer in (False, True):
                    report = import_members(
                        path=roster, union=union, by=user, dry_run=True, transfer=transfer
                    )
                    said.append((f"import {transfer}", repr(report.errors), ""))
        return said

    @settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(spec=specs())
    def test_no_answer_describes_a_person_outside_the_scope(self, spec: Spec) -> None:
        for k, (node, role) in enumerate(spec.users):
            _orgs, users = self._build(spec) if k == 0 else (self.orgs, self.users)
            self.users = users
            self.inside = _subtree(spec.parents, node)
            secrets = self._outside(spec.parents, node)
            for where, text, typed in self._answers(users[k], node, role):
                leaked = [s for s in secrets if s in text and s != typed]
                assert not leaked, f"{where} tells u{k} at N{node} of {leaked}"


def test_an_import_neither_names_nor_moves_a_member_outside_the_scope(world, tmp_path) -> None:
    """With the transfer option too: that transfer is asked of an officer who sees both."""
    from gonghui.people.models import Membership

    number = _identity(7)
    register_member(
        by=None,
        identity_number=number,
        details=PersonDetails(name="邓俊"),
        union=world.gr_b1,
    )
    roster = tmp_path / "roster.csv"
    roster.write_text(f"{ROSTER_HEADER}\n邓俊,{number}\n", encoding="utf-8")
    report = import_members(path=roster, union=world.gr_a1, by=world.county_officer, transfer=True)
    assert [e.message for e in report.errors] == [
        "This person is registered in a union outside your scope; an officer who can see "
        "both unions can transfer the membership."
    ]
    assert not report.written
    assert Membership.objects.current().get(person__name="邓俊").union == world.gr_b1
    moved = import_members(path=roster, union=world.gr_a1, by=world.fed_officer, transfer=True)
    assert moved.written and moved.counts["transfer"] == 1
