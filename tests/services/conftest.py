"""Hardship files for tests: members of 甲县一厂 (dave's union, under carol's county)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from gonghui.orgs.models import Organisation
from gonghui.people.actions import PersonDetails, register_member
from gonghui.people.models import Person
from gonghui.services import actions
from gonghui.services.models import Finances, HardshipFile
from tests.contests.factories import chinese_number, identity_number

DIBAO = Decimal("600")


def member(n: int, union: Organisation) -> Person:
    membership = register_member(
        by=None,
        identity_number=identity_number(n),
        details=PersonDetails(name=f"职工{chinese_number(n)}"),
        union=union,
    )
    return membership.person


def figures(income: str = "12000", medical: str = "0", **more: Any) -> actions.FileDetails:
    """A household's year; with three people, 12,000 a year is 333.33 a month a head."""
    return actions.FileDetails(
        dibao_line=DIBAO,
        finances=Finances(income=Decimal(income), medical=Decimal(medical)),
        **more,
    )


def open_with_household(world: Any, person: Person, size: int = 3, **more: Any) -> HardshipFile:
    file = actions.open_file(
        by=world.grassroots_officer, union=world.gr_a1, person=person, details=figures(**more)
    )
    for n in range(1, size):
        actions.add_member(
            by=world.grassroots_officer,
            file=file,
            member=actions.MemberDetails(
                relation="child", name=f"孩子{chinese_number(n)}", birth_year=2010 + n
            ),
        )
    file.refresh_from_db()
    return file


@pytest.fixture
def worker(world: Any) -> Person:
    return member(1, world.gr_a1)


@pytest.fixture
def draft(world: Any, worker: Person) -> HardshipFile:
    return open_with_household(world, worker)


@pytest.fixture
def approved(world: Any, draft: HardshipFile) -> HardshipFile:
    actions.submit_file(by=world.grassroots_officer, file=draft)
    return actions.approve_file(by=world.county_officer, file=draft)
