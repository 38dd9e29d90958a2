"""Who worker services tell what: the keeping union, when its file is approved or returned."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from gonghui.accounts.models import Role, RoleAssignment
from gonghui.accounts.types import Actor
from gonghui.core.notifications import notify
from gonghui.services.models import FileStatus, HardshipFile


def file_decided(file: HardshipFile, *, by: Actor) -> None:
    """Tell the officers of the keeping union that their file was approved or returned."""
    officers = RoleAssignment.objects.filter(
        organisation=file.union, role=Role.OFFICER, user__is_active=True
    ).values_list("user_id", flat=True)
    messages = {
        FileStatus.APPROVED: gettext_noop("The hardship file of %(name)s was approved"),
        FileStatus.RETURNED: gettext_noop("The hardship file of %(name)s was returned for changes"),
    }
    message = messages.get(FileStatus(file.status))
    if message is not None:
        notify(officers, message, {"name": file.person.name}, url=file.get_absolute_url(), by=by)
