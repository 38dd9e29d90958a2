"""The register of honourees, their benefits ledger, sanatorium sessions, certificate batches."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.honours.models.campaigns import Campaign, HonourKind, HonourLevel
from gonghui.honours.models.nominations import Nomination
from gonghui.orgs.models import Organisation


class HonoureeStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    REVOKED = "revoked", _("Revoked")
    DECEASED = "deceased", _("Deceased")


class HonoureeQuerySet(models.QuerySet["Honouree"]):
    def active(self) -> HonoureeQuerySet:
        return self.filter(status=HonoureeStatus.ACTIVE)

    def publishable(self) -> HonoureeQuerySet:
        return self.filter(publication_consent=True).exclude(status=HonoureeStatus.REVOKED)


class Honouree(models.Model):
    """One honour held: the lifelong register's row."""

    person = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="honours",
    )
    name = models.CharField(_("name"), max_length=128)
    is_collective = models.BooleanField(_("collective"), default=False)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("union"), on_delete=models.PROTECT, related_name="+"
    )
    prefecture = models.ForeignKey(
        Organisation,
        verbose_name=_("prefecture"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit_name = models.CharField(_("unit"), max_length=128, blank=True)
    trade = models.CharField(_("trade"), max_length=64, blank=True)
    kind = models.ForeignKey(
        HonourKind, verbose_name=_("honour"), on_delete=models.PROTECT, related_name="honourees"
    )
    level = models.CharField(_("level"), max_length=12, choices=HonourLevel.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.PROTECT, related_name="honourees"
    )
    nomination = models.OneToOneField(
        Nomination, null=True, blank=True, on_delete=models.PROTECT, related_name="honouree"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=HonoureeStatus.choices, default=HonoureeStatus.ACTIVE
    )
    status_reason = models.CharField(_("reason"), max_length=200, blank=True)
    is_frontline = models.BooleanField(_("front-line"), default=False)
    receives_allowance = models.BooleanField(_("receives the monthly allowance"), default=False)
    retired_on = models.DateField(_("retired on"), null=True, blank=True)
    is_in_hardship = models.BooleanField(_("in hardship"), default=False)
    publication_consent = models.BooleanField(_("consents to publication"), default=False)
    story = models.TextField(_("story"), blank=True)
    photo = models.FileField(_("photo"), upload_to="honours/photos/", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = HonoureeQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "name"]
        verbose_name = _("honouree")
        verbose_name_plural = _("honourees")

    def __str__(self) -> str:
        return f"{self.name} · {self.kind} {self.year}"

    def get_absolute_url(self) -> str:
        return reverse("honours:honouree", args=[self.pk])

    @property
    def audit_organisation(self) -> Organisation:
        return self.organisation


class BenefitKind(models.TextChoices):
    AWARD = "award", _("One-off award")
    ALLOWANCE = "allowance", _("Monthly allowance")
    CHECKUP = "checkup", _("Health check-up")
    SANATORIUM = "sanatorium", _("Sanatorium stay")
    VISIT = "visit", _("Visit")
    HARDSHIP = "hardship", _("Hardship support")


class AllowanceRate(models.Model):
    """The monthly allowance for an honour level (e.g. national ¥100, regional ¥80)."""

    level = models.CharField(_("level"), max_length=12, choices=HonourLevel.choices, unique=True)
    monthly_amount = models.DecimalField(_("monthly amount"), max_digits=10, decimal_places=2)

    class Meta:
        ordering = ["level"]

    def __str__(self) -> str:
        return f"{self.get_level_display()}: {self.monthly_amount}"


class BenefitEntry(models.Model):
    honouree = models.ForeignKey(Honouree, on_delete=models.PROTECT, related_name="benefits")
    kind = models.CharField(_("kind"), max_length=12, choices=BenefitKind.choices)
    on = models.DateField(_("date"))
    period = models.CharField(_("month paid for"), max_length=7, blank=True)  # YYYY-MM
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2, default=Decimal(0))
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["honouree", "period"],
                condition=Q(kind="allowance"),
                name="allowance_once_a_month",
            )
        ]

    def __str__(self) -> str:
        return f"{self.honouree.name} {self.get_kind_display()} {self.amount}"

    @property
    def audit_organisation(self) -> Organisation:
        return self.honouree.organisation


class SanatoriumSession(models.Model):
    name = models.CharField(_("name"), max_length=128)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organised by"), on_delete=models.PROTECT, related_name="+"
    )
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))
    places = models.PositiveSmallIntegerField(_("places"))

    class Meta:
        ordering = ["-starts_on"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("honours:session", args=[self.pk])

    @property
    def audit_organisation(self) -> Organisation:
        return self.organisation


class Booking(models.Model):
    session = models.ForeignKey(
        SanatoriumSession, on_delete=models.PROTECT, related_name="bookings"
    )
    honouree = models.ForeignKey(Honouree, on_delete=models.PROTECT, related_name="bookings")
    booked_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    booked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["booked_at"]
        constraints = [models.UniqueConstraint(fields=["session", "honouree"], name="booking_once")]

    def __str__(self) -> str:
        return f"{self.honouree.name} @ {self.session}"

    @property
    def audit_organisation(self) -> Organisation:
        return self.honouree.organisation


class BatchState(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Printing")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class CertificateBatch(models.Model):
    """Certificates for a campaign's honourees, printed by a background task into one PDF."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="certificate_batches"
    )
    requested_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=10, choices=BatchState.choices, default=BatchState.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="honours/certificates/", blank=True)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.campaign} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("honours:certificates", args=[self.pk])

    @property
    def audit_organisation(self) -> Organisation:
        return self.campaign.organiser
