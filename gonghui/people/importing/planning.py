"""Planning a chunk of checked rows against the database: which people it creates, which
registered people join, change or transfer, which rows are refused, and the employer units the
rows name."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import NamedTuple

from django.utils.translation import gettext as _

from gonghui.core.crypto import rotation_pending
from gonghui.core.tabular import RowError
from gonghui.orgs.models import EmployerUnit, Organisation
from gonghui.orgs.permissions import Scope
from gonghui.people.actions import OUTSIDE_SCOPE
from gonghui.people.importing.checking import FirstRows
from gonghui.people.importing.registered import Existing, existing_people, older_digests
from gonghui.people.models import Membership, Person
from gonghui.people.tabular import MEMBER_SPEC, SealedRow

# Person fields an import may change on someone already registered, by the column that sets them.
UPDATABLE = {
    "name": ("name", "name_key"),
    "phone": ("phone_hash", "phone_sealed", "phone_masked"),
    "post": ("post",),
    "skill_level": ("skill_level",),
    "is_frontline": ("is_frontline",),
    "is_migrant": ("is_migrant",),
    "is_enterprise_head": ("is_enterprise_head",),
}


class Units:
    """Employer units named by the rows: found by credit code (created under the union when new)
    or by name among the union's units."""

    def __init__(self, union: Organisation) -> None:
        self.union = union
        self.by_code: dict[str, EmployerUnit] = {}
        names: dict[str, list[EmployerUnit]] = {}
        for unit in EmployerUnit.objects.filter(organisation=union):
            names.setdefault(unit.name, []).append(unit)
        self.by_name = {name: units[0] for name, units in names.items() if len(units) == 1}

    def load(self, rows: list[SealedRow]) -> None:
        codes = {r.unit_credit_code for r in rows if r.unit_credit_code} - set(self.by_code)
        if codes:
            self.by_code.update(
                {u.credit_code: u for u in EmployerUnit.objects.filter(credit_code__in=codes)}
            )

    def missing(self, rows: list[SealedRow]) -> dict[str, str]:
        """New credit codes in these rows, with the name each first comes with."""
        out: dict[str, str] = {}
        for r in rows:
            if r.unit_credit_code and r.unit_credit_code not in self.by_code:
                out.setdefault(r.unit_credit_code, r.unit_name or r.unit_credit_code)
        return out

    def for_row(self, row: SealedRow) -> EmployerUnit | None:
        if row.unit_credit_code:
            return self.by_code.get(row.unit_credit_code)
        if row.unit_name:
            return self.by_name.get(row.unit_name)
        return None


class Step(NamedTuple):
    """What a row does to someone registered already."""

    kind: str  # join, update, transfer or unchanged
    row: SealedRow
    changed: list[str]  # the person fields it changes


@dataclass
class Plan:
    """What writing a chunk would do: the people it creates, and for people registered
    already each row's step."""

    creates: list[SealedRow] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    found: Existing = field(default_factory=Existing)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)


def plan_rows(
    *,
    rows: list[SealedRow],
    union: Organisation,
    present: frozenset[str],
    units: Units,
    transfer: bool,
    lock: bool = False,
    registered: FirstRows | None = None,
    seen: Scope | None = None,
) -> Plan:
    """Classify checked rows against the database: create, join, update, transfer, unchanged;
    a member of another union is an error unless `transfer`, and always when that union is
    outside `seen` (the importing officer's scope; None for the system). With `registered`
    (see `registered_people`), only rows it may hold are looked up."""
    units.load(rows)
    digests = [r.digest for r in rows]
    if registered is not None:  # a first roster's is empty: nobody to look up
        digests = [d for d in digests if int(d[:16], 16) in registered] if registered else []
    older = older_digests(rows) if digests and rotation_pending() else None
    found = existing_people(digests, lock=lock, older=older) if digests else Existing()
    plan = Plan(found=found)
    if not found.people:  # nobody here is registered yet (a new roster): all are created
        plan.creates = rows
    header = MEMBER_SPEC.header("identity_number")
    for row in rows if found.people else ():
        person = found.people.get(row.digest)
        if person is None:
            plan.creates.append(row)
            continue
        current = found.current.get(person.pk)
        refusal = _refusal(current, union=union, transfer=transfer, seen=seen)
        if refusal is not None:
            plan.errors.append(RowError(row.number, header, refusal))
            continue
        changed = _changes(person, row, present=present, units=units)
        kind = _kind(current, changed, union=union)
        plan.counts[kind] += 1
        plan.steps.append(Step(kind, row, changed))
    refused = {e.row for e in plan.errors}
    plan.warnings = _unit_warnings(rows, units=units, refused=refused)
    plan.counts["create"] = len(plan.creates)
    plan.counts["rejected"] = len(refused)
    return plan


def _changes(person: Person, row: SealedRow, *, present: frozenset[str], units: Units) -> list[str]:
    """The person fields that the row changes (of the columns the file has)."""
    changed = [
        name
        for column, names in UPDATABLE.items()
        if column in present and _differs(person, row, column)
        for name in names
    ]
    unit = units.for_row(row)
    if unit is not None and unit.pk != person.unit_id:
        changed.append("unit_id")
    return changed


def _differs(person: Person, row: SealedRow, column: str) -> bool:
    if column == "phone":
        return bool(person.phone_hash != row.phone_digest)
    return bool(getattr(person, column) != getattr(row, column))


def _refusal(
    current: Membership | None, *, union: Organisation, transfer: bool, seen: Scope | None
) -> str | None:
    """Why a row naming someone registered, whose current membership is `current`, is
    refused; None if it is not: a member of another union moves only with `transfer`, and
    never from outside the officer's scope."""
    if current is None or current.union_id == union.pk:
        return None
    if seen is not None and not seen.contains(current.union):
        return str(OUTSIDE_SCOPE)
    if transfer:
        return None
    return _(
        "Already a member of %(union)s (%(code)s); import with the transfer option to move the membership here."
    ) % {"union": current.union.name, "code": current.union.code}


def _kind(current: Membership | None, changed: list[str], *, union: Organisation) -> str:
    """The step a row that is not refused takes for someone registered."""
    if current is None:
        return "join"
    if current.union_id == union.pk:
        return "update" if changed else "unchanged"
    return "transfer"


def _unit_warnings(rows: list[SealedRow], *, units: Units, refused: set[int]) -> list[RowError]:
    """Rows that name an employer unit by a name the union does not know, and no credit code."""
    warnings = []
    for row in rows:
        unnamed = row.unit_name and not row.unit_credit_code and row.number not in refused
        if unnamed and units.for_row(row) is None:
            warnings.append(
                RowError(
                    row.number,
                    MEMBER_SPEC.header("unit_name"),
                    _(
                        "%(name)s is not a registered employer unit of this union; give its credit code to register it. The member is imported without a unit."
                    )
                    % {"name": row.unit_name},
                )
            )
    return warnings
