"""Hardship files (困难职工档案): one household, one file, kept by a grassroots union.

The household's money and health are personal data of the most sensitive kind: they are
sealed at rest (`finances_sealed`, each member's `details_sealed`) and opened only to draw the
file's page for someone who may see it. What lists, counts and constraints need stays in clear:
the tier, the household's size, the status, and for each member the keyed hash of an identity
number, which makes "one household, one file" a database constraint.
"""

from __future__ import annotations

import calendar
import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Max, Q
from django.db.models.functions import Coalesce, TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.crypto import decrypt
from gonghui.core.fields import ByteOrderCharField

SEALED_FIELD = "hardship"
# a helper visits a household on the register every six months (domain-rules §4.2)
VISIT_MONTHS = 6


def months_after(day: date, months: int) -> date:
    """The same day `months` later; the month's last day when it has no such day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


class FileStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for approval")
    RETURNED = "returned", _("Returned for changes")
    APPROVED = "approved", _("Approved (on the register)")
    CLOSED = "closed", _("Closed")


OPEN_STATES = frozenset(FileStatus.values) - {FileStatus.CLOSED}


class Tier(models.TextChoices):
    DEEP = "deep", _("Deep hardship")
    RELATIVE = "relative", _("Relative hardship")
    ACCIDENT = "accident", _("Hardship by accident")
    INELIGIBLE = "ineligible", _("Not eligible")


ELIGIBLE_TIERS = (Tier.DEEP, Tier.RELATIVE, Tier.ACCIDENT)


class Cause(models.TextChoices):
    """Why a household claims 意外致困; empty when the formula alone decides."""

    NONE = "", _("None (the income formula decides)")
    ACCIDENT = "accident", _("Accident, injury or death")
    DISASTER = "disaster", _("Disaster or epidemic")
    ILLNESS = "illness", _("Serious illness")
    COSTS = "costs", _("Hardship costs above 80 per cent of the year's income")


class CloseReason(models.TextChoices):
    RECOVERED = "recovered", _("Out of hardship")
    RETIRED = "retired", _("Retired")
    TRANSFERRED = "transferred", _("Transferred away")
    DECEASED = "deceased", _("Died")


class Relation(models.TextChoices):
    SELF = "self", _("The worker")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Father or mother")
    OTHER = "other", _("Other relative")


class AssistanceKind(models.TextChoices):
    WARMTH = "warmth", _("Sending warmth (送温暖)")
    SCHOOLING = "schooling", _("Autumn schooling aid (金秋助学)")
    MEDICAL = "medical", _("Medical aid")
    LIVING = "living", _("Living allowance")
    OTHER = "other", _("Other aid")


@dataclass(frozen=True)
class Finances:
    """The household's year in yuan, as sealed on the file."""

    income: Decimal = Decimal(0)
    medical: Decimal = Decimal(0)
    schooling: Decimal = Decimal(0)
    disability: Decimal = Decimal(0)
    job_seeking: Decimal = Decimal(0)
    # the year's costs of the hardship itself (for 意外致困 by costs)
    hardship_costs: Decimal = Decimal(0)
    cause_note: str = ""

    @property
    def rigid_expenses(self) -> Decimal:
        return self.medical + self.schooling + self.disability + self.job_seeking

    def to_json(self) -> str:
        return json.dumps({k: str(v) for k, v in self.__dict__.items()}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Finances:
        if not text:
            return cls()
        data: dict[str, Any] = json.loads(text)
        note = str(data.pop("cause_note", ""))
        return cls(cause_note=note, **{k: Decimal(v) for k, v in data.items()})


class HardshipFileQuerySet(models.QuerySet["HardshipFile"]):
    def open(self) -> HardshipFileQuerySet:
        return self.exclude(status=FileStatus.CLOSED)

    def with_last_visit(self) -> HardshipFileQuerySet:
        """Annotated with `last_seen`: the last visit's date, or the approval's when none."""
        return self.annotate(
            last_seen=Coalesce(Max("visits__visited_on"), TruncDate("approved_at"))
        )

    def due_visit(self, today: date) -> HardshipFileQuerySet:
        """Approved files whose last visit (or approval) is six months or more before today."""
        return (
            self.filter(status=FileStatus.APPROVED)
            .with_last_visit()
            # the annotation's name, out of the type checker's sight of the model's fields
            .filter(**{"last_seen__lte": months_after(today, -VISIT_MONTHS)})
        )

    def filtered(
        self,
        *,
        tier: str = "",
        status: str = "",
        q: str = "",
        due: str = "",
        today: date | None = None,
    ) -> HardshipFileQuerySet:
        """The list's filters; the page and the API share them."""
        files = self
        if due == "visit":
            files = files.due_visit(today or timezone.localdate())
        if tier in Tier.values:
            files = files.filter(tier=tier)
        if status in FileStatus.values:
            files = files.filter(status=status)
        if q.strip():
            files = files.filter(person__name__icontains=q.strip())
        return files


class HardshipFile(models.Model):
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("hardship worker"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    union = models.ForeignKey(
        "orgs.Organisation",
        verbose_name=_("union"),
        on_delete=models.PROTECT,
        related_name="hardship_files",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=FileStatus.choices, default=FileStatus.DRAFT
    )
    tier = models.CharField(_("tier"), max_length=16, choices=Tier.choices)
    cause = models.CharField(_("cause"), max_length=16, choices=Cause.choices, blank=True)
    household_size = models.PositiveSmallIntegerField(_("household size"), default=1)
    # the local 低保 line when the file was assessed, so the tier can always be checked again
    dibao_line = models.DecimalField(
        _("local 低保 line (yuan a month)"), max_digits=8, decimal_places=2
    )
    finances_sealed = models.TextField(blank=True, editable=False)
    # the size stated on an imported file, counted until its members are listed one by one
    declared_size = models.PositiveSmallIntegerField(_("household size as declared"), default=0)
    filed_on = models.DateField(_("date filed"), null=True, blank=True)
    close_reason = models.CharField(
        _("reason for closing"), max_length=16, choices=CloseReason.choices, blank=True
    )
    last_reason = models.TextField(_("reviewer's note"), blank=True)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = HardshipFileQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "pk"]
        verbose_name = _("hardship file")
        verbose_name_plural = _("hardship files")
        constraints = [
            # 一人一档: at most one open file for a person
            models.UniqueConstraint(
                fields=["person"],
                condition=~Q(status="closed"),
                name="hardship_file_one_open_per_person",
            )
        ]
        indexes = [models.Index(fields=["status", "tier"], name="hardship_status_tier")]

    def __str__(self) -> str:
        return str(_("Hardship file of %(name)s") % {"name": self.person.name})

    def get_absolute_url(self) -> str:
        return reverse("services:detail", args=[self.pk])

    @property
    def audit_organisation(self) -> Any:
        return self.union

    @property
    def is_open(self) -> bool:
        return self.status != FileStatus.CLOSED

    @property
    def is_editable(self) -> bool:
        return self.status in (FileStatus.DRAFT, FileStatus.RETURNED)

    def finances(self) -> Finances:
        return Finances.from_json(decrypt(self.finances_sealed, field=SEALED_FIELD))

    def snapshot(self) -> dict[str, Any]:
        return {
            "person": self.person_id,
            "union": self.union_id,
            "status": self.status,
            "tier": self.tier,
            "cause": self.cause,
            "household_size": self.household_size,
            "dibao_line": str(self.dibao_line),
        }


class HouseholdMember(models.Model):
    """One person of the household; the worker is the member whose relation is `self`."""

    file = models.ForeignKey(HardshipFile, on_delete=models.CASCADE, related_name="members")
    relation = models.CharField(_("relation"), max_length=16, choices=Relation.choices)
    name = models.CharField(_("full name"), max_length=64)
    birth_year = models.PositiveSmallIntegerField(_("birth year"))
    identity_hash = ByteOrderCharField(max_length=32, blank=True, editable=False)
    identity_sealed = models.TextField(blank=True, editable=False)
    identity_masked = models.CharField(
        _("identity number"), max_length=18, blank=True, editable=False
    )
    # income and health, sealed
    details_sealed = models.TextField(blank=True, editable=False)
    # a copy of the file's openness, so that the database holds "one household, one file"
    is_open = models.BooleanField(default=True, editable=False)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("household member")
        verbose_name_plural = _("household members")
        constraints = [
            # 一户一档: nobody is listed in two open households (as worker or as member)
            models.UniqueConstraint(
                fields=["identity_hash"],
                condition=Q(is_open=True) & ~Q(identity_hash=""),
                name="hardship_member_one_open_household",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def details(self) -> dict[str, Any]:
        """{"income": Decimal, "disabled": bool, "ill": bool}, opened from the seal."""
        text = decrypt(self.details_sealed, field=SEALED_FIELD)
        data: dict[str, Any] = json.loads(text) if text else {}
        return {
            "income": Decimal(data.get("income", "0")),
            "disabled": bool(data.get("disabled")),
            "ill": bool(data.get("ill")),
        }


class AssistanceQuerySet(models.QuerySet["Assistance"]):
    def in_year(self, year: int) -> AssistanceQuerySet:
        return self.filter(paid_on__year=year)


class Assistance(models.Model):
    """One payment or delivery of aid to an approved file's household (帮扶记录)."""

    file = models.ForeignKey(HardshipFile, on_delete=models.PROTECT, related_name="assistance")
    # the worker, copied from the file: no second aid of a kind in a period, across files
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    paid_on = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=16, choices=AssistanceKind.choices)
    # "2026-01" for a living allowance, "2026" for the others
    period = models.CharField(_("period"), max_length=7)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=10, decimal_places=2)
    fund_source = models.CharField(_("fund source"), max_length=64)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AssistanceQuerySet.as_manager()

    class Meta:
        ordering = ["-paid_on", "-pk"]
        verbose_name = _("assistance")
        verbose_name_plural = _("assistance")
        constraints = [
            # 不重复救助: one aid of a kind for a person in a period
            models.UniqueConstraint(
                fields=["person", "kind", "period"], name="assistance_once_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"

    @property
    def audit_organisation(self) -> Any:
        return self.file.union

    def snapshot(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "period": self.period,
            "amount": str(self.amount),
            "paid_on": self.paid_on.isoformat(),
            "fund_source": self.fund_source,
        }


class HardshipVisit(models.Model):
    """A helper's visit to the household (走访), due every six months while on the register."""

    file = models.ForeignKey(HardshipFile, on_delete=models.PROTECT, related_name="visits")
    visited_on = models.DateField(_("date of the visit"))
    visitors = models.CharField(_("who visited"), max_length=128)
    # read by every officer who may see the file: checked for identity and phone numbers
    findings = models.TextField(_("what was found"))
    next_due_on = models.DateField(_("next visit due"))
    recorded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-visited_on", "-pk"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")

    def __str__(self) -> str:
        return f"{self.visited_on:%Y-%m-%d} {self.visitors}"

    @property
    def audit_organisation(self) -> Any:
        return self.file.union

    def snapshot(self) -> dict[str, Any]:
        return {
            "visited_on": self.visited_on.isoformat(),
            "visitors": self.visitors,
            "next_due_on": self.next_due_on.isoformat(),
        }
