"""A campaign over the personas' tree, and members to nominate.

The regional federation (R) runs the campaign; nominations from a grassroots union under a
county are reviewed by the county, the city, then the federation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest

from gonghui.core.validators import identity_check_character
from gonghui.honours import actions
from gonghui.honours.models import Campaign, HonourKind, HonourLevel, Nomination
from gonghui.orgs.actions import create_unit
from gonghui.orgs.models import Organisation
from gonghui.people.actions import PersonDetails, register_member
from gonghui.people.models import Person


def identity_number(serial: int, *, female: bool = False) -> str:
    # 17th digit odd for men, even for women; the birth date moves every hundred people
    born = date(1985, 1, 1) + timedelta(days=serial // 100)
    sequence = f"{serial % 100:02d}" + ("2" if female else "1")
    body = f"650102{born:%Y%m%d}{sequence}"
    return body + identity_check_character(body)


_serial = iter(range(1, 10_000))


def member(
    union: Organisation,
    name: str,
    *,
    by: Any = None,
    female: bool = False,
    enterprise: bool = True,
    **flags: Any,
) -> Person:
    serial = next(_serial)
    unit = None
    if enterprise:
        unit = create_unit(
            by=None,
            name=f"{name}所在企业",
            credit_code=_credit_code(serial, enterprise=True),
            organisation=union,
        )
    membership = register_member(
        by=by,
        identity_number=identity_number(serial, female=female),
        details=PersonDetails(name=name, phone="13812345678", unit=unit, **flags),
        union=union,
        joined_on=date(2015, 1, 1),
    )
    return membership.person


def _credit_code(serial: int, *, enterprise: bool) -> str:
    from gonghui.core.validators import credit_code_check_character

    body = ("91" if enterprise else "12") + "650102" + f"{serial:09d}"
    return body + credit_code_check_character(body)


DETAILS = actions.NominationDetails(
    achievements="十年如一日扎根一线，带领班组攻克技术难关三项。",
    summary="一线技术骨干，攻克技术难关三项。",
    democratic_record="2026年3月1日职代会推荐，应到120人，实到112人，赞成108票。",
    publication_consent=True,
)


@dataclass
class Honours:
    kind: HonourKind
    campaign: Campaign
    people: dict[str, Person] = field(default_factory=dict)


def make_honours(world) -> Honours:
    """A regional model-worker campaign of the federation, quota 10, default settings."""
    kind = HonourKind.objects.create(name="自治区劳动模范", level=HonourLevel.REGIONAL)
    campaign = actions.create_campaign(
        by=world.fed_officer,
        organiser=world.region,
        settings=actions.CampaignSettings(
            kind=kind, year=2026, name="2026年自治区劳动模范评选", total_quota=10
        ),
    )
    return Honours(kind=kind, campaign=campaign)


@pytest.fixture
def honours(world) -> Honours:
    return make_honours(world)


def nominate(
    world, honours: Honours, person: Person, union: Organisation | None = None
) -> Nomination:
    return actions.nominate(
        by=world.fed_officer,
        campaign=honours.campaign,
        organisation=union or world.gr_a1,
        person=person,
        details=DETAILS,
    )
