# The obs index of AnnData/MuData artifacts (biolake.cells): one sidecar record per artifact.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('biolake', '0002_features_labels_schemas'),
    ]

    operations = [
        migrations.CreateModel(
            name='ObsIndex',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('obs_key', models.CharField(max_length=255)),
                ('var_key', models.CharField(max_length=255)),
                ('n_obs', models.BigIntegerField()),
                ('n_vars', models.BigIntegerField()),
                ('columns', models.JSONField(default=dict)),
                ('categories', models.JSONField(default=dict)),
                ('size', models.BigIntegerField(null=True)),
                ('format_version', models.SmallIntegerField(default=1)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('artifact', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='obs_index', to='biolake.artifact')),
            ],
        ),
    ]
