"""Imports on the workbench: files checked and waiting for their uploader to confirm them."""

from __future__ import annotations

from collections.abc import Iterator

from django.contrib.auth.base_user import AbstractBaseUser
from django.urls import NoReverseMatch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.core.imports.models import ImportJob, ImportStage
from gonghui.core.workbench import Todo

IMPORTS = gettext_lazy("Imports")


def todos(user: AbstractBaseUser) -> Iterator[Todo]:
    waiting = ImportJob.objects.filter(created_by_id=user.pk, stage=ImportStage.CHECKED)
    for job in waiting.order_by("created_at")[:20]:
        try:
            url = job.get_absolute_url()
        except NoReverseMatch:  # a kind without pages of its own
            continue
        yield Todo(
            _("%(file)s is checked and waits for you to import it or cancel")
            % {"file": job.file_name},
            1,
            url,
            IMPORTS,
        )
