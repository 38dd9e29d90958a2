from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Outcome(models.TextChoices):
    SUCCESS = "success", _("Success")
    FAILURE = "failure", _("Failure")
    DENIED = "denied", _("Denied")


# What each action code means, for people reading the trail; codes not listed show as codes.
ACTION_LABELS = {
    "auth.login": _("Signed in"),
    "auth.logout": _("Signed out"),
    "auth.login_failed": _("Failed sign-in"),
    "auth.login_locked": _("Sign-in refused: account locked"),
    "auth.login_address_locked": _("Sign-in refused: too many failures from this address"),
    "auth.address_locked": _("Address held after many failed sign-ins"),
    "auth.mfa_enrol": _("Two-step verification set up"),
    "auth.mfa_verify": _("Two-step verification passed"),
    "auth.mfa_failed": _("Two-step verification failed"),
    "auth.mfa_reset": _("Two-step verification reset"),
    "auth.mfa_recovery_codes": _("Recovery codes renewed"),
    "access.denied": _("Access refused"),
    "account.create": _("Account opened"),
    "account.set_password": _("Password changed"),
    "account.activate": _("Account reactivated"),
    "account.deactivate": _("Account deactivated"),
    "account.unlock": _("Account unlocked"),
    "role.grant": _("Role granted"),
    "role.revoke": _("Role revoked"),
    "token.issue": _("API token issued"),
    "token.revoke": _("API token revoked"),
    "org.create": _("Organisation created"),
    "org.update": _("Organisation changed"),
    "org.move": _("Organisation moved"),
    "org.import": _("Organisations imported"),
    "org.export": _("Organisations exported"),
    "unit.create": _("Employer unit registered"),
    "unit.update": _("Employer unit changed"),
    "demo.load": _("Demo data loaded"),
    "person.create": _("Person registered"),
    "person.update": _("Person changed"),
    "person.reveal": _("Personal data shown in full"),
    "membership.join": _("Joined a union"),
    "membership.transfer": _("Membership transferred"),
    "membership.end": _("Membership ended"),
    "member.import.start": _("Roster import started"),
    "member.import.chunk": _("Roster import: a chunk written"),
    "member.import": _("Roster imported"),
    "member.import.rollback": _("Roster import rolled back"),
    "member.export": _("Roster exported"),
}


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def in_organisations(self, organisations: models.QuerySet[Any]) -> AuditEventQuerySet:
        return self.filter(organisation__in=organisations)


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
        return str(ACTION_LABELS.get(self.action, self.action))


class AuditHead(models.Model):
    """The chain's head: the last sequence number and hash, locked while appending."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"audit head #{self.last_id}"
