"""The public notice and the objections filed against nominees in it."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.accounts.models import User
from gonghui.core import audit
from gonghui.core.crypto import encrypt
from gonghui.honours import notifications
from gonghui.honours.actions.common import is_organiser as _is_organiser
from gonghui.honours.actions.common import require_organiser as _require_organiser
from gonghui.honours.calendar import notice_end
from gonghui.honours.models import (
    Campaign,
    Nomination,
    NominationStatus,
    Objection,
    ObjectionOutcome,
    ObjectionStatus,
)
from gonghui.honours.workflow import NOMINATION_FLOW, PUBLIC
from gonghui.orgs.permissions import can

S = NominationStatus


def notice_refusal(campaign: Campaign) -> str | None:
    """Why a notice cannot be published now (the page says so instead of offering it)."""
    if campaign.notice_starts and not campaign.has_notice_ended(timezone.localdate()):
        return _("A notice for this campaign is already open.")
    if not Nomination.objects.in_campaign(campaign).filter(status=S.SHORTLISTED).exists():
        return _("There is nobody on the shortlist to publish.")
    return None


@transaction.atomic
def publish_notice(*, by: User, campaign: Campaign, starts_on: date) -> Campaign:
    """Open the public notice: every shortlisted nominee goes into it for the notice period."""
    _require_organiser(by, campaign)
    locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if refusal := notice_refusal(locked):
        raise ValidationError(refusal)
    shortlisted = list(Nomination.objects.in_campaign(locked).filter(status=S.SHORTLISTED))
    locked.notice_starts = starts_on
    locked.notice_ends = notice_end(starts_on, locked.notice_days)
    locked.save(update_fields=["notice_starts", "notice_ends"])
    for nomination in shortlisted:
        NOMINATION_FLOW.apply(nomination, "publish", by=by)
    audit.record(
        action="campaign.publish_notice",
        by=by,
        obj=locked,
        extra={"starts": starts_on, "ends": locked.notice_ends, "nominees": len(shortlisted)},
    )
    return locked


@transaction.atomic
def file_objection(*, nomination: Nomination, reporter: str, contact: str, facts: str) -> Objection:
    """A member of the public objects to a nominee in notice; the nominating union investigates."""
    if len(facts.strip()) < 5:
        raise ValidationError({"facts": _("Describe the facts (at least 5 characters).")})
    if not contact.strip():
        raise ValidationError({"contact": _("Leave a way to reach you (kept confidential).")})
    locked = Nomination.objects.select_for_update().select_related("campaign").get(pk=nomination.pk)
    if locked.status == S.IN_NOTICE:
        NOMINATION_FLOW.apply(locked, "object", by=None, roles=PUBLIC)
    elif locked.status != S.OBJECTION or not locked.campaign.is_notice_open(timezone.localdate()):
        raise ValidationError(_("This nominee is not in public notice."))
    objection = Objection.objects.create(
        nomination=locked,
        assigned_to=locked.organisation,
        reporter_sealed=encrypt(reporter.strip()[:64], field="objection_reporter")
        if reporter.strip()
        else "",
        contact_sealed=encrypt(contact.strip()[:128], field="objection_contact"),
        facts=facts.strip()[:5000],
    )
    audit.record(
        action="objection.file",
        obj=objection,
        actor_name="public",
        extra={"nomination": locked.pk, "named": bool(reporter.strip())},
    )
    notifications.objection_filed(objection)
    return objection


@transaction.atomic
def conclude_objection(
    *, by: User, objection: Objection, outcome: str, conclusion: str
) -> Objection:
    """Close the case with a written conclusion: keep, withdraw or replace the nominee."""
    locked = Objection.objects.select_for_update().get(pk=objection.pk)
    if not (can(by, locked.assigned_to, "edit") or _is_organiser(by, locked.nomination.campaign)):
        raise PermissionDenied
    if locked.status != ObjectionStatus.OPEN:
        raise ValidationError(_("This objection is already concluded."))
    if outcome not in ObjectionOutcome.values:
        raise ValidationError({"outcome": _("Choose an outcome.")})
    if len(conclusion.strip()) < 10:
        raise ValidationError({"conclusion": _("Write the conclusion of the investigation.")})
    locked.status = ObjectionStatus.CONCLUDED
    locked.outcome = outcome
    locked.conclusion = conclusion.strip()
    locked.concluded_at = timezone.now()
    locked.concluded_by = by
    locked.save(update_fields=["status", "outcome", "conclusion", "concluded_at", "concluded_by"])
    audit.record(
        action="objection.conclude",
        by=by,
        obj=locked,
        changes={"status": (ObjectionStatus.OPEN, ObjectionStatus.CONCLUDED)},
        extra={"outcome": outcome, "conclusion": locked.conclusion},
    )
    nomination = locked.nomination
    if outcome == ObjectionOutcome.KEEP:
        if not nomination.objections.open().exists() and nomination.status == S.OBJECTION:
            NOMINATION_FLOW.apply(nomination, "keep", by=by, reason=locked.conclusion)
    elif nomination.status not in {S.WITHDRAWN}:
        NOMINATION_FLOW.apply(nomination, "withdraw", by=by, reason=locked.conclusion)
    return locked
