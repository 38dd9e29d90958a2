"""No plaintext birth date beside the masked identity number: its hidden digits are that date.
On SQLite each step copies the people table once."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0010_fill_birth_year"),
    ]

    operations = [
        migrations.AlterField(
            model_name="person",
            name="birth_date",
            field=models.DateField(editable=False, null=True, verbose_name="birth date"),
        ),
        migrations.RemoveField(
            model_name="person",
            name="birth_date",
        ),
        migrations.AlterField(
            model_name="person",
            name="birth_year",
            field=models.PositiveSmallIntegerField(editable=False, verbose_name="birth year"),
        ),
    ]
