"""Access to the audit trail: auditors only, and only for their subtree."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from gonghui.accounts.models import Role
from gonghui.core.models import AuditEvent, AuditEventQuerySet
from gonghui.orgs.permissions import scope


def visible_audit_events(user: Any) -> AuditEventQuerySet:
    """Events about organisations in the auditor's subtree, and events about their users."""
    reach = scope(user, frozenset({Role.AUDITOR}))
    if reach.is_empty:
        return AuditEvent.objects.none()
    from gonghui.accounts.models import User

    users = User.objects.filter(reach.q("organisation__")).values("pk")
    return AuditEvent.objects.filter(
        reach.q("organisation__") | Q(organisation__isnull=True, actor__in=users)
    )


def can_audit(user: Any) -> bool:
    return not scope(user, frozenset({Role.AUDITOR})).is_empty
