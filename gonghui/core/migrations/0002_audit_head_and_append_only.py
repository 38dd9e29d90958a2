from django.db import migrations

from gonghui.core import db_protection


def create_head(apps, schema_editor):
    apps.get_model("core", "AuditHead").objects.get_or_create(pk=1)


def protect(apps, schema_editor):
    db_protection.install(schema_editor.connection)


def unprotect(apps, schema_editor):
    db_protection.remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [
        migrations.RunPython(create_head, migrations.RunPython.noop),
        migrations.RunPython(protect, unprotect),
    ]
