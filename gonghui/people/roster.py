"""The roster query shared by the web list, the API and exports."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from gonghui.core.validators import normalise_identity_number
from gonghui.people.actions import identity_digest, phone_digest
from gonghui.people.models import MembershipQuerySet, MembershipStatus
from gonghui.people.permissions import visible_memberships

_FULL_ID = re.compile(r"^\d{17}[\dXx]$")
_FULL_PHONE = re.compile(r"^1[3-9]\d{9}$")


@dataclass(frozen=True)
class RosterQuery:
    q: str = ""
    union: str = ""
    skill_level: str = ""
    status: str = MembershipStatus.ACTIVE
    frontline: bool = False
    migrant: bool = False
    head: bool = False


def roster(user: Any, query: RosterQuery) -> MembershipQuerySet:
    """Memberships in the user's scope matching the query, in pinyin order of the names.

    A full identity number or mobile typed into the search box is looked up by its keyed hash,
    so the sealed column never needs decrypting.
    """
    rows = visible_memberships(user).select_related("person", "person__unit", "union")
    if query.status in MembershipStatus.values:
        rows = rows.filter(status=query.status)
    text = query.q.strip()
    if _FULL_ID.match(text):
        rows = rows.filter(person__identity_hash=identity_digest(normalise_identity_number(text)))
    elif _FULL_PHONE.match(text):
        rows = rows.filter(person__phone_hash=phone_digest(text))
    elif text:
        rows = rows.filter(person__name__icontains=text) | rows.filter(
            person__unit__name__icontains=text
        )
    if query.union:
        rows = rows.filter(union__code=query.union)
    if query.skill_level:
        rows = rows.filter(person__skill_level=query.skill_level)
    if query.frontline:
        rows = rows.filter(person__is_frontline=True)
    if query.migrant:
        rows = rows.filter(person__is_migrant=True)
    if query.head:
        rows = rows.filter(person__is_enterprise_head=True)
    return rows.order_by("person__name_key", "pk")
