"""Every audit action is declared once, with the label people read on the trail.

Each app declares its actions in its own `audit_actions.py` (a code and a translatable English
label, Chinese through the catalogue) and registers them when it is ready. The trail shows
labels, its filter lists them, and recording an undeclared action is a programming error: it
raises where `GONGHUI_AUDIT_STRICT` is on (development and tests) and is logged otherwise.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

Label = str | Promise

# the app that declared each code, and its label
_DECLARED: dict[str, tuple[str, Label]] = {}

# the ground floor's own: a refused access is recorded wherever it happens
CORE_ACTIONS: dict[str, Label] = {
    "access.denied": _("Access refused"),
    "audit.key_changed": _("Audit key changed"),
    "keys.rotation_started": _("Key rotation started"),
    "keys.rotated": _("Key rotation finished"),
}


class UndeclaredAction(ValueError):
    """An audit event was recorded with an action no app declared."""


def declare(app: str, actions: Mapping[str, Label]) -> None:
    """Register `app`'s actions; a code declared by two apps is refused."""
    for code, label in actions.items():
        owner = _DECLARED.get(code, (app, label))[0]
        if owner != app:
            raise ValueError(f"audit action {code!r} is declared by {owner} and by {app}")
        _DECLARED[code] = (app, label)


def is_declared(code: str) -> bool:
    return code in _DECLARED


def label(code: str) -> str:
    """The action's label in the current language; an undeclared code shows as itself."""
    found = _DECLARED.get(code)
    return str(found[1]) if found else code


def choices() -> list[tuple[str, str]]:
    """(code, label) of every declared action, ordered by label, for a filter's list."""
    return sorted(((code, label(code)) for code in _DECLARED), key=lambda pair: pair[1])


def codes() -> list[str]:
    return sorted(_DECLARED)


def check(code: str) -> None:
    """Refuse (strict) or log an action that no app declared."""
    if code in _DECLARED:
        return
    if getattr(settings, "AUDIT_STRICT", False):
        raise UndeclaredAction(f"audit action {code!r} is not declared in any audit_actions.py")
    logger.error("audit action %r is not declared", code)
