"""Accounts' part of the workbench: accounts a security administrator has yet to give a role."""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from gonghui.accounts.models import User
from gonghui.accounts.permissions import accounts_without_role, administers_accounts
from gonghui.core.backup import backup_problem
from gonghui.core.workbench import Todo


def todos(user: User) -> Iterator[Todo]:
    if not administers_accounts(user):
        return
    if problem := backup_problem():
        yield Todo(
            _("The nightly backup needs attention: %(problem)s") % {"problem": problem},
            1,
            reverse("site:backups"),
            _("Backups"),
        )
    count = accounts_without_role(user).count()
    yield Todo(
        ngettext("%(n)d account has no role yet", "%(n)d accounts have no role yet", count)
        % {"n": count},
        count,
        reverse("accounts:user_list") + "?role=none",
        _("Accounts"),
    )
