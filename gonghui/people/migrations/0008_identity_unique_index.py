"""The identity's unique constraint as an index of its own on SQLite too (there it was part of
the table, which no import can set aside): a first roster's import builds it at its end. SQLite
copies the people table once (some 30 s a million people); PostgreSQL swaps the constraint for
an equal unique index (a few seconds a million)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0002_reserved_codes"),
        ("people", "0007_byte_order_keys"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="person",
            name="person_identity_hash_unique",
        ),
        migrations.AddConstraint(
            model_name="person",
            constraint=models.UniqueConstraint(
                models.F("identity_hash"), name="person_identity_hash_unique"
            ),
        ),
    ]
