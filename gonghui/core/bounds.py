"""The bounds of every number a person or a script may send, derived from its column.

A number that its column cannot hold, or that a page cannot show, must be refused where it
comes in, by the API and by the web form alike; otherwise one request stores a row that makes
a page fail for everybody who opens it. So each number is declared once, as a `Bound` taken
from the model field and narrowed by the rule of the domain, and both doors use it: the API's
schemas as `Annotated[Decimal, AMOUNT.schema()]`, the forms as `AMOUNT.form_field(label=…)`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils.translation import gettext as _
from pydantic import AfterValidator, BeforeValidator, Field

# Honours have been recorded since 1950; campaigns are planned at most a lifetime ahead.
FIRST_YEAR = 1950
LAST_YEAR = 2100

Number = int | Decimal


@dataclass(frozen=True)
class Bound:
    """The smallest and largest value, and for a decimal its digits and places."""

    low: Number
    high: Number
    max_digits: int | None = None
    decimal_places: int | None = None

    @classmethod
    def of(
        cls,
        model: type[models.Model],
        name: str,
        *,
        ge: Number | None = None,
        le: Number | None = None,
    ) -> Bound:
        """The bound of a model's number field, narrowed to [ge, le] by the domain's rule."""
        field = model._meta.get_field(name)
        if isinstance(field, models.DecimalField):
            places, digits = int(field.decimal_places), int(field.max_digits)
            largest = Decimal(10) ** (digits - places) - Decimal(1).scaleb(-places)
            bound = cls(-largest, largest, digits, places)
        elif isinstance(field, models.IntegerField):
            # the portable range of the column type, not one backend's
            low, high = BaseDatabaseOperations.integer_field_ranges[field.get_internal_type()]
            bound = cls(low, high)
        else:
            raise TypeError(f"{model.__name__}.{name} is not a number field")
        # the validators declared on the field itself, not those Django adds per backend
        for validator in vars(field).get("_validators", ()):
            if isinstance(validator, MinValueValidator):
                bound = bound.narrowed(ge=validator.limit_value)
            elif isinstance(validator, MaxValueValidator):
                bound = bound.narrowed(le=validator.limit_value)
        return bound.narrowed(ge=ge, le=le)

    def narrowed(self, *, ge: Any = None, le: Any = None) -> Bound:
        low = self.low if ge is None else ge
        high = self.high if le is None else le
        if low < self.low or high > self.high or low > high:
            raise ValueError(f"[{ge}, {le}] does not fit within [{self.low}, {self.high}]")
        return Bound(low, high, self.max_digits, self.decimal_places)

    def holds(self, value: Number) -> bool:
        """Whether the column can hold the value and the rule allows it."""
        if self.decimal_places is None:
            return isinstance(value, int) and self.low <= value <= self.high
        number = Decimal(value)
        return (
            number.is_finite()
            and self.low <= number <= self.high
            and -int(number.as_tuple().exponent) <= self.decimal_places
        )

    def check(self, value: Number, *, field: str) -> None:
        """Refuse, as a form would, a value outside the bound: for the actions, which every
        door (page, API, command, import) goes through."""
        if self.holds(value):
            return
        if self.decimal_places is None:
            message = _("Enter a whole number from %(low)s to %(high)s.")
        else:
            message = _(
                "Enter a number from %(low)s to %(high)s, with at most %(places)s decimal places."
            )
        raise ValidationError(
            {field: message % {"low": self.low, "high": self.high, "places": self.decimal_places}}
        )

    def schema(self) -> Any:
        """The constraint for an API schema: `Annotated[Decimal, bound.schema()]`."""
        return Field(
            ge=self.low,
            le=self.high,
            max_digits=self.max_digits,
            decimal_places=self.decimal_places,
            allow_inf_nan=False if self.decimal_places is not None else None,
        )

    def form_field(self, **kwargs: Any) -> forms.Field:
        """The web form's field for this number, with the same bounds."""
        if self.decimal_places is None:
            return forms.IntegerField(min_value=int(self.low), max_value=int(self.high), **kwargs)
        return forms.DecimalField(
            min_value=self.low,
            max_value=self.high,
            max_digits=self.max_digits,
            decimal_places=self.decimal_places,
            **kwargs,
        )


YEAR = Bound(FIRST_YEAR, LAST_YEAR)
# the ids of a BigAutoField: a signed 64-bit column on every supported database
ID = Bound(1, 2**63 - 1)

Year = Annotated[int, YEAR.schema()]


def whole_number(text: Any, bound: Bound) -> int | None:
    """A whole number typed into a page's query or form; None when it is none, or one that
    the bound does not hold (which the database could not even compare)."""
    try:
        number = int(str(text).strip())
    except ValueError:
        return None
    return number if bound.holds(number) else None


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _written_as_a_day(value: Any) -> Any:
    # pydantic would take 0 or "0" for 1 January 1970; a date is written YYYY-MM-DD
    if isinstance(value, date) or (isinstance(value, str) and _ISO_DAY.fullmatch(value)):
        return value
    raise ValueError("Write the date as YYYY-MM-DD.")


def _within_the_years(value: date) -> date:
    if not YEAR.holds(value.year):
        raise ValueError(f"Give a date from {FIRST_YEAR} to {LAST_YEAR}.")
    return value


Day = Annotated[date, BeforeValidator(_written_as_a_day), AfterValidator(_within_the_years)]
