"""The person's birth year, beside the birth date that 0011 removes (see 0010)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0008_identity_unique_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="birth_year",
            field=models.PositiveSmallIntegerField(
                editable=False, null=True, verbose_name="birth year"
            ),
        ),
    ]
