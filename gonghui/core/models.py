from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gonghui.core import audit_actions


class Outcome(models.TextChoices):
    SUCCESS = "success", _("Success")
    FAILURE = "failure", _("Failure")
    DENIED = "denied", _("Denied")


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def in_organisations(self, organisations: models.QuerySet[Any]) -> AuditEventQuerySet:
        return self.filter(organisation__in=organisations)

    def by_actor(self, text: str) -> AuditEventQuerySet:
        """Events of an actor found by username or by the person's name (part of either)."""
        if not text:
            return self
        return self.filter(
            models.Q(actor_name__icontains=text) | models.Q(actor__full_name__icontains=text)
        )

    def with_action(self, code: str) -> AuditEventQuerySet:
        """One declared action, or every action under a prefix (`person` for person.*)."""
        if not code:
            return self
        if audit_actions.is_declared(code):
            return self.filter(action=code)
        return self.filter(action__startswith=code)


class AuditEvent(models.Model):
    """One append-only entry of the audit trail, chained to the one before by a keyed hash."""

    # The sequence number is assigned under the chain's lock, so it is the chain's order.
    id = models.BigIntegerField(primary_key=True)
    at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    organisation = models.ForeignKey(
        "orgs.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    extra = models.JSONField(_("details"), default=dict, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            models.Index(fields=["organisation", "at"], name="audit_org_at"),
            models.Index(fields=["actor", "at"], name="audit_actor_at"),
        ]

    def __str__(self) -> str:
        return f"#{self.id} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise RuntimeError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise RuntimeError("audit events are append-only")

    @property
    def action_label(self) -> str:
        return audit_actions.label(self.action)


class AuditHead(models.Model):
    """The chain's head: the last sequence number and hash, locked while appending."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)
    # the audit key that signs the chain now, as `crypto.Key.label` names it ("aes.1f2e3d4c");
    # blank for a chain begun before keys were named (its last event tells)
    key = models.CharField(max_length=16, blank=True, default="")

    def __str__(self) -> str:
        return f"audit head #{self.last_id}"


class NotificationQuerySet(models.QuerySet["Notification"]):
    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """Something that arrived for one user: a nomination to review, an objection filed …

    No mail server is assumed (an intranet): the header shows a badge and a list. The message
    is kept untranslated with its values and read in the reader's language.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    message = models.CharField(_("message"), max_length=200)
    params = models.JSONField(_("values"), default=dict)
    url = models.CharField(_("address"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            # a user's list, newest first, and the unread badge
            models.Index(fields=["recipient", "read_at", "id"], name="notification_inbox"),
            # the housekeeping that forgets old ones
            models.Index(fields=["created_at"], name="notification_age"),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        """The message in the reader's language, its values filled in."""
        try:
            return str(gettext(self.message) % self.params)
        except (KeyError, TypeError, ValueError):
            return gettext(self.message)


# the import lifecycle's job row lives with its package
from gonghui.core.imports.models import ImportJob, ImportStage  # noqa: E402

__all__ = [
    "AuditEvent",
    "AuditHead",
    "ImportJob",
    "ImportStage",
    "Notification",
    "NotificationQuerySet",
    "Outcome",
]


class WorkerHeartbeat(models.Model):
    """The last time each background worker process said it is alive (`/readyz` reads it)."""

    worker = models.CharField(_("worker"), max_length=128, primary_key=True)  # host:pid
    at = models.DateTimeField(_("last seen"))

    def __str__(self) -> str:
        return f"{self.worker} @ {self.at:%Y-%m-%d %H:%M:%S}"


class BackupRecord(models.Model):
    """One nightly backup the worker took: where, and whether its drill restored it whole."""

    day = models.DateField(_("day"), unique=True)  # one a day, whichever worker takes it
    started_at = models.DateTimeField(_("started"))
    path = models.CharField(_("file"), max_length=500, blank=True)
    size = models.BigIntegerField(_("size"), default=0)
    verified = models.BooleanField(_("restores whole"), default=False)
    message = models.TextField(_("message"), blank=True)

    class Meta:
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"{self.day}: {'whole' if self.verified else 'not verified'}"
