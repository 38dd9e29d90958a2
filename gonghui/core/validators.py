"""Validators for Chinese identifiers, with messages a union officer can act on."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CREDIT_CODE_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = [pow(3, i, 31) for i in range(17)]  # 1 3 9 27 19 26 ...
_ID_WEIGHTS = [pow(2, 17 - i, 11) for i in range(17)]  # 7 9 10 5 8 4 2 1 6 3 ...
_ID_CHECK = "10X98765432"

# GB/T 2260 province-level codes (the first two digits of a division code).
PROVINCE_CODES = frozenset(
    [
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
    ]
)


def credit_code_check_character(first17: str) -> str:
    total = sum(
        CREDIT_CODE_CHARSET.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_CHARSET[(31 - total % 31) % 31]


def normalise_credit_code(value: str) -> str:
    return value.strip().upper()


def validate_credit_code(value: str) -> None:
    """GB 32100-2015: 18 characters, MOD 31-3 check character."""
    code = normalise_credit_code(value)
    if len(code) != 18:
        raise ValidationError(
            _("A unified social credit code has 18 characters; this one has %(n)d.")
            % {"n": len(code)},
            code="length",
        )
    bad = sorted({c for c in code if c not in CREDIT_CODE_CHARSET})
    if bad:
        raise ValidationError(
            _(
                "A unified social credit code cannot contain %(chars)s (I, O, S, V and Z are never used)."
            )
            % {"chars": "、".join(bad)},
            code="charset",
        )
    expected = credit_code_check_character(code[:17])
    if code[17] != expected:
        raise ValidationError(
            _(
                "The check character of this unified social credit code is wrong: it should be %(expected)s, not %(got)s."
            )
            % {"expected": expected, "got": code[17]},
            code="check",
        )


def validate_division_code(value: str) -> None:
    """GB/T 2260: six digits, the first two a province-level code."""
    if not re.fullmatch(r"\d{6}", value or ""):
        raise ValidationError(_("A division code is six digits, such as 650102."), code="format")
    if value[:2] not in PROVINCE_CODES:
        raise ValidationError(
            _("%(code)s does not start with a province-level code.") % {"code": value},
            code="province",
        )


def identity_check_character(first17: str) -> str:
    return _ID_CHECK[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def normalise_identity_number(value: str) -> str:
    """Trim, and make full-width digits and ｘ (pasted from documents) plain: ０１…Ｘ -> 01…X."""
    if not value.isascii():
        value = unicodedata.normalize("NFKC", value)
    return value.strip().upper()


def identity_birth_date(number: str) -> date:
    return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def validate_identity_number(value: str, *, today: date | None = None) -> None:
    """GB 11643-1999: 18 characters, ISO 7064 MOD 11-2 check character, a real birth date."""
    number = normalise_identity_number(value)
    if re.fullmatch(r"\d(\.\d+)?E\+\d+", number):
        raise ValidationError(
            _(
                "The spreadsheet turned this identity number into a number (%(value)s) and lost its last digits; format the column as text and enter the number again."
            )
            % {"value": value},
            code="scientific",
        )
    if not re.fullmatch(r"[0-9]{17}[0-9X]", number):
        raise ValidationError(
            _("A resident identity number is 17 digits followed by a digit or X."), code="format"
        )
    if number[:2] not in PROVINCE_CODES:
        raise ValidationError(_("The first two digits are not a province code."), code="province")
    try:
        born = identity_birth_date(number)
    except ValueError:
        raise ValidationError(
            _("The birth date in this identity number (%(date)s) does not exist.")
            % {"date": number[6:14]},
            code="birth_date",
        ) from None
    if born > (today or date.today()):
        raise ValidationError(
            _("The birth date in this identity number is in the future."), code="future"
        )
    expected = identity_check_character(number[:17])
    if number[17] != expected:
        raise ValidationError(
            _(
                "The check character of this identity number is wrong: it should be %(expected)s, not %(got)s."
            )
            % {"expected": expected, "got": number[17]},
            code="check",
        )


def refuse_reserved_code(value: str, reserved: frozenset[str]) -> None:
    """A code that is also the name of a page beside the objects' own (/orgs/import/) would be
    shadowed by that page: refuse it with the reason."""
    if value in reserved:
        raise ValidationError(
            _("%(code)s names a page of the system; choose another code.") % {"code": value},
            code="reserved",
        )


class Conflict(ValidationError):
    """A write that clashes with what is already recorded (the API answers 409); a form shows
    it like any other refusal."""
