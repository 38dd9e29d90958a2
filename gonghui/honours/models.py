"""Honours: kinds, campaigns with quotas and proportion rules, nominations, the register.

Every figure of a campaign (quota, review levels, notice period, pass threshold, clearance
types, proportion rules) is data on the campaign, never a constant in code.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.orgs.models import Organisation, OrgType, subtree_q


class HonourLevel(models.TextChoices):
    NATIONAL = "national", _("National")
    REGIONAL = "regional", _("Regional")
    PREFECTURE = "prefecture", _("Prefecture")
    COUNTY = "county", _("County")


LEVEL_RANK = {
    HonourLevel.NATIONAL: 0,
    HonourLevel.REGIONAL: 1,
    HonourLevel.PREFECTURE: 2,
    HonourLevel.COUNTY: 3,
}


def default_review_levels() -> list[str]:
    return [OrgType.COUNTY, OrgType.PREFECTURE, OrgType.FEDERATION]


def default_clearances() -> list[str]:
    return ["市场监管", "税务", "人社", "安监", "环保"]


class HonourKind(models.Model):
    name = models.CharField(_("name"), max_length=64, unique=True)
    is_collective = models.BooleanField(_("collective honour"), default=False)
    level = models.CharField(_("level"), max_length=12, choices=HonourLevel.choices)

    class Meta:
        ordering = ["level", "name"]
        verbose_name = _("honour kind")
        verbose_name_plural = _("honour kinds")

    def __str__(self) -> str:
        return self.name


class CalendarDay(models.Model):
    """An exception to Monday-to-Friday: a public holiday, or a weekend made a working day."""

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"), default=False)
    name = models.CharField(_("name"), max_length=64, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class CampaignQuerySet(models.QuerySet["Campaign"]):
    def in_notice(self, today: Any) -> CampaignQuerySet:
        return self.filter(notice_starts__lte=today, notice_ends__gte=today)

    def with_results_since(self, moment: Any) -> CampaignQuerySet:
        """Campaigns whose every nominee was decided after `moment`: their lists are public."""
        return self.filter(vote_closed_at__gte=moment)


class Campaign(models.Model):
    kind = models.ForeignKey(
        HonourKind, verbose_name=_("honour"), on_delete=models.PROTECT, related_name="campaigns"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    name = models.CharField(_("name"), max_length=128)
    organiser = models.ForeignKey(
        Organisation,
        verbose_name=_("organising federation"),
        on_delete=models.PROTECT,
        related_name="honour_campaigns",
    )
    total_quota = models.PositiveIntegerField(_("total quota"))
    review_levels = models.JSONField(_("review levels"), default=default_review_levels)
    notice_days = models.PositiveSmallIntegerField(_("notice period (working days)"), default=5)
    notice_starts = models.DateField(_("notice starts"), null=True, blank=True)
    notice_ends = models.DateField(_("notice ends"), null=True, blank=True)
    pass_numerator = models.PositiveSmallIntegerField(_("pass threshold numerator"), default=2)
    pass_denominator = models.PositiveSmallIntegerField(_("pass threshold denominator"), default=3)
    clearance_types = models.JSONField(
        _("clearances for enterprise heads"), default=default_clearances
    )
    vote_closed_at = models.DateTimeField(_("vote closed"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "name"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("honours:campaign", args=[self.pk])

    @property
    def audit_organisation(self) -> Organisation:
        return self.organiser

    @property
    def review_level_names(self) -> list[str]:
        names = dict(OrgType.choices)
        return [str(names.get(level, level)) for level in self.review_levels]

    def is_notice_open(self, today: Any) -> bool:
        return bool(self.notice_starts and self.notice_ends) and (
            self.notice_starts <= today <= self.notice_ends
        )

    def has_notice_ended(self, today: Any) -> bool:
        return self.notice_ends is not None and today > self.notice_ends

    def snapshot(self) -> dict[str, Any]:
        return {
            "kind": self.kind_id,
            "year": self.year,
            "name": self.name,
            "organiser": self.organiser_id,
            "total_quota": self.total_quota,
            "review_levels": list(self.review_levels),
            "notice_days": self.notice_days,
            "pass_threshold": f"{self.pass_numerator}/{self.pass_denominator}",
            "clearance_types": list(self.clearance_types),
        }


class QuotaAllocation(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="allocations")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    quota = models.PositiveIntegerField(_("quota"))
    by_formula = models.BooleanField(_("by formula"), default=False)

    class Meta:
        ordering = ["organisation__path"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "organisation"], name="quota_unique_org")
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.quota}"

    @property
    def audit_organisation(self) -> Organisation:
        return self.organisation


class Condition(models.TextChoices):
    """Facts about a nominee a proportion rule may count (from the roster's flags)."""

    ALL = "all", _("All nominees")
    ENTERPRISE = "enterprise", _("Enterprise staff")
    FRONTLINE = "frontline", _("Front-line workers")
    FRONTLINE_OR_TECHNICIAN = "frontline_or_technician", _("Front-line workers and technicians")
    MIGRANT = "migrant", _("Migrant workers")
    ENTERPRISE_HEAD = "enterprise_head", _("Enterprise heads")
    WOMAN = "woman", _("Women")
    TECHNICIAN = "technician", _("Technician or above")


class Direction(models.TextChoices):
    AT_LEAST = "at_least", _("at least")
    AT_MOST = "at_most", _("at most")


class ProportionRule(models.Model):
    """Among the nominees in `subset`, those meeting `condition` are at least/at most `percent`."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="rules")
    subset = models.CharField(
        _("share of"), max_length=24, choices=Condition.choices, default=Condition.ALL
    )
    condition = models.CharField(_("who"), max_length=24, choices=Condition.choices)
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices)
    percent = models.DecimalField(_("percent"), max_digits=5, decimal_places=2)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.get_condition_display()} {self.get_direction_display()} {self.percent}% ({self.get_subset_display()})"

    @property
    def audit_organisation(self) -> Organisation:
        return self.campaign.organiser


class NominationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Under review")
    RETURNED = "returned", _("Returned for changes")
    REJECTED = "rejected", _("Rejected")
    SHORTLISTED = "shortlisted", _("Shortlisted")
    IN_NOTICE = "in_notice", _("In public notice")
    OBJECTION = "objection", _("Objection under investigation")
    VOTING = "voting", _("Committee vote")
    APPROVED = "approved", _("Approved")
    NOT_APPROVED = "not_approved", _("Not approved")
    WITHDRAWN = "withdrawn", _("Withdrawn")


FINAL_STATES = frozenset(
    {
        NominationStatus.REJECTED,
        NominationStatus.APPROVED,
        NominationStatus.NOT_APPROVED,
        NominationStatus.WITHDRAWN,
    }
)
PAST_REVIEW = frozenset(
    {
        NominationStatus.SHORTLISTED,
        NominationStatus.IN_NOTICE,
        NominationStatus.OBJECTION,
        NominationStatus.VOTING,
        NominationStatus.APPROVED,
    }
)


class NominationQuerySet(models.QuerySet["Nomination"]):
    def in_campaign(self, campaign: Campaign) -> NominationQuerySet:
        return self.filter(campaign=campaign)

    def from_subtree(self, org: Organisation) -> NominationQuerySet:
        return self.filter(subtree_q(org.path, "organisation__"))

    def alive(self) -> NominationQuerySet:
        return self.exclude(status__in=FINAL_STATES - {NominationStatus.APPROVED})

    def awaiting(self, org: Organisation) -> NominationQuerySet:
        return self.filter(status=NominationStatus.SUBMITTED, reviewer=org)

    def publishable(self) -> NominationQuerySet:
        return self.filter(publication_consent=True)


class Nomination(models.Model):
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="nominations"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("nominating union"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("member"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="nominations",
    )
    collective_name = models.CharField(_("collective (team or unit)"), max_length=128, blank=True)
    unit_name = models.CharField(_("unit"), max_length=128, blank=True)
    trade = models.CharField(_("trade"), max_length=64, blank=True)
    achievements = models.TextField(_("achievements"))
    summary = models.CharField(_("short summary for the public notice"), max_length=300)
    democratic_record = models.TextField(_("democratic recommendation record"))
    publication_consent = models.BooleanField(_("consents to publication"), default=False)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=NominationStatus.choices,
        default=NominationStatus.DRAFT,
    )
    review_chain = models.JSONField(default=list, editable=False)  # reviewing organisation ids
    level = models.PositiveSmallIntegerField(default=0, editable=False)
    reviewer = models.ForeignKey(
        Organisation,
        verbose_name=_("reviewing at"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    last_reason = models.TextField(_("last reason"), blank=True)
    votes_yes = models.PositiveSmallIntegerField(default=0)
    votes_no = models.PositiveSmallIntegerField(default=0)
    votes_abstain = models.PositiveSmallIntegerField(default=0)
    created_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = NominationQuerySet.as_manager()

    class Meta:
        ordering = ["organisation__path", "pk"]
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "person"],
                condition=Q(person__isnull=False) & ~Q(status__in=["withdrawn", "rejected"]),
                name="nomination_once_per_campaign",
            ),
            models.CheckConstraint(
                condition=Q(person__isnull=False) | ~Q(collective_name=""),
                name="nomination_names_someone",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        return reverse("honours:nomination", args=[self.pk])

    @property
    def audit_organisation(self) -> Organisation:
        return self.organisation

    @property
    def display_name(self) -> str:
        if self.person_id and self.person:
            return self.person.name
        return self.collective_name

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATES


class Attachment(models.Model):
    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="attachments")
    title = models.CharField(_("title"), max_length=128)
    file = models.FileField(_("file"), upload_to="honours/attachments/%Y/")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.title


class Clearance(models.Model):
    """A department's sign-off on an enterprise head (市场监管, 税务 …)."""

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="clearances")
    kind = models.CharField(_("department"), max_length=32)
    is_cleared = models.BooleanField(_("cleared"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind"]
        constraints = [
            models.UniqueConstraint(fields=["nomination", "kind"], name="clearance_once")
        ]

    def __str__(self) -> str:
        return self.kind

    @property
    def audit_organisation(self) -> Organisation:
        return self.nomination.organisation


class Justification(models.Model):
    """An officer's written reason to send up a list that breaks a proportion rule."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="justifications")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("justification"))
    broken_rules = models.JSONField(default=list)
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recorded_at"]

    def __str__(self) -> str:
        return self.text[:40]

    @property
    def audit_organisation(self) -> Organisation:
        return self.organisation


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("Under investigation")
    CONCLUDED = "concluded", _("Concluded")


class ObjectionOutcome(models.TextChoices):
    KEEP = "keep", _("Keep the nominee")
    WITHDRAW = "withdraw", _("Withdraw the nominee")
    REPLACE = "replace", _("Replace the nominee")


class ObjectionQuerySet(models.QuerySet["Objection"]):
    def open(self) -> ObjectionQuerySet:
        return self.filter(status=ObjectionStatus.OPEN)


class Objection(models.Model):
    """A report against a nominee in notice: a case for the nominating union to investigate."""

    nomination = models.ForeignKey(Nomination, on_delete=models.PROTECT, related_name="objections")
    assigned_to = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    # The reporter is confidential: sealed like other personal data, never on a list.
    reporter_sealed = models.TextField(blank=True, editable=False)
    contact_sealed = models.TextField(blank=True, editable=False)
    facts = models.TextField(_("facts"))
    status = models.CharField(
        _("status"), max_length=12, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN
    )
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=ObjectionOutcome.choices, blank=True
    )
    conclusion = models.TextField(_("written conclusion"), blank=True)
    filed_at = models.DateTimeField(_("filed"), default=timezone.now)
    concluded_at = models.DateTimeField(null=True, blank=True)
    concluded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ObjectionQuerySet.as_manager()

    class Meta:
        ordering = ["-filed_at"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.nomination}"

    def get_absolute_url(self) -> str:
        return reverse("honours:objection", args=[self.pk])

    @property
    def audit_organisation(self) -> Organisation:
        return self.assigned_to


class CommitteeMember(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="committee")
    name = models.CharField(_("name"), max_length=64)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "name"], name="committee_member_once")
        ]

    def __str__(self) -> str:
        return self.name


class VoteChoice(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    ABSTAIN = "abstain", _("Abstain")


class Vote(models.Model):
    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="votes")
    member = models.ForeignKey(CommitteeMember, on_delete=models.PROTECT, related_name="votes")
    choice = models.CharField(_("vote"), max_length=8, choices=VoteChoice.choices)
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["nomination", "member"], name="vote_once")]

    def __str__(self) -> str:
        return f"{self.member}: {self.choice}"


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
