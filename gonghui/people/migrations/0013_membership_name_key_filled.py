"""The memberships' sort keys and traits copied from their people, in one statement (traits as
`people.models.roster_traits` makes them)."""

from django.db import migrations

SKILLS = ["", "junior", "intermediate", "senior", "technician", "senior_technician"]
TRAITS = (
    "(CASE skill_level "
    + " ".join(f"WHEN '{level}' THEN {place * 8}" for place, level in enumerate(SKILLS))
    + " ELSE 0 END)"
    " + (CASE WHEN is_frontline THEN 1 ELSE 0 END)"
    " + (CASE WHEN is_migrant THEN 2 ELSE 0 END)"
    " + (CASE WHEN is_enterprise_head THEN 4 ELSE 0 END)"
)
FILL = (
    "UPDATE people_membership SET (name_key, traits) = "  # noqa: S608 - constants only
    f"(SELECT name_key, {TRAITS} FROM people_person"
    " WHERE people_person.id = people_membership.person_id)"
)


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0012_membership_name_key"),
    ]

    operations = [
        migrations.RunSQL(FILL, reverse_sql=migrations.RunSQL.noop, elidable=False),
    ]
