"""A browser remembers the accounts that signed in on it: a signed cookie, kept for
ADDRESS_KNOWN_DAYS. When password spraying from an office's address makes that address wait,
these accounts still sign in from this browser (accounts.actions.check_credentials)."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

COOKIE = "gonghui_device"
SALT = "gonghui.accounts.device"
KEEP = 8  # accounts a shared office computer remembers


def _remembered(request: HttpRequest) -> list[str]:
    try:
        names = signing.loads(
            request.COOKIES.get(COOKIE, ""),
            salt=SALT,
            max_age=settings.ADDRESS_KNOWN_DAYS * 86400,
        )
    except signing.BadSignature:
        return []
    return [str(name) for name in names] if isinstance(names, list) else []


def remembers(request: HttpRequest, username: str) -> bool:
    return username.strip().lower() in _remembered(request)


def remember(response: HttpResponse, request: HttpRequest, username: str) -> None:
    """Add the account to the browser's list (the newest first), signed afresh."""
    key = username.strip().lower()
    names = [key, *(name for name in _remembered(request) if name != key)][:KEEP]
    response.set_cookie(
        COOKIE,
        signing.dumps(names, salt=SALT),
        max_age=settings.ADDRESS_KNOWN_DAYS * 86400,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
