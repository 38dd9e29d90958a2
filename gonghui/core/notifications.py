"""In-app notifications: written by the actions that do the work, read in the header's list.

    notify(recipients, gettext_noop("%(name)s is sent up for your review"), {"name": …}, url)

The message is marked with `gettext_noop` (so it is collected for translation) and kept as
written; each reader sees it in their own language. Nobody is told of their own step, and a
message already waiting unread at the same address is not repeated. Notifications are kept
`GONGHUI_NOTIFICATION_DAYS` (180) days, then forgotten by the worker's housekeeping.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.utils import timezone

from gonghui.core.actor import Actor
from gonghui.core.models import Notification, NotificationQuerySet


def notify(
    recipients: Iterable[Any],
    message: str,
    params: Mapping[str, Any] | None = None,
    *,
    url: str = "",
    by: Actor = None,
    once: bool = False,
) -> int:
    """Tell each recipient (a user or a user's id), `by` aside; returns how many were told.

    A reminder sent each round of the housekeeping is sent `once`: not again to whoever had it,
    read or not.
    """
    ids = {getattr(r, "pk", r) for r in recipients} - {getattr(by, "pk", None)}
    if not ids:
        return 0
    earlier = Notification.objects.all() if once else Notification.objects.unread()
    waiting = set(
        earlier.filter(
            recipient__in=ids, message=message, url=url, params=dict(params or {})
        ).values_list("recipient_id", flat=True)
    )
    fresh = [
        Notification(recipient_id=pk, message=message, params=dict(params or {}), url=url)
        for pk in sorted(ids - waiting)
    ]
    Notification.objects.bulk_create(fresh)
    return len(fresh)


def inbox(user: AbstractBaseUser) -> NotificationQuerySet:
    return Notification.objects.filter(recipient_id=user.pk)


def unread_count(user: AbstractBaseUser) -> int:
    return inbox(user).unread().count()


def mark_read(user: AbstractBaseUser, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read: these ids, or all of them."""
    unread = inbox(user).unread()
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())


def forget_old_notifications() -> int:
    """Delete the notifications older than the retention period (the worker's housekeeping)."""
    cutoff = timezone.now() - timedelta(days=settings.NOTIFICATION_DAYS)
    deleted, _ = Notification.objects.filter(created_at__lt=cutoff).delete()
    return deleted
