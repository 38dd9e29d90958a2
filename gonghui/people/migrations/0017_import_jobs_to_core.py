"""The web imports of rosters move to the one import job of core.imports; their batches stay."""

from django.db import migrations

FIELDS = ("created_by_id", "file_name", "stored_path", "stage", "rows_checked", "rows_total",
          "counts", "errors", "error_count", "warnings", "message")


def forwards(apps, schema_editor):
    old = apps.get_model("people", "ImportJob")
    job = apps.get_model("core", "ImportJob")
    for row in old.objects.order_by("pk").iterator():
        bad = row.error_count
        made = job.objects.create(
            kind="people.roster",
            organisation_id=row.union_id,
            options={"transfer": bool(row.options.get("transfer"))},
            skip_bad_rows=bool(row.options.get("skip_invalid")),
            rows_ready=max(row.rows_total - bad, 0),
            rows_written=row.rows_applied,
            result={"batch": row.batch_id} if row.batch_id else {},
            **{name: getattr(row, name) for name in FIELDS},
        )
        # created_at and updated_at are set on creation: give the job its own times back
        job.objects.filter(pk=made.pk).update(created_at=row.created_at, updated_at=row.updated_at)


def backwards(apps, schema_editor):
    old = apps.get_model("people", "ImportJob")
    job = apps.get_model("core", "ImportJob")
    for row in job.objects.filter(kind="people.roster").order_by("pk").iterator():
        made = old.objects.create(
            union_id=row.organisation_id,
            options={"transfer": bool(row.options.get("transfer")),
                     "skip_invalid": row.skip_bad_rows},
            rows_applied=row.rows_written,
            batch_id=row.result.get("batch"),
            **{name: getattr(row, name) for name in FIELDS if name != "stage"},
            stage="done" if row.stage == "rolled_back" else row.stage,
        )
        old.objects.filter(pk=made.pk).update(created_at=row.created_at, updated_at=row.updated_at)
        row.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0016_union_tallies"),
        ("core", "0004_import_job"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
