from __future__ import annotations

import hmac
import logging
from datetime import datetime, time

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET

from gonghui.accounts.http import AuthedRequest
from gonghui.accounts.permissions import administers_accounts
from gonghui.core import audit_actions, health, metrics, workbench
from gonghui.core import notifications as notices
from gonghui.core.access import deny
from gonghui.core.backup import backup_problem
from gonghui.core.models import BackupRecord, Outcome
from gonghui.core.tables import paginate, query_without
from gonghui.orgs.permissions import top_organisations
from gonghui.site.permissions import can_audit, get_audit_trail_for_user

logger = logging.getLogger(__name__)


def home(request: AuthedRequest) -> HttpResponse:
    """The workbench: what waits for this user, and the key figures of their scope."""
    tops = top_organisations(request.user)
    todos = workbench.todos_for(request.user)
    if not tops and not todos:
        if can_audit(request.user):
            return redirect("site:audit_list")
        if administers_accounts(request.user):
            return redirect("accounts:user_list")
    return render(
        request,
        "site/home.html",
        {
            "tops": tops,
            "todos": todos,
            "figures": workbench.figures_for(request.user) if tops else [],
        },
    )


def audit_list(request: AuthedRequest) -> HttpResponse:
    events = get_audit_trail_for_user(request.user).select_related("organisation", "actor")
    filters = {
        "actor": request.GET.get("actor", "").strip(),
        "organisation": request.GET.get("organisation", "").strip(),
        "action": request.GET.get("action", "").strip(),
        "outcome": request.GET.get("outcome", "").strip(),
        "since": request.GET.get("since", "").strip(),
        "until": request.GET.get("until", "").strip(),
    }
    events = events.by_actor(filters["actor"]).with_action(filters["action"])
    if filters["organisation"]:
        events = events.filter(organisation__code=filters["organisation"])
    if filters["outcome"] in Outcome.values:
        events = events.filter(outcome=filters["outcome"])
    tz = timezone.get_current_timezone()
    if since := parse_date(filters["since"]) if _is_date(filters["since"]) else None:
        events = events.filter(at__gte=datetime.combine(since, time.min, tzinfo=tz))
    if until := parse_date(filters["until"]) if _is_date(filters["until"]) else None:
        events = events.filter(at__lte=datetime.combine(until, time.max, tzinfo=tz))
    page = paginate(request, events.order_by("-id"))
    context = {
        "page": page,
        "filters": filters,
        "outcomes": Outcome.choices,
        "actions": audit_actions.choices(),
        "querystring": query_without(request, "page"),
    }
    if request.htmx:
        return render(request, "site/audit_list.html#results", context)
    return render(request, "site/audit_list.html", context)


def _is_date(text: str) -> bool:
    try:
        return bool(text) and parse_date(text) is not None
    except ValueError:
        return False


@login_not_required
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers: the process runs and reaches its database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@login_not_required
def readyz(request: HttpRequest) -> JsonResponse:
    """For the operator's monitoring: every readiness check, 503 naming those that fail. The
    page is open to all, so what is wrong is logged for the operator, not told here."""
    checks = health.readiness()
    failing = {name: answer for name, answer in checks.items() if answer != "ok"}
    for name, answer in failing.items():
        logger.warning("readiness check %s fails: %s", name, answer)
    return JsonResponse(
        {
            "status": "failing" if failing else "ok",
            "checks": {name: "failing" if name in failing else "ok" for name in checks},
        },
        status=503 if failing else 200,
    )


@login_not_required
@require_GET
def metrics_page(request: HttpRequest) -> HttpResponse:
    """For the operator's Prometheus: the metrics in its text format, to a scraper that sends
    the configured token (404 while none is configured, 401 without the right one)."""
    expected = settings.METRICS_TOKEN
    if not expected:
        raise Http404
    scheme, _space, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        given.strip().encode(), expected.encode()
    ):
        response = HttpResponse("401 Unauthorized\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    body, content_type = metrics.exposition()
    return HttpResponse(body, content_type=content_type)


@login_not_required
def favicon(request: HttpRequest) -> HttpResponse:
    return redirect(static("favicon.svg"), permanent=True)


def notifications(request: AuthedRequest) -> HttpResponse:
    """The user's notifications, newest first; "mark all read" empties the badge."""
    if request.method == "POST":
        notices.mark_read(request.user)
        return redirect("site:notifications")
    page = paginate(request, notices.inbox(request.user))
    return render(
        request,
        "site/notifications.html",
        {"page": page, "retention_days": settings.NOTIFICATION_DAYS},
    )


def notification_open(request: AuthedRequest, pk: int) -> HttpResponse:
    """Mark one notification read and go where it points (a page of this site only)."""
    found = notices.inbox(request.user).filter(pk=pk).first()
    if found is None:
        raise Http404
    notices.mark_read(request.user, [found.pk])
    target = found.url if url_has_allowed_host_and_scheme(found.url, allowed_hosts=None) else ""
    return redirect(target or "site:notifications")


def backups(request: AuthedRequest) -> HttpResponse:
    """The nightly backups and their drills, for security administrators."""
    if not administers_accounts(request.user):
        deny(
            request.user,
            action="backups",
            object_type="core.backuprecord",
            object_id="",
            not_found=True,
        )
    return render(
        request,
        "site/backups.html",
        {
            "records": BackupRecord.objects.order_by("-day")[:60],
            "configured": bool(settings.BACKUP_DIR),
            "problem": backup_problem(),
        },
    )
