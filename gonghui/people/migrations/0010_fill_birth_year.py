"""The birth year from the stored birth date, in one statement; going back, the birth date is
read again from each sealed identity number (the field key must be configured)."""

from datetime import date

from django.db import migrations
from django.db.models.functions import ExtractYear


def fill_years(apps, schema_editor):
    Person = apps.get_model("people", "Person")
    Person.objects.update(birth_year=ExtractYear("birth_date"))


def fill_dates(apps, schema_editor):
    from gonghui.core.crypto import decrypt

    Person = apps.get_model("people", "Person")
    people = Person.objects.only("pk", "identity_sealed").iterator(chunk_size=2000)
    for person in people:
        number = decrypt(person.identity_sealed, field="identity_number")
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
        Person.objects.filter(pk=person.pk).update(birth_date=born)


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0009_person_birth_year"),
    ]

    operations = [migrations.RunPython(fill_years, fill_dates)]
