"""`gonghui demo`: the demo federation, its accounts, and when it refuses to load."""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import Client, override_settings

from gonghui.accounts.models import Role, RoleAssignment, User
from gonghui.core import audit
from gonghui.core.models import AuditEvent
from gonghui.core.validators import validate_credit_code
from gonghui.orgs.actions import create_organisation
from gonghui.orgs.demo import (
    DEMO_ACCOUNTS,
    DEMO_PASSWORD,
    DemoConflict,
    DemoSummary,
    build_demo,
    credit_code,
    organisation_code,
)
from gonghui.orgs.division_codes import DIRECT_CITIES, PREFECTURES
from gonghui.orgs.models import EmployerUnit, Organisation, OrgType
from gonghui.orgs.permissions import visible_orgs


@pytest.fixture(scope="class")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[DemoSummary]:
    """One demo for a whole class of read-only tests, rolled back when the class is done."""
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=fast),
        transaction.atomic(),
    ):
        yield build_demo(grassroots_per_county=2)
        transaction.set_rollback(True)


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", "--members", "0", *args, stdout=out)
    return out.getvalue()


class TestDemoFederation:
    """Read-only checks on one demo federation."""

    def test_the_federation_is_the_only_root(self, db: None, demo: DemoSummary) -> None:
        root = Organisation.objects.get(parent=None)
        assert (root.code, root.name, root.type) == (
            "650000",
            "新疆维吾尔自治区总工会",
            "federation",
        )
        assert root.division_code == "650000"
        assert root.depth == 0

    def test_every_prefecture_and_direct_city_is_a_prefecture_beneath_the_federation(
        self, db: None, demo: DemoSummary
    ) -> None:
        children = Organisation.objects.filter(parent=demo.root, type=OrgType.PREFECTURE)
        expected = {code for code, _name, _counties in PREFECTURES} | {c for c, _ in DIRECT_CITIES}
        assert len(PREFECTURES) == 14
        assert len(DIRECT_CITIES) == 9
        assert {org.code for org in children} == expected
        assert all(org.code == org.division_code for org in children)
        assert children.get(code="650100").name == "乌鲁木齐市总工会"
        assert children.get(code="659001").name == "石河子市总工会"

    def test_counties_sit_beneath_their_own_prefecture(self, db: None, demo: DemoSummary) -> None:
        counties = Organisation.objects.of_type(OrgType.COUNTY).select_related("parent")
        assert counties.count() == sum(len(c) for _code, _name, c in PREFECTURES)
        for county in counties:
            assert county.parent is not None
            assert county.parent.division_code[:4] == county.division_code[:4]
            assert county.code == county.division_code
            assert county.depth == 2
        assert counties.get(code="650102").name == "天山区总工会"

    def test_paths_and_depths_follow_the_parents(self, db: None, demo: DemoSummary) -> None:
        orgs = {org.pk: org for org in Organisation.objects.all()}
        for org in orgs.values():
            parent = orgs.get(org.parent_id) if org.parent_id else None
            assert org.path == (parent.path if parent else "") + f"{org.pk:010d}"
            assert org.depth == (parent.depth + 1 if parent else 0)

    def test_industry_unions_hang_from_the_federation(self, db: None, demo: DemoSummary) -> None:
        industry = Organisation.objects.of_type(OrgType.INDUSTRY)
        assert industry.count() >= 3
        assert {org.parent_id for org in industry} == {demo.root.pk}
        assert industry.filter(name="自治区教育工会", code="650000-HY01").exists()

    def test_grassroots_unions_are_spread_over_counties_with_valid_unique_credit_codes(
        self, db: None, demo: DemoSummary
    ) -> None:
        unions = Organisation.objects.filter(type__in=[OrgType.GRASSROOTS, OrgType.JOINT])
        assert 200 <= unions.count() <= 600
        assert unions.filter(type=OrgType.JOINT).exists()
        credit_codes = [org.credit_code for org in unions]
        assert len(set(credit_codes)) == len(credit_codes)
        for org in unions.select_related("parent"):
            assert org.parent is not None
            assert org.parent.type in {OrgType.COUNTY, OrgType.PREFECTURE}
            assert org.code.startswith(f"{org.parent.code}-G")
            assert org.credit_code.startswith("81" + org.parent.division_code)
            validate_credit_code(org.credit_code)

    def test_every_grassroots_union_has_one_employer_unit(
        self, db: None, demo: DemoSummary
    ) -> None:
        grassroots = Organisation.objects.of_type(OrgType.GRASSROOTS)
        units = EmployerUnit.objects.select_related("organisation")
        assert units.count() == grassroots.count() == demo.units
        assert {unit.organisation_id for unit in units} == set(
            grassroots.values_list("pk", flat=True)
        )
        credit_codes = [unit.credit_code for unit in units]
        assert len(set(credit_codes)) == len(credit_codes)
        for unit in units:
            assert unit.credit_code.startswith("91" + unit.organisation.division_code)
            assert unit.organisation.name == f"{unit.name}工会"
            validate_credit_code(unit.credit_code)

    def test_summary_counts_what_is_in_the_database(self, db: None, demo: DemoSummary) -> None:
        for org_type, count in demo.organisations.items():
            assert Organisation.objects.of_type(org_type).count() == count
        assert demo.total_organisations == Organisation.objects.count()

    @pytest.mark.parametrize("username", [username for username, _ in DEMO_ACCOUNTS])
    def test_each_demo_account_can_sign_in(
        self, db: None, demo: DemoSummary, username: str
    ) -> None:
        assert Client().login(username=username, password=DEMO_PASSWORD)

    def test_demo_accounts_hold_their_roles_on_their_own_organisation(
        self, db: None, demo: DemoSummary
    ) -> None:
        expected = {
            "federation": ("650000", Role.OFFICER),
            "prefecture": ("650100", Role.OFFICER),
            "county": ("650102", Role.OFFICER),
            "grassroots": ("650102-G001", Role.OFFICER),
            "auditor": ("650000", Role.AUDITOR),
            "security": ("650000", Role.SECURITY),
        }
        for username, (code, role) in expected.items():
            user = User.objects.select_related("organisation").get(username=username)
            assert user.full_name
            assert user.organisation is not None
            assert user.organisation.code == code
            assert list(
                RoleAssignment.objects.filter(user=user).values_list("role", flat=True)
            ) == [role]
        grassroots = User.objects.get(username="grassroots").organisation
        assert grassroots is not None
        assert grassroots.type == OrgType.GRASSROOTS

    def test_prefecture_officer_sees_exactly_urumqi(self, db: None, demo: DemoSummary) -> None:
        user = User.objects.get(username="prefecture")
        urumqi = Organisation.objects.get(code="650100")
        visible = set(visible_orgs(user).values_list("code", flat=True))
        assert visible == set(Organisation.objects.subtree(urumqi).values_list("code", flat=True))
        assert "650102" in visible
        assert "650200" not in visible
        assert "650000" not in visible

    def test_grassroots_officer_sees_only_their_union(self, db: None, demo: DemoSummary) -> None:
        user = User.objects.get(username="grassroots")
        assert list(visible_orgs(user).values_list("code", flat=True)) == ["650102-G001"]

    def test_auditor_and_security_see_no_organisations(self, db: None, demo: DemoSummary) -> None:
        for username in ("auditor", "security"):
            assert not visible_orgs(User.objects.get(username=username)).exists()

    def test_audit_chain_verifies_after_the_demo(self, db: None, demo: DemoSummary) -> None:
        report = audit.verify_chain()
        assert report.intact, report.reason
        assert report.checked > Organisation.objects.count() + EmployerUnit.objects.count()
        assert AuditEvent.objects.filter(action="demo.load").count() == 1
        assert AuditEvent.objects.filter(action="org.create").count() == (
            Organisation.objects.count()
        )
        assert AuditEvent.objects.filter(action="unit.create").count() == (
            EmployerUnit.objects.count()
        )


def test_credit_codes_match_the_standard_vectors() -> None:
    # domain-rules 5.2: the union vector 81650100MB12345624 and its legacy code MB1234562
    assert organisation_code("MB123456") == "MB1234562"
    assert organisation_code("M000100Y") == "M000100Y4"
    assert credit_code(prefix="81", division_code="650100", body="MB123456") == (
        "81650100MB12345624"
    )


def test_command_loads_into_an_empty_database_and_prints_the_accounts(db: Any) -> None:
    out = run_demo("--grassroots-per-county", "2")
    assert "新疆维吾尔自治区总工会" in out
    assert DEMO_PASSWORD in out
    for username, _description in DEMO_ACCOUNTS:
        assert username in out
    assert Organisation.objects.filter(code="650000").exists()


def test_command_refuses_a_database_with_organisations(db: Any) -> None:
    create_organisation(
        by=None, code="X", name="某总工会", org_type=OrgType.FEDERATION, parent=None
    )
    with pytest.raises(CommandError, match="empty database") as raised:
        run_demo()
    assert raised.value.returncode == 1
    assert not Organisation.objects.filter(code="650000").exists()


def test_command_refuses_a_database_with_users(db: Any) -> None:
    User.objects.create_user(username="someone", password="irrelevant-password")
    with pytest.raises(CommandError, match="empty database"):
        run_demo()
    assert not Organisation.objects.exists()


def test_if_empty_skips_a_database_that_is_not_empty(db: Any) -> None:
    User.objects.create_user(username="someone", password="irrelevant-password")
    assert run_demo("--if-empty").strip() == "database not empty; demo not loaded"
    assert not Organisation.objects.exists()


def test_force_loads_beside_existing_data(db: Any) -> None:
    User.objects.create_user(username="someone", password="irrelevant-password")
    run_demo("--force", "--grassroots-per-county", "1")
    assert Organisation.objects.filter(code="650000").exists()


def test_force_never_loads_the_demo_twice(db: Any) -> None:
    build_demo(grassroots_per_county=1)
    count = Organisation.objects.count()
    with pytest.raises(CommandError, match="650000 already exists"):
        run_demo("--force")
    assert Organisation.objects.count() == count


def test_force_refuses_when_a_demo_code_is_taken(db: Any) -> None:
    create_organisation(
        by=None, code="650100", name="别的总工会", org_type=OrgType.FEDERATION, parent=None
    )
    with pytest.raises(CommandError, match="650100"):
        run_demo("--force")
    assert Organisation.objects.count() == 1


def test_builder_refuses_taken_usernames(db: Any) -> None:
    User.objects.create_user(username="auditor", password="irrelevant-password")
    with pytest.raises(DemoConflict, match="auditor"):
        build_demo(grassroots_per_county=1)
    assert not Organisation.objects.exists()
