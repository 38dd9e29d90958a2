from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from gonghui.accounts.actions import record_sign_out

SESSION_KEY = "gonghui_last_seen"
# Refresh the stored time at most this often, so a busy page does not write every request.
_REFRESH_SECONDS = 60


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
