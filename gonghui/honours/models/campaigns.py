"""Honour kinds, the working-day calendar, campaigns, their quotas and proportion rules."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gonghui.orgs.models import Organisation, OrgType


class HonourLevel(models.TextChoices):
    NATIONAL = "national", _("National")
    REGIONAL = "regional", _("Regional")
    PREFECTURE = "prefecture", _("Prefecture")
    COUNTY = "county", _("County")


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
    # printed on the notice: where the public reaches the organising office
    notice_contact_phone = models.CharField(_("contact telephone"), max_length=32, blank=True)
    notice_contact_address = models.CharField(_("contact address"), max_length=128, blank=True)
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
            "notice_contact": [self.notice_contact_phone, self.notice_contact_address],
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
    FARMER = "farmer", _("Farmers (incl. migrant workers)")


# A rule's share may be of the quota of the list's union instead of a group of its nominees
# ("enterprise staff at least 45 % of the quota").
QUOTA = "quota"
BASE_CHOICES = [(QUOTA, _("The quota at each level")), *Condition.choices]


class Direction(models.TextChoices):
    AT_LEAST = "at_least", _("at least")
    AT_MOST = "at_most", _("at most")


class ProportionRule(models.Model):
    """Among the nominees in `subset`, those meeting `condition` are at least/at most `percent`;
    or, with `subset` QUOTA, the nominees meeting `condition` against the list's quota."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="rules")
    subset = models.CharField(
        _("share of"), max_length=24, choices=BASE_CHOICES, default=Condition.ALL
    )
    condition = models.CharField(_("who"), max_length=24, choices=Condition.choices)
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices)
    percent = models.DecimalField(_("percent"), max_digits=5, decimal_places=2)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        values = {
            "who": self.get_condition_display(),
            "direction": self.get_direction_display(),
            "percent": format(Decimal(self.percent).normalize(), "f"),
        }
        if self.is_of_quota:
            return gettext("%(who)s %(direction)s %(percent)s%% of the quota") % values
        return gettext("%(who)s %(direction)s %(percent)s%% of %(among)s") % {
            **values,
            "among": self.get_subset_display(),
        }

    @property
    def is_of_quota(self) -> bool:
        return self.subset == QUOTA

    @property
    def audit_organisation(self) -> Organisation:
        return self.campaign.organiser
