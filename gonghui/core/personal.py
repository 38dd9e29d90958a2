"""Personal data: masking for display and for the audit trail."""

from __future__ import annotations

from collections.abc import Callable


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


def mask_all(value: str) -> str:
    return "******" if value else ""


# Field names whose values never reach the audit trail or a log in clear.
SENSITIVE_FIELDS: dict[str, Callable[[str], str]] = {
    "password": mask_all,
    "identity_number": mask_identity_number,
    "id_number": mask_identity_number,
    "phone": mask_phone,
    "mobile": mask_phone,
    "bank_account": mask_all,
    "token": mask_all,
}


def mask_value(field: str, value: object) -> object:
    masker = SENSITIVE_FIELDS.get(field)
    if masker is None or value in (None, ""):
        return value
    return masker(str(value))
