"""Each membership carries its person's pinyin sort key and roster filters (skill level and
flags as one number), so that a roster page reads an index in roster order, checking the
filters on the index, instead of sorting every membership in scope."""

import gonghui.core.fields
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0011_remove_person_birth_date"),
    ]

    operations = [
        migrations.AddField(
            model_name="membership",
            name="name_key",
            field=gonghui.core.fields.ByteOrderCharField(
                default="", editable=False, max_length=255
            ),
        ),
        migrations.AddField(
            model_name="membership",
            name="traits",
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
    ]
