"""A save killed (SIGKILL) at every phase, on SQLite and PostgreSQL, local and S3 storage:
no record without bytes, no temporary file after ``biolake cache clear``, and every
unowned file under ``<root>/.biolake/`` listed by ``biolake storage gc --min-age 0``.

The child process kills itself through the fault hook (``BIOLAKE_FAULT=<phase>``, see
``biolake._faults``). On local storage an in-memory object's temporary file is renamed into
place, so ``mid-upload`` is exercised by saving a file (copied in chunks) instead.
"""

from __future__ import annotations

import os
import signal
import uuid

import pytest

from _safety_helpers import cli, start_child, temp_files
from biolake._faults import PHASES
from instance_helpers import drop_instance, make_instance, server_url

pytestmark = pytest.mark.slow

COMBINATIONS = [
    pytest.param("sqlite", "local", id="sqlite-local"),
    pytest.param("postgres", "local", id="postgres-local", marks=pytest.mark.postgres),
    pytest.param("sqlite", "s3", id="sqlite-s3", marks=pytest.mark.s3),
    pytest.param("postgres", "s3", id="postgres-s3", marks=[pytest.mark.postgres, pytest.mark.s3]),
]


def _instance(backend: str, where: str, tmp_path):
    import biolake as ln

    if where == "local":
        return make_instance(backend, tmp_path / "storage")
    import boto3

    endpoint = server_url("BIOLAKE_TEST_S3_ENDPOINT")
    bucket = f"kill-{uuid.uuid4().hex[:10]}"
    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1").create_bucket(Bucket=bucket)
    storage = f"s3://{bucket}/lake?endpoint_url={endpoint}"
    if backend == "postgres":
        return make_instance("postgres", storage)  # type: ignore[arg-type]
    name = f"kill{os.getpid()}{uuid.uuid4().hex[:6]}"
    return ln.setup.init(storage=storage, db=f"sqlite:///{tmp_path}/db.sqlite3", name=name), None


def _managed_names(ln, root: str) -> list[str]:
    """Names of the files and folders directly under ``<root>/.biolake/`` (the database excluded)."""
    folder = ln.Storage.get(root=root).location.join(".biolake")
    folder.fs.invalidate_cache()
    try:
        names = [entry.rstrip("/").rsplit("/", 1)[-1] for entry in folder.fs.ls(folder.path, detail=False)]
    except FileNotFoundError:
        return []
    return [n for n in names if not n.startswith("biolake.sqlite3")]


@pytest.mark.parametrize(("backend", "where"), COMBINATIONS)
def test_kill_at_every_phase(backend, where, tmp_path, monkeypatch):
    import biolake as ln
    from biolake.models.storage_audit import verify_all

    inst, dbname = _instance(backend, where, tmp_path)
    monkeypatch.setenv("BIOLAKE_CACHE_DIR", str(tmp_path / "cache"))  # cache clear leaves the shared cache alone
    try:
        ln.connect(inst.name)
        children = {}
        for phase in PHASES:  # concurrently: each saves its own key and content
            mode = "file" if (phase == "mid-upload" and where == "local") else "df"
            children[phase] = start_child(inst.name, f"kill/{phase}.parquet", fault=phase, mode=mode, work=tmp_path)
        for phase, child in children.items():
            out, err = child.communicate(timeout=180)
            assert child.returncode == -signal.SIGKILL, (phase, out, err)
        ln.connect(inst.name)
        # 0 records without bytes; the save killed after its commit is complete
        reports = verify_all()
        assert [r.uid for r in reports if r.status != "ok"] == []
        assert set(ln.Artifact.filter(key__startswith="kill/").values_list("key", flat=True)) == {"kill/after-commit.parquet"}
        # the killed saves left temporary files in the cache; cache clear removes them all
        assert temp_files(ln.settings.cache_dir), "the kill at 'write' leaves a temporary file"
        cleared = cli("cache", "clear")
        assert cleared.exit_code == 0 and "stale temporary file" in cleared.stdout
        assert temp_files(ln.settings.cache_dir) == []
        # every unowned file in the storage location is listed by storage gc --min-age 0
        gc = cli("storage", "gc", "--min-age", "0")
        assert gc.exit_code == 0, gc.output
        owned = {r.uid for r in reports}
        root = inst.storage_root
        unowned = [n for n in _managed_names(ln, root) if n[:20] not in owned]
        assert unowned, "the kill after upload leaves orphan bytes"
        for name in unowned:
            assert name in gc.stdout, (name, gc.stdout)
        removed = cli("storage", "gc", "--min-age", "0", "--remove")
        assert removed.exit_code == 0
        assert [n for n in _managed_names(ln, root) if n[:20] not in owned] == []
        assert all(r.status == "ok" for r in verify_all())
    finally:
        drop_instance(inst.name, dbname)
