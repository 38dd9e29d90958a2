"""Uploaded files hold personal data: kept only while an import needs them.

A web import keeps its upload (and the files made from it: an error list, a progress count)
until it is imported, cancelled or fails; then `discard_upload` deletes them at once. An upload
checked but left waiting is deleted after `GONGHUI_UPLOAD_RETENTION_DAYS` by the worker's
housekeeping (`delete_expired_uploads`). The job's row stays, as history; its `stored_path` is
emptied, which its page reads as "the file is no longer kept".

An app declares its import jobs once (`keep_uploads_of`, in its AppConfig.ready); uploads
kept without a job row, in a folder of the default storage, are declared with
`keep_uploads_in`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import models
from django.utils import timezone


@dataclass(frozen=True)
class _JobUploads:
    model: type[models.Model]
    derived_files: Callable[[Any], Iterable[Path]]
    busy_stages: frozenset[str]


@dataclass(frozen=True)
class _FolderUploads:
    folder: str
    max_age: timedelta | None


_JOBS: dict[type[models.Model], _JobUploads] = {}
_FOLDERS: dict[str, _FolderUploads] = {}


def keep_uploads_of(
    model: type[models.Model],
    *,
    derived_files: Callable[[Any], Iterable[Path]] = lambda job: (),
    busy_stages: Iterable[str] = (),
) -> None:
    """Declare an import job model: its rows have `stored_path`, `created_at` and `stage`; a
    task reads the file while the job is in one of `busy_stages`."""
    _JOBS[model] = _JobUploads(model, derived_files, frozenset(busy_stages))


def keep_uploads_in(folder: str, *, max_age: timedelta | None = None) -> None:
    """Declare a folder of the default storage holding uploads without a job row; they are
    deleted after `max_age` (when shorter than the retention period) or the retention period."""
    _FOLDERS[folder] = _FolderUploads(folder, max_age)


def discard_upload(job: Any) -> None:
    """Delete a job's upload and the files made from it, now; the row remembers it is gone."""
    declared = _JOBS[type(job)]
    paths = [Path(job.stored_path)] if job.stored_path else []
    for path in [*paths, *declared.derived_files(job)]:
        path.unlink(missing_ok=True)
    declared.model._default_manager.filter(pk=job.pk).update(stored_path="")
    job.stored_path = ""


def retention() -> timedelta:
    return timedelta(days=settings.UPLOAD_RETENTION_DAYS)


def delete_expired_uploads(*, now: datetime | None = None) -> int:
    """Delete the uploads kept past their time, of every declared job model and folder;
    returns how many were deleted."""
    now = now or timezone.now()
    deleted = 0
    for declared in _JOBS.values():
        expired = (
            declared.model._default_manager.filter(created_at__lt=now - retention())
            .exclude(stored_path="")
            .exclude(stage__in=declared.busy_stages)
        )
        for job in expired.iterator():
            discard_upload(job)
            deleted += 1
    for kept in _FOLDERS.values():
        age = min(kept.max_age, retention()) if kept.max_age else retention()
        deleted += delete_files_older_than(kept.folder, now - age)
    return deleted


def delete_files_older_than(folder: str, cutoff: datetime) -> int:
    """Delete the files of a folder of the default storage last changed before `cutoff`."""
    try:
        names = default_storage.listdir(folder)[1]
    except (FileNotFoundError, NotImplementedError):
        return 0  # nothing kept yet, or a storage that cannot list: its own expiry rules apply
    deleted = 0
    for name in names:
        path = f"{folder}/{name}"
        try:
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
                deleted += 1
        except FileNotFoundError:
            pass  # deleted meanwhile by the request that used it
    return deleted
