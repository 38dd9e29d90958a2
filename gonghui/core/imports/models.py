"""The one job row every web import keeps: its file, its stage, its progress, its findings."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gonghui.core.tabular.reading import describe_months_alone

if TYPE_CHECKING:
    from gonghui.core.imports.kinds import ImportKind


class ImportStage(models.TextChoices):
    QUEUED = "queued", _("Waiting to be checked")
    CHECKING = "checking", _("Checking")
    CHECKED = "checked", _("Checked")
    APPLYING = "applying", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")
    ROLLED_BACK = "rolled_back", _("Rolled back")


RUNNING = frozenset({ImportStage.QUEUED, ImportStage.CHECKING, ImportStage.APPLYING})
# a task reads the upload in these: housekeeping leaves it alone
BUSY = frozenset({ImportStage.CHECKING, ImportStage.APPLYING})


class ImportJobQuerySet(models.QuerySet["ImportJob"]):
    def of_kind(self, code: str) -> ImportJobQuerySet:
        return self.filter(kind=code)


class ImportJob(models.Model):
    """An import started from the web: the uploaded file, its check, then (once confirmed)
    its writing. Both run as background tasks; the page polls this row. The stage moves only
    through `core.imports.actions`."""

    kind = models.CharField(_("kind"), max_length=64, db_index=True)
    organisation = models.ForeignKey(
        "orgs.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    file_name = models.CharField(_("file"), max_length=255)
    stored_path = models.CharField(max_length=500, blank=True)
    options = models.JSONField(default=dict, blank=True)
    skip_bad_rows = models.BooleanField(default=False)  # chosen after the check
    stage = models.CharField(
        _("stage"), max_length=12, choices=ImportStage.choices, default=ImportStage.QUEUED
    )
    rows_checked = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)
    rows_ready = models.PositiveIntegerField(default=0)
    rows_written = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)  # the first: [row, column, message, sheet]
    error_count = models.PositiveIntegerField(default=0)  # rows with an error
    warnings = models.JSONField(default=list, blank=True)
    # how each sheet was read: header rows, rows skipped above and below, columns not imported
    readings = models.JSONField(default=list, blank=True)
    # the sheet of a workbook the officer chose to read; empty: the first holding the header
    sheet = models.CharField(_("sheet"), max_length=255, blank=True)
    # a workbook's sheets to choose from: name, header rows (none: not found), problem, read
    sheets = models.JSONField(default=list, blank=True)
    message = models.TextField(blank=True)
    result = models.JSONField(default=dict, blank=True)  # what the writer made: a batch, a url

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_stage_display()})"

    def get_absolute_url(self) -> str:
        from gonghui.core.imports.kinds import get_kind

        return reverse(f"{get_kind(self.kind).url_name}_job", args=[self.pk])

    @property
    def audit_organisation(self) -> Any:
        return self.organisation

    @property
    def is_running(self) -> bool:
        return self.stage in RUNNING

    @property
    def has_upload(self) -> bool:
        """Whether the uploaded file is still kept (see core.uploads)."""
        return bool(self.stored_path)

    @property
    def can_apply(self) -> bool:
        """Checked, still kept, and either clean or with good rows the officer may import."""
        return (
            self.stage == ImportStage.CHECKED
            and self.has_upload
            and self.rows_ready > 0
            and (self.error_count == 0 or self.kind_spec.skips_bad_rows)
        )

    @property
    def can_choose_sheet(self) -> bool:
        """Checked and still kept, from a workbook with more than one sheet to read."""
        return self.stage == ImportStage.CHECKED and self.has_upload and len(self.sheets) > 1

    @property
    def can_cancel(self) -> bool:
        return self.stage in {ImportStage.QUEUED, ImportStage.CHECKED}

    @property
    def can_roll_back(self) -> bool:
        return self.stage == ImportStage.DONE and self.kind_spec.roll_back is not None

    @property
    def kind_spec(self) -> ImportKind[Any]:
        from gonghui.core.imports.kinds import get_kind

        return get_kind(self.kind)

    @property
    def error_rows(self) -> list[dict[str, Any]]:
        """The kept errors as the page lists them."""
        keys = ("row", "column", "message", "sheet")
        return [dict(zip(keys, error, strict=False)) for error in self.errors]

    @property
    def reading_notes(self) -> list[dict[str, Any]]:
        """How each sheet was read, as the page says it: the header row (or rows: 3–4), and
        the date columns in which a month alone was read as its first day."""
        return [
            {
                **reading,
                "header": "–".join(str(n) for n in reading.get("header_rows", [])),
                "months": describe_months_alone(reading),
            }
            for reading in self.readings
        ]

    @property
    def sheet_rows(self) -> list[dict[str, Any]]:
        """The workbook's sheets as the page lists them: where each one's header is (3–4)."""
        return [
            {**sheet, "header": "–".join(str(n) for n in sheet.get("header_rows", []))}
            for sheet in self.sheets
        ]

    @property
    def percent(self) -> int:
        if not self.rows_total:
            return 0
        done = self.rows_written if self.stage == ImportStage.APPLYING else self.rows_checked
        return min(100, round(100 * done / self.rows_total))
