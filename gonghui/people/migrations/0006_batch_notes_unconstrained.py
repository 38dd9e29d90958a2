"""The links from people and memberships to the import that wrote them become notes without a
database constraint: batches are never deleted, and the constraint checked every row an import
writes (on PostgreSQL, 11 s at the commit of a million-row import)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('people', '0005_compact_hashes'),
    ]

    operations = [
        migrations.AlterField(
            model_name='membership',
            name='batch',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='memberships_opened', to='people.importbatch'),
        ),
        migrations.AlterField(
            model_name='person',
            name='batch',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='people_created', to='people.importbatch'),
        ),
    ]
