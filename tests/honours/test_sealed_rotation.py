"""An objection's reporter and contact are sealed again by `rotate_keys` like the roster's."""

from __future__ import annotations

import pytest
from django.utils import timezone

from gonghui.core import crypto, rotation
from gonghui.honours import actions
from tests.honours.conftest import member, nominate
from tests.honours.test_nomination_flow import _to_notice

pytestmark = pytest.mark.django_db

OLD = "the old field key which is long enough to be a real one: 0123456789"
NEW = "the new field key which is long enough to be a real one: 9876543210"


def test_an_objections_sealed_reporter_and_contact_are_rotated(settings, world, honours) -> None:
    settings.FIELD_KEYS = [OLD]
    nomination = nominate(world, honours, member(world.gr_a1, "黄海"))
    nomination = _to_notice(world, honours, nomination, starts_on=timezone.localdate())
    objection = actions.file_objection(
        nomination=nomination, reporter="王五", contact="13900001111", facts="事迹与实际不符。"
    )
    settings.FIELD_KEYS = [NEW, OLD]
    assert rotation.pending()["honours.objection"] == 1
    done = rotation.rotate(batch=10)
    assert done["honours.objection"] == 1 and done["people.person"] >= 1
    settings.FIELD_KEYS = [NEW]
    objection.refresh_from_db()
    assert crypto.decrypt(objection.contact_sealed, field="objection_contact") == "13900001111"
    assert crypto.decrypt(objection.reporter_sealed, field="objection_reporter") == "王五"
    left = rotation.pending()
    assert left["honours.objection"] == 0 and left["people.person"] == 0
    assert not any(left.values())
