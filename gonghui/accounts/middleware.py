from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _

from gonghui.accounts.actions import has_second_factor, record_sign_out
from gonghui.accounts.models import User

SESSION_KEY = "gonghui_last_seen"
# Refresh the stored time at most this often, so a busy page does not write every request.
_REFRESH_SECONDS = 60


def _open(request: HttpRequest, views: frozenset[str]) -> bool:
    """The named views and the pages anyone may see without signing in (not the API, whose
    operations answer 401 themselves rather than redirect)."""
    if request.path_info.startswith("/api/"):
        return False
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    return match.view_name in views or getattr(match.func, "login_required", True) is False


def _held_at(request: HttpRequest, step: str, api_detail: str) -> HttpResponse:
    """Send a signed-in session to a step it must take first; its API calls get 403."""
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": api_detail}, status=403)
    # an htmx request is turned into a whole-page move by HtmxSignInRedirectMiddleware
    return HttpResponseRedirect(f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}")


class IdleTimeoutMiddleware:
    """Sign out a session that has been idle longer than GONGHUI_IDLE_TIMEOUT_MINUTES."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = time.time()
            last_seen = request.session.get(SESSION_KEY)
            if (
                last_seen is not None
                and now - float(last_seen) > settings.IDLE_TIMEOUT_MINUTES * 60
            ):
                record_sign_out(user=user, reason="idle")
                logout(request)
                messages.info(request, _("You were signed out after a period of inactivity."))
            elif last_seen is None or now - float(last_seen) > _REFRESH_SECONDS:
                request.session[SESSION_KEY] = now
        return self.get_response(request)


class SecondFactorMiddleware:
    """Hold a session signed in with the password alone at the second step.

    An account with an authenticator gives a code before anything else; with GONGHUI_MFA=required
    an account without one sets it up first. Until then only the two-step pages, signing out
    and the public pages answer; API calls made with the session get 403.
    """

    OPEN = frozenset(
        {"accounts:mfa_verify", "accounts:mfa_setup", "accounts:logout", "set_language"}
    )

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and not _open(request, self.OPEN)
        ):
            step = self._step(user)
            if step is not None:
                return _held_at(
                    request, step, "two-step verification is needed: sign in again in the web"
                )
        return self.get_response(request)

    @staticmethod
    def _step(user: User) -> str | None:
        if has_second_factor(user):
            return "accounts:mfa_verify"
        if settings.MFA == "required":
            return "accounts:mfa_setup"
        return None


class PasswordChangeMiddleware:
    """Hold an account whose password an administrator chose at the password page.

    A new account, or one whose password was reset, sets a password of its own before anything
    else: only that page, the two-step pages, signing out and the public pages answer. API
    calls made with the session get 403; the account's bearer tokens were revoked by the reset.
    """

    OPEN = SecondFactorMiddleware.OPEN | {"accounts:password_change"}

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.must_change_password
            and not _open(request, self.OPEN)
        ):
            return _held_at(
                request, "accounts:password_change", "set a password of your own in the web first"
            )
        return self.get_response(request)
