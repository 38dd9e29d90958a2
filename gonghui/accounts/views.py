from __future__ import annotations

import textwrap
from base64 import b32encode
from typing import Any
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from gonghui.accounts import actions, devices
from gonghui.accounts.forms import (
    PASSWORD_RULES,
    GrantRoleForm,
    LoginForm,
    PasswordChangeForm,
    PasswordResetForm,
    SecondFactorForm,
    TokenForm,
    UserCreateForm,
)
from gonghui.accounts.http import AuthedRequest
from gonghui.accounts.models import ApiToken, LoginThrottle, User
from gonghui.accounts.permissions import (
    SECURITY,
    accounts_without_role,
    administered_users,
    get_account_for_user,
    get_assignment_for_user,
)
from gonghui.core.access import deny
from gonghui.core.forms import add_validation_errors
from gonghui.core.tables import paginate, query_without, sort
from gonghui.orgs.permissions import orgs_for_action, scope, visible_orgs


@login_not_required
@never_cache
@csrf_protect
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = ""
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        try:
            user = actions.check_credentials(
                request=request,
                username=username,
                password=form.cleaned_data["password"],
                known_here=devices.remembers(request, username),
            )
        except actions.AddressLocked as held:
            form.add_error(
                None,
                _(
                    "Too many failed sign-ins from this network address: sign-ins from it wait until %(time)s. Accounts that signed in here before are not held; otherwise try again then or ask your security administrator."
                )
                % {"time": timezone.localtime(held.until).strftime("%H:%M")},
            )
        except actions.AccountLocked as locked:
            minutes = max(1, int((locked.until - timezone.now()).total_seconds() // 60) + 1)
            form.add_error(
                None,
                _(
                    "This account is locked for %(minutes)d minutes after repeated failed sign-ins. Try again later or ask your security administrator to unlock it."
                )
                % {"minutes": minutes},
            )
        else:
            if user is None:
                form.add_error(None, _("The username or password is wrong."))
            else:
                login(request, user)
                actions.record_sign_in(user=user, via="web")
                if actions.second_factor_needed(user):
                    step = "verify" if actions.has_second_factor(user) else "setup"
                    response = redirect(_with_next(reverse(f"accounts:mfa_{step}"), next_url))
                else:
                    response = redirect(next_url or "site:home")
                devices.remember(response, request, user.get_username())
                return response
    return render(request, "accounts/login.html", {"form": form, "next": next_url})


def _with_next(url: str, next_url: str) -> str:
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def _safe_next(request: HttpRequest) -> str:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        return ""
    return next_url


@never_cache
def mfa_verify(request: AuthedRequest) -> HttpResponse:
    """The second step of signing in: a code from the authenticator, or a recovery code."""
    next_url = _safe_next(request)
    user = request.user
    if user.is_verified() or not actions.has_second_factor(user):
        return redirect(next_url or "site:home")
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = actions.verify_second_factor(user=user, code=form.cleaned_data["code"])
        except actions.SecondFactorRefused as refused:
            form.add_error("code", str(refused))
        else:
            otp_login(request, device)
            return redirect(next_url or "site:home")
    return render(request, "accounts/mfa_verify.html", {"form": form, "next": next_url})


@never_cache
def mfa_setup(request: AuthedRequest) -> HttpResponse:
    """Set up the authenticator (QR code and key, confirmed with a code), see the state of
    two-step verification, and renew the recovery codes."""
    next_url = _safe_next(request)
    user = request.user
    enrolled = actions.has_second_factor(user)
    if enrolled and not user.is_verified():
        return redirect(_with_next(reverse("accounts:mfa_verify"), next_url))
    form = SecondFactorForm(request.POST or None)
    form.fields["code"].help_text = ""  # no recovery codes yet: only the app's code confirms it
    codes: list[str] | None = None
    if request.method == "POST" and "renew" in request.POST and enrolled:
        codes = actions.renew_recovery_codes(user=user)
    elif request.method == "POST" and not enrolled and form.is_valid():
        try:
            codes = actions.confirm_enrolment(user=user, code=form.cleaned_data["code"])
        except actions.SecondFactorRefused as refused:
            form.add_error("code", str(refused))
        else:
            device = TOTPDevice.objects.get(user=user, confirmed=True)
            otp_login(request, device)
            enrolled = True
    context: dict[str, Any] = {
        "form": form,
        "next": next_url,
        "enrolled": enrolled,
        "codes": codes,
        "required": settings.MFA == "required",
    }
    if not enrolled:
        device = actions.start_enrolment(user=user)
        context["secret"] = " ".join(textwrap.wrap(b32encode(device.bin_key).decode(), 4))
        context["qr_svg"] = mark_safe(  # noqa: S308 - segno's own SVG of our URL, no user text
            segno.make(device.config_url, error="m").svg_inline(scale=5, border=2, omitsize=True)
        )
    return render(request, "accounts/mfa_setup.html", context)


@require_POST
def logout_view(request: AuthedRequest) -> HttpResponse:
    if request.user.is_authenticated:
        actions.record_sign_out(user=request.user)
    logout(request)
    messages.info(request, _("You have signed out."))
    return redirect("accounts:login")


def password_change(request: AuthedRequest) -> HttpResponse:
    """Set a password of one's own: required after an administrator chose one."""
    user: User = request.user
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = ""
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not user.check_password(form.cleaned_data["current"]):
            form.add_error("current", _("The current password is wrong."))
        elif form.cleaned_data["new"] == form.cleaned_data["current"]:
            form.add_error("new", _("Choose a password other than the one you were given."))
        else:
            try:
                actions.set_password(by=user, user=user, password=form.cleaned_data["new"])
            except ValidationError as error:
                form.add_error("new", error)
            else:
                update_session_auth_hash(request, user)
                messages.success(request, _("Your password has been changed."))
                return redirect(next_url or "site:home")
    return render(
        request,
        "accounts/password_change.html",
        {
            "form": form,
            "next": next_url,
            "required": user.must_change_password,
        },
    )


def me(request: AuthedRequest) -> HttpResponse:
    user: User = request.user
    password_form = PasswordChangeForm(prefix="pw")
    token_form = TokenForm(prefix="token")
    new_token = None
    if request.method == "POST" and "pw-current" in request.POST:
        password_form = PasswordChangeForm(request.POST, prefix="pw")
        if password_form.is_valid():
            if not user.check_password(password_form.cleaned_data["current"]):
                password_form.add_error("current", _("The current password is wrong."))
            else:
                try:
                    actions.set_password(
                        by=user, user=user, password=password_form.cleaned_data["new"]
                    )
                except ValidationError as error:
                    password_form.add_error("new", error)
                else:
                    update_session_auth_hash(request, user)
                    messages.success(request, _("Your password has been changed."))
                    return redirect("accounts:me")
    elif request.method == "POST" and "token-name" in request.POST:
        token_form = TokenForm(request.POST, prefix="token")
        if token_form.is_valid():
            new_token = actions.issue_api_token(user=user, name=token_form.cleaned_data["name"]).raw
            token_form = TokenForm(prefix="token")
    tokens = ApiToken.objects.filter(user=user).order_by("-created_at")
    return render(
        request,
        "accounts/me.html",
        {
            "password_form": password_form,
            "token_form": token_form,
            "tokens": tokens,
            "new_token": new_token,
            "has_second_factor": actions.has_second_factor(user),
        },
    )


@require_POST
def token_revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    token = ApiToken.objects.filter(user=request.user, pk=pk, revoked_at__isnull=True).first()
    if token is None:
        deny(
            request.user,
            action="revoke",
            object_type="accounts.apitoken",
            object_id=str(pk),
            not_found=True,
        )
    actions.revoke_api_token(by=request.user, token=token)
    messages.success(request, _("The token has been revoked."))
    return redirect("accounts:me")


def _require_security(request: AuthedRequest) -> None:
    if scope(request.user, SECURITY).is_empty:
        deny(
            request.user,
            action="administer",
            object_type="accounts.user",
            object_id="",
            not_found=True,
        )


def user_list(request: AuthedRequest) -> HttpResponse:
    _require_security(request)
    without_role = request.GET.get("role") == "none"
    users = (
        accounts_without_role(request.user) if without_role else administered_users(request.user)
    ).select_related("organisation")
    q = request.GET.get("q", "").strip()
    if q:
        users = users.filter(username__icontains=q) | users.filter(full_name__icontains=q)
    ordered, sorting = sort(
        request,
        users,
        {
            "username": "username",
            "full_name": "full_name",
            "organisation": "organisation__path",
            "last_login": "last_login",
        },
        "username",
    )
    page = paginate(request, ordered)
    locked = set(
        LoginThrottle.objects.filter(
            username__in=[u.username.lower() for u in page], locked_until__gt=timezone.now()
        ).values_list("username", flat=True)
    )
    context = {
        "page": page,
        "q": q,
        "without_role": without_role,
        "sorting": sorting,
        "locked": locked,
        "querystring": query_without(request, "page"),
    }
    if request.htmx:
        return render(request, "accounts/user_list.html#results", context)
    return render(request, "accounts/user_list.html", context)


def user_create(request: AuthedRequest) -> HttpResponse:
    _require_security(request)
    allowed = orgs_for_action(request.user, "administer")
    form = UserCreateForm(request.POST or None, allowed_orgs=allowed)
    if request.method == "POST" and form.is_valid():
        try:
            account = actions.create_user(
                by=request.user,
                username=form.cleaned_data["username"],
                full_name=form.cleaned_data["full_name"],
                email=form.cleaned_data["email"],
                organisation=form.cleaned_data["organisation"],
                password=form.cleaned_data["password"],
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                add_validation_errors(form, error)
            else:
                form.add_error("password", error)
        else:
            messages.success(
                request,
                _("Account %(name)s created. Now give it a role.") % {"name": account.username},
            )
            return redirect(account)
    return render(request, "accounts/user_create.html", {"form": form})


def user_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    account = get_account_for_user(request.user, pk)
    allowed = orgs_for_action(request.user, "administer")
    form = GrantRoleForm(request.POST or None, allowed_orgs=allowed)
    if request.method == "POST" and form.is_valid():
        try:
            actions.grant_role(
                by=request.user,
                user=account,
                organisation=form.cleaned_data["organisation"],
                role=form.cleaned_data["role"],
            )
        except (ValidationError, PermissionDenied) as error:
            form.add_error(
                None, error.messages[0] if isinstance(error, ValidationError) else str(error)
            )
        else:
            messages.success(request, _("Role granted."))
            return redirect(account)
    is_locked = LoginThrottle.objects.filter(
        username=account.username.lower(), locked_until__gt=timezone.now()
    ).exists()
    return render(
        request,
        "accounts/user_detail.html",
        {
            "account": account,
            "form": form,
            "assignments": account.assignments.select_related("organisation"),
            "is_locked": is_locked,
            "has_second_factor": actions.has_second_factor(account),
            "password_rules": PASSWORD_RULES,
        },
    )


@require_POST
def role_revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    assignment = get_assignment_for_user(request.user, pk)
    try:
        actions.revoke_role(by=request.user, assignment=assignment)
    except PermissionDenied as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Role revoked; it stops working on the user's next request."))
    return redirect(assignment.user)


@require_POST
def user_set_active(request: AuthedRequest, pk: int) -> HttpResponse:
    account = get_account_for_user(request.user, pk)
    active = request.POST.get("active") == "1"
    try:
        actions.set_active(by=request.user, user=account, active=active)
    except PermissionDenied as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Account activated.") if active else _("Account deactivated."))
    return redirect(account)


@require_POST
def user_reset_mfa(request: AuthedRequest, pk: int) -> HttpResponse:
    account = get_account_for_user(request.user, pk)
    try:
        actions.reset_second_factor(by=request.user, user=account)
    except PermissionDenied as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Two-step verification reset: %(name)s sets it up again at the next sign-in.")
            % {"name": account.username},
        )
    return redirect(account)


@require_POST
def user_reset_password(request: AuthedRequest, pk: int) -> HttpResponse:
    account = get_account_for_user(request.user, pk)
    if account.pk == request.user.pk:
        messages.error(request, _("Change your own password on your account page."))
        return redirect(account)
    form = PasswordResetForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError([m for errors in form.errors.values() for m in errors])
        actions.set_password(by=request.user, user=account, password=form.cleaned_data["new"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _(
                "The password of %(name)s is reset: its API tokens are revoked and its sessions have ended."
            )
            % {"name": account.username},
        )
    return redirect(account)


@require_POST
def user_unlock(request: AuthedRequest, pk: int) -> HttpResponse:
    account = get_account_for_user(request.user, pk)
    actions.unlock_account(by=request.user, username=account.username)
    messages.success(request, _("Account unlocked."))
    return redirect(account)


def account_choices(request: AuthedRequest) -> HttpResponse:
    """Active accounts of the unions of the user's scope, by username or the person's name."""
    text = request.GET.get(request.GET.get("field", ""), "").strip()[:64]
    found = User.objects.filter(organisation__in=visible_orgs(request.user), is_active=True)
    if text:
        found = found.filter(Q(username__istartswith=text) | Q(full_name__icontains=text))
    options = found.select_related("organisation").order_by("username")[:20]
    return render(request, "accounts/account_choices.html", {"options": options})
