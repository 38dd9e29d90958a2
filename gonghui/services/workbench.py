"""Worker services' part of the workbench: files to approve, files returned, files due a visit;
open files by tier."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from gonghui.accounts.models import Role, User
from gonghui.core.workbench import Figure, Todo
from gonghui.orgs.models import Organisation
from gonghui.orgs.permissions import assignments
from gonghui.orgs.workbench import reach_q
from gonghui.services.models import ELIGIBLE_TIERS, FileStatus, HardshipFile, Tier
from gonghui.services.permissions import approvable_q, visible_files

SERVICES = _("Hardship assistance")


def _list_url(**filters: str) -> str:
    return reverse("services:list") + "?" + urlencode(filters)


def todos(user: User) -> Iterator[Todo]:
    waiting = HardshipFile.objects.filter(approvable_q(user), status=FileStatus.SUBMITTED).count()
    yield Todo(
        ngettext(
            "%(n)d hardship file waits for your approval",
            "%(n)d hardship files wait for your approval",
            waiting,
        )
        % {"n": waiting},
        waiting,
        _list_url(status=FileStatus.SUBMITTED),
        SERVICES,
    )
    # returned to the keeping union's own officers, as they are told of it
    own = [a.organisation_id for a in assignments(user) if a.role == Role.OFFICER]
    returned = HardshipFile.objects.filter(union__in=own, status=FileStatus.RETURNED).count()
    yield Todo(
        ngettext(
            "%(n)d hardship file was returned to you for changes",
            "%(n)d hardship files were returned to you for changes",
            returned,
        )
        % {"n": returned},
        returned,
        _list_url(status=FileStatus.RETURNED),
        SERVICES,
    )
    yield _due_visits(user)


def _due_visits(user: User) -> Todo:
    """Approved files in the user's scope whose last visit (or approval) is six months old."""
    due = visible_files(user).due_visit(timezone.localdate()).count()
    return Todo(
        ngettext(
            "%(n)d hardship file is due a visit",
            "%(n)d hardship files are due a visit",
            due,
        )
        % {"n": due},
        due,
        _list_url(due="visit"),
        SERVICES,
    )


def figures(user: User, organisation: Organisation | None) -> Iterator[Figure]:
    """Open files by tier, in the user's scope or the organisation's subtree."""
    counts = dict(
        visible_files(user)
        .open()
        .filter(reach_q(user, organisation, "union__"))
        .values_list("tier")
        .annotate(n=Count("pk"))
        .values_list("tier", "n")
    )
    labels = {
        Tier.DEEP: _("Open hardship files: deep hardship"),
        Tier.RELATIVE: _("Open hardship files: relative hardship"),
        Tier.ACCIDENT: _("Open hardship files: hardship by accident"),
    }
    for tier in ELIGIBLE_TIERS:
        yield Figure(labels[tier], counts.get(tier, 0), _list_url(tier=tier))
