"""Workers and union members: one person per identity number, one open membership at a time.

The identity number and the mobile are stored sealed (AES-GCM), with a keyed hash for exact
look-up and uniqueness and a masked copy for lists; no page needs the clear value to list.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gonghui.core.crypto import decrypt
from gonghui.core.fields import ByteOrderCharField


class Gender(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class SkillLevel(models.TextChoices):
    NONE = "", _("None")
    JUNIOR = "junior", _("Junior worker (初级工)")
    INTERMEDIATE = "intermediate", _("Intermediate worker (中级工)")
    SENIOR = "senior", _("Senior worker (高级工)")
    TECHNICIAN = "technician", _("Technician (技师)")
    SENIOR_TECHNICIAN = "senior_technician", _("Senior technician (高级技师)")

    @classmethod
    def from_label(cls, text: str) -> SkillLevel | None:
        text = (text or "").strip()
        if text in {"", "无", "none", "None"}:
            return cls.NONE
        for member in cls:
            if text in {member.value, str(member.label)} or (
                member.value and text == CHINESE_SKILL_LEVELS[member]
            ):
                return member
        return None


CHINESE_SKILL_LEVELS = {
    SkillLevel.NONE: "",
    SkillLevel.JUNIOR: "初级工",
    SkillLevel.INTERMEDIATE: "中级工",
    SkillLevel.SENIOR: "高级工",
    SkillLevel.TECHNICIAN: "技师",
    SkillLevel.SENIOR_TECHNICIAN: "高级技师",
}


GENDER_LABELS = dict(Gender.choices)
SKILL_LEVEL_LABELS = dict(SkillLevel.choices)


class BatchStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    INTERRUPTED = "interrupted", _("Interrupted")
    ROLLED_BACK = "rolled_back", _("Rolled back")


class ImportBatch(models.Model):
    """One import of a roster file: who, when, which file, what it did; the unit of rollback."""

    union = models.ForeignKey(
        "orgs.Organisation",
        verbose_name=_("union"),
        on_delete=models.PROTECT,
        related_name="import_batches",
    )
    file_name = models.CharField(_("file"), max_length=255)
    file_sha256 = models.CharField(max_length=64, db_index=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=BatchStatus.choices, default=BatchStatus.RUNNING
    )
    options = models.JSONField(default=dict, blank=True)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    joined = models.PositiveIntegerField(_("joined"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    transferred = models.PositiveIntegerField(_("transferred"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    rolled_back_at = models.DateTimeField(null=True, blank=True)
    rolled_back_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")

    def __str__(self) -> str:
        return f"#{self.pk} {self.file_name}"

    def get_absolute_url(self) -> str:
        return reverse("people:batch", args=[self.pk])

    @property
    def audit_organisation(self) -> Any:
        return self.union

    @property
    def counts(self) -> dict[str, int]:
        return {
            "created": self.created,
            "joined": self.joined,
            "updated": self.updated,
            "transferred": self.transferred,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
        }


class PersonQuerySet(models.QuerySet["Person"]):
    def with_identity_hash(self, digest: str) -> PersonQuerySet:
        return self.filter(identity_hash=digest)


class Person(models.Model):
    name = models.CharField(_("name"), max_length=64)
    # Indexed through Meta: on PostgreSQL a field's own db_index/unique adds a second,
    # varchar_pattern_ops index for LIKE, which no look-up here uses and every import pays for.
    name_key = ByteOrderCharField(max_length=255, editable=False)
    identity_hash = ByteOrderCharField(max_length=32, editable=False)
    identity_sealed = models.TextField(editable=False)
    identity_masked = models.CharField(_("identity number"), max_length=18, editable=False)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, editable=False)
    # The year only: the full date is the masked digits of the identity number (see
    # core.personal), so it is kept nowhere but inside the sealed number.
    birth_year = models.PositiveSmallIntegerField(_("birth year"), editable=False)
    phone_hash = ByteOrderCharField(max_length=32, blank=True, editable=False)
    phone_sealed = models.TextField(blank=True, editable=False)
    phone_masked = models.CharField(_("mobile"), max_length=11, blank=True, editable=False)
    unit = models.ForeignKey(
        "orgs.EmployerUnit",
        verbose_name=_("employer unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="people",
        db_index=False,  # indexes cost every import; units are looked up the other way round
        # Checked by the import and the forms, which give only units they have just read or
        # written; deleting a unit with people is refused by the ORM (PROTECT). A database
        # constraint would check each of a million imported rows again at the commit (on
        # PostgreSQL, one trigger call a row).
        db_constraint=False,
    )
    post = models.CharField(_("post"), max_length=64, blank=True)
    skill_level = models.CharField(
        _("skill level"), max_length=20, choices=SkillLevel.choices, blank=True, default=""
    )
    is_frontline = models.BooleanField(_("front-line worker"), default=False)
    is_migrant = models.BooleanField(_("migrant worker"), default=False)
    is_enterprise_head = models.BooleanField(_("enterprise head"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    batch = models.ForeignKey(
        ImportBatch,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="people_created",
        db_index=False,  # read only when a batch is rolled back
        # A note of which import wrote the row, not a dependency: batches are never deleted
        # (the ORM would clear the notes if one were), and a database constraint would check
        # every row an import writes (on PostgreSQL, a large part of a big import's commit).
        db_constraint=False,
    )

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["name_key", "pk"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            # written as an expression so that SQLite keeps it as an index of its own (a field
            # list becomes part of the table, which cannot be dropped): a first roster's import
            # drops it and builds it again, sorted, at its end. Both databases index a bare
            # column in parentheses as the column itself.
            models.UniqueConstraint(F("identity_hash"), name="person_identity_hash_unique")
        ]
        indexes = [
            models.Index(fields=["name_key"], name="person_name_key"),
            models.Index(fields=["phone_hash"], name="person_phone_hash"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("people:detail", args=[self.pk])

    @property
    def gender_label(self) -> str:
        """As get_gender_display(), at a fraction of its cost (a roster page shows fifty)."""
        return str(GENDER_LABELS.get(self.gender, ""))

    @property
    def skill_level_label(self) -> str:
        return str(SKILL_LEVEL_LABELS.get(self.skill_level, ""))

    @property
    def traits(self) -> int:
        return roster_traits(
            skill_level=self.skill_level,
            is_frontline=self.is_frontline,
            is_migrant=self.is_migrant,
            is_head=self.is_enterprise_head,
        )

    def reveal_identity_number(self) -> str:
        """The clear number; call only through `people.actions.reveal`, which audits it."""
        return decrypt(self.identity_sealed, field="identity_number")

    def reveal_phone(self) -> str:
        return decrypt(self.phone_sealed, field="phone")

    def snapshot(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "identity_number": self.identity_masked,
            "phone": self.phone_masked,
            "unit": self.unit_id,
            "post": self.post,
            "skill_level": self.skill_level,
            "is_frontline": self.is_frontline,
            "is_migrant": self.is_migrant,
            "is_enterprise_head": self.is_enterprise_head,
        }


SKILL_ORDER = tuple(SkillLevel.values)  # a skill level's place in traits (see `roster_traits`)
FRONTLINE, MIGRANT, ENTERPRISE_HEAD = 1, 2, 4


def roster_traits(*, skill_level: str, is_frontline: bool, is_migrant: bool, is_head: bool) -> int:
    """A person's roster filters as one small number, kept on their memberships so that a
    filtered roster page is checked on the index alone: the three flags as bits 1, 2 and 4,
    the skill level's place in SkillLevel from bit 8 on."""
    return (
        SKILL_ORDER.index(skill_level) << 3
        | (FRONTLINE if is_frontline else 0)
        | (MIGRANT if is_migrant else 0)
        | (ENTERPRISE_HEAD if is_head else 0)
    )


def roster_traits_expression() -> models.Expression:
    """`roster_traits` of a person row, in SQL: for copying them onto memberships in bulk."""
    skill = models.Case(
        *(
            models.When(skill_level=level, then=place << 3)
            for place, level in enumerate(SKILL_ORDER)
        ),
        default=0,
    )
    flags = [
        ("is_frontline", FRONTLINE),
        ("is_migrant", MIGRANT),
        ("is_enterprise_head", ENTERPRISE_HEAD),
    ]
    total: models.Expression = skill
    for name, bit in flags:
        total = total + models.Case(models.When(**{name: True}, then=bit), default=0)
    return total


class MembershipStatus(models.TextChoices):
    ACTIVE = "active", _("Member")
    TRANSFERRED = "transferred", _("Transferred out")
    LEFT = "left", _("Left")


class MembershipQuerySet(models.QuerySet["Membership"]):
    def current(self) -> MembershipQuerySet:
        return self.filter(status=MembershipStatus.ACTIVE)


class Membership(models.Model):
    """One stretch of a person's membership of one union; closed stretches are never changed."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships")
    union = models.ForeignKey(
        "orgs.Organisation",
        verbose_name=_("union"),
        on_delete=models.PROTECT,
        db_index=False,  # the union roster index serves every look-up by union
        related_name="memberships",
    )
    joined_on = models.DateField(_("joined"))
    ended_on = models.DateField(_("ended"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=MembershipStatus.choices,
        default=MembershipStatus.ACTIVE,
    )
    end_reason = models.CharField(_("reason"), max_length=200, blank=True)
    transferred_to = models.ForeignKey(
        "orgs.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    # The person's pinyin sort key, kept here so that a roster page is one range scan of an
    # index in roster order; the actions that change a person and the importer keep it (and
    # `traits`) in step.
    name_key = ByteOrderCharField(max_length=255, default="", editable=False)
    traits = models.PositiveSmallIntegerField(
        default=0, editable=False
    )  # the person's, as name_key
    batch = models.ForeignKey(
        ImportBatch,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="memberships_opened",
        db_index=False,  # read only when a batch is rolled back
        db_constraint=False,  # a note, as Person.batch
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["-joined_on", "-pk"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            # 实名制: one person, one union at a time
            models.UniqueConstraint(
                fields=["person"], condition=Q(status="active"), name="one_current_membership"
            )
        ]
        indexes = [
            # the roster of one union, in pinyin order (and every look-up by union)
            models.Index(
                fields=["union", "status", "name_key", "id", "traits"],
                name="membership_union_roster",
            ),
            # the roster of many unions, in pinyin order, the union read from the index itself
            models.Index(
                fields=["status", "name_key", "id", "union", "traits"], name="membership_roster"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} @ {self.union}"

    @property
    def audit_organisation(self) -> Any:
        return self.union


class UnionTally(models.Model):
    """A union's members counted when they change, so that figures for a whole federation add
    up a row a union instead of counting a million memberships (`people/tallies.py`)."""

    union = models.OneToOneField(
        "orgs.Organisation",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="tally",
    )
    members = models.PositiveIntegerField(default=0)
    # the month `joined` counts, by its first day: members who joined in it
    month = models.DateField()
    joined = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.union_id}: {self.members}"


class ImportRevision(models.Model):
    """What an import changed on a person who existed before it: enough to put it back."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="revisions")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    before = models.JSONField(default=dict)
    closed_membership = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.person_id}"
