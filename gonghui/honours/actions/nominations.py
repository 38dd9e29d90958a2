"""Nominations: drafting, clearances, attachments, and the review steps at each level."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gonghui.accounts.models import User
from gonghui.accounts.types import Actor
from gonghui.core import audit
from gonghui.core.personal import contact_details_in
from gonghui.honours import lists, notifications
from gonghui.honours.actions.common import is_organiser as _is_organiser
from gonghui.honours.actions.common import require as _require
from gonghui.honours.compliance import broken
from gonghui.honours.models import (
    Attachment,
    Campaign,
    Clearance,
    Honouree,
    HonoureeStatus,
    Justification,
    Nomination,
    NominationStatus,
)
from gonghui.honours.workflow import NOMINATION_FLOW
from gonghui.orgs.models import Organisation
from gonghui.orgs.permissions import can
from gonghui.people.models import Membership, Person

S = NominationStatus


@dataclass(frozen=True)
class NominationDetails:
    achievements: str
    summary: str
    democratic_record: str
    publication_consent: bool
    unit_name: str = ""
    trade: str = ""
    is_farmer: bool = False


def _check_eligible(campaign: Campaign, person: Person) -> None:
    # as the database's own constraint: only a withdrawn or rejected nomination frees the person
    others = (
        Nomination.objects.in_campaign(campaign)
        .filter(person=person)
        .exclude(status__in=[NominationStatus.WITHDRAWN, NominationStatus.REJECTED])
    )
    if others.exists():
        raise ValidationError(
            _("%(name)s is already nominated in this campaign.") % {"name": person.name}
        )
    held = Honouree.objects.filter(
        person=person, status=HonoureeStatus.ACTIVE, level=campaign.kind.level
    )
    if held.exists():
        raise ValidationError(
            _("%(name)s already holds an honour at this level.") % {"name": person.name}
        )


def _apply_details(nomination: Nomination, details: NominationDetails) -> None:
    nomination.achievements = details.achievements.strip()
    nomination.summary = details.summary.strip()[:300]
    nomination.democratic_record = details.democratic_record.strip()
    nomination.publication_consent = details.publication_consent
    nomination.unit_name = details.unit_name.strip()[:128]
    nomination.trade = details.trade.strip()[:64]
    nomination.is_farmer = details.is_farmer
    errors = {}
    if not nomination.achievements:
        errors["achievements"] = _("Describe the achievements.")
    if not nomination.summary:
        errors["summary"] = _("Write a short summary for the public notice.")
    # what the public notice shows beside the name
    for field in ("summary", "unit_name", "trade"):
        if field not in errors and (refusal := contact_details_in(getattr(nomination, field))):
            errors[field] = refusal
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def nominate(
    *,
    by: User,
    campaign: Campaign,
    organisation: Organisation,
    details: NominationDetails,
    person: Person | None = None,
    collective_name: str = "",
) -> Nomination:
    """Start a draft nomination of a member (or a collective) by their union."""
    _require(by, organisation)
    if not organisation.path.startswith(campaign.organiser.path):
        raise ValidationError(_("This union is outside the campaign."))
    if campaign.kind.is_collective:
        if not collective_name.strip():
            raise ValidationError({"collective_name": _("Name the team or unit.")})
        person = None
    else:
        if person is None:
            raise ValidationError({"person": _("Choose the member to nominate.")})
        membership = Membership.objects.current().filter(person=person).select_related("union")
        current = membership.first()
        if current is None or not current.union.path.startswith(organisation.path):
            raise ValidationError(
                {
                    "person": _("%(name)s is not a current member of a union under %(org)s.")
                    % {"name": person.name, "org": organisation.name}
                }
            )
        Person.objects.select_for_update().get(pk=person.pk)  # one nomination at a time
        _check_eligible(campaign, person)
    nomination = Nomination(
        campaign=campaign,
        organisation=organisation,
        person=person,
        collective_name=collective_name.strip()[:128],
        created_by=by,
    )
    if person is not None and not details.unit_name and person.unit_id and person.unit:
        details = NominationDetails(**{**details.__dict__, "unit_name": person.unit.name})
    _apply_details(nomination, details)
    nomination.save()
    audit.record(
        action="nomination.create",
        by=by,
        obj=nomination,
        extra={"campaign": campaign.pk, "consent": nomination.publication_consent},
    )
    return nomination


@transaction.atomic
def update_nomination(
    *, by: User, nomination: Nomination, details: NominationDetails
) -> Nomination:
    """Change a draft or a returned nomination."""
    locked = Nomination.objects.select_for_update().get(pk=nomination.pk)
    _require(by, locked.organisation)
    if locked.status not in {S.DRAFT, S.RETURNED}:
        raise ValidationError(_("Only a draft or a returned nomination can be changed."))

    def facts(n: Nomination) -> dict[str, Any]:
        return {"summary": n.summary, "consent": n.publication_consent, "farmer": n.is_farmer}

    before = facts(locked)
    _apply_details(locked, details)
    locked.save()
    audit.record(
        action="nomination.update", by=by, obj=locked, changes=audit.diff(before, facts(locked))
    )
    return locked


@transaction.atomic
def record_clearance(
    *, by: User, nomination: Nomination, kind: str, is_cleared: bool, note: str = ""
) -> Clearance:
    """Record a department's sign-off (or refusal) on an enterprise head."""
    if not (can(by, nomination.organisation, "edit") or _is_organiser(by, nomination.campaign)):
        raise PermissionDenied
    if kind not in nomination.campaign.clearance_types:
        raise ValidationError({"kind": _("This campaign does not ask for that clearance.")})
    clearance, _created = Clearance.objects.update_or_create(
        nomination=nomination,
        kind=kind,
        defaults={"is_cleared": is_cleared, "note": note.strip()[:200], "recorded_by": by},
    )
    audit.record(
        action="nomination.clearance",
        by=by,
        obj=nomination,
        extra={"kind": kind, "cleared": is_cleared, "note": clearance.note},
    )
    return clearance


ALLOWED_ATTACHMENTS = (".pdf", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".xls", ".xlsx", ".ofd")
# What each kind of file starts with: a renamed file (an .exe called .pdf) is refused.
_ZIP, _OLE = b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ATTACHMENT_SIGNATURES = {
    ".pdf": b"%PDF-",
    ".jpg": b"\xff\xd8\xff",
    ".jpeg": b"\xff\xd8\xff",
    ".png": b"\x89PNG\r\n\x1a\n",
    ".doc": _OLE,
    ".xls": _OLE,
    ".docx": _ZIP,
    ".xlsx": _ZIP,
    ".ofd": _ZIP,
}
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


@transaction.atomic
def add_attachment(*, by: User, nomination: Nomination, title: str, upload: Any) -> Attachment:
    """Attach a supporting document (certificate scans, meeting minutes …)."""
    if not (can(by, nomination.organisation, "edit") or _is_organiser(by, nomination.campaign)):
        raise PermissionDenied
    name = str(getattr(upload, "name", ""))
    if not name.lower().endswith(ALLOWED_ATTACHMENTS):
        raise ValidationError({"file": _("Attach a PDF, image, Word, Excel or OFD file.")})
    if getattr(upload, "size", 0) > MAX_ATTACHMENT_BYTES:
        raise ValidationError({"file": _("An attachment is at most 20 MB.")})
    head = upload.read(16)
    upload.seek(0)
    extension = "." + name.lower().rsplit(".", 1)[-1]
    if not head.startswith(ATTACHMENT_SIGNATURES[extension]):
        raise ValidationError(
            {"file": _("The file's content is not a %(type)s file.") % {"type": extension[1:]}}
        )
    attachment = Attachment.objects.create(
        nomination=nomination, title=title.strip()[:128], file=upload
    )
    audit.record(
        action="nomination.attachment", by=by, obj=nomination, extra={"title": attachment.title}
    )
    return attachment


def submit_nomination(*, by: Actor, nomination: Nomination) -> Nomination:
    """Send a draft (or returned) nomination to its first reviewing level."""
    submitted = NOMINATION_FLOW.apply(nomination, "submit", by=by)
    notifications.nomination_moved(submitted, by=by)
    return submitted


@transaction.atomic
def justify_list(
    *, by: User, campaign: Campaign, organisation: Organisation, text: str
) -> Justification:
    """Record why the list at `organisation` may go on although it breaks a rule (audited)."""
    _require(by, organisation)
    if len(text.strip()) < 10:
        raise ValidationError({"justification": _("Write the justification in full.")})
    figures = lists.figures_at(campaign, organisation)
    bad = broken(figures)
    if not bad:
        raise ValidationError(_("The list breaks no rule; nothing to justify."))
    justification = Justification.objects.create(
        campaign=campaign,
        organisation=organisation,
        text=text.strip(),
        broken_rules=[f.rule.pk for f in bad],
        recorded_by=by,
    )
    audit.record(
        action="campaign.justify",
        by=by,
        obj=justification,
        extra={
            "campaign": campaign.pk,
            "rules": [f"{f.describe()}: {f.percent}%" for f in bad],
            "text": justification.text,
        },
    )
    return justification


@transaction.atomic
def approve_nomination(*, by: User, nomination: Nomination, justification: str = "") -> Nomination:
    """Approve at the current level: send up, or shortlist at the last level.

    With a justification, the list's broken rules are first recorded as justified.
    """
    current = Nomination.objects.select_related("reviewer", "campaign").get(pk=nomination.pk)
    if justification.strip() and current.reviewer is not None:
        justify_list(
            by=by, campaign=current.campaign, organisation=current.reviewer, text=justification
        )
    last = current.level + 1 >= len(current.review_chain)
    approved = NOMINATION_FLOW.apply(nomination, "shortlist" if last else "send_up", by=by)
    notifications.nomination_moved(approved, by=by)
    return approved


def return_nomination(*, by: Actor, nomination: Nomination, reason: str) -> Nomination:
    returned = NOMINATION_FLOW.apply(nomination, "return", by=by, reason=reason)
    notifications.nomination_moved(returned, by=by)
    return returned


def reject_nomination(*, by: Actor, nomination: Nomination, reason: str) -> Nomination:
    return NOMINATION_FLOW.apply(nomination, "reject", by=by, reason=reason)


def withdraw_nomination(*, by: Actor, nomination: Nomination, reason: str) -> Nomination:
    return NOMINATION_FLOW.apply(nomination, "withdraw", by=by, reason=reason)
