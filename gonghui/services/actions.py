"""Writes to hardship files: open and change a draft, its household, the workflow's steps,
and the assistance ledger. Each is atomic, audited and taken by `by`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.accounts.models import User
from gonghui.core import audit
from gonghui.core.crypto import encrypt
from gonghui.core.models import AuditEvent
from gonghui.core.personal import contact_details_in, mask_identity_number
from gonghui.orgs.models import Organisation
from gonghui.orgs.permissions import can
from gonghui.people.actions import MEMBER_UNION_TYPES, identity_digest, identity_digests
from gonghui.people.identity import normalise_name, parse_identity
from gonghui.people.models import Membership, Person
from gonghui.services import notifications
from gonghui.services.bounds import AMOUNT, DIBAO_LINE, MONEY
from gonghui.services.eligibility import assess
from gonghui.services.models import (
    SEALED_FIELD,
    VISIT_MONTHS,
    Assistance,
    AssistanceKind,
    Cause,
    CloseReason,
    FileStatus,
    Finances,
    HardshipFile,
    HardshipVisit,
    HouseholdMember,
    Relation,
    months_after,
)
from gonghui.services.permissions import file_roles, is_approver
from gonghui.services.workflow import HARDSHIP_FLOW


@dataclass(frozen=True)
class FileDetails:
    """What the keeping union states on a file: the line, the cause, the household's year."""

    dibao_line: Decimal
    finances: Finances
    cause: str = ""
    # the worker's own income and health, kept on their member row
    worker_income: Decimal = Decimal(0)
    worker_disabled: bool = False
    worker_ill: bool = False


@dataclass(frozen=True)
class MemberDetails:
    relation: str
    name: str
    birth_year: int
    income: Decimal = Decimal(0)
    is_disabled: bool = False
    is_ill: bool = False
    identity_number: str = ""


def _seal_health(income: Decimal, disabled: bool, ill: bool) -> str:
    data = {"income": str(income), "disabled": disabled, "ill": ill}
    return encrypt(json.dumps(data), field=SEALED_FIELD)


def _require_keeper(by: User, file: HardshipFile) -> None:
    if "keeper" not in file_roles(by, file):
        raise PermissionDenied


def _check_details(details: FileDetails) -> None:
    DIBAO_LINE.check(details.dibao_line, field="dibao_line")
    if details.cause not in Cause.values:
        raise ValidationError({"cause": _("Unknown cause.")})
    for name, value in details.finances.__dict__.items():
        if isinstance(value, Decimal):
            MONEY.check(value, field=name)
    MONEY.check(details.worker_income, field="worker_income")


def _keeper(by: User | None, union: Organisation) -> str:
    """The union keeping another file, as this officer may be told it: named within their
    scope; beyond it only that there is one (that a worker is in hardship is sensitive)."""
    if by is None or can(by, union, "view"):
        return union.name
    return _("a union outside your scope (ask the union above you)")


def _other_household(
    by: User | None, digests: list[str], *, exclude: HardshipFile | None = None
) -> str | None:
    """Why these identity digests cannot join a household: listed in another open file."""
    listed = HouseholdMember.objects.filter(identity_hash__in=digests, is_open=True)
    if exclude is not None:
        listed = listed.exclude(file=exclude)
    other = listed.select_related("file__union").first()
    if other is None:
        return None
    return _(
        "One household, one file: %(name)s is already listed in an open hardship file kept by "
        "%(union)s."
    ) % {"name": other.name, "union": _keeper(by, other.file.union)}


def _reassess(file: HardshipFile) -> None:
    """Count the household and set the tier from the file's figures (the caller saves)."""
    # an imported file states its size; its members may be listed one by one later
    file.household_size = max(file.members.count(), file.declared_size, 1)
    file.tier = assess(
        finances=file.finances(),
        household_size=file.household_size,
        dibao_line=file.dibao_line,
        cause=file.cause,
    ).tier


def _save_member(member: HouseholdMember) -> None:
    """Save, turning the database's "one household" refusal (a race) into the same message."""
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError as error:
        raise ValidationError(
            _("One household, one file: %(name)s is already listed in an open hardship file.")
            % {"name": member.name}
        ) from error


def check_new_file(
    *, by: User | None, union: Organisation, person: Person, details: FileDetails
) -> None:
    """The rules a new file meets, on the form and in an import (raises ValidationError):
    figures within bounds, a current member of the union, one household one file."""
    _check_details(details)
    _check_worker(by, union, person, lock=False)


def _check_worker(by: User | None, union: Organisation, person: Person, lock: bool = True) -> None:
    """Refuse a worker who may not open a file here (not a member, or already filed)."""
    if union.type not in MEMBER_UNION_TYPES:
        raise ValidationError({"union": _("A hardship file is kept by a grassroots union.")})
    current = Membership.objects.current().filter(person=person, union=union)
    if not current.exists():
        raise ValidationError(
            {
                "person": _("%(name)s is not a current member of %(union)s.")
                % {"name": person.name, "union": union.name}
            }
        )
    if lock:
        Person.objects.select_for_update().get(pk=person.pk)  # one file at a time for a person
    existing = HardshipFile.objects.open().filter(person=person).select_related("union").first()
    if existing is not None:
        raise ValidationError(
            _("%(name)s already has an open hardship file, kept by %(union)s.")
            % {"name": person.name, "union": _keeper(by, existing.union)}
        )
    refusal = _other_household(by, identity_digests(person.reveal_identity_number()))
    if refusal:
        raise ValidationError(refusal)


@transaction.atomic
def open_file(
    *, by: User, union: Organisation, person: Person, details: FileDetails
) -> HardshipFile:
    """Open a draft file for a member of `union`: the worker is its household's first member."""
    if not can(by, union, "edit"):
        raise PermissionDenied
    _check_details(details)
    _check_worker(by, union, person)
    file = HardshipFile(
        person=person,
        union=union,
        cause=details.cause,
        dibao_line=details.dibao_line,
        finances_sealed=encrypt(details.finances.to_json(), field=SEALED_FIELD),
        created_by=by,
    )
    file.tier = assess(
        finances=details.finances,
        household_size=1,
        dibao_line=details.dibao_line,
        cause=details.cause,
    ).tier
    file.save()
    _save_worker(file, person, details)
    audit.record(action="hardship.create", by=by, obj=file, extra={"tier": file.tier})
    return file


def _save_worker(file: HardshipFile, person: Person, details: FileDetails) -> None:
    """The file's first household member: the worker."""
    _save_member(
        HouseholdMember(
            file=file,
            relation=Relation.SELF,
            name=person.name,
            birth_year=person.birth_year,
            identity_hash=identity_digest(person.reveal_identity_number()),
            identity_sealed=person.identity_sealed,
            identity_masked=person.identity_masked,
            details_sealed=_seal_health(
                details.worker_income, details.worker_disabled, details.worker_ill
            ),
        )
    )


def _locked_draft(by: User, file: HardshipFile) -> HardshipFile:
    locked = (
        HardshipFile.objects.select_for_update().select_related("person", "union").get(pk=file.pk)
    )
    _require_keeper(by, locked)
    if not locked.is_editable:
        raise ValidationError(_("Only a draft or a returned file can be changed."))
    return locked


@transaction.atomic
def update_file(*, by: User, file: HardshipFile, details: FileDetails) -> HardshipFile:
    """Change a draft or returned file's figures; the tier follows."""
    locked = _locked_draft(by, file)
    _check_details(details)
    before = locked.snapshot()
    locked.cause = details.cause
    locked.dibao_line = details.dibao_line
    locked.finances_sealed = encrypt(details.finances.to_json(), field=SEALED_FIELD)
    locked.members.filter(relation=Relation.SELF).update(
        details_sealed=_seal_health(
            details.worker_income, details.worker_disabled, details.worker_ill
        )
    )
    _reassess(locked)
    locked.save()
    # the figures are sealed: the trail says they changed, not what they are
    audit.record(
        action="hardship.update",
        by=by,
        obj=locked,
        changes=audit.diff(before, locked.snapshot()),
        extra={"finances": "changed"},
    )
    return locked


@transaction.atomic
def add_member(*, by: User, file: HardshipFile, member: MemberDetails) -> HouseholdMember:
    """List one more person of the household on a draft or returned file."""
    locked = _locked_draft(by, file)
    if member.relation not in Relation.values or member.relation == Relation.SELF:
        raise ValidationError({"relation": _("Choose the member's relation to the worker.")})
    this_year = timezone.localdate().year
    if not 1900 <= member.birth_year <= this_year:
        raise ValidationError({"birth_year": _("Give a birth year between 1900 and this year.")})
    MONEY.check(member.income, field="income")
    row = HouseholdMember(
        file=locked,
        relation=member.relation,
        name=normalise_name(member.name),
        birth_year=member.birth_year,
        details_sealed=_seal_health(member.income, member.is_disabled, member.is_ill),
    )
    if member.identity_number.strip():
        try:
            number = parse_identity(member.identity_number).number
        except ValidationError as error:
            raise ValidationError({"identity_number": error.messages}) from error
        refusal = _other_household(by, identity_digests(number))
        if refusal:
            raise ValidationError(refusal)
        row.identity_hash = identity_digest(number)
        row.identity_sealed = encrypt(number, field="identity_number")
        row.identity_masked = mask_identity_number(number)
    _save_member(row)
    _reassess(locked)
    locked.save(update_fields=["household_size", "tier", "updated_at"])
    audit.record(
        action="hardship.member_add",
        by=by,
        obj=locked,
        extra={"relation": row.relation, "name": row.name, "size": locked.household_size},
    )
    return row


@transaction.atomic
def remove_member(*, by: User, file: HardshipFile, member_id: int) -> None:
    """Take a person off a draft or returned file's household (never the worker)."""
    locked = _locked_draft(by, file)
    row = locked.members.exclude(relation=Relation.SELF).filter(pk=member_id).first()
    if row is None:
        raise ValidationError(_("No such member on this file."))
    row.delete()
    _reassess(locked)
    locked.save(update_fields=["household_size", "tier", "updated_at"])
    audit.record(
        action="hardship.member_remove",
        by=by,
        obj=locked,
        extra={"relation": row.relation, "name": row.name, "size": locked.household_size},
    )


def _already(file: HardshipFile, target: str) -> HardshipFile | None:
    """The file, fresh, when it is in `target` already: a second click does nothing."""
    fresh = HardshipFile.objects.select_related("person", "union").get(pk=file.pk)
    return fresh if fresh.status == target else None


@transaction.atomic
def submit_file(*, by: User, file: HardshipFile) -> HardshipFile:
    """Send a draft (or returned) file up for approval; an ineligible household is refused."""
    return _already(file, FileStatus.SUBMITTED) or HARDSHIP_FLOW.apply(file, "submit", by=by)


@transaction.atomic
def approve_file(*, by: User, file: HardshipFile, note: str = "") -> HardshipFile:
    """Approve a submitted file (county-level union or above); the keeping union is told."""
    if done := _already(file, FileStatus.APPROVED):
        return done
    approved = HARDSHIP_FLOW.apply(file, "approve", by=by, reason=note)
    notifications.file_decided(approved, by=by)
    return approved


@transaction.atomic
def return_file(*, by: User, file: HardshipFile, reason: str) -> HardshipFile:
    """Send a submitted file back to its union with the reason; the union is told."""
    if done := _already(file, FileStatus.RETURNED):
        return done
    returned = HARDSHIP_FLOW.apply(file, "return", by=by, reason=reason)
    notifications.file_decided(returned, by=by)
    return returned


@transaction.atomic
def close_file(*, by: User, file: HardshipFile, reason: str, note: str = "") -> HardshipFile:
    """Close the file (脱困, 退休, 调离, 去世): the household leaves the register."""
    if done := _already(file, FileStatus.CLOSED):
        return done
    label = str(CloseReason(reason).label) if reason in CloseReason.values else ""
    text = f"{label} · {note.strip()}" if note.strip() else label
    return HARDSHIP_FLOW.apply(file, "close", by=by, reason=text, data={"close_reason": reason})


@dataclass(frozen=True)
class AssistanceDetails:
    paid_on: date
    kind: str
    amount: Decimal
    fund_source: str
    note: str = ""


def period_of(kind: str, paid_on: date) -> str:
    """The period in which a person receives one aid of a kind: the month for a living
    allowance and for 送温暖 (given on occasions, 春节 and 中秋, within a yearly cap), the year
    for the others."""
    if kind in (AssistanceKind.LIVING, AssistanceKind.WARMTH):
        return f"{paid_on.year:04d}-{paid_on.month:02d}"
    return f"{paid_on.year:04d}"


def _check_warmth(person: Person, details: AssistanceDetails) -> None:
    """The 送温暖 caps: so much per occasion, so much per person in a year."""
    per_occasion = Decimal(settings.HARDSHIP_WARMTH_PER_OCCASION)
    per_year = Decimal(settings.HARDSHIP_WARMTH_PER_YEAR)
    if details.amount > per_occasion:
        raise ValidationError(
            {"amount": _("送温暖 is at most %(cap)s yuan an occasion.") % {"cap": per_occasion}}
        )
    paid = Assistance.objects.filter(
        person=person, kind=AssistanceKind.WARMTH, paid_on__year=details.paid_on.year
    ).aggregate(total=Sum("amount"))["total"] or Decimal(0)
    if paid + details.amount > per_year:
        raise ValidationError(
            {
                "amount": _(
                    "送温暖 is at most %(cap)s yuan a person a year; %(name)s has had %(paid)s "
                    "yuan in %(year)s."
                )
                % {"cap": per_year, "name": person.name, "paid": paid, "year": details.paid_on.year}
            }
        )


def _duplicate(person: Person, kind: str, period: str) -> ValidationError:
    return ValidationError(
        _("No aid twice: %(name)s has already received %(kind)s for %(period)s.")
        % {"name": person.name, "kind": AssistanceKind(kind).label, "period": period}
    )


@transaction.atomic
def record_assistance(*, by: User, file: HardshipFile, details: AssistanceDetails) -> Assistance:
    """Record aid given to an approved file's household, once per kind and period."""
    locked = (
        HardshipFile.objects.select_for_update().select_related("person", "union").get(pk=file.pk)
    )
    _require_keeper(by, locked)
    if locked.status != FileStatus.APPROVED:
        raise ValidationError(_("Aid is recorded on an approved file only."))
    if details.kind not in AssistanceKind.values:
        raise ValidationError({"kind": _("Choose the kind of aid.")})
    AMOUNT.check(details.amount, field="amount")
    if not details.fund_source.strip():
        raise ValidationError({"fund_source": _("Say which fund paid.")})
    person = locked.person
    period = period_of(details.kind, details.paid_on)
    if Assistance.objects.filter(person=person, kind=details.kind, period=period).exists():
        raise _duplicate(person, details.kind, period)
    if details.kind == AssistanceKind.WARMTH:
        _check_warmth(person, details)
    row = Assistance(
        file=locked,
        person=person,
        paid_on=details.paid_on,
        kind=details.kind,
        period=period,
        amount=details.amount,
        fund_source=details.fund_source.strip()[:64],
        note=details.note.strip()[:200],
        recorded_by=by,
    )
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError as error:  # the same payment recorded at the same moment
        raise _duplicate(person, details.kind, period) from error
    audit.record(action="hardship.assist", by=by, obj=locked, extra=row.snapshot())
    return row


@dataclass(frozen=True)
class ImportedFile:
    """One row of an imported spreadsheet of files, checked: the worker, the stated
    household size, the figures, the date the file was opened on paper."""

    person: Person
    household_size: int
    details: FileDetails
    filed_on: date | None = None


def may_import_approved(by: User | None, union: Organisation) -> bool:
    """Files approved on paper are imported as approved by one who may approve them here
    (an officer of a county-level union or above over it), or from the command line."""
    return by is None or is_approver(by, union)


@transaction.atomic
def import_files(
    *, by: User | None, union: Organisation, rows: list[ImportedFile], stage: str, source: str
) -> list[HardshipFile]:
    """Write checked rows as files of `union`, as drafts or (files approved on paper) approved;
    each file audited with the spreadsheet it came from."""
    if stage not in (FileStatus.DRAFT, FileStatus.APPROVED):
        raise ValidationError(_("Import files as drafts or as approved files."))
    if by is not None and not can(by, union, "edit"):
        raise PermissionDenied
    if stage == FileStatus.APPROVED and not may_import_approved(by, union):
        raise ValidationError(_("Only a county-level union or above may import approved files."))
    written = []
    now = timezone.now()
    for row in rows:
        file = HardshipFile(
            person=row.person,
            union=union,
            status=stage,
            cause=row.details.cause,
            dibao_line=row.details.dibao_line,
            finances_sealed=encrypt(row.details.finances.to_json(), field=SEALED_FIELD),
            household_size=row.household_size,
            declared_size=row.household_size,
            filed_on=row.filed_on,
            created_by=by,
        )
        file.tier = assess(
            finances=row.details.finances,
            household_size=row.household_size,
            dibao_line=row.details.dibao_line,
            cause=row.details.cause,
        ).tier
        if stage == FileStatus.APPROVED:
            file.approved_at = _day_start(row.filed_on) if row.filed_on else now
        file.save()
        _save_worker(file, row.person, row.details)
        audit.record(
            action="hardship.import",
            by=by,
            obj=file,
            extra={"tier": file.tier, "status": file.status, "source": source},
        )
        written.append(file)
    return written


@transaction.atomic
def remove_imported_files(*, by: User | None, file_ids: list[int]) -> int:
    """Undo an import: delete the files it wrote, provided nothing has happened to any of them
    since (a change, a member, a step, a visit, aid: each leaves an event on the trail)."""
    files = list(
        HardshipFile.objects.select_for_update()
        .filter(pk__in=file_ids)
        .select_related("person", "union")
    )
    if by is not None and not all(can(by, file.union, "edit") for file in files):
        raise PermissionDenied
    since = (
        AuditEvent.objects.filter(
            object_type=HardshipFile._meta.label_lower,
            object_id__in=[str(file.pk) for file in files],
        )
        .exclude(action="hardship.import")
        .values_list("object_id", flat=True)
    )
    touched = {int(pk) for pk in since}
    if touched:
        names = "、".join(file.person.name for file in files if file.pk in touched)
        raise ValidationError(
            _("These files have been worked on since the import: %(names)s.") % {"names": names}
        )
    for file in files:
        audit.record(action="hardship.import_undo", by=by, obj=file, extra=file.snapshot())
        file.members.all().delete()
        file.delete()
    return len(files)


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass(frozen=True)
class VisitDetails:
    visited_on: date
    visitors: str
    findings: str


@transaction.atomic
def record_visit(*, by: User, file: HardshipFile, details: VisitDetails) -> HardshipVisit:
    """Record a helper's visit to an open file's household; the next is due six months on."""
    locked = (
        HardshipFile.objects.select_for_update().select_related("person", "union").get(pk=file.pk)
    )
    _require_keeper(by, locked)
    if not locked.is_open:
        raise ValidationError(_("A visit is recorded on an open file only."))
    if details.visited_on > timezone.localdate():
        raise ValidationError({"visited_on": _("The visit cannot be in the future.")})
    visitors, findings = details.visitors.strip(), details.findings.strip()
    if not visitors:
        raise ValidationError({"visitors": _("Say who visited.")})
    if not findings:
        raise ValidationError({"findings": _("Say what was found.")})
    # the file is read by many officers: no identity or phone numbers in its free text
    for name, text in (("visitors", visitors), ("findings", findings)):
        if refusal := contact_details_in(text):
            raise ValidationError({name: refusal})
    visit = HardshipVisit.objects.create(
        file=locked,
        visited_on=details.visited_on,
        visitors=visitors[:128],
        findings=findings[:2000],
        next_due_on=months_after(details.visited_on, VISIT_MONTHS),
        recorded_by=by,
    )
    audit.record(action="hardship.visit", by=by, obj=locked, extra=visit.snapshot())
    return visit
