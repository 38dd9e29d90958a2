"""The url patterns of one import, mounted under its app's prefix with its app's names."""

from __future__ import annotations

from django.urls import URLPattern, path

from gonghui.core.imports import views


def import_urls(kind: str, *, prefix: str = "import/", name: str = "import") -> list[URLPattern]:
    """`<name>` is the upload page; `<name>_job`, `_apply`, `_cancel`, `_sheet`, `_errors`,
    `_roll_back` and `_template` the rest (the kind's `url_name` is `<namespace>:<name>`)."""
    given = {"kind": kind}
    return [
        path(prefix, views.import_start, given, name=name),
        path(f"{prefix}template.xlsx", views.import_template, given, name=f"{name}_template"),
        path(f"{prefix}<int:pk>/", views.import_job, given, name=f"{name}_job"),
        path(f"{prefix}<int:pk>/apply/", views.import_apply, given, name=f"{name}_apply"),
        path(f"{prefix}<int:pk>/cancel/", views.import_cancel, given, name=f"{name}_cancel"),
        path(f"{prefix}<int:pk>/sheet/", views.import_sheet, given, name=f"{name}_sheet"),
        path(f"{prefix}<int:pk>/errors/", views.import_errors, given, name=f"{name}_errors"),
        path(
            f"{prefix}<int:pk>/roll-back/", views.import_roll_back, given, name=f"{name}_roll_back"
        ),
    ]
