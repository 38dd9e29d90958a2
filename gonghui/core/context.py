"""Who is acting, from where, in which request: read by the audit trail."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestInfo:
    request_id: str
    ip: str | None
    path: str = ""


current_request: ContextVar[RequestInfo | None] = ContextVar("current_request", default=None)
