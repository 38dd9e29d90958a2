"""Accounts: signing in, role assignments and API tokens; each write audited."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from gonghui.accounts.models import (
    EXCLUSIVE_ROLES,
    AddressThrottle,
    ApiToken,
    LoginThrottle,
    Role,
    RoleAssignment,
    User,
    hash_token,
)
from gonghui.core import audit, metrics
from gonghui.core.middleware import client_ip
from gonghui.core.models import AuditEvent, Outcome
from gonghui.core.notifications import notify
from gonghui.orgs.models import Organisation


class AccountLocked(Exception):
    def __init__(self, until: Any) -> None:
        super().__init__(until)
        self.until = until


class AddressLocked(AccountLocked):
    """Too many failed sign-ins from this address, across usernames: it waits until `until`."""


def _throttle_key(username: str) -> str:
    return username.strip().lower()[:150]


def check_credentials(
    *, request: HttpRequest | None, username: str, password: str, known_here: bool = False
) -> User | None:
    """Authenticate with the lockout policy.

    Per username: after LOCKOUT_THRESHOLD failures the username is locked a while (raises
    AccountLocked). Per address: after ADDRESS_LOCKOUT_THRESHOLD failures from one address
    across usernames within ADDRESS_LOCKOUT_MINUTES (password spraying), sign-ins from it wait
    out that time (raises AddressLocked) before any password is tried, except for an account
    that signed in before from there: `known_here` (this browser remembers it, see
    accounts.devices) or a sign-in from this address within ADDRESS_KNOWN_DAYS. So colleagues
    behind one office address keep signing in while someone sprays passwords from it.
    """
    key = _throttle_key(username)
    throttle = LoginThrottle.objects.filter(username=key).first()
    if throttle is not None and throttle.is_locked:
        audit.record(
            action="auth.login_locked",
            actor_name=key,
            outcome=Outcome.DENIED,
            object_type="accounts.user",
            object_repr=key,
        )
        metrics.count_sign_in_failure("locked")
        raise AccountLocked(throttle.locked_until)
    address = client_ip(request) if request is not None else None
    held = AddressThrottle.objects.filter(address=address).first() if address else None
    if held is not None and held.is_locked and not (known_here or _signed_in_from(key, address)):
        audit.record(
            action="auth.login_address_locked",
            actor_name=key,
            outcome=Outcome.DENIED,
            object_type="accounts.user",
            object_repr=key,
            extra={"address": address, "until": held.locked_until},
        )
        metrics.count_sign_in_failure("address_locked")
        raise AddressLocked(held.locked_until)
    user = authenticate(request, username=username, password=password)
    if user is None:
        metrics.count_sign_in_failure("password")
        _count_failure(key)
        if address:
            _count_address_failure(address)
        return None
    if throttle is not None and throttle.failures:
        LoginThrottle.objects.filter(pk=throttle.pk).update(failures=0, locked_until=None)
    return user


@transaction.atomic
def _count_failure(key: str) -> None:
    throttle, _created = LoginThrottle.objects.select_for_update().get_or_create(username=key)
    now = timezone.now()
    throttle.failures += 1
    throttle.last_failure_at = now
    locked = throttle.failures >= settings.LOCKOUT_THRESHOLD
    if locked:
        throttle.locked_until = now + timedelta(minutes=settings.LOCKOUT_MINUTES)
        throttle.failures = 0
    throttle.save()
    user = User.objects.filter(username__iexact=key).first()
    audit.record(
        action="auth.login_failed",
        by=user,
        actor_name=key,
        organisation=user.organisation_id if user else None,
        outcome=Outcome.FAILURE,
        object_type="accounts.user",
        object_id=str(user.pk) if user else "",
        object_repr=key,
        extra={"locked": locked},
    )


def _signed_in_from(key: str, address: str | None) -> bool:
    """Whether this account signed in from this address lately (read from the audit trail)."""
    user = User.objects.filter(username__iexact=key).first()
    if user is None or not address:
        return False
    since = timezone.now() - timedelta(days=settings.ADDRESS_KNOWN_DAYS)
    return AuditEvent.objects.filter(
        actor=user, at__gte=since, action="auth.login", ip=address
    ).exists()


@transaction.atomic
def _count_address_failure(address: str) -> None:
    throttle, _created = AddressThrottle.objects.select_for_update().get_or_create(address=address)
    now = timezone.now()
    window = timedelta(minutes=settings.ADDRESS_LOCKOUT_MINUTES)
    if throttle.window_started_at < now - window:
        throttle.failures, throttle.window_started_at = 0, now
    throttle.failures += 1
    if throttle.failures >= settings.ADDRESS_LOCKOUT_THRESHOLD and not throttle.is_locked:
        throttle.locked_until = now + window
        throttle.failures, throttle.window_started_at = 0, now
        audit.record(
            action="auth.address_locked",
            outcome=Outcome.DENIED,
            object_type="accounts.address",
            object_id=address,
            object_repr=address,
            extra={"until": throttle.locked_until, "threshold": settings.ADDRESS_LOCKOUT_THRESHOLD},
        )
    throttle.save()


def record_sign_in(*, user: User, via: str) -> None:
    audit.record(
        action="auth.login",
        by=user,
        organisation=user.organisation_id,
        obj=user,
        extra={"via": via},
    )


def record_sign_out(*, user: User, reason: str = "logout") -> None:
    audit.record(
        action="auth.logout",
        by=user,
        organisation=user.organisation_id,
        obj=user,
        extra={"reason": reason},
    )


@transaction.atomic
def unlock_account(*, by: User, username: str) -> None:
    """Lift a lockout before it expires (a security administrator's task)."""
    key = _throttle_key(username)
    LoginThrottle.objects.filter(username=key).update(failures=0, locked_until=None)
    target = User.objects.filter(username__iexact=key).first()
    audit.record(action="account.unlock", by=by, obj=target, object_repr=key)


@transaction.atomic
def create_user(
    *,
    by: User | None,
    username: str,
    full_name: str,
    organisation: Organisation | None,
    password: str,
    email: str = "",
) -> User:
    """Open an account. The password must pass the password policy; one an administrator
    chose (`by` is signed in) is changed by the account at its first sign-in."""
    user = User(
        username=username.strip(),
        full_name=full_name.strip(),
        email=email.strip(),
        organisation=organisation,
        must_change_password=by is not None,
    )
    user.full_clean(exclude=["password"])
    validate_password(password, user)
    user.set_password(password)
    user.save()
    audit.record(
        action="account.create",
        by=by,
        organisation=organisation,
        obj=user,
        changes=audit.diff({}, user.snapshot()),
    )
    return user


@transaction.atomic
def set_password(*, by: User | None, user: User, password: str) -> None:
    """Change (or, by an administrator, reset) a password; the account's API tokens are revoked
    and its sessions end. After a reset the account changes the password at its next sign-in.

    Every session carries a hash of the password it signed in with and is signed out at its
    next request once that no longer matches; the session that made the change keeps going
    only if its view renews its hash (`update_session_auth_hash`).
    """
    validate_password(password, user)
    user.set_password(password)
    # a password someone else chose is the account's only until its next sign-in
    user.must_change_password = by is not None and by.pk != user.pk
    user.save(update_fields=["password", "must_change_password"])
    revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    audit.record(
        action="account.set_password",
        by=by,
        organisation=user.organisation_id,
        obj=user,
        extra={"tokens_revoked": revoked, "by_self": by is not None and by.pk == user.pk},
    )


@transaction.atomic
def set_active(*, by: User, user: User, active: bool) -> None:
    """Deactivate (or reactivate) an account; a deactivated account's sessions stop at once."""
    if user.pk == by.pk:
        raise PermissionDenied(_("You cannot deactivate your own account."))
    if user.is_active == active:
        return
    user.is_active = active
    user.save(update_fields=["is_active"])
    if not active:
        ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    audit.record(
        action="account.activate" if active else "account.deactivate",
        by=by,
        organisation=user.organisation_id,
        obj=user,
        changes={"is_active": (not active, active)},
    )


@transaction.atomic
def grant_role(
    *, by: User | None, user: User, organisation: Organisation, role: str
) -> RoleAssignment:
    """Give `user` `role` on `organisation` and its subtree, keeping the three roles apart."""
    if by is not None and by.pk == user.pk:
        raise PermissionDenied(_("Nobody can grant a role to themselves."))
    held = set(RoleAssignment.objects.filter(user=user).values_list("role", flat=True))
    if role in EXCLUSIVE_ROLES and held - {role}:
        raise ValidationError(
            _(
                "%(role)s is held apart from every other role (separation of duties); this user already holds another role."
            )
            % {"role": Role(role).label}
        )
    if held & EXCLUSIVE_ROLES and role not in held:
        raise ValidationError(
            _("This user is a %(role)s and can hold no other role (separation of duties).")
            % {"role": Role(next(iter(held & EXCLUSIVE_ROLES))).label}
        )
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user, organisation=organisation, role=role, defaults={"granted_by": by}
    )
    if created:
        audit.record(
            action="role.grant",
            by=by,
            organisation=organisation,
            obj=assignment,
            extra={"user": user.username, "role": role, "organisation": organisation.code},
        )
        if by is not None:
            with translation.override(settings.LANGUAGE_CODE):
                label = str(Role(role).label)
            notify(
                [user],
                gettext_noop("You were given the role %(role)s on %(organisation)s"),
                {"role": label, "organisation": organisation.name},
                url=reverse("accounts:me"),
            )
    return assignment


@transaction.atomic
def revoke_role(*, by: User | None, assignment: RoleAssignment) -> None:
    """Withdraw a role assignment; it stops working on the user's next request."""
    if by is not None and by.pk == assignment.user_id:
        raise PermissionDenied(_("Nobody can change their own roles."))
    audit.record(
        action="role.revoke",
        by=by,
        organisation=assignment.organisation,
        obj=assignment,
        extra={
            "user": assignment.user.username,
            "role": assignment.role,
            "organisation": assignment.organisation.code,
        },
    )
    assignment.delete()


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    raw: str


@transaction.atomic
def issue_api_token(*, user: User, name: str = "") -> IssuedToken:
    """Make a bearer token; the raw value is returned once and never stored."""
    raw = "gh_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        key_hash=hash_token(raw),
        prefix=raw[:8],
        name=name[:64],
        expires_at=timezone.now() + timedelta(days=settings.API_TOKEN_DAYS),
    )
    audit.record(
        action="token.issue",
        by=user,
        organisation=user.organisation_id,
        obj=token,
        object_repr=token.prefix,
    )
    return IssuedToken(token, raw)


@transaction.atomic
def revoke_api_token(*, by: User, token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    audit.record(
        action="token.revoke",
        by=by,
        organisation=by.organisation_id,
        obj=token,
        object_repr=token.prefix,
    )


# Two-step verification: an authenticator app (TOTP, RFC 6238) and single-use recovery codes.


class SecondFactorRefused(Exception):
    """A code that did not verify; `throttled_until` is set while further tries must wait."""

    def __init__(self, message: str, throttled_until: Any = None) -> None:
        super().__init__(message)
        self.throttled_until = throttled_until


def has_second_factor(user: User) -> bool:
    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


def second_factor_needed(user: User) -> bool:
    """Whether this account must give a code (or enrol) before it may go on."""
    return settings.MFA == "required" or has_second_factor(user)


@transaction.atomic
def start_enrolment(*, user: User) -> TOTPDevice:
    """The authenticator being set up: one unconfirmed device, kept until it is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


def _normalise_code(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


@transaction.atomic
def confirm_enrolment(*, user: User, code: str) -> list[str]:
    """Confirm the authenticator with a code it shows; returns new recovery codes (shown once).

    Raises SecondFactorRefused when the code does not verify.
    """
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None:
        raise SecondFactorRefused(_("Start the setup again: no authenticator is being set up."))
    if not device.verify_token(_normalise_code(code)):
        raise SecondFactorRefused(
            _("The code is wrong or has expired; enter the six digits the app shows now.")
        )
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_recovery_codes(user)
    audit.record(action="auth.mfa_enrol", by=user, organisation=user.organisation_id, obj=user)
    return codes


def _new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
    codes = [secrets.token_hex(5) for _ in range(settings.RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def renew_recovery_codes(*, user: User) -> list[str]:
    """New recovery codes; the old ones stop working."""
    if not has_second_factor(user):
        raise PermissionDenied(_("Set up two-step verification first."))
    codes = _new_recovery_codes(user)
    audit.record(
        action="auth.mfa_recovery_codes", by=user, organisation=user.organisation_id, obj=user
    )
    return codes


def verify_second_factor(*, user: User, code: str) -> Device:
    """The device that verifies this code (authenticator or recovery code), audited either way.

    A code is good once: the authenticator refuses a code of a time step already used, and a
    recovery code is spent. Wrong codes slow further tries down (2, 4, 8 … seconds).
    Raises SecondFactorRefused.
    """
    token = _normalise_code(code)
    devices = [
        *TOTPDevice.objects.filter(user=user, confirmed=True),
        *StaticDevice.objects.filter(user=user, confirmed=True),
    ]
    waits = [d.verify_is_allowed() for d in devices]
    blocked = [extra for allowed, extra in waits if not allowed and extra]
    if devices and len(blocked) == len(devices):
        until = max(
            (extra["locked_until"] for extra in blocked if extra.get("locked_until")),
            default=timezone.now(),
        )
        _record_second_factor(user, ok=False, reason="throttled")
        raise SecondFactorRefused(
            _("Too many wrong codes: wait until %(time)s and try again.")
            % {"time": timezone.localtime(until).strftime("%H:%M:%S")},
            throttled_until=until,
        )
    for device in devices:
        if token and device.verify_token(token):
            _record_second_factor(user, ok=True, reason=type(device).__name__)
            return device
    _record_second_factor(user, ok=False, reason="wrong code")
    raise SecondFactorRefused(_("The code is wrong or has expired."))


def _record_second_factor(user: User, *, ok: bool, reason: str) -> None:
    if not ok:
        metrics.count_sign_in_failure("second_factor")
    audit.record(
        action="auth.mfa_verify" if ok else "auth.mfa_failed",
        by=user,
        organisation=user.organisation_id,
        obj=user,
        outcome=Outcome.SUCCESS if ok else Outcome.FAILURE,
        extra={"device": reason} if ok else {"reason": reason},
    )


@transaction.atomic
def reset_second_factor(*, by: User | None, user: User) -> None:
    """Remove an account's authenticator and recovery codes (a lost phone): it enrols again at
    its next sign-in. A security administrator's task; nobody resets their own."""
    if by is not None and by.pk == user.pk:
        raise PermissionDenied(_("You cannot reset your own two-step verification."))
    removed = TOTPDevice.objects.filter(user=user).delete()[0]
    StaticDevice.objects.filter(user=user).delete()
    audit.record(
        action="auth.mfa_reset",
        by=by,
        organisation=user.organisation_id,
        obj=user,
        extra={"authenticators_removed": removed},
    )
