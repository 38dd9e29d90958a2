"""The web imports of past honourees move to the one import job of core.imports."""

from django.db import migrations

FIELDS = ("created_by_id", "file_name", "stored_path", "stage", "rows_checked", "rows_ready",
          "errors", "error_count", "message")


def forwards(apps, schema_editor):
    old = apps.get_model("honours", "HonoureeImport")
    job = apps.get_model("core", "ImportJob")
    for row in old.objects.order_by("pk").iterator():
        made = job.objects.create(
            kind="honours.honourees",
            rows_total=row.rows_checked,
            rows_written=row.created,
            counts={"added": row.created} if row.stage == "done" else {},
            **{name: getattr(row, name) for name in FIELDS},
        )
        # created_at is set on creation: give the job its own time back
        job.objects.filter(pk=made.pk).update(created_at=row.created_at, updated_at=row.created_at)


def backwards(apps, schema_editor):
    old = apps.get_model("honours", "HonoureeImport")
    job = apps.get_model("core", "ImportJob")
    for row in job.objects.filter(kind="honours.honourees").order_by("pk").iterator():
        stage = "checked" if row.stage == "rolled_back" else row.stage
        made = old.objects.create(
            created=row.rows_written,
            **{name: getattr(row, name) for name in FIELDS if name != "stage"},
            stage=stage,
        )
        old.objects.filter(pk=made.pk).update(created_at=row.created_at)
        row.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("honours", "0006_notice_contact"),
        ("core", "0004_import_job"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
