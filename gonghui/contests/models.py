"""Labour and skills competitions: contests, their skills (赛项), marking schemes, entrants, marks.

A contest belongs to its organising union and so to that union's subtree: officers of the
organiser (or above) run it, viewers read it, everyone else sees nothing. Marks are stored as
entered (a measurement mark, or one judge's 0–3 score); totals, standardised scores, ranks and
awards are always computed from them by `scoring.py`, never stored.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gonghui.contests.scoring import AspectKind, MedalPolicy
from gonghui.core.validators import refuse_reserved_code
from gonghui.orgs.models import code_validator

# Codes that are the names of pages beside the contests' own (/contests/<code>/).
RESERVED_CONTEST_CODES = frozenset({"new", "import", "skills"})


def validate_contest_code_not_reserved(value: str) -> None:
    refuse_reserved_code(value, RESERVED_CONTEST_CODES)


class ContestLevel(models.TextChoices):
    REGIONAL = "regional", _("Regional (自治区级)")
    PREFECTURE = "prefecture", _("Prefecture or city (地州市级)")
    COUNTY = "county", _("County (县级)")
    INDUSTRY = "industry", _("Industry (行业)")
    ENTERPRISE = "enterprise", _("Enterprise (企业)")


class ContestStatus(models.TextChoices):
    PREPARING = "preparing", pgettext_lazy("contest status", "Preparing")
    RUNNING = "running", pgettext_lazy("contest status", "Running")
    FINISHED = "finished", pgettext_lazy("contest status", "Finished")


class MedalPolicyChoice(models.TextChoices):
    NATIONAL = MedalPolicy.NATIONAL.value, _("National (优胜奖 for the top half)")
    WORLDSKILLS = MedalPolicy.WORLDSKILLS.value, _("WorldSkills (卓越奖 at 700 or more)")


class AspectType(models.TextChoices):
    MEASUREMENT = AspectKind.MEASUREMENT.value, _("Measurement")
    JUDGEMENT = AspectKind.JUDGEMENT.value, _("Judgement")


class ContestQuerySet(models.QuerySet["Contest"]):
    def matching(self, text: str) -> ContestQuerySet:
        text = text.strip()
        if not text:
            return self
        return self.filter(Q(name__icontains=text) | Q(code__istartswith=text))


class Contest(models.Model):
    code = models.CharField(
        _("code"),
        max_length=32,
        unique=True,
        validators=[code_validator, validate_contest_code_not_reserved],
    )
    name = models.CharField(_("name"), max_length=128)
    theme = models.CharField(_("theme"), max_length=200, blank=True)
    organiser = models.ForeignKey(
        "orgs.Organisation",
        verbose_name=_("organising union"),
        on_delete=models.PROTECT,
        related_name="contests",
    )
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))
    level = models.CharField(
        _("level"), max_length=16, choices=ContestLevel.choices, default=ContestLevel.REGIONAL
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ContestStatus.choices, default=ContestStatus.PREPARING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ContestQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "code"]
        verbose_name = _("contest")
        verbose_name_plural = _("contests")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="contest_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("contests:detail", args=[self.code])

    @property
    def audit_organisation(self) -> Any:
        return self.organiser

    def snapshot(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "theme": self.theme,
            "organiser": self.organiser.code,
            "starts_on": self.starts_on.isoformat(),
            "ends_on": self.ends_on.isoformat(),
            "level": self.level,
            "status": self.status,
        }


class Skill(models.Model):
    """A skill (赛项) of a contest: its scheme, entrants, judges and medal policy."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="skills")
    code = models.CharField(_("code"), max_length=32, validators=[code_validator])
    name = models.CharField(_("name"), max_length=128)
    medal_policy = models.CharField(
        _("medal policy"),
        max_length=12,
        choices=MedalPolicyChoice.choices,
        default=MedalPolicyChoice.NATIONAL,
    )
    minimum_competitors = models.PositiveIntegerField(_("minimum number of competitors"), default=1)
    signed_off_at = models.DateTimeField(_("signed off"), null=True, blank=True)
    signed_off_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # the chief judge the sign-off was made for, by name; and whether they signed in person
    # (their own account) or an officer of the organiser signed on their behalf
    signed_off_for = models.CharField(_("signed off for"), max_length=80, blank=True)
    signed_off_in_person = models.BooleanField(_("signed off in person"), default=False)

    class Meta:
        ordering = ["contest", "code"]
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        constraints = [
            models.UniqueConstraint(fields=["contest", "code"], name="skill_unique_code"),
            models.CheckConstraint(
                condition=Q(minimum_competitors__gte=1), name="skill_minimum_at_least_one"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("contests:skill", args=[self.pk])

    @property
    def audit_organisation(self) -> Any:
        return self.contest.organiser

    @property
    def is_signed_off(self) -> bool:
        return self.signed_off_at is not None

    @property
    def signed_off_by_name(self) -> str:
        """Who signed, by the person's name (the account's name when it has none)."""
        user = self.signed_off_by
        return (user.full_name or user.username) if user is not None else ""

    def snapshot(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "medal_policy": self.medal_policy,
            "minimum_competitors": self.minimum_competitors,
        }


class Aspect(models.Model):
    """One aspect of a skill's marking scheme, grouped under a sub-criterion."""

    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="aspects")
    position = models.PositiveIntegerField(default=0)
    sub_criterion = models.CharField(_("sub-criterion"), max_length=64, blank=True)
    code = models.CharField(_("code"), max_length=32, validators=[code_validator])
    description = models.CharField(_("description"), max_length=300)
    kind = models.CharField(_("type"), max_length=1, choices=AspectType.choices)
    max_mark = models.DecimalField(_("maximum mark"), max_digits=5, decimal_places=2)
    # a judgement aspect's own wording of what 0, 1, 2 and 3 mean (may be empty)
    descriptors = models.JSONField(_("descriptors"), default=list, blank=True)

    class Meta:
        ordering = ["skill", "position", "pk"]
        verbose_name = _("aspect")
        verbose_name_plural = _("aspects")
        constraints = [
            models.UniqueConstraint(fields=["skill", "code"], name="aspect_unique_code"),
            models.CheckConstraint(
                condition=Q(max_mark__gt=0) & Q(max_mark__lte=100), name="aspect_max_in_range"
            ),
            models.CheckConstraint(condition=Q(kind__in=["M", "J"]), name="aspect_kind_m_or_j"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.description}"

    @property
    def is_judgement(self) -> bool:
        return self.kind == AspectType.JUDGEMENT


class Entrant(models.Model):
    """What competitors and judges share: a number on the skill, a person, their unit and union.

    Unit and union are taken from the roster when the person is registered on the skill; the
    conflict-of-interest rule compares them.
    """

    number = models.CharField(_("number"), max_length=16, validators=[code_validator])
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        "orgs.EmployerUnit",
        verbose_name=_("employer unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    union = models.ForeignKey(
        "orgs.Organisation",
        verbose_name=_("grassroots union"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.number} {self.person.name}"

    def snapshot(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "person": self.person_id,
            "unit": self.unit_id,
            "union": self.union_id,
        }


class Competitor(Entrant):
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="competitors")

    class Meta:
        ordering = ["skill", "number"]
        verbose_name = _("competitor")
        verbose_name_plural = _("competitors")
        constraints = [
            models.UniqueConstraint(fields=["skill", "number"], name="competitor_unique_number"),
            models.UniqueConstraint(fields=["skill", "person"], name="competitor_unique_person"),
        ]

    @property
    def audit_organisation(self) -> Any:
        return self.skill.contest.organiser


class Judge(Entrant):
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="judges")
    is_chief = models.BooleanField(_("chief judge"), default=False)
    user = models.ForeignKey(
        "accounts.User",
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("When the chief judge has an account, only that account signs off."),
    )

    class Meta:
        ordering = ["skill", "number"]
        verbose_name = _("judge")
        verbose_name_plural = _("judges")
        constraints = [
            models.UniqueConstraint(fields=["skill", "number"], name="judge_unique_number"),
            models.UniqueConstraint(fields=["skill", "person"], name="judge_unique_person"),
            models.UniqueConstraint(
                fields=["skill"], condition=Q(is_chief=True), name="judge_one_chief"
            ),
        ]

    @property
    def audit_organisation(self) -> Any:
        return self.skill.contest.organiser

    def snapshot(self) -> dict[str, Any]:
        return {**super().snapshot(), "is_chief": self.is_chief, "account": self.user_id}

    def conflicts_with(self, competitor: Competitor) -> bool:
        """Same employer unit or same grassroots union: this judge must not mark them."""
        return bool(
            (self.unit_id and self.unit_id == competitor.unit_id)
            or (self.union_id and self.union_id == competitor.union_id)
        )


class MarkQuerySet(models.QuerySet["Mark"]):
    def of_skill(self, skill: Skill) -> MarkQuerySet:
        return self.filter(skill=skill)


class Mark(models.Model):
    """A measurement mark (judge empty) or one judge's judgement score (0–3)."""

    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="marks")
    competitor = models.ForeignKey(Competitor, on_delete=models.CASCADE, related_name="marks")
    aspect = models.ForeignKey(Aspect, on_delete=models.CASCADE, related_name="marks")
    judge = models.ForeignKey(
        Judge, null=True, blank=True, on_delete=models.PROTECT, related_name="marks"
    )
    mark = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    entered_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = MarkQuerySet.as_manager()

    class Meta:
        verbose_name = _("mark")
        verbose_name_plural = _("marks")
        constraints = [
            models.UniqueConstraint(
                fields=["competitor", "aspect"],
                condition=Q(judge__isnull=True),
                name="mark_one_measurement",
            ),
            models.UniqueConstraint(
                fields=["competitor", "aspect", "judge"],
                condition=Q(judge__isnull=False),
                name="mark_one_score_per_judge",
            ),
            models.CheckConstraint(
                condition=(
                    Q(judge__isnull=True, score__isnull=True, mark__gte=0, mark__lte=100)
                    | Q(judge__isnull=False, mark__isnull=True, score__gte=0, score__lte=3)
                ),
                name="mark_measurement_or_score_in_bounds",
            ),
        ]
        indexes = [models.Index(fields=["skill", "competitor"], name="mark_skill_competitor")]

    def __str__(self) -> str:
        return f"{self.competitor_id}/{self.aspect_id}/{self.judge_id}: {self.value}"

    @property
    def value(self) -> Any:
        return self.mark if self.judge_id is None else self.score
