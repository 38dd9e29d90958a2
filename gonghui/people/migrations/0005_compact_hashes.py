"""Blind indexes cut to 128 bits, and the person indexes declared without PostgreSQL's extra
LIKE indexes. The stored hashes are cut in place (an HMAC's first 128 bits are the 128-bit
HMAC), so no clear value is needed; there is no way back to the longer hashes."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('orgs', '0001_initial'),
        ('people', '0004_fewer_indexes'),
    ]

    operations = [
        migrations.RunSQL(
            "UPDATE people_person SET identity_hash = substr(identity_hash, 1, 32), "
            "phone_hash = substr(phone_hash, 1, 32)"
        ),
        migrations.AlterField(
            model_name='person',
            name='identity_hash',
            field=models.CharField(editable=False, max_length=32),
        ),
        migrations.AlterField(
            model_name='person',
            name='name_key',
            field=models.CharField(editable=False, max_length=255),
        ),
        migrations.AlterField(
            model_name='person',
            name='phone_hash',
            field=models.CharField(blank=True, editable=False, max_length=32),
        ),
        migrations.AddIndex(
            model_name='person',
            index=models.Index(fields=['name_key'], name='person_name_key'),
        ),
        migrations.AddIndex(
            model_name='person',
            index=models.Index(fields=['phone_hash'], name='person_phone_hash'),
        ),
        migrations.AddConstraint(
            model_name='person',
            constraint=models.UniqueConstraint(fields=('identity_hash',), name='person_identity_hash_unique'),
        ),
    ]
