"""The REST API under /api/v1/: one router per app, sharing actions and permissions."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.signals import got_request_exception
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as RequestInvalid

from gonghui.accounts.api import router as accounts_router
from gonghui.accounts.api_auth import api_auth, signed_in_or_bearer
from gonghui.contests.api import router as contests_router
from gonghui.core.api_schemas import OneValueParser
from gonghui.core.imports.api import router as imports_router
from gonghui.core.validators import Conflict
from gonghui.honours.api import router as honours_router
from gonghui.orgs.api import router as orgs_router
from gonghui.people.api import router as people_router
from gonghui.services.api import router as services_router
from gonghui.site.audit_api import router as audit_router
from gonghui.site.notifications_api import router as notifications_router

logger = logging.getLogger("django.request")

api = NinjaAPI(
    title="gonghui API",
    version="1",
    description=(
        "工会工作平台 API. Authenticate with `POST /api/v1/auth/token` and send "
        "`Authorization: Bearer <token>`; every list is limited to your scope."
    ),
    auth=api_auth,
    docs_decorator=signed_in_or_bearer,
    parser=OneValueParser(),
    urls_namespace="api",
)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": "not found"}, status=404)


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "not allowed"}, status=403)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request, {"detail": "authentication required: send a bearer token or sign in"}, status=401
    )


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # a body the parser refused for what it holds (text with NUL) says why, as a 422
    if isinstance(exc.__cause__, RequestInvalid):
        return api.on_exception(request, exc.__cause__)
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


@api.exception_handler(Conflict)
def conflict(request: HttpRequest, exc: Conflict) -> HttpResponse:
    body = _validation_body(exc)
    return api.create_response(request, body, status=409)


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(request, _validation_body(exc), status=400)


def _validation_body(exc: ValidationError) -> dict[str, Any]:
    if hasattr(exc, "error_dict"):
        errors = {
            field: [str(m) for e in errs for m in e.messages]
            for field, errs in exc.error_dict.items()
        }
        message = "; ".join(f"{f}: {' '.join(m)}" for f, m in errors.items())
        return {"detail": message, "errors": errors}
    return {"detail": " ".join(exc.messages)}


@api.exception_handler(Exception)
def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    """A fault of ours answers JSON like any error; the traceback goes to the log only."""
    got_request_exception.send(sender=None, request=request)
    logger.error(
        "Internal Server Error: %s",
        request.path,
        exc_info=exc,
        extra={"status_code": 500, "request": request},
    )
    detail = _("Server error; it has been logged under request %(id)s.") % {
        "id": getattr(request, "request_id", "-")
    }
    return api.create_response(request, {"detail": detail}, status=500)


api.add_router("", accounts_router)
api.add_router("", orgs_router)
api.add_router("", people_router)
api.add_router("", honours_router)
api.add_router("", contests_router)
api.add_router("", services_router)
api.add_router("", audit_router)
api.add_router("", notifications_router)
api.add_router("", imports_router)
