from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from gonghui.accounts.models import User


class AuthedRequest(HttpRequest):
    """A request past LoginRequiredMiddleware: its user is signed in."""

    user: User
    htmx: HtmxDetails
