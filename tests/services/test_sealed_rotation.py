"""A household's sealed figures, health and identity numbers are sealed again by `rotate_keys`."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gonghui.core import rotation
from gonghui.people.actions import identity_digest
from gonghui.services import actions
from tests.contests.factories import identity_number

from .conftest import member, open_with_household

pytestmark = pytest.mark.django_db

OLD = "the old field key which is long enough to be a real one: 0123456789"
NEW = "the new field key which is long enough to be a real one: 9876543210"


def test_a_households_sealed_columns_are_rotated(settings, world) -> None:
    settings.FIELD_KEYS = [OLD]
    file = open_with_household(world, member(1, world.gr_a1), size=1)
    spouse = actions.add_member(
        by=world.grassroots_officer,
        file=file,
        member=actions.MemberDetails(
            relation="spouse",
            name="王芳",
            birth_year=1990,
            income=Decimal("800"),
            is_ill=True,
            identity_number=identity_number(2),
        ),
    )
    settings.FIELD_KEYS = [NEW, OLD]
    assert rotation.pending()["services.hardshipfile"] == 1
    assert rotation.pending()["services.householdmember"] == 2
    rotation.rotate(batch=10)
    settings.FIELD_KEYS = [NEW]
    file.refresh_from_db()
    spouse.refresh_from_db()
    assert file.finances().income == Decimal("12000")
    assert spouse.details() == {"income": Decimal("800"), "disabled": False, "ill": True}
    assert spouse.identity_hash == identity_digest(identity_number(2))
    assert rotation.pending()["services.householdmember"] == 0
