"""Personal data: masking for display and for the audit trail.

The rule of the masked numbers, which every page, API field, export, filter, sort order, error
message and audit event keeps:

- A masked identity number keeps the area (first 6) and the sequence and check character
  (last 4). The 8 digits it hides are the holder's birth date, so nothing shown beside it may
  narrow them: without the reveal role an officer sees the birth year, never the month or the
  day, and nothing is sorted or filtered by them. The database keeps the year only; the date
  stays inside the sealed number.
- A masked mobile keeps the first 3 and last 4 digits; nothing else about the number is shown.
- Revealing either in full is a role of its own and always an audited event.
- A person outside the officer's scope is never described (name, union, unit) in an answer or
  an error message: "registered in a union outside your scope" is all that is said.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy

StrOrPromise = str | Promise


def mask_identity_number(value: str) -> str:
    """650102199003070072 -> 650102********0072."""
    if len(value) < 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    """13812345678 -> 138****5678."""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def birth_year_only(value: str) -> str:
    """1990-03-07 -> 1990: what may stand beside a masked identity number."""
    return value[:4]


def mask_all(value: str) -> str:
    return "******" if value else ""


# Field names whose values never reach the audit trail or a log in clear.
SENSITIVE_FIELDS: dict[str, Callable[[str], str]] = {
    "password": mask_all,
    "identity_number": mask_identity_number,
    "id_number": mask_identity_number,
    "phone": mask_phone,
    "mobile": mask_phone,
    "birth_date": birth_year_only,
    "bank_account": mask_all,
    "token": mask_all,
}


def mask_value(field: str, value: object) -> object:
    masker = SENSITIVE_FIELDS.get(field)
    if masker is None or value in (None, ""):
        return value
    return masker(str(value))


# Text shown on public pages says who and what, never how to reach or identify someone:
# no identity number, mobile or landline number, or e-mail address. Digits are compared in
# their half-width form, so １３８… is found as well as 138….
_PUBLIC_TEXT_REFUSALS: tuple[tuple[re.Pattern[str], StrOrPromise], ...] = (
    (
        re.compile(r"(?<![0-9])(?:[1-9]\d{16}[0-9Xx]|[1-9]\d{14})(?![0-9Xx])"),
        gettext_lazy("an identity number"),
    ),
    (
        re.compile(r"(?<![0-9])(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?![0-9])"),
        gettext_lazy("a mobile number"),
    ),
    (
        re.compile(r"(?<![0-9])(?:\(0\d{2,3}\)|0\d{2,3})[- ]?[2-9]\d{6,7}(?![0-9])"),
        gettext_lazy("a landline number"),
    ),
    (
        re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.ASCII),
        gettext_lazy("an e-mail address"),
    ),
)


def contact_details_in(text: str) -> str | None:
    """Why `text` may not be published (it holds an identity number, a phone…), or None."""
    plain = unicodedata.normalize("NFKC", text)
    for pattern, what in _PUBLIC_TEXT_REFUSALS:
        if pattern.search(plain):
            return gettext(
                "Text for the public may not contain an identity number, a phone number or an "
                "e-mail address; remove %(what)s."
            ) % {"what": what}
    return None
