from datetime import datetime, time
from typing import Any

from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from gonghui.accounts.http import AuthedRequest
from gonghui.core.api_schemas import Pages, answers
from gonghui.core.bounds import Day
from gonghui.core.models import AuditEvent
from gonghui.site.permissions import get_audit_trail_for_user

router = Router(tags=["audit"])


class AuditEventOut(Schema):
    id: int
    at: datetime
    actor: str
    organisation_code: str | None
    action: str
    action_label: str
    object_type: str
    object_id: str
    object_repr: str
    changes: dict[str, Any]
    extra: dict[str, Any]
    outcome: str
    request_id: str
    ip: str | None

    @staticmethod
    def resolve_actor(obj: AuditEvent) -> str:
        return obj.actor_name

    @staticmethod
    def resolve_organisation_code(obj: AuditEvent) -> str | None:
        return obj.organisation.code if obj.organisation_id and obj.organisation else None


class AuditFilters(Schema):
    actor: str | None = None
    organisation: str | None = None
    action: str | None = None
    since: Day | None = None
    until: Day | None = None


@router.get(
    "/audit/events",
    response=answers({200: list[AuditEventOut]}, 404),
    summary="The audit trail of your subtree (auditors)",
)
@paginate(Pages)
def list_events(request: AuthedRequest, filters: Query[AuditFilters]) -> Any:
    events = get_audit_trail_for_user(request.user).select_related("organisation").order_by("-id")
    tz = timezone.get_current_timezone()
    events = events.by_actor(filters.actor or "").with_action(filters.action or "")
    if filters.organisation:
        events = events.filter(organisation__code=filters.organisation)
    if filters.since:
        events = events.filter(at__gte=datetime.combine(filters.since, time.min, tzinfo=tz))
    if filters.until:
        events = events.filter(at__lte=datetime.combine(filters.until, time.max, tzinfo=tz))
    return events
