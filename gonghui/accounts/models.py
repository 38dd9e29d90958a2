from __future__ import annotations

import hashlib

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OFFICER = "officer", _("Officer")
    VIEWER = "viewer", _("Viewer")
    SECURITY = "security", _("Security administrator")
    AUDITOR = "auditor", _("Auditor")
    # Seeing identity numbers and mobiles in full: held beside officer or viewer, each use audited.
    REVEAL = "reveal", _("Personal data in full")


# Roles that read and act on the programmes' data, and what each may do.
BUSINESS_ROLES = frozenset({Role.OFFICER, Role.VIEWER})
# 等保 three-role separation: whoever audits or administers security does nothing else.
EXCLUSIVE_ROLES = frozenset({Role.SECURITY, Role.AUDITOR})


class User(AbstractUser):
    # the role assignments, read once per request (`orgs.permissions.assignments`)
    _gonghui_assignments: list[RoleAssignment]

    full_name = models.CharField(_("full name"), max_length=64, blank=True)
    # set when an administrator chose the password (a new account, a reset): the account
    # changes it at its next sign-in before anything else
    must_change_password = models.BooleanField(
        _("must change the password at the next sign-in"), default=False
    )
    organisation = models.ForeignKey(
        "orgs.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        help_text=_(
            "The organisation whose staff this user is; it decides who administers the account."
        ),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username

    def is_verified(self) -> bool:
        """Whether this session passed two-step verification. django-otp's middleware replaces
        it on each request's user; where that has not run, nothing is verified."""
        return False

    def get_absolute_url(self) -> str:
        return reverse("accounts:user_detail", args=[self.pk])

    def snapshot(self) -> dict[str, object]:
        return {
            "username": self.username,
            "full_name": self.full_name,
            "email": self.email,
            "is_active": self.is_active,
        }


class RoleAssignmentQuerySet(models.QuerySet["RoleAssignment"]):
    def of_roles(self, roles: frozenset[str] | set[str]) -> RoleAssignmentQuerySet:
        return self.filter(role__in=roles)


class RoleAssignment(models.Model):
    """A user holds a role on an organisation and, through it, on its whole subtree."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="assignments"
    )
    organisation = models.ForeignKey(
        "orgs.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    granted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField(_("granted"), default=timezone.now)

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["organisation__path", "role"]
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="assignment_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.organisation}"

    @property
    def audit_organisation(self) -> object:
        return self.organisation


class LoginThrottle(models.Model):
    """Failed sign-ins counted per username (not per address: one office shares one)."""

    username = models.CharField(max_length=150, unique=True)
    failures = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.username}: {self.failures}"

    @property
    def is_locked(self) -> bool:
        return self.locked_until is not None and self.locked_until > timezone.now()


class AddressThrottle(models.Model):
    """Failed sign-ins counted per client address, across usernames, in a window of time:
    many from one address (password spraying) make that address wait. Colleagues who signed in
    before from there (this browser, or this address) are not held (see accounts.actions)."""

    address = models.GenericIPAddressField(unique=True)
    failures = models.PositiveIntegerField(default=0)
    window_started_at = models.DateTimeField(default=timezone.now)
    locked_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.address}: {self.failures}"

    @property
    def is_locked(self) -> bool:
        return self.locked_until is not None and self.locked_until > timezone.now()


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def usable(self) -> ApiTokenQuerySet:
        return self.filter(
            revoked_at__isnull=True, expires_at__gt=timezone.now(), user__is_active=True
        )


class ApiToken(models.Model):
    """A bearer token for scripts. Only its hash is stored; the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    name = models.CharField(_("name"), max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
