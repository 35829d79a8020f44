"""Instances: init, connect, disconnect, delete, migrate; settings under $BIOLAKE_HOME."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from instance_helpers import BACKENDS, drop_instance, make_instance


@pytest.fixture(params=BACKENDS)
def fresh(request, tmp_path):
    inst, dbname = make_instance(request.param, tmp_path / "lake")
    yield inst
    import biolake as ln

    if inst.name in ln.setup.store.list_instances():
        drop_instance(inst.name, dbname)


def test_init_writes_settings_and_sqlite_in_wal_mode(tmp_path):
    import biolake as ln

    inst = ln.setup.init(storage=str(tmp_path / "mydata"), name="walcheck")
    try:
        settings_file = Path(os.environ["BIOLAKE_HOME"]) / "instances" / "walcheck.json"
        stored = json.loads(settings_file.read_text())
        assert stored["storage_root"] == str((tmp_path / "mydata").resolve())
        db_file = tmp_path / "mydata" / ".biolake" / "biolake.sqlite3"
        assert stored["db"] == f"sqlite:///{db_file.resolve()}"
        assert ln.Storage.get(root=str((tmp_path / "mydata").resolve())).type == "local"
        with sqlite3.connect(db_file) as conn:
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        from django.db import connection

        assert connection.settings_dict["OPTIONS"]["timeout"] >= 30
        assert ln.setup.store.current_name() == "walcheck"
        again = ln.setup.init(storage=str(tmp_path / "mydata"))
        assert again.name == "walcheck"
    finally:
        ln.setup.delete(inst.name, force=True)


def test_connect_switches_between_instances(fresh, instance):
    import biolake as ln

    ln.connect(fresh.name)
    a = ln.Artifact.from_df(pd.DataFrame({"only": ["fresh"]}), key="switch/a.parquet").save()
    ln.connect(instance.name)
    assert not ln.Artifact.filter(key="switch/a.parquet").exists()
    ln.connect(fresh.name)
    assert ln.Artifact.get(key="switch/a.parquet").uid == a.uid
    assert ln.connect(fresh.storage_root).name == fresh.name  # by storage folder


def test_delete_refuses_non_empty_instance(fresh):
    import biolake as ln

    ln.connect(fresh.name)
    ln.Artifact.from_df(pd.DataFrame({"x": [1]}), key="keep.parquet").save()
    with pytest.raises(ln.errors.InstanceSetupError, match="force"):
        ln.setup.delete(fresh.name)
    assert fresh.name in ln.setup.store.list_instances()
    ln.connect(fresh.name)
    assert ln.Artifact.filter(key="keep.parquet").exists()


def test_delete_force_removes_database_and_managed_files(tmp_path):
    import biolake as ln

    inst = ln.setup.init(storage=str(tmp_path / "gone"), name="gone")
    artifact = ln.Artifact.from_df(pd.DataFrame({"x": [1]}), key="x.parquet").save()
    managed = Path(str(artifact.path))
    ln.setup.delete(inst.name, force=True)
    assert not managed.exists()
    assert not (tmp_path / "gone" / ".biolake" / "biolake.sqlite3").exists()
    assert "gone" not in ln.setup.store.list_instances()
    with pytest.raises(ln.errors.InstanceNotFoundError, match="biolake init"):
        ln.connect("gone")


def test_schema_behind_is_refused_until_migrate(fresh):
    import biolake as ln
    from django.core.management import call_command

    from biolake.setup import django_boot

    ln.connect(fresh.name)
    call_command("migrate", "biolake", "zero", verbosity=0)
    ln.disconnect()
    with pytest.raises(ln.errors.MigrationRequiredError, match="biolake migrate"):
        ln.connect(fresh.name)
    ln.setup.store.set_current(fresh.name)
    applied = ln.setup.migrate()
    assert "biolake.0001_initial" in applied
    ln.connect(fresh.name)
    assert django_boot.pending_migrations() == []
    assert ln.Artifact.filter().count() == 0


def test_no_instance_gives_an_error_naming_init(tmp_path):
    env = {**os.environ, "BIOLAKE_HOME": str(tmp_path / "empty-home")}
    code = (
        "import biolake as ln\n"
        "ln.Artifact  # a registry class needs no instance\n"
        "try:\n    ln.Artifact.filter().count()\n"
        "except ln.errors.InstanceNotFoundError as e:\n    print('ERR', e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert "ERR" in out.stdout and "biolake init" in out.stdout


@pytest.mark.parametrize("module", ["biolake.models.lookup", "biolake.models.uids", "biolake.models.dtypes"])
def test_models_import_without_an_instance_and_open_no_database(tmp_path, module):
    """Importing registries configures Django but neither needs an instance nor opens a database."""
    env = {**os.environ, "BIOLAKE_HOME": str(tmp_path / "empty-home")}
    code = (
        f"import {module}\n"
        "from biolake.models import Artifact\n"
        "from django.db import connections\n"
        "print(Artifact.__name__, connections['default'].vendor, connections['default'].connection)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["Artifact", "unknown", "None"]  # the dummy backend, never connected
    assert not (tmp_path / "empty-home").exists() or not list((tmp_path / "empty-home").rglob("*.sqlite3"))


def test_first_query_connects(ln, instance):
    """After a disconnect, the registries stay importable and the next query connects again."""
    from biolake.setup import django_boot

    ln.disconnect()
    assert django_boot.active_instance() is None
    ln.setup.store.set_current(instance.name)
    assert ln.Artifact.filter().count() >= 0
    assert django_boot.active_instance().name == instance.name


def test_storage_with_url_requires_db(tmp_path):
    import biolake as ln

    with pytest.raises(ln.errors.InstanceSetupError, match="--db"):
        ln.setup.init(storage="s3://some-bucket/lake", name="needsdb")


def test_import_is_cheap_and_side_effect_free(tmp_path):
    env = {**os.environ, "BIOLAKE_HOME": str(tmp_path / "no-home")}
    code = (
        "import sys, biolake\n"
        "heavy = [m for m in ('django', 'pandas', 'anndata', 'numpy', 'pyarrow') if m in sys.modules]\n"
        "print(heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "[]"
    assert not (tmp_path / "no-home").exists()


def test_fresh_process_reaches_the_registries(instance):
    """The schema check loads the migrations while biolake.models is half-imported."""
    import biolake as ln

    ln.connect(instance.name)
    code = "import biolake as ln\nprint(ln.Artifact.filter().count() >= 0, ln.Transform.__name__)\n"
    out = subprocess.run([sys.executable, "-c", code], env=dict(os.environ), capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "True Transform", out.stderr
    assert "Warning" not in out.stderr


def test_migrations_do_not_import_the_models_package():
    folder = Path(__file__).parents[2] / "src" / "biolake" / "models" / "migrations"
    for migration in folder.glob("0*.py"):
        assert "biolake.models" not in migration.read_text(), migration.name


def test_migrations_match_the_models():
    script = Path(__file__).parents[2] / "scripts" / "makemigrations.py"
    out = subprocess.run([sys.executable, str(script), "--check", "--dry-run"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr


def test_instance_from_an_older_schema_version_migrates(tmp_path):
    """A small instance written at migration 0001 (scripts/make_migration_archive.py)."""
    import shutil

    import biolake as ln
    from biolake.setup import store
    from biolake.setup.instance import InstanceSettings, default_sqlite_url

    archive = Path(__file__).parent / "archives" / "0001_initial"
    root = tmp_path / "old-lake"
    (root / ".biolake").mkdir(parents=True)
    for file in archive.iterdir():
        shutil.copy(file, root / ".biolake" / file.name)
    db = root / ".biolake" / "biolake.sqlite3"
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE biolake_storage SET root = ?", (str(root.resolve()),))
    store.save_instance(InstanceSettings(name="archived", storage_root=str(root.resolve()), db=default_sqlite_url(str(root.resolve()))))
    try:
        with pytest.raises(ln.errors.MigrationRequiredError, match="biolake migrate archived"):
            ln.connect("archived")
        assert "biolake.0002_features_labels_schemas" in ln.setup.migrate("archived")
        ln.connect("archived")
        artifact = ln.Artifact.get(key="old/counts.parquet")
        assert list(artifact.load()["gene"]) == ["CD8A", "CD4"]
        artifact.features  # the new registries work on the migrated database
        assert ln.Feature(name="archived_feature", dtype=int).save().pk
    finally:
        ln.setup.delete("archived", force=True)
