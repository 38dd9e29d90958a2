"""The project's urls: the shell's pages, each app's under its prefix, and the API."""

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern, URLResolver, include, path
from django.views.i18n import set_language

from gonghui.site import views
from gonghui.site.api import api

# The docs page is for signed-in browsers; the schema itself answers a bearer token too, and
# strangers get the API's 401 from it (ASVS 13.4.5: no API map for strangers).
SIGNED_IN_API_PAGES = {"openapi-view"}


def _api_urls() -> Any:
    """The API answers 401 itself; keep the sign-in redirect away from its operations."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        if isinstance(pattern, URLPattern) and pattern.name not in SIGNED_IN_API_PAGES:
            pattern.callback.login_required = False  # type: ignore[attr-defined]
        elif isinstance(pattern, URLResolver):  # pragma: no cover - ninja uses flat patterns
            raise TypeError("unexpected nested API pattern")
    return patterns, app_name, namespace


# The shell's own pages.
shell = [
    path("", views.home, name="home"),
    path("audit/", views.audit_list, name="audit_list"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/<int:pk>/", views.notification_open, name="notification_open"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("metrics", views.metrics_page, name="metrics"),
    path("backups/", views.backups, name="backups"),
]

urlpatterns = [
    # browsers ask for /favicon.ico whatever the page says
    path("favicon.ico", views.favicon, name="favicon"),
    path("", include((shell, "site"))),
    path("", include("gonghui.orgs.urls")),
    path("accounts/", include("gonghui.accounts.urls")),
    path("members/", include("gonghui.people.urls")),
    path("honours/", include("gonghui.honours.urls")),
    path("public/", include("gonghui.honours.public_urls")),
    path("contests/", include("gonghui.contests.urls")),
    path("services/", include("gonghui.services.urls")),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("api/v1/", _api_urls()),
]
