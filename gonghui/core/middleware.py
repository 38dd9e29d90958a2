from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import resolve_url

from gonghui.core import metrics
from gonghui.core.context import RequestInfo, current_request

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address; X-Forwarded-For is believed only from configured proxies."""
    proxies = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0))
    if proxies:
        header = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
        forwarded = [p.strip() for p in header.split(",") if p.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    remote: str | None = request.META.get("REMOTE_ADDR")
    return remote or None


class RequestContextMiddleware:
    """Gives every request an id (echoed in X-Request-ID) that its audit events carry."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        token = current_request.set(RequestInfo(request_id, client_ip(request), request.path))
        try:
            response = self.get_response(request)
        finally:
            current_request.reset(token)
        response["X-Request-ID"] = request_id
        return response


class RequestMetricsMiddleware:
    """Counts and times every request for `/metrics`, by its route: the URL pattern it matched
    (`/members/<int:pk>/`), never the path or the query string, which may carry personal data.
    First in the chain, so that the time is the whole answer's."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        metrics.observe_request(
            # static files and paths that match no page share one label
            route=f"/{match.route}" if match is not None else "unmatched",
            method=request.method or "",
            status=response.status_code,
            seconds=time.perf_counter() - started,
        )
        return response


NUL_MESSAGE = "The address may not contain the NUL character (%00)."


class NulRefusalMiddleware:
    """An address or query holding the NUL character is refused before any view reads it
    (400; 422 from the API, as any malformed request): no database text column takes it
    (PostgreSQL refuses the query outright), and no person types it. Form fields and API
    bodies refuse it on their own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        held = "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        )
        if held and request.path.startswith("/api/"):  # as the API answers a malformed request
            problem = {"type": "string_nul", "loc": ["query"], "msg": NUL_MESSAGE}
            return JsonResponse({"detail": [problem]}, status=422)
        if held:
            return HttpResponseBadRequest(NUL_MESSAGE)
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """CSP and no-store: pages carry personal data and must not linger in shared caches."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith("/api/v1/docs"):
            response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        if not request.path.startswith(("/static/", "/public/")):
            response.setdefault("Cache-Control", "no-store")
        return response


class HtmxSignInRedirectMiddleware:
    """Send an htmx request that needs signing in to the sign-in page (or to a later step of
    signing in, settings.SIGN_IN_STEPS) as a whole page.

    Without this, htmx follows the redirect and swaps the sign-in page into a table.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.headers.get("HX-Request") == "true"
            and response.status_code == 302
            and response["Location"].startswith(
                tuple(resolve_url(step) for step in settings.SIGN_IN_STEPS)
            )
        ):
            location = response["Location"]
            response = HttpResponse(status=204)
            response["HX-Redirect"] = location
        return response
