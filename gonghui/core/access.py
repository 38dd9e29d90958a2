"""Refusing access the same way everywhere: recorded, and a 404 when the row is out of scope."""

from __future__ import annotations

from typing import NoReturn, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404

from gonghui.core import audit
from gonghui.core.actor import Actor
from gonghui.core.models import Outcome

T = TypeVar("T", bound=Model)


def deny(
    user: Actor, *, action: str, object_type: str, object_id: str, not_found: bool
) -> NoReturn:
    """Record a refused access, then refuse it: 404 when the object is out of scope."""
    audit.record(
        action="access.denied",
        by=user,
        outcome=Outcome.DENIED,
        object_type=object_type,
        object_id=object_id,
        extra={"attempted": action, "answer": 404 if not_found else 403},
    )
    if not_found:
        raise Http404
    raise PermissionDenied


def first_or_404(queryset: QuerySet[T], user: Actor, *, action: str, object_id: object) -> T:
    """The first row of a scoped queryset, or a recorded refusal that looks like a missing page."""
    found = queryset.first()
    if found is None:
        deny(
            user,
            action=action,
            object_type=queryset.model._meta.label_lower,
            object_id=str(object_id),
            not_found=True,
        )
    return found
