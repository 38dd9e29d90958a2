"""Indexes in roster order: one union's members, and every union's members with the union
read from the index (for a subtree or the whole federation), both with the traits that the
filters check; built once the keys are filled."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0002_reserved_codes"),
        ("people", "0013_membership_name_key_filled"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="membership",
            name="membership_union_status",
        ),
        migrations.AddIndex(
            model_name="membership",
            index=models.Index(
                fields=["union", "status", "name_key", "id", "traits"],
                name="membership_union_roster",
            ),
        ),
        migrations.AddIndex(
            model_name="membership",
            index=models.Index(
                fields=["status", "name_key", "id", "union", "traits"],
                name="membership_roster",
            ),
        ),
    ]
