"""Access to the audit trail: auditors only, and only for their subtree."""

from __future__ import annotations

from django.db.models import Q

from gonghui.accounts.models import Role, User
from gonghui.core.access import deny
from gonghui.core.models import AuditEvent, AuditEventQuerySet
from gonghui.orgs.permissions import scope

AUDITORS = frozenset({Role.AUDITOR})


def visible_audit_events(user: User) -> AuditEventQuerySet:
    """Events about organisations in the auditor's subtree, and events about their users."""
    reach = scope(user, AUDITORS)
    if reach.is_empty:
        return AuditEvent.objects.none()
    users = User.objects.filter(reach.q("organisation__")).values("pk")
    return AuditEvent.objects.filter(
        reach.q("organisation__") | Q(organisation__isnull=True, actor__in=users)
    )


def can_audit(user: User) -> bool:
    return not scope(user, AUDITORS).is_empty


def get_audit_trail_for_user(user: User) -> AuditEventQuerySet:
    """The events an auditor may read; anyone else is refused (recorded) as if no page were here."""
    if not can_audit(user):
        deny(user, action="audit", object_type="core.auditevent", object_id="", not_found=True)
    return visible_audit_events(user)
