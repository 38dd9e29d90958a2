"""Numbers as people type them: full-width digits, thousands grouped by commas or spaces; a
comma that groups no thousands is refused, never guessed at."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from gonghui.core.tabular.base import parse_typed_number


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("1,234", "1234"),
        ("1，234", "1234"),
        ("12 345", "12345"),
        ("12　345", "12345"),  # an ideographic space
        ("1\u00a0234", "1234"),  # a no-break space, as Excel's number formats write it
        ("1,234.5", "1234.5"),
        ("1,234,567.25", "1234567.25"),
        ("-1,234", "-1234"),
        ("１２３４", "1234"),
        ("１，２３４．５", "1234.5"),
        (" 85.5 ", "85.5"),
        ("0", "0"),
        ("1e1", "1E+1"),
    ],
)
def test_numbers_are_read_as_people_type_them(typed, meant) -> None:
    assert parse_typed_number(typed) == Decimal(meant)


@pytest.mark.parametrize("typed", ["1,23", "12,5", "1,2345", "1,234 567", "1.234,5", "12 34"])
def test_a_separator_that_groups_no_thousands_is_refused_not_guessed(typed) -> None:
    with pytest.raises(ValueError, match="groups thousands") as refused:
        parse_typed_number(typed)
    assert typed.strip() in str(refused.value)


def test_the_refusal_of_a_wrong_grouping_reads_in_chinese() -> None:
    with translation.override("zh-hans"), pytest.raises(ValueError) as refused:
        parse_typed_number("1,23")
    assert "千位" in str(refused.value) and "1,23" in str(refused.value)


@pytest.mark.parametrize("typed", ["abc", "NaN", "Infinity", "1_000", "", "12元"])
def test_what_is_not_a_number_is_refused(typed) -> None:
    with pytest.raises(ValueError, match="is not a number"):
        parse_typed_number(typed)
