"""Identifier checks against the standards' own test vectors (domain-rules.md §5)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from gonghui.core.validators import (
    credit_code_check_character,
    identity_check_character,
    validate_credit_code,
    validate_division_code,
    validate_identity_number,
)


@pytest.mark.parametrize("code", ["91350100M000100Y43", "81650100MB12345624", "91650102123456788R"])
def test_valid_credit_codes(code: str) -> None:
    validate_credit_code(code)
    assert credit_code_check_character(code[:17]) == code[17]


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("91350100M000100Y44", "should be 3"),
        ("91350100M00010OY43", "cannot contain O"),
        ("9135010", "18 characters"),
        ("91350100I000100Y43", "cannot contain I"),
    ],
)
def test_invalid_credit_codes(code: str, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        validate_credit_code(code)


@pytest.mark.parametrize(
    "number",
    ["11010519491231002X", "440524188001010014", "650102199003070072", "11010519491231002x"],
)
def test_valid_identity_numbers(number: str) -> None:
    validate_identity_number(number)


def test_identity_check_character_vector() -> None:
    assert identity_check_character("11010519491231002") == "X"


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("110105194912310021", "should be X"),
        ("650102199002300072", "does not exist"),
        ("6.50102199003070E+17", "lost its last digits"),
        ("990102199003070072", "province"),
        ("65010219900307007", "17 digits"),
    ],
)
def test_invalid_identity_numbers(number: str, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        validate_identity_number(number)


def test_future_birth_date_is_refused() -> None:
    with pytest.raises(ValidationError, match="future"):
        validate_identity_number("650102203001010011", today=date(2026, 11, 27))


@pytest.mark.parametrize(
    ("code", "ok"), [("650102", True), ("659001", True), ("65010", False), ("990000", False)]
)
def test_division_codes(code: str, ok: bool) -> None:
    if ok:
        validate_division_code(code)
    else:
        with pytest.raises(ValidationError):
            validate_division_code(code)
