"""The register of honourees: status, benefits ledger, allowances, sanatorium stays, certificates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gonghui.accounts.models import User
from gonghui.core import audit
from gonghui.core.personal import contact_details_in
from gonghui.core.validators import Conflict
from gonghui.honours.actions.common import require as _require
from gonghui.honours.actions.common import require_organiser as _require_organiser
from gonghui.honours.bounds import AMOUNT, MONTHLY_AMOUNT, PLACES
from gonghui.honours.certificates import print_batch
from gonghui.honours.models import (
    AllowanceRate,
    BenefitEntry,
    BenefitKind,
    Booking,
    Campaign,
    CertificateBatch,
    Honouree,
    HonoureeStatus,
    SanatoriumSession,
)
from gonghui.orgs.models import Organisation


@transaction.atomic
def set_honouree_status(*, by: User, honouree: Honouree, status: str, reason: str) -> Honouree:
    """Revoke an honour or record a death; the reason is kept."""
    locked = Honouree.objects.select_for_update().get(pk=honouree.pk)
    _require(by, locked.organisation)
    if status not in HonoureeStatus.values:
        raise ValidationError({"status": _("Unknown status.")})
    if status != HonoureeStatus.ACTIVE and not reason.strip():
        raise ValidationError({"reason": _("Please give a reason.")})
    before = locked.status
    locked.status = status
    locked.status_reason = reason.strip()[:200]
    locked.save(update_fields=["status", "status_reason"])
    audit.record(
        action="honouree.status",
        by=by,
        obj=locked,
        changes={"status": (before, status)},
        extra={"reason": locked.status_reason},
    )
    return locked


@transaction.atomic
def update_honouree(
    *,
    by: User,
    honouree: Honouree,
    story: str,
    publication_consent: bool,
    receives_allowance: bool,
    retired_on: date | None = None,
    is_in_hardship: bool = False,
) -> Honouree:
    """Change what the register keeps beside the honour: story, consent, allowance, retirement,
    hardship."""
    locked = Honouree.objects.select_for_update().get(pk=honouree.pk)
    _require(by, locked.organisation)

    def facts(h: Honouree) -> dict[str, Any]:
        return {
            "consent": h.publication_consent,
            "allowance": h.receives_allowance,
            "retired_on": h.retired_on,
            "hardship": h.is_in_hardship,
        }

    before = facts(locked)
    if refusal := contact_details_in(story):  # the hall of honour shows the story
        raise ValidationError({"story": refusal})
    locked.story = story.strip()
    locked.publication_consent = publication_consent
    locked.receives_allowance = receives_allowance
    locked.retired_on = retired_on
    locked.is_in_hardship = is_in_hardship
    locked.save(
        update_fields=[
            "story",
            "publication_consent",
            "receives_allowance",
            "retired_on",
            "is_in_hardship",
        ]
    )
    audit.record(
        action="honouree.update", by=by, obj=locked, changes=audit.diff(before, facts(locked))
    )
    return locked


# What the first bytes of each accepted portrait format are
PHOTO_SIGNATURES = {b"\xff\xd8\xff": ".jpg", b"\x89PNG\r\n\x1a\n": ".png"}
MAX_PHOTO_BYTES = 5 * 1024 * 1024


def photo_extension(head: bytes) -> str | None:
    """The extension of a JPEG, PNG or WebP portrait by its content, not its name."""
    for signature, extension in PHOTO_SIGNATURES.items():
        if head.startswith(signature):
            return extension
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return ".webp"
    return None


@transaction.atomic
def set_honouree_photo(*, by: User, honouree: Honouree, upload: Any) -> Honouree:
    """A portrait for the hall of honour: JPEG, PNG or WebP, at most 5 MB (audited)."""
    locked = Honouree.objects.select_for_update().get(pk=honouree.pk)
    _require(by, locked.organisation)
    if getattr(upload, "size", 0) > MAX_PHOTO_BYTES:
        raise ValidationError({"photo": _("A photo is at most 5 MB.")})
    head = upload.read(16)
    upload.seek(0)
    extension = photo_extension(head)
    if extension is None:
        raise ValidationError({"photo": _("The photo must be a JPEG, PNG or WebP image.")})
    if locked.photo:
        locked.photo.delete(save=False)
    locked.photo.save(f"honouree-{locked.pk}{extension}", upload, save=False)
    locked.save(update_fields=["photo"])
    audit.record(action="honouree.photo", by=by, obj=locked)
    return locked


@transaction.atomic
def record_benefit(
    *, by: User, honouree: Honouree, kind: str, on: date, amount: Decimal, note: str = ""
) -> BenefitEntry:
    """Add a line to an honouree's ledger: award, check-up, visit, hardship support …"""
    _require(by, honouree.organisation)
    if kind not in BenefitKind.values:
        raise ValidationError({"kind": _("Unknown kind of benefit.")})
    AMOUNT.check(amount, field="amount")
    if honouree.status == HonoureeStatus.REVOKED:
        raise ValidationError(_("This honour is revoked."))
    # an allowance is paid once a month: an entry by hand counts for the month of its date
    period = f"{on:%Y-%m}" if kind == BenefitKind.ALLOWANCE else ""
    paid = _("The allowance for %(period)s is already recorded.") % {"period": period}
    if period and honouree.benefits.filter(kind=kind, period=period).exists():
        raise Conflict({"on": paid})
    try:
        with transaction.atomic():
            entry = BenefitEntry.objects.create(
                honouree=honouree,
                kind=kind,
                on=on,
                period=period,
                amount=amount,
                note=note.strip()[:200],
                recorded_by=by,
            )
    except IntegrityError:  # recorded by another request at the same moment
        raise Conflict({"on": paid}) from None
    audit.record(
        action="benefit.record",
        by=by,
        obj=entry,
        extra={"honouree": honouree.pk, "kind": kind, "amount": str(amount)},
    )
    return entry


@transaction.atomic
def set_allowance_rate(
    *, by: User, organisation: Organisation, level: str, amount: Decimal
) -> AllowanceRate:
    """The monthly allowance by honour level is the federation's decision."""
    if organisation.parent_id is not None:
        raise PermissionDenied
    _require(by, organisation)
    MONTHLY_AMOUNT.check(amount, field="amount")
    rate, _created = AllowanceRate.objects.update_or_create(
        level=level, defaults={"monthly_amount": amount}
    )
    audit.record(
        action="benefit.rate",
        by=by,
        organisation=organisation,
        obj=rate,
        extra={"amount": str(amount)},
    )
    return rate


@transaction.atomic
def pay_allowances(*, by: User, organisation: Organisation, period: str) -> int:
    """Record the month's allowance for every eligible active honouree under `organisation`,
    once a month each (a second run adds nobody twice)."""
    _require(by, organisation)
    try:
        year, month = (int(p) for p in period.split("-"))
        paid_on = date(year, month, 1)
    except ValueError as error:
        raise ValidationError({"period": _("Write the month as YYYY-MM.")}) from error
    rates = dict(AllowanceRate.objects.values_list("level", "monthly_amount"))
    eligible = (
        Honouree.objects.active()
        .filter(receives_allowance=True, organisation__path__startswith=organisation.path)
        .exclude(benefits__kind=BenefitKind.ALLOWANCE, benefits__period=period)
    )
    entries = [
        BenefitEntry(
            honouree=h,
            kind=BenefitKind.ALLOWANCE,
            on=paid_on,
            period=period,
            amount=rates[h.level],
            recorded_by=by,
        )
        for h in eligible
        if h.level in rates
    ]
    BenefitEntry.objects.bulk_create(entries)
    audit.record_many(
        [
            audit.Entry(
                action="benefit.allowance",
                by=by,
                obj=e,
                extra={"honouree": e.honouree_id, "period": period, "amount": str(e.amount)},
            )
            for e in entries
        ]
    )
    return len(entries)


@transaction.atomic
def create_session(
    *, by: User, organisation: Organisation, name: str, starts_on: date, ends_on: date, places: int
) -> SanatoriumSession:
    _require(by, organisation)
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("A session ends after it starts.")})
    PLACES.check(places, field="places")
    session = SanatoriumSession.objects.create(
        organisation=organisation,
        name=name.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        places=places,
    )
    audit.record(action="sanatorium.session", by=by, obj=session, extra={"places": places})
    return session


@transaction.atomic
def book_stay(*, by: User, session: SanatoriumSession, honouree: Honouree) -> Booking:
    """Book a place; the session row is locked so that places are never overbooked."""
    locked = SanatoriumSession.objects.select_for_update().get(pk=session.pk)
    _require(by, honouree.organisation)
    if honouree.status != HonoureeStatus.ACTIVE:
        raise ValidationError(_("Only an active honouree can be booked."))
    if Booking.objects.filter(session=locked, honouree=honouree).exists():
        raise ValidationError(
            _("%(name)s is already booked on this session.") % {"name": honouree.name}
        )
    taken = Booking.objects.filter(session=locked).count()
    if taken >= locked.places:
        raise ValidationError(
            _("This session is full (%(places)s places).") % {"places": locked.places}
        )
    booking = Booking.objects.create(session=locked, honouree=honouree, booked_by=by)
    BenefitEntry.objects.create(
        honouree=honouree,
        kind=BenefitKind.SANATORIUM,
        on=locked.starts_on,
        note=locked.name[:200],
        recorded_by=by,
    )
    audit.record(action="sanatorium.book", by=by, obj=booking, extra={"session": locked.pk})
    return booking


@transaction.atomic
def request_certificates(*, by: User, campaign: Campaign) -> CertificateBatch:
    """Queue the campaign's certificates for printing in the background."""
    _require_organiser(by, campaign)
    if not Honouree.objects.filter(campaign=campaign).exists():
        raise ValidationError(_("This campaign has no honourees yet."))
    batch = CertificateBatch.objects.create(campaign=campaign, requested_by=by)
    audit.record(action="certificate.request", by=by, obj=batch, extra={"campaign": campaign.pk})
    transaction.on_commit(lambda: print_batch.enqueue(batch.pk))
    return batch
