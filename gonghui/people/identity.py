"""Facts about a person that come from their identity number or are typed in free form."""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from pypinyin import Style, lazy_pinyin

from gonghui.core.validators import (
    identity_birth_date,
    normalise_identity_number,
    validate_identity_number,
)

_PHONE_NOISE = re.compile(r"[\s\-()（）]")
_PHONE = re.compile(r"^1[3-9]\d{9}$")
# Names: letters of any script, the interpunct of transliterated names, spaces and dots.
_NAME = re.compile(r"^[^\W\d_]+(?:[·•．.\s][^\W\d_]+)*$")


class Identity(NamedTuple):
    """A checked identity number and what it says (a tuple: an import makes a million)."""

    number: str
    birth_date: date
    gender: str  # "M" or "F": the 17th digit is odd for men, even for women


def parse_identity(value: str) -> Identity:
    """Validate (GB 11643) and derive birth date and gender; raises ValidationError."""
    validate_identity_number(value)
    number = normalise_identity_number(value)
    return Identity(number, identity_birth_date(number), "M" if int(number[16]) % 2 else "F")


def normalise_phone(value: str) -> str:
    """Strip spaces, hyphens and a +86 prefix; raise ValidationError unless a mainland mobile."""
    phone = _PHONE_NOISE.sub("", value or "")
    if phone.startswith("+86"):
        phone = phone[3:]
    elif phone.startswith("0086"):
        phone = phone[4:]
    if not _PHONE.match(phone):
        raise ValidationError(
            _("A mobile number is 11 digits starting with 13 to 19, such as 13812345678."),
            code="phone",
        )
    return phone


def normalise_name(value: str) -> str:
    """Trim, unify the interpunct (·) and check length and characters."""
    name = re.sub(r"\s+", " ", (value or "").strip())
    name = re.sub(r"[•．・]", "·", name)
    if not name:
        raise ValidationError(_("The name is missing."), code="required")
    if len(name) > 64:
        raise ValidationError(_("A name has at most 64 characters."), code="length")
    if not _NAME.match(name):
        raise ValidationError(
            _("A name has letters only (the interpunct · is allowed, as in 阿依古丽·买买提)."),
            code="characters",
        )
    return name


@lru_cache(maxsize=1 << 16)
def syllable(character: str) -> str:
    """The pinyin of one Chinese character, tone as a digit: 张 -> zhang1."""
    return str(lazy_pinyin(character, style=Style.TONE3, neutral_tone_with_five=True)[0]).lower()


def pinyin_key(name: str) -> str:
    """The sort key of a Chinese name: its pinyin with tones as digits (张三 -> zhang1 san1).

    Character by character, cached: a roster of a million names uses a few thousand characters.
    """
    parts: list[str] = []
    word = ""
    for character in name:
        if "\u4e00" <= character <= "\u9fff":
            if word:
                parts.append(word.lower())
                word = ""
            parts.append(syllable(character))
        elif character.isspace() or character == "·":
            if word:
                parts.append(word.lower())
                word = ""
            if character == "·":
                parts.append(character)
        else:
            word += character  # Latin letters stay one word
    if word:
        parts.append(word.lower())
    return " ".join(parts)[:255]
