"""The signed-in user's notifications: read them, mark them read."""

from datetime import datetime
from typing import Any

from ninja import Query, Router, Schema
from ninja.pagination import paginate

from gonghui.accounts.http import AuthedRequest
from gonghui.core import notifications as notices
from gonghui.core.api_schemas import Id, Input, Pages, answers
from gonghui.core.models import Notification

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    text: str
    url: str
    created_at: datetime
    read_at: datetime | None

    @staticmethod
    def resolve_text(obj: Notification) -> str:
        return obj.text


class NotificationFilters(Schema):
    unread: bool = False


class MarkReadIn(Input):
    # the notifications to mark read; none named marks every one
    ids: list[Id] | None = None


class MarkedOut(Schema):
    marked: int
    unread: int


@router.get(
    "/notifications",
    response=answers({200: list[NotificationOut]}),
    summary="Your notifications, newest first",
)
@paginate(Pages)
def list_notifications(request: AuthedRequest, filters: Query[NotificationFilters]) -> Any:
    mine = notices.inbox(request.user)
    return mine.unread() if filters.unread else mine


@router.post(
    "/notifications/read",
    response=answers({200: MarkedOut}, 400),
    summary="Mark notifications read (those named, or all)",
)
def mark_read(request: AuthedRequest, payload: MarkReadIn) -> Any:
    marked = notices.mark_read(request.user, payload.ids)
    return {"marked": marked, "unread": notices.unread_count(request.user)}
