"""The union organisation tree and the employer units beneath it.

Each organisation stores its materialised path: the ids of its ancestors and itself, each
as a fixed-width run of digits. "Everything in this subtree" is then one range scan on an
indexed column, at any depth, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from typing import Any

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gonghui.core.validators import (
    refuse_reserved_code,
    validate_credit_code,
    validate_division_code,
)

SEGMENT = 10  # digits per path segment: ids up to 9,999,999,999


def path_segment(pk: int) -> str:
    return f"{pk:0{SEGMENT}d}"


def path_upper_bound(path: str) -> str:
    """The smallest path that sorts after every path starting with `path`."""
    return str(int(path) + 1).zfill(len(path))


def subtree_q(path: str, prefix: str = "") -> Q:
    return Q(**{f"{prefix}path__gte": path, f"{prefix}path__lt": path_upper_bound(path)})


class OrgType(models.TextChoices):
    FEDERATION = "federation", _("Federation of trade unions")
    PREFECTURE = "prefecture", _("Prefecture or city federation")
    COUNTY = "county", _("County federation")
    INDUSTRY = "industry", _("Industry union")
    GRASSROOTS = "grassroots", _("Grassroots union")
    JOINT = "joint", _("Joint union")

    @classmethod
    def from_label(cls, text: str) -> OrgType | None:
        """Accept the value, the English label or the Chinese name used in spreadsheets."""
        text = text.strip()
        for member in cls:
            if text in {member.value, str(member.label), CHINESE_TYPE_NAMES[member]}:
                return member
        return ALIASES.get(text)


CHINESE_TYPE_NAMES = {
    OrgType.FEDERATION: "总工会",
    OrgType.PREFECTURE: "地州市总工会",
    OrgType.COUNTY: "县（市、区）总工会",
    OrgType.INDUSTRY: "产业工会",
    OrgType.GRASSROOTS: "基层工会",
    OrgType.JOINT: "联合工会",
}
ALIASES = {
    "区总工会": OrgType.FEDERATION,
    "自治区总工会": OrgType.FEDERATION,
    "省总工会": OrgType.FEDERATION,
    "地州市": OrgType.PREFECTURE,
    "市总工会": OrgType.PREFECTURE,
    "地区总工会": OrgType.PREFECTURE,
    "州总工会": OrgType.PREFECTURE,
    "县(市、区)": OrgType.COUNTY,
    "县(市、区)总工会": OrgType.COUNTY,  # as older files write it
    "县（市、区）总工会": OrgType.COUNTY,
    "县总工会": OrgType.COUNTY,
    "区县总工会": OrgType.COUNTY,
    "行业工会": OrgType.INDUSTRY,
    "基层": OrgType.GRASSROOTS,
    "联合": OrgType.JOINT,
}

code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$",
    _("A code is 1 to 32 letters, digits, dots, hyphens or underscores."),
)
# Codes that are the names of pages beside the organisations' own (/orgs/<code>/).
RESERVED_CODES = frozenset({"import", "export.csv", "export.xlsx", "pick"})


def validate_code_not_reserved(value: str) -> None:
    refuse_reserved_code(value, RESERVED_CODES)


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def subtree(self, org: Organisation) -> OrganisationQuerySet:
        """The organisation and all its descendants: one indexed range scan."""
        return self.filter(subtree_q(org.path))

    def descendants(self, org: Organisation) -> OrganisationQuerySet:
        return self.subtree(org).exclude(pk=org.pk)

    def ancestors(self, org: Organisation) -> OrganisationQuerySet:
        paths = [org.path[: i + SEGMENT] for i in range(0, len(org.path) - SEGMENT, SEGMENT)]
        return self.filter(path__in=paths).order_by("depth")

    def of_type(self, org_type: str) -> OrganisationQuerySet:
        return self.filter(type=org_type)

    def matching(self, text: str) -> OrganisationQuerySet:
        text = text.strip()
        if not text:
            return self
        return self.filter(Q(name__icontains=text) | Q(code__istartswith=text))

    def filtered(
        self, *, q: str = "", org_type: str = "", parent: str = ""
    ) -> OrganisationQuerySet:
        """The list page's filters (search text, type, parent code); the list and its exports share them."""
        orgs = self.matching(q)
        if org_type in OrgType.values:
            orgs = orgs.of_type(org_type)
        if parent.strip():
            orgs = orgs.filter(parent__code=parent.strip())
        return orgs


class Organisation(models.Model):
    code = models.CharField(
        _("code"),
        max_length=32,
        unique=True,
        validators=[code_validator, validate_code_not_reserved],
    )
    name = models.CharField(_("name"), max_length=128)
    type = models.CharField(_("type"), max_length=16, choices=OrgType.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    division_code = models.CharField(
        _("division code"), max_length=6, blank=True, validators=[validate_division_code]
    )
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        blank=True,
        validators=[validate_credit_code],
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~Q(credit_code=""),
                name="org_unique_credit_code",
            )
        ]
        indexes = [models.Index(fields=["type", "path"], name="org_type_path")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("orgs:detail", args=[self.code])

    @property
    def audit_organisation(self) -> Organisation:
        return self

    @property
    def is_root(self) -> bool:
        return self.parent_id is None

    def is_within(self, other: Organisation) -> bool:
        return self.path.startswith(other.path)

    def snapshot(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "type": self.type,
            "parent": self.parent.code if self.parent_id and self.parent else None,
            "division_code": self.division_code,
            "credit_code": self.credit_code,
        }


class EmployerUnitQuerySet(models.QuerySet["EmployerUnit"]):
    def matching(self, text: str) -> EmployerUnitQuerySet:
        text = text.strip()
        if not text:
            return self
        return self.filter(Q(name__icontains=text) | Q(credit_code__istartswith=text.upper()))


class EmployerUnit(models.Model):
    """An employer (单位), identified by its unified social credit code."""

    name = models.CharField(_("name"), max_length=128)
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        validators=[validate_credit_code],
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("union"),
        on_delete=models.PROTECT,
        related_name="units",
        help_text=_("The union this employer's workers belong to."),
    )
    division_code = models.CharField(
        _("division code"), max_length=6, blank=True, validators=[validate_division_code]
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = EmployerUnitQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("employer unit")
        verbose_name_plural = _("employer units")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("orgs:unit_detail", args=[self.pk])

    @property
    def audit_organisation(self) -> Organisation:
        return self.organisation

    def snapshot(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "credit_code": self.credit_code,
            "organisation": self.organisation.code,
            "division_code": self.division_code,
        }
