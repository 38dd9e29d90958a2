"""A number's bound comes from its column, and the form, the schema and the action agree."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

import pytest
from django.core.exceptions import ValidationError
from pydantic import BaseModel
from pydantic import ValidationError as SchemaError

from gonghui.core.bounds import YEAR, Bound, Day
from gonghui.honours import actions
from gonghui.honours.bounds import AMOUNT, PLACES
from gonghui.honours.models import (
    BenefitEntry,
    Campaign,
    Honouree,
    HonourKind,
    HonourLevel,
    SanatoriumSession,
)
from gonghui.people.models import Membership


def test_a_decimal_columns_bound_is_its_digits_and_places() -> None:
    bound = Bound.of(BenefitEntry, "amount")
    assert (bound.low, bound.high) == (Decimal("-99999999.99"), Decimal("99999999.99"))
    assert (bound.max_digits, bound.decimal_places) == (10, 2)
    assert AMOUNT.low == 0 and AMOUNT.high == bound.high


def test_an_integer_columns_bound_is_its_portable_range() -> None:
    assert (Bound.of(Campaign, "year").low, Bound.of(Campaign, "year").high) == (0, 32767)
    assert Bound.of(Campaign, "total_quota").high == 2147483647
    assert (PLACES.low, PLACES.high) == (1, 1000)


def test_a_rule_must_fit_within_its_column() -> None:
    with pytest.raises(ValueError):
        Bound.of(SanatoriumSession, "places", le=10**6)
    with pytest.raises(TypeError):
        Bound.of(Membership, "status")


@pytest.mark.parametrize(
    "value",
    ["0", "0.01", "99999999.99", "100000000", "-0.01", "0.001", "1e20", "NaN", "Infinity"],
)
def test_the_form_the_schema_and_the_action_agree(value: str) -> None:
    class Schema(BaseModel):
        amount: Annotated[Decimal, AMOUNT.schema()]

    form_says = _cleans(value)
    try:
        Schema(amount=value)  # type: ignore[arg-type]
        schema_says = True
    except SchemaError:
        schema_says = False
    assert form_says == schema_says == AMOUNT.holds(Decimal(value)), value


def _cleans(value: str) -> bool:
    try:
        AMOUNT.form_field().clean(value)
    except ValidationError:
        return False
    return True


def test_a_day_is_written_as_a_day_within_the_years() -> None:
    class Schema(BaseModel):
        on: Day

    assert Schema(on="2026-05-01").on == date(2026, 5, 1)  # type: ignore[arg-type]
    for wrong in (0, "0", "20260501", "1949-12-31", "2101-01-01", True):
        with pytest.raises(SchemaError):
            Schema(on=wrong)  # type: ignore[arg-type]
    assert YEAR.holds(1950) and not YEAR.holds(2101)


@pytest.mark.django_db
def test_no_door_stores_an_amount_its_column_cannot_hold(world, client_for) -> None:
    kind = HonourKind.objects.create(name="自治区劳动模范", level=HonourLevel.REGIONAL)
    honouree = Honouree.objects.create(
        name="乙", organisation=world.gr_a1, kind=kind, level=kind.level, year=2010
    )
    with pytest.raises(ValidationError) as refused:
        actions.record_benefit(
            by=world.grassroots_officer,
            honouree=honouree,
            kind="award",
            on=date(2026, 5, 1),
            amount=Decimal("100000000"),
        )
    assert "amount" in refused.value.error_dict
    page = client_for(world.grassroots_officer)
    response = page.post(
        honouree.get_absolute_url(), {"kind": "award", "on": "2026-05-01", "amount": "1e9"}
    )
    assert response.status_code == 200  # the form again, with its error
    assert not BenefitEntry.objects.exists()
    assert page.get(honouree.get_absolute_url()).status_code == 200


@pytest.mark.django_db
def test_a_page_given_a_number_no_column_holds_still_answers(world, client_for) -> None:
    page = client_for(world.grassroots_officer, raise_request_exception=False)
    huge = str(10**30)
    register = page.get("/honours/register/", {"year": huge, "prefecture": huge})
    assert register.status_code == 200
    session = SanatoriumSession.objects.create(
        organisation=world.gr_a1,
        name="疗休养",
        starts_on=date(2026, 7, 1),
        ends_on=date(2026, 7, 7),
        places=5,
    )
    for honouree in (huge, "王师傅"):
        booked = page.post(f"/honours/sanatorium/{session.pk}/book/", {"honouree": honouree})
        assert booked.status_code == 404
