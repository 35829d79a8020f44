"""Feature types (``is_type``, ``type``), ``cat_filters``, and no dtype for feature types."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("biolake", "0003_cells")]

    operations = [
        migrations.AlterField(
            model_name="feature", name="dtype", field=models.CharField(blank=True, max_length=255, null=True)
        ),
        migrations.AddField(model_name="feature", name="is_type", field=models.BooleanField(default=False)),
        migrations.AddField(
            model_name="feature",
            name="type",
            field=models.ForeignKey(
                blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                related_name="features", to="biolake.feature",
            ),
        ),
        migrations.AddField(model_name="feature", name="cat_filters", field=models.JSONField(blank=True, null=True)),
    ]
