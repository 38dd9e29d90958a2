from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gonghui.accounts.models import BUSINESS_ROLES
from gonghui.accounts.permissions import administers_accounts
from gonghui.contests.permissions import judged_skills
from gonghui.core.notifications import unread_count
from gonghui.orgs.permissions import assignments, scope
from gonghui.site.permissions import can_audit


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The menu a user sees: only what their roles open."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    items: list[tuple[str, Any, str]] = []
    if not scope(user, BUSINESS_ROLES).is_empty:
        items += [
            ("home", _("Home"), reverse("site:home")),
            ("orgs", _("Organisations"), reverse("orgs:list")),
            ("units", _("Employer units"), reverse("orgs:unit_list")),
            ("people", _("Members"), reverse("people:list")),
            ("honours", _("Honours"), reverse("honours:campaigns")),
            ("contests", _("Competitions"), reverse("contests:list")),
            ("services", _("Hardship assistance"), reverse("services:list")),
        ]
    else:  # judges without a union role
        if judged_skills(user).exists():
            items.append(("contests", _("Competitions"), reverse("contests:list")))
    if administers_accounts(user):
        items.append(("accounts", _("Accounts"), reverse("accounts:user_list")))
        items.append(("backups", _("Backups"), reverse("site:backups")))
    if can_audit(user):
        items.append(("audit", _("Audit trail"), reverse("site:audit_list")))
    items.append(("api", _("API"), "/api/v1/docs"))
    match = request.resolver_match
    name = match.url_name if match else ""
    active = {"home": "home", "audit_list": "audit", "backups": "backups"}.get(name or "", "")
    if match and match.app_name == "people":
        active = "people"
    elif match and match.app_name == "honours":
        active = "honours"
    elif match and match.app_name in ("contests", "services"):
        active = match.app_name
    elif match and match.app_name == "orgs":
        active = "units" if (name or "").startswith("unit") else "orgs"
    elif match and match.app_name == "accounts" and (name or "").startswith(("user", "role")):
        active = "accounts"
    return {
        "nav_items": items,
        "nav_active": active,
        "my_assignments": assignments(user),
        "unread_notifications": unread_count(user),
    }
