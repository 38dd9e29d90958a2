"""Writing planned chunks into one import batch: new people and memberships in bulk, changes to
registered people with a revision each (to roll them back), transfers, new employer units, the
batch's counters and the audit events."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeAlias

from django.db import transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone

from gonghui.accounts.types import Actor
from gonghui.core import audit
from gonghui.orgs.models import EmployerUnit, Organisation
from gonghui.people.importing.inserting import insert_rows, new_ids, written_ids
from gonghui.people.importing.planning import UPDATABLE, Plan, Units
from gonghui.people.models import (
    BatchStatus,
    ImportBatch,
    ImportRevision,
    Membership,
    MembershipStatus,
    Person,
    roster_traits,
    roster_traits_expression,
)
from gonghui.people.tabular import PERSON_FIELDS, SealedRow
from gonghui.people.tallies import refresh_tallies

# Audit events of changed people wait for the end of the import (so that the chain's lock is
# not held while it writes), up to this many; beyond, they are recorded as they come.
PENDING_EVENTS = 20_000
# what a row did -> the batch's counter of it
BATCH_COUNTERS = {
    "create": "created",
    "join": "joined",
    "update": "updated",
    "transfer": "transferred",
    "unchanged": "unchanged",
    "rejected": "rejected",
}
# the row's field for each person field it sets, where the names differ
_ROW_FIELD = {"phone_hash": "phone_digest"}
# what a revision keeps to put a person back: every field an import may change
RESTORABLE = (*(name for names in UPDATABLE.values() for name in names), "unit_id")
# the person fields their memberships carry a copy of (as name_key and traits)
FOLLOWED = frozenset(
    {"name_key", "skill_level", "is_frontline", "is_migrant", "is_enterprise_head"}
)
PERSON_COLUMNS = (
    "name",
    "name_key",
    "identity_hash",
    "identity_sealed",
    "identity_masked",
    "gender",
    "birth_year",
    "phone_hash",
    "phone_sealed",
    "phone_masked",
    "post",
    "skill_level",
    "is_frontline",
    "is_migrant",
    "is_enterprise_head",
    # the row's first PERSON_FIELDS fields are the columns above
)
MEMBERSHIP_COLUMNS = ("person_id", "name_key", "traits", "joined_on")
# a membership to open, in MEMBERSHIP_COLUMNS' order; joined_on "" for today (a plain tuple:
# one is made for every new person)
NewMembership: TypeAlias = tuple[int, str, int, str]


@dataclass
class _Changes:
    """What a chunk's rows do to people registered already."""

    people: dict[int, Person] = field(default_factory=dict)  # changed, by id
    fields: set[str] = field(default_factory=set)  # the person fields changed
    revisions: list[ImportRevision] = field(default_factory=list)
    closing: list[Membership] = field(default_factory=list)  # memberships transferred away
    joining: list[NewMembership] = field(default_factory=list)


class BatchWriter:
    """Writes planned chunks into one batch, inside the caller's transaction, and closes it."""

    def __init__(self, *, batch: ImportBatch, by: Actor) -> None:
        self.batch, self.by = batch, by
        connection = transaction.get_connection()
        self.now = connection.ops.adapt_datetimefield_value(timezone.now())
        self.today = timezone.localdate()
        self.pending: list[audit.Entry] = []
        self.created: list[int] = []
        # the unions whose members changed: counted again when the batch closes
        self.unions: set[int] = set()

    def write(self, plan: Plan, *, union: Organisation, units: Units) -> None:
        self._register_units([*plan.creates, *(step.row for step in plan.steps)], union, units)
        changes = self._change_people(plan, union=union, units=units)
        new_people = self._insert_people(plan.creates, units)
        self.created += new_people
        self.unions.add(union.pk)
        self.unions.update(membership.union_id for membership in changes.closing)
        if changes.closing:
            Membership.objects.bulk_update(
                changes.closing, ["status", "ended_on", "transferred_to"]
            )
        self._insert_memberships(
            [
                (pk, row.name_key, _traits(row), row.joined_on)
                for pk, row in zip(new_people, plan.creates, strict=True)
            ]
            + changes.joining,
            union,
        )
        if changes.people:
            self._save_changes(changes, union=union)
        self._audit(_transfer_events(changes.closing, by=self.by, batch=self.batch, union=union))
        ImportBatch.objects.filter(pk=self.batch.pk).update(
            **{
                counter: F(counter) + plan.counts[kind]
                for kind, counter in BATCH_COUNTERS.items()
                if plan.counts[kind] and kind != "rejected"
            }
        )

    def finish(self, *, rows: int, rejected: int) -> None:
        """Close the batch: its figures and the import's audit event, with the events pending."""
        ImportBatch.objects.filter(pk=self.batch.pk).update(
            status=BatchStatus.DONE,
            finished_at=timezone.now(),
            rows_total=rows,
            rows_done=rows,
            rejected=rejected,
        )
        self.batch.refresh_from_db()
        created = sorted(self.created)
        self.pending.append(
            audit.Entry(
                action="member.import",
                by=self.by,
                organisation=self.batch.union,
                obj=self.batch,
                extra={
                    "file": self.batch.file_name,
                    "sha256": self.batch.file_sha256,
                    "rows": rows,
                    **self.batch.options,
                    **self.batch.counts,
                    "people_created": [created[0], created[-1]] if created else [],
                },
            )
        )
        audit.record_many(self.pending)
        self.pending = []
        refresh_tallies(self.unions)

    def _audit(self, entries: Iterable[audit.Entry]) -> None:
        self.pending += entries
        if len(self.pending) >= PENDING_EVENTS:
            audit.record_many(self.pending)
            self.pending = []

    def _register_units(self, rows: list[SealedRow], union: Organisation, units: Units) -> None:
        new_units = [
            EmployerUnit(name=name[:128], credit_code=code, organisation=union)
            for code, name in units.missing(rows).items()
        ]
        if new_units:
            EmployerUnit.objects.bulk_create(new_units)
            units.load(rows)
            self._audit(
                audit.Entry(
                    action="unit.create", by=self.by, obj=u, changes=audit.diff({}, u.snapshot())
                )
                for u in new_units
            )

    def _change_people(self, plan: Plan, *, union: Organisation, units: Units) -> _Changes:
        """The plan's steps for registered people made on them (not yet saved): changed
        fields, each with a revision of the person before, transfers closing the current
        membership, and the memberships to open for those who join or transfer."""
        changes = _Changes()
        found = plan.found
        for kind, row, changed in plan.steps:
            person = found.people[row.digest]
            if changed or kind == "transfer":
                revision = ImportRevision(batch=self.batch, person=person, before=_snapshot(person))
                self._update(person, row, changed, units)
                changes.people[person.pk] = person
                changes.fields.update(changed)
                if kind == "transfer":
                    current = found.current[person.pk]
                    current.status, current.ended_on, current.transferred_to = (
                        MembershipStatus.TRANSFERRED,
                        date.fromisoformat(row.joined_on) if row.joined_on else self.today,
                        union,
                    )
                    changes.closing.append(current)
                    revision.closed_membership = current
                changes.revisions.append(revision)
            if kind in {"join", "transfer"}:
                changes.joining.append((person.pk, person.name_key, person.traits, row.joined_on))
        return changes

    def _update(self, person: Person, row: SealedRow, changed: list[str], units: Units) -> None:
        for name in changed:
            if name == "unit_id":
                person.unit = units.for_row(row)
            else:
                setattr(person, name, getattr(row, _ROW_FIELD.get(name, name)))

    def _save_changes(self, changes: _Changes, *, union: Organisation) -> None:
        """The registered people changed saved, with their revisions and audit events."""
        people = list(changes.people.values())
        if changes.fields:
            Person.objects.bulk_update(people, sorted(changes.fields), batch_size=500)
        if changes.fields & FOLLOWED:
            memberships_follow_people(list(changes.people))
        Person.objects.filter(pk__in=list(changes.people)).update(updated_at=timezone.now())
        ImportRevision.objects.bulk_create(changes.revisions, batch_size=500)
        self._audit(
            audit.Entry(
                action="person.update",
                by=self.by,
                organisation=union,
                obj=p,
                object_repr=p.name,
                extra={"batch": self.batch.pk, "fields": sorted(changes.fields)},
            )
            for p in people
        )

    def _insert_people(self, rows: list[SealedRow], units: Units) -> list[int]:
        """Insert new people; returns their ids, in order."""
        if not rows:
            return []
        for_row = units.for_row
        columns: tuple[str, ...] = PERSON_COLUMNS
        constants = {"created_at": self.now, "updated_at": self.now, "batch_id": self.batch.pk}
        with_units = [for_row(r) if r.unit_credit_code or r.unit_name else None for r in rows]
        if any(with_units):
            columns += ("unit_id",)
            values = [
                (*row[:PERSON_FIELDS], unit.pk if unit else None)
                for row, unit in zip(rows, with_units, strict=True)
            ]
        else:  # most rosters name no units
            constants["unit_id"] = None
            values = [row[:PERSON_FIELDS] for row in rows]
        table = Person._meta.db_table
        with transaction.get_connection().cursor() as cursor:
            ids = new_ids(cursor, table, len(rows))
            if ids is None:
                insert_rows(cursor, Person, columns, values, constants)
                return written_ids(cursor, table, [row.digest for row in rows])
            values = [(pk, *row) for pk, row in zip(ids, values, strict=True)]
            insert_rows(cursor, Person, ("id", *columns), values, constants)
        return ids

    def _insert_memberships(self, people: list[NewMembership], organisation: Organisation) -> None:
        """Open memberships of `organisation` for people (id, sort key, traits, joining date or
        "" for today)."""
        today = self.today.isoformat()
        values = [(pk, key, traits, day or today) for pk, key, traits, day in people]
        constants = {
            "union_id": organisation.pk,
            "status": MembershipStatus.ACTIVE.value,
            "end_reason": "",
            "batch_id": self.batch.pk,
        }
        with transaction.get_connection().cursor() as cursor:
            insert_rows(cursor, Membership, MEMBERSHIP_COLUMNS, values, constants)


def _snapshot(person: Person) -> dict[str, Any]:
    return {name: getattr(person, name) for name in RESTORABLE}


def _traits(row: SealedRow) -> int:
    return roster_traits(
        skill_level=row.skill_level,
        is_frontline=row.is_frontline,
        is_migrant=row.is_migrant,
        is_head=row.is_enterprise_head,
    )


def _transfer_events(
    closing: list[Membership], *, by: Actor, batch: ImportBatch, union: Organisation
) -> Iterable[audit.Entry]:
    """An event for each membership transferred, in the union it left and the one it joined."""
    return (
        audit.Entry(
            action="membership.transfer",
            by=by,
            organisation=org,
            object_type="people.membership",
            object_id=str(m.pk),
            object_repr=m.person.name,
            extra={"batch": batch.pk, "from": m.union.code, "to": union.code},
        )
        for m in closing
        for org in (m.union, union)
    )


def memberships_follow_people(people: list[int]) -> None:
    """The memberships of these people given their (new) sort keys and traits."""
    person = Person.objects.filter(pk=OuterRef("person_id"))
    Membership.objects.filter(person__in=people).update(
        name_key=Subquery(person.values("name_key")[:1]),
        traits=Subquery(person.annotate(value=roster_traits_expression()).values("value")[:1]),
    )
