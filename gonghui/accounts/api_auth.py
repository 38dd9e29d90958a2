"""API authentication: bearer tokens for scripts, the session for the browser."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from ninja.security import APIKeyCookie, HttpBearer

from gonghui.accounts.http import AuthedRequest
from gonghui.accounts.models import ApiToken, hash_token


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = (
            ApiToken.objects.usable()
            .select_related("user")
            .filter(key_hash=hash_token(token))
            .first()
        )
        if found is None:
            return None
        now = timezone.now()
        if found.last_used_at is None or (now - found.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        return found.user


class SessionAuth(APIKeyCookie):
    """The browser's signed-in session; unsafe methods also need the CSRF token."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return user
        return None


api_auth = [BearerToken(), SessionAuth()]


def signed_in_or_bearer(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve the API's schema to whoever may call the API: a bearer token or the session.

    Strangers get the same 401 as any operation: no map of the API for them (ASVS 13.4.5).
    """

    @wraps(view)
    def guarded(request: AuthedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if all(method(request) is None for method in api_auth):
            return JsonResponse(
                {"detail": "authentication required: send a bearer token or sign in"}, status=401
            )
        return view(request, *args, **kwargs)

    return guarded
