"""LaminDB 2.x's registries: Space, Branch, Project, Reference, Record, their link tables, and
``space`` on the core registries (default: the built-in space ``all``).

Branches: ``branch_id`` columns stay as they are (main 1, archive 0, trash -1); this adds the
``Branch`` table naming them, so contribution branches get ids from 2 on.
"""

import django.db.models.deletion
import django.db.models.functions.text
from django.db import migrations, models

CASCADE, PROTECT = django.db.models.deletion.CASCADE, django.db.models.deletion.PROTECT
BUILT_IN_SPACES = [(1, "ZvIMP105Pzhm", "all", "Every collaborator of the instance can access its records.")]
BUILT_IN_BRANCHES = [
    (1, "e7vsJo8rrGaU", "main", "The default branch."),
    (-1, "9fRiBiu5koyU", "trash", "Records scheduled for deletion."),
    (0, "PqIm7WTXRkIp", "archive", "Records hidden from queries, kept."),
]


def add_built_ins(apps, schema_editor):
    """The built-in space and branches; PostgreSQL's id sequences continue after them."""
    Space, Branch = apps.get_model("biolake", "Space"), apps.get_model("biolake", "Branch")
    db = schema_editor.connection.alias
    for pk, uid, name, description in BUILT_IN_SPACES:
        Space.objects.using(db).get_or_create(pk=pk, defaults={"uid": uid, "name": name, "description": description})
    for pk, uid, name, description in BUILT_IN_BRANCHES:
        Branch.objects.using(db).get_or_create(pk=pk, defaults={"uid": uid, "name": name, "description": description})
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            for table in ("biolake_space", "biolake_branch"):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST((SELECT MAX(id) FROM {table}), 1))"
                )


def _created(name):
    return [
        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
        ('uid', models.CharField(editable=False, max_length=12, unique=True)),
        ('name', name),
        ('description', models.TextField(blank=True, null=True)),
        ('created_at', models.DateTimeField(auto_now_add=True)),
        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=PROTECT, related_name='+', to='biolake.user')),
    ]


def _space():
    return models.ForeignKey(default=1, on_delete=PROTECT, related_name='+', to='biolake.space')


def _provenance():
    return [
        ('branch_id', models.SmallIntegerField(default=1)),
        ('created_at', models.DateTimeField(auto_now_add=True, db_index=True)),
        ('updated_at', models.DateTimeField(auto_now=True)),
        ('created_by', models.ForeignKey(editable=False, on_delete=PROTECT, related_name='+', to='biolake.user')),
        ('run', models.ForeignKey(blank=True, null=True, on_delete=PROTECT, related_name='+', to='biolake.run')),
        ('space', _space()),
    ]


def _link(name, owner, owner_related, label, label_related, feature=True):
    """A link table: owner (cascade) ↔ label (protect), optionally with a feature; unique per triple."""
    fields = [
        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
        ('created_at', models.DateTimeField(auto_now_add=True)),
        (owner, models.ForeignKey(on_delete=CASCADE, related_name=owner_related, to=f'biolake.{owner}')),
        (label, models.ForeignKey(on_delete=PROTECT, related_name=label_related, to=f'biolake.{label}')),
    ]
    unique = (owner, label)
    if feature:
        fields.append(('feature', models.ForeignKey(
            blank=True, null=True, on_delete=PROTECT, related_name=f'links_{owner}{label}', to='biolake.feature')))
        unique = (owner, label, 'feature')
    constraint_name = f"unique_{'_'.join(unique)}"
    return migrations.CreateModel(
        name=name, fields=fields,
        options={'constraints': [models.UniqueConstraint(fields=unique, name=constraint_name)]},
    )


class Migration(migrations.Migration):

    dependencies = [
        ('biolake', '0004_names'),
    ]

    operations = [
        migrations.CreateModel(name='Space', fields=_created(models.CharField(max_length=100, unique=True))),
        migrations.CreateModel(
            name='Branch',
            fields=_created(models.CharField(db_index=True, max_length=100)),
            options={
                'constraints': [models.UniqueConstraint(django.db.models.functions.text.Lower('name'), name='unique_branch_name_lower')],
            },
        ),
        migrations.RunPython(add_built_ins, migrations.RunPython.noop),
        *[
            migrations.AddField(model_name=model, name='space', field=_space())
            for model in ('artifact', 'collection', 'feature', 'run', 'schema', 'transform', 'ulabel')
        ],
        migrations.CreateModel(
            name='Project',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('uid', models.CharField(editable=False, max_length=12, unique=True)),
                ('name', models.CharField(db_index=True, max_length=255)),
                ('description', models.TextField(blank=True, null=True)),
                ('is_type', models.BooleanField(db_index=True, default=False)),
                ('type', models.ForeignKey(blank=True, null=True, on_delete=PROTECT, related_name='projects', to='biolake.project')),
                ('parents', models.ManyToManyField(blank=True, related_name='children', to='biolake.project')),
                ('abbr', models.CharField(blank=True, db_index=True, max_length=32, null=True)),
                ('url', models.URLField(blank=True, max_length=255, null=True)),
                ('start_date', models.DateField(blank=True, null=True)),
                ('end_date', models.DateField(blank=True, null=True)),
                *_provenance(),
            ],
        ),
        migrations.CreateModel(
            name='Reference',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('uid', models.CharField(editable=False, max_length=12, unique=True)),
                ('name', models.CharField(db_index=True, max_length=255)),
                ('description', models.TextField(blank=True, null=True)),
                ('is_type', models.BooleanField(db_index=True, default=False)),
                ('type', models.ForeignKey(blank=True, null=True, on_delete=PROTECT, related_name='references', to='biolake.reference')),
                ('abbr', models.CharField(blank=True, db_index=True, max_length=32, null=True)),
                ('url', models.URLField(blank=True, null=True)),
                ('pubmed_id', models.BigIntegerField(blank=True, db_index=True, null=True)),
                ('doi', models.CharField(blank=True, db_index=True, max_length=255, null=True)),
                ('text', models.TextField(blank=True, null=True)),
                ('date', models.DateField(blank=True, null=True)),
                *_provenance(),
            ],
        ),
        migrations.CreateModel(
            name='Record',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('uid', models.CharField(editable=False, max_length=16, unique=True)),
                ('name', models.CharField(blank=True, db_index=True, max_length=150, null=True)),
                ('description', models.TextField(blank=True, null=True)),
                ('is_type', models.BooleanField(db_index=True, default=False)),
                ('type', models.ForeignKey(blank=True, null=True, on_delete=PROTECT, related_name='records', to='biolake.record')),
                ('parents', models.ManyToManyField(blank=True, related_name='children', to='biolake.record')),
                ('schema', models.ForeignKey(blank=True, null=True, on_delete=PROTECT, related_name='records', to='biolake.schema')),
                ('reference', models.CharField(blank=True, db_index=True, max_length=255, null=True)),
                ('reference_type', models.CharField(blank=True, max_length=25, null=True)),
                *_provenance(),
            ],
        ),
        _link('ArtifactRecord', 'artifact', 'links_record', 'record', 'links_artifact'),
        _link('RecordULabel', 'record', 'links_ulabel', 'ulabel', 'links_record'),
        _link('ArtifactProject', 'artifact', 'links_project', 'project', 'links_artifact'),
        _link('RecordProject', 'record', 'links_project', 'project', 'links_record'),
        _link('ArtifactReference', 'artifact', 'links_reference', 'reference', 'links_artifact'),
        _link('RecordReference', 'record', 'links_reference', 'reference', 'links_record'),
        _link('TransformProject', 'transform', 'links_project', 'project', 'links_transform', feature=False),
        _link('CollectionProject', 'collection', 'links_project', 'project', 'links_collection', feature=False),
        migrations.CreateModel(
            name='RecordFeatureValue',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('record', models.ForeignKey(on_delete=CASCADE, related_name='links_featurevalue', to='biolake.record')),
                ('featurevalue', models.ForeignKey(on_delete=PROTECT, related_name='links_record', to='biolake.featurevalue')),
            ],
            options={'constraints': [models.UniqueConstraint(fields=('record', 'featurevalue'), name='unique_record_featurevalue')]},
        ),
        migrations.AddField(model_name='record', name='feature_values', field=models.ManyToManyField(related_name='records', through='biolake.RecordFeatureValue', to='biolake.featurevalue')),
        migrations.AddField(model_name='record', name='ulabels', field=models.ManyToManyField(related_name='records', through='biolake.RecordULabel', to='biolake.ulabel')),
        migrations.AddField(model_name='record', name='artifacts', field=models.ManyToManyField(related_name='records', through='biolake.ArtifactRecord', to='biolake.artifact')),
        migrations.AddField(model_name='project', name='artifacts', field=models.ManyToManyField(related_name='projects', through='biolake.ArtifactProject', to='biolake.artifact')),
        migrations.AddField(model_name='project', name='transforms', field=models.ManyToManyField(related_name='projects', through='biolake.TransformProject', to='biolake.transform')),
        migrations.AddField(model_name='project', name='collections', field=models.ManyToManyField(related_name='projects', through='biolake.CollectionProject', to='biolake.collection')),
        migrations.AddField(model_name='project', name='records', field=models.ManyToManyField(related_name='projects', through='biolake.RecordProject', to='biolake.record')),
        migrations.AddField(model_name='reference', name='artifacts', field=models.ManyToManyField(related_name='references', through='biolake.ArtifactReference', to='biolake.artifact')),
        migrations.AddField(model_name='reference', name='records', field=models.ManyToManyField(related_name='references', through='biolake.RecordReference', to='biolake.record')),
    ]
