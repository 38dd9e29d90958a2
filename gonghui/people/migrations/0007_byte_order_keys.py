"""Keyed hashes and pinyin sort keys compared byte by byte: on PostgreSQL their columns take the
"C" collation (cheaper index insertions and look-ups, and the order SQLite gives); SQLite
compares text so already, and its tables are left as they are rather than copied."""

import gonghui.core.fields
from django.db import migrations

COLUMNS = {"identity_hash": 32, "name_key": 255, "phone_hash": 32}


def collate(collation):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for column, length in COLUMNS.items():
            schema_editor.execute(
                f'ALTER TABLE people_person ALTER COLUMN {column} TYPE varchar({length}) COLLATE "{collation}"'
            )

    return run


class Migration(migrations.Migration):

    dependencies = [
        ('people', '0006_batch_notes_unconstrained'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='person',
                    name='identity_hash',
                    field=gonghui.core.fields.ByteOrderCharField(editable=False, max_length=32),
                ),
                migrations.AlterField(
                    model_name='person',
                    name='name_key',
                    field=gonghui.core.fields.ByteOrderCharField(editable=False, max_length=255),
                ),
                migrations.AlterField(
                    model_name='person',
                    name='phone_hash',
                    field=gonghui.core.fields.ByteOrderCharField(blank=True, editable=False, max_length=32),
                ),
            ],
            database_operations=[migrations.RunPython(collate("C"), collate("default"))],
        ),
    ]
