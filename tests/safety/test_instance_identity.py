"""A process whose instance was deleted or replaced fails its next write (reproduction 5);
a reader without write access reads an instance and fails writes with one clear line (7)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pandas as pd
import pytest
from instance_helpers import BACKENDS, _pg_admin, make_instance

import biolake


def _env() -> dict[str, str]:
    src = str(Path(biolake.__file__).parents[1])
    return {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}


def _managed_files(storage: Path) -> set[str]:
    return {p.name for p in (storage / ".biolake").glob("*.parquet")} if (storage / ".biolake").exists() else set()


@pytest.mark.parametrize("backend", BACKENDS)
def test_save_after_another_process_deleted_the_instance(backend, tmp_path):
    import biolake as ln
    from biolake.errors import InstanceGoneError

    storage = tmp_path / "lake"
    inst, dbname = make_instance(backend, storage, name=f"gone{uuid.uuid4().hex[:8]}")
    try:
        ln.Artifact.from_df(pd.DataFrame({"x": [1]}), key="a.parquet").save()
        subprocess.run(
            [sys.executable, "-m", "biolake.cli", "delete", "--force", inst.name], env=_env(), check=True, capture_output=True
        )
        with pytest.raises(InstanceGoneError) as caught:
            ln.Artifact.from_df(pd.DataFrame({"x": [2]}), key="b.parquet").save()
        assert inst.name in str(caught.value) and "deleted" in str(caught.value)
        assert _managed_files(storage) == set()  # no orphan bytes of the refused save
        with pytest.raises(InstanceGoneError):
            ln.ULabel(name="after-delete").save()
    finally:
        ln.setup.disconnect()
        if dbname:
            _pg_admin(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


def test_save_after_the_sqlite_file_was_replaced(tmp_path):
    import biolake as ln
    from biolake.errors import InstanceGoneError

    storage = tmp_path / "lake"
    inst, _ = make_instance("sqlite", storage, name=f"swap{uuid.uuid4().hex[:8]}")
    try:
        first = ln.Artifact.from_df(pd.DataFrame({"x": [1]}), key="a.parquet").save()
        db = storage / ".biolake" / "biolake.sqlite3"
        shutil.copy(db, f"{db}.copy")
        os.replace(f"{db}.copy", db)  # e.g. a backup restored by hand under the connected process
        with pytest.raises(InstanceGoneError, match="replaced"):
            ln.Artifact.from_df(pd.DataFrame({"x": [2]}), key="b.parquet").save()
        assert _managed_files(storage) == {f"{first.uid}.parquet"}
        ln.connect(inst.name)  # reconnecting opens the file that is there now
        ln.Artifact.from_df(pd.DataFrame({"x": [3]}), key="c.parquet").save()
        assert ln.Artifact.filter(key="c.parquet").count() == 1
    finally:
        ln.setup.delete(inst.name, force=True)


_READER = """
import biolake as ln
from biolake.errors import ReadOnlyInstanceError
ln.connect("{name}")
artifact = ln.Artifact.get(key="a.parquet")
assert artifact.load()["x"].tolist() == [1, 2]
assert artifact.cache().exists() and ln.Artifact.filter().count() == 1 and len(ln.Artifact.df()) == 1
try:
    ln.ULabel(name="reader").save()
except ReadOnlyInstanceError as error:
    print("refused:", error)
"""


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv"), reason="needs root to run a reader as 'nobody'")
def test_reader_without_write_access(tmp_path):
    """A real non-root reader (uid nobody, allowed to read every file but to write none)."""
    import biolake as ln
    from biolake.setup import store

    base = Path(os.environ.get("TMPDIR", "/tmp")) / f"biolake-ro-{uuid.uuid4().hex[:8]}"
    storage = base / "lake"
    inst, _ = make_instance("sqlite", storage, name=f"ro{uuid.uuid4().hex[:8]}")
    try:
        ln.Artifact.from_df(pd.DataFrame({"x": [1, 2]}), key="a.parquet").save()
        ln.setup.disconnect()  # the writer is gone: no write-ahead log is left beside the database
        home = base / "reader-home"
        (home / "instances").mkdir(parents=True)
        shutil.copy(store.instance_file(inst.name), home / "instances")
        os.chmod(base, 0o755)
        for path in [home, *home.rglob("*")]:
            path.chmod(0o777 if path.is_dir() else 0o666)  # the reader's own settings folder
        before = sorted(p.name for p in (storage / ".biolake").iterdir())
        setpriv = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                   "--inh-caps=+dac_read_search", "--ambient-caps=+dac_read_search"]
        result = subprocess.run(
            [*setpriv, sys.executable, "-c", _READER.format(name=inst.name)],
            env={**_env(), "BIOLAKE_HOME": str(home), "BIOLAKE_CACHE_DIR": str(home / "cache")},
            capture_output=True, text=True, timeout=120, check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        refusal = [line for line in result.stdout.splitlines() if line.startswith("refused:")]
        assert len(refusal) == 1 and "read-only" in refusal[0] and inst.name in refusal[0]
        assert sorted(p.name for p in (storage / ".biolake").iterdir()) == before
    finally:
        ln.setup.delete(inst.name, force=True)
        shutil.rmtree(base, ignore_errors=True)


def test_read_only_detection(tmp_path):
    from biolake.setup.db_guard import read_only_uri, sqlite_read_only

    db = tmp_path / "x.sqlite3"
    assert not sqlite_read_only(db)  # a database still to be created
    db.write_bytes(b"")
    assert not sqlite_read_only(db)
    assert read_only_uri(db).endswith("?mode=ro&immutable=1")
    Path(f"{db}-wal").write_bytes(b"")
    Path(f"{db}-shm").write_bytes(b"")
    assert read_only_uri(db).endswith("?mode=ro")
