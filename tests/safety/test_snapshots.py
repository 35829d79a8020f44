"""Snapshots and moving up: an instance with every kind of record survives a snapshot → restore
round trip (SQLite and PostgreSQL) and a move from SQLite to PostgreSQL with identical row counts
and content hashes; damaged snapshots are refused and leave nothing behind.

One populated SQLite instance (artifacts and a new version, features and feature values, labels,
a schema, bio records with their parents, a tracked run with an input and an output, a collection)
is snapshotted once; each test rebuilds what it needs from that snapshot.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pandas as pd
import pytest
from django.db.models import JSONField, Value

from instance_helpers import _pg_admin, _pg_template, drop_instance, make_instance, server_url

import biolake as ln
from biolake.errors import BiolakeError, InstanceSetupError, SnapshotCorruptError, SnapshotError
from biolake.setup import django_boot, store
from biolake.setup.instance import sqlite_path
from biolake.setup.snapshot.manifest import read_manifest
from biolake.setup.snapshot.rows import measure
from biolake.setup.snapshot.tables import table_specs


def _stats() -> dict[str, tuple[int, str]]:
    """Counts and content hashes of every table of the active instance."""
    return measure(table_specs(), "default")


def _populate(bt) -> None:
    df = pd.DataFrame({"gene_a": [1, 2, 3], "gene_b": [4, 5, 6]})
    raw = ln.Artifact.from_df(df, key="raw/counts.parquet", description="counts").save()
    ln.Artifact.from_df(df * 10, key="raw/counts.parquet").save()  # a second version
    kind = ln.ULabel(name="Perturbation", is_type=True).save()
    ifng = ln.ULabel(name="IFNG", type=kind).save()
    raw.ulabels.add(ifng)
    temperature = ln.Feature(name="temperature", dtype=float).save()
    ln.Feature(name="cell_type", dtype=bt.CellType).save()
    ln.Schema(name="counts schema", features=[temperature, ln.Feature(name="gene_a", dtype=int).save()]).save()
    raw.features.add_values({"temperature": 21.6, "cell_type": "T cell"})  # T cell comes with its parents
    raw.labels.add(bt.Disease.from_source(name="asthma").save())

    @ln.tracked()
    def double(key: str) -> ln.Artifact:
        counts = ln.Artifact.get(key=key).load()
        return ln.Artifact.from_df(counts * 2, key=f"doubled/{key}").save()

    doubled = double("raw/counts.parquet")
    ln.Collection([raw, doubled], key="counts-collection").save()
    # a JSON null in a NOT NULL JSON column must not come back as SQL NULL
    from biolake.models import FeatureValue

    FeatureValue.objects.create(feature=temperature, value=Value(None, output_field=JSONField()))


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """The populated SQLite instance, its SQLite snapshot and its counts and hashes."""
    inst, _ = make_instance("sqlite", tmp_path_factory.mktemp("snapsource"), modules=["bio"])
    from biolake import bio as bt

    _populate(bt)
    folder = tmp_path_factory.mktemp("snaps") / "source.sqlite-snapshot"
    ln.setup.snapshot.create(folder)
    yield inst, folder, _stats()
    drop_instance(inst.name, None)


@pytest.fixture
def cleanup():
    """Names of instances and PostgreSQL databases to remove after the test."""
    made: dict[str, list[str]] = {"instances": [], "databases": []}
    yield made
    django_boot.deactivate()
    for name in made["instances"]:
        if name in store.list_instances():
            ln.setup.delete(name, force=True)
    for dbname in made["databases"]:
        _pg_admin(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


def _name() -> str:
    return f"snap{os.getpid()}{uuid.uuid4().hex[:6]}"


def _pg_database(cleanup, migrated: bool = True) -> str:
    """A new PostgreSQL database: a copy of the migrated test template (or empty); its URL."""
    base = server_url("BIOLAKE_TEST_PG_URL")
    dbname = f"biolake_{_name()}"
    template = f' TEMPLATE "{_pg_template(base)}"' if migrated else ""
    _pg_admin(f'CREATE DATABASE "{dbname}"{template}')
    cleanup["databases"].append(dbname)
    return base.rsplit("/", 1)[0] + "/" + dbname


def _restore(folder, cleanup, db=None) -> object:
    name = _name()
    cleanup["instances"].append(name)
    return ln.setup.snapshot.restore(folder, name=name, db=db)


def _assert_queries_work(bt) -> None:
    raw = ln.Artifact.get(key="raw/counts.parquet")
    assert raw.load()["gene_a"].tolist() == [10, 20, 30]
    first = ln.Artifact.filter(key="raw/counts.parquet", is_latest=False).one()
    assert first.load()["gene_a"].tolist() == [1, 2, 3]
    assert ln.Artifact.filter(temperature__gt=20).one().uid == first.uid
    assert ln.Artifact.get(ulabels__name="IFNG").uid == first.uid
    assert ln.Artifact.filter(cell_types__name="T cell").one().uid == first.uid
    assert {p.name for p in bt.CellType.get(name="T cell").parents.all()}
    doubled = ln.Artifact.get(key="doubled/raw/counts.parquet")
    assert [a.uid for a in doubled.run.input_artifacts.all()] == [raw.uid]  # the latest version was read
    assert doubled.load()["gene_a"].tolist() == [20, 40, 60]
    collection = ln.Collection.get(key="counts-collection")
    assert {a.uid for a in collection.artifacts.all()} == {first.uid, doubled.uid}
    assert ln.Schema.get(name="counts schema").features.count() == 2
    from biolake.models import FeatureValue

    assert FeatureValue.objects.filter(feature__name="temperature", value=None).count() == 1  # JSON null


def test_every_table_of_every_app_is_covered(source):
    from django.apps import apps

    expected = {
        m._meta.db_table
        for label in django_boot.app_labels()
        for m in apps.get_app_config(label).get_models(include_auto_created=True)
    }
    manifest = read_manifest(source[1])
    assert {entry["table"] for entry in manifest.tables} == expected
    assert "bio_celltype_parents" in expected and "biolake_artifactfeaturevalue" in expected
    order = [entry["table"] for entry in manifest.tables]
    assert order.index("biolake_user") < order.index("biolake_artifact") < order.index("biolake_collectionartifact")
    rows = {entry["table"]: entry["rows"] for entry in manifest.tables}
    for table in ("biolake_artifact", "biolake_run", "biolake_runinputartifact", "biolake_featurevalue",
                  "biolake_artifactulabel", "biolake_schemafeature", "bio_celltype", "bio_celltype_parents",
                  "bio_artifactcelltype", "bio_artifactdisease", "biolake_collectionartifact"):
        assert rows[table] > 0, table
    assert "db" not in manifest.instance and manifest.kind == "sqlite"


def test_sqlite_snapshot_restores_with_identical_hashes(source, cleanup):
    from biolake import bio as bt

    _, folder, stats = source
    restored = _restore(folder, cleanup, db=f"sqlite:///{folder.parent / 'restored.sqlite3'}")
    assert ln.settings.instance.name == restored.name
    assert _stats() == stats
    _assert_queries_work(bt)


def test_parquet_snapshot_of_sqlite_round_trips(source, cleanup, tmp_path):
    inst, _, stats = source
    ln.connect(inst.name)
    folder = tmp_path / "parquet-snapshot"
    manifest = ln.setup.snapshot.create(folder, kind="parquet")
    assert manifest.kind == "parquet" and len(list((folder / "tables").glob("*.parquet"))) == len(manifest.tables)
    assert {e["table"]: (e["rows"], e["hash"]) for e in manifest.tables} == stats
    _restore(folder, cleanup, db=f"sqlite:///{tmp_path / 'from-parquet.sqlite3'}")
    assert _stats() == stats


@pytest.fixture(scope="module")
def moved(source, tmp_path_factory):
    """A copy of the source instance, moved to PostgreSQL by ``migrate_db``."""
    base = server_url("BIOLAKE_TEST_PG_URL")
    name, dbname = _name(), f"biolake_moved_{os.getpid()}"
    _pg_admin(f'CREATE DATABASE "{dbname}" TEMPLATE "{_pg_template(base)}"')
    sqlite_file = tmp_path_factory.mktemp("tomove") / "tomove.sqlite3"
    ln.setup.snapshot.restore(source[1], name=name, db=f"sqlite:///{sqlite_file}")
    url = base.rsplit("/", 1)[0] + "/" + dbname
    yield ln.setup.migrate_db(to=url), sqlite_file, url
    django_boot.deactivate()
    ln.setup.delete(name, force=True)
    _pg_admin(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


@pytest.mark.postgres
def test_move_to_postgres_keeps_every_record(source, moved):
    from biolake import bio as bt

    instance, sqlite_file, url = moved
    ln.connect(instance.name)
    assert store.load_instance(instance.name).db == url and ln.settings.instance.dialect == "postgresql"
    assert not sqlite_file.exists()  # renamed: no process writes there any more
    assert sqlite_file.with_name(sqlite_file.name + ".moved-to-postgresql").is_file()  # kept for the user
    assert _stats() == source[2]
    _assert_queries_work(bt)
    highest = ln.Artifact.filter().order_by("-id").first().id
    new = ln.Artifact.from_df(pd.DataFrame({"x": [1]}), key="after-move.parquet").save()  # sequences were reset
    assert new.id > highest
    new.delete(permanent=True)


@pytest.mark.postgres
def test_postgres_snapshot_round_trips_into_postgres_and_sqlite(source, moved, cleanup, tmp_path):
    ln.connect(moved[0].name)
    folder = tmp_path / "pg-snapshot"
    manifest = ln.setup.snapshot.create(folder)
    assert manifest.kind == "parquet" and manifest.source_dialect == "postgresql"
    assert {e["table"]: (e["rows"], e["hash"]) for e in manifest.tables} == source[2]
    _restore(folder, cleanup, db=_pg_database(cleanup))
    assert ln.settings.instance.dialect == "postgresql" and _stats() == source[2]
    _restore(folder, cleanup, db=f"sqlite:///{tmp_path / 'from-pg.sqlite3'}")
    assert _stats() == source[2]


@pytest.mark.postgres
def test_sqlite_snapshot_restores_into_postgres(source, cleanup):
    _restore(source[1], cleanup, db=_pg_database(cleanup))
    assert ln.settings.instance.dialect == "postgresql" and _stats() == source[2]


def _parquet_copy(source, tmp_path) -> Path:
    ln.connect(source[0].name)
    folder = tmp_path / "snapshot"
    ln.setup.snapshot.create(folder, kind="parquet")
    return folder


def _assert_nothing_made(name: str, folder: Path) -> None:
    assert name not in store.list_instances()
    assert not [p for p in folder.parent.iterdir() if p.name.startswith((".", "target"))], list(folder.parent.iterdir())


def _edit_parquet(path: Path) -> None:
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    column = table.column("key").to_pylist()
    column[0] = "edited/" + (column[0] or "")
    pq.write_table(table.set_column(table.schema.get_field_index("key"), "key", [column]), path)


@pytest.mark.parametrize("damage", ["edited parquet", "truncated parquet", "manifest hash", "manifest json", "missing table"])
def test_a_damaged_parquet_snapshot_is_refused_and_leaves_nothing(source, tmp_path, damage):
    folder = _parquet_copy(source, tmp_path)
    artifact_file = folder / "tables" / "biolake_artifact.parquet"
    manifest_file = folder / "manifest.json"
    if damage == "edited parquet":
        _edit_parquet(artifact_file)
    elif damage == "truncated parquet":
        artifact_file.write_bytes(artifact_file.read_bytes()[:100])
    elif damage == "manifest hash":
        text = manifest_file.read_text()
        entry = read_manifest(folder).table("biolake_artifact")
        manifest_file.write_text(text.replace(entry["hash"], "blake3:" + "0" * 64))
    elif damage == "manifest json":
        manifest_file.write_text(manifest_file.read_text()[:-20])
    else:
        artifact_file.unlink()
    name = _name()
    with pytest.raises(SnapshotCorruptError) as error:
        ln.setup.snapshot.restore(folder, name=name, db=f"sqlite:///{tmp_path / 'target.sqlite3'}")
    assert "snapshot" in str(error.value) and "use another one" in str(error.value)
    with pytest.raises(SnapshotCorruptError):
        ln.setup.snapshot.verify(folder)
    _assert_nothing_made(name, folder)


def test_a_damaged_sqlite_snapshot_is_refused(source, tmp_path):
    folder = tmp_path / "copy"
    shutil.copytree(source[1], folder)
    manifest_file = folder / "manifest.json"
    entry = read_manifest(folder).table("biolake_run")
    manifest_file.write_text(manifest_file.read_text().replace(entry["hash"], "blake3:" + "1" * 64))
    with pytest.raises(SnapshotCorruptError, match="biolake_run"):
        ln.setup.snapshot.restore(folder, name=_name(), db=f"sqlite:///{tmp_path / 'target.sqlite3'}")
    shutil.copy(source[1] / "manifest.json", manifest_file)
    database = folder / "database.sqlite3"
    data = bytearray(database.read_bytes())
    data[5000] ^= 0xFF
    database.write_bytes(bytes(data))
    with pytest.raises(SnapshotCorruptError, match="changed after the snapshot was made"):
        ln.setup.snapshot.restore(folder, name=_name(), db=f"sqlite:///{tmp_path / 'target.sqlite3'}")
    assert not (tmp_path / "target.sqlite3").exists()
    assert not list(tmp_path.glob(".target*"))


def test_a_failed_load_leaves_no_half_instance(source, tmp_path, monkeypatch):
    from biolake.setup.snapshot import copy as copy_module

    folder = _parquet_copy(source, tmp_path)
    real = copy_module.insert_rows

    def failing(spec, alias, rows):
        if spec.table == "biolake_collection":
            raise OSError("disk full (simulated)")
        real(spec, alias, rows)

    monkeypatch.setattr(copy_module, "insert_rows", failing)
    name = _name()
    with pytest.raises(OSError, match="simulated"):
        ln.setup.snapshot.restore(folder, name=name, db=f"sqlite:///{tmp_path / 'target.sqlite3'}")
    assert not (tmp_path / "target.sqlite3").exists()
    _assert_nothing_made(name, folder)


def test_restore_refuses_an_existing_name_or_database(source, tmp_path):
    inst = source[0]
    with pytest.raises(InstanceSetupError, match="already exists"):
        ln.setup.snapshot.restore(source[1], name=inst.name, db=f"sqlite:///{tmp_path / 'x.sqlite3'}")
    with pytest.raises(SnapshotError, match="already exists"):
        ln.setup.snapshot.restore(source[1], name=_name(), db=inst.db)
    assert sqlite_path(inst.db).is_file() and not (tmp_path / "x.sqlite3").exists()


@pytest.mark.postgres
def test_a_database_with_records_is_refused(source, moved):
    with pytest.raises(SnapshotError, match="already holds biolake records"):
        ln.setup.snapshot.restore(source[1], name=_name(), db=moved[2])
    ln.connect(moved[0].name)
    assert _stats() == source[2]


def test_move_refuses_what_it_cannot_do(source, moved, tmp_path):
    with pytest.raises(InstanceSetupError, match="PostgreSQL URL"):
        ln.setup.migrate_db(to=f"sqlite:///{tmp_path / 'x.sqlite3'}", name=source[0].name)
    with pytest.raises(InstanceSetupError, match="not on SQLite"):
        ln.setup.migrate_db(to=moved[2], name=moved[0].name)
    with pytest.raises(SnapshotError, match="already exists and is not an empty folder"):
        ln.setup.snapshot.create(source[1])
    assert issubclass(SnapshotCorruptError, BiolakeError)


def test_a_manifest_keeps_no_database_url_nor_secret_storage_options():
    from biolake.setup.snapshot.manifest import public_instance

    kept = public_instance("lab", "s3://b/lake", ["bio"], {"endpoint_url": "http://x", "secret": "S", "key": "K", "aws_session_token": "T"})
    assert kept == {"name": "lab", "storage_root": "s3://b/lake", "modules": ["bio"], "storage_options": {"endpoint_url": "http://x"}}


def _sqlite_copy(source, cleanup, tmp_path) -> object:
    """A copy of the source instance on SQLite (current)."""
    return _restore(source[1], cleanup, db=f"sqlite:///{tmp_path / 'copy.sqlite3'}")


@pytest.mark.postgres
def test_a_failed_move_keeps_the_instance_on_sqlite_and_postgres_empty(source, cleanup, tmp_path, monkeypatch):
    from biolake.setup.snapshot import copy as copy_module
    from biolake.setup.snapshot.databases import temporary_alias
    from biolake.setup.snapshot.rows import tables_with_rows
    from biolake.setup.instance import django_database

    copy = _sqlite_copy(source, cleanup, tmp_path)
    url = _pg_database(cleanup)
    real = copy_module.insert_rows

    def failing(spec, alias, rows):
        if spec.table == "biolake_collectionartifact":
            raise OSError("connection lost (simulated)")
        real(spec, alias, rows)

    monkeypatch.setattr(copy_module, "insert_rows", failing)
    with pytest.raises(OSError, match="simulated"):
        ln.setup.migrate_db(to=url)
    assert store.load_instance(copy.name).db == copy.db
    with temporary_alias(django_database(url)) as alias:
        assert tables_with_rows(table_specs(), alias) == []
    ln.connect(copy.name)
    assert _stats() == source[2]


@pytest.mark.slow
@pytest.mark.postgres
def test_move_into_a_new_database_runs_the_migrations(source, cleanup, tmp_path):
    copy = _sqlite_copy(source, cleanup, tmp_path)
    url = _pg_database(cleanup, migrated=False)
    moved = ln.setup.migrate_db(to=url)
    assert moved.name == copy.name and ln.settings.instance.dialect == "postgresql"
    assert django_boot.pending_migrations() == [] and _stats() == source[2]


def test_deleting_a_restored_copy_keeps_the_shared_storage(source, cleanup, tmp_path):
    copy = _sqlite_copy(source, cleanup, tmp_path)
    ln.setup.delete(copy.name, force=True)
    assert not (tmp_path / "copy.sqlite3").exists()
    ln.connect(source[0].name)
    assert ln.Artifact.get(key="raw/counts.parquet").load()["gene_a"].tolist() == [10, 20, 30]
    assert sqlite_path(source[0].db).is_file()


@pytest.mark.parametrize("edit", [
    lambda body: body["tables"][0].pop("hash"),
    lambda body: body["tables"][1].update(rows="many"),
    lambda body: body.update(migrations=["0001"]),
    lambda body: body["instance"].pop("storage_root"),
    lambda body: body.update(database_file=None),
])
def test_a_malformed_manifest_is_a_biolake_error(source, tmp_path, edit):
    import json

    folder = tmp_path / "copy"
    shutil.copytree(source[1], folder)
    body = json.loads((folder / "manifest.json").read_text())
    edit(body)
    (folder / "manifest.json").write_text(json.dumps(body))
    with pytest.raises(SnapshotCorruptError, match="manifest.json"):
        ln.setup.snapshot.restore(folder, name=_name(), db=f"sqlite:///{tmp_path / 'target.sqlite3'}")
    assert not (tmp_path / "target.sqlite3").exists()


_LATE_WRITER = """
import sys
import pandas as pd
import biolake as ln

ln.connect(sys.argv[1])
ln.Artifact.from_df(pd.DataFrame({"a": [0]}), key="before-move.parquet").save()
print("ready", flush=True)
sys.stdin.readline()
try:
    ln.Artifact.from_df(pd.DataFrame({"a": [1]}), key="late.parquet").save()
    print("saved")
except Exception as error:
    print(type(error).__name__, error)
"""


@pytest.mark.postgres
def test_a_process_still_on_the_old_sqlite_cannot_write_after_the_move(source, cleanup, tmp_path):
    import subprocess
    import sys

    copy = _sqlite_copy(source, cleanup, tmp_path)
    url = _pg_database(cleanup, migrated=False)
    child = subprocess.Popen(
        [sys.executable, "-c", _LATE_WRITER, copy.name], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout.readline().strip() == "ready"
        ln.setup.migrate_db(to=url, name=copy.name)
        output, _ = child.communicate("go\n", timeout=120)
    finally:
        child.kill()
    assert output.startswith("InstanceGoneError") and "Nothing was saved" in output
    ln.connect(copy.name)
    assert ln.Artifact.filter(key="before-move.parquet").exists()  # written before the move: moved
    assert not ln.Artifact.filter(key="late.parquet").exists()
