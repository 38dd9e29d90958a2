"""Nominations, their clearances and attachments, justifications, objections, the committee's vote."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.honours.models.campaigns import Campaign
from gonghui.orgs.models import Organisation, subtree_q


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
    # Who counts as a farmer (农民) is the nominating union's call, recorded per nomination:
    # the roster has no such flag, and migrant workers count as farmers without it.
    is_farmer = models.BooleanField(_("farmer (agricultural worker)"), default=False)
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
