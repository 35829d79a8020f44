"""Reproduction 4: temporary files of saves are removed when a save fails, and stale ones
(their process killed) by ``biolake cache clear``; ``biolake storage gc`` reports them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest

from _safety_helpers import cli, run_child, temp_files
from biolake.storage import tempfiles


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_names_tell_the_owner_and_only_gone_owners_are_stale(tmp_path):
    mine = tempfiles.new_path(tmp_path, ".parquet")
    mine.write_bytes(b"x")
    assert tempfiles.owner(mine) == os.getpid() and not tempfiles.is_stale(mine)
    dead = tmp_path / mine.name.replace(f"p{os.getpid()}.", f"p{_dead_pid()}.")
    dead.write_bytes(b"y")
    assert tempfiles.is_stale(dead)  # killed a second ago: its owner is gone
    unknown = tmp_path / "0123456789abcdef.h5ad"  # a name without an owner (older biolake)
    unknown.write_bytes(b"z")
    assert tempfiles.owner(unknown) is None and not tempfiles.is_stale(unknown)
    hour_ago = time.time() - tempfiles.STALE_AFTER - 5
    os.utime(unknown, (hour_ago, hour_ago))
    assert tempfiles.is_stale(unknown)
    assert {t.path for t in tempfiles.remove_stale(tmp_path)} == {dead, unknown}
    assert list(tmp_path.iterdir()) == [mine]


def test_a_pid_reused_by_a_younger_process_does_not_own_the_file(tmp_path):
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        path = tmp_path / f"p{sleeper.pid}.{tempfiles._host()}-00.parquet"
        path.write_bytes(b"x")
        assert not tempfiles.is_stale(path)  # the owner runs
        before = time.time() - 600
        os.utime(path, (before, before))  # written before the process with that pid started
        assert tempfiles.is_stale(path)
    finally:
        sleeper.kill()
        sleeper.wait()


def test_failed_anndata_write_leaves_no_temporary_file(ln):
    import anndata as ad

    before = temp_files(ln.settings.cache_dir)
    obs = pd.DataFrame({"mixed": [1, "a", 2.0]}, index=["c1", "c2", "c3"])  # h5ad cannot write it
    with pytest.raises(Exception) as info:
        ln.Artifact.from_anndata(ad.AnnData(np.zeros((3, 2)), obs=obs), key="fail/mixed.h5ad").save()
    assert not isinstance(info.value, AssertionError)
    assert temp_files(ln.settings.cache_dir) == before
    assert not ln.Artifact.filter(key="fail/mixed.h5ad").exists()


def test_failed_commit_leaves_no_file_and_the_save_can_be_retried(ln, instance, monkeypatch):
    from biolake.models import versioning
    from biolake.models.storage_audit import scan_orphans

    def broken(*args, **kwargs):
        raise RuntimeError("commit refused")

    artifact = ln.Artifact.from_df(pd.DataFrame({"retry": [1, 2, 3]}), key="fail/retry.parquet")
    with monkeypatch.context() as patch:
        patch.setattr(versioning, "assign", broken)
        with pytest.raises(RuntimeError, match="commit refused"):
            artifact.save()
    assert temp_files(ln.settings.cache_dir) == []
    assert scan_orphans(instance.storage_root, min_age=0).orphans == []  # the uploaded bytes went too
    saved = artifact.save()  # the object is still there: save() writes it again
    assert saved.path.exists() and ln.Artifact.get(key="fail/retry.parquet").load()["retry"].tolist() == [1, 2, 3]
    assert temp_files(ln.settings.cache_dir) == []


def test_killed_from_df_leaves_a_file_that_cache_clear_removes_and_gc_reports(ln, instance, tmp_path, monkeypatch):
    monkeypatch.setenv("BIOLAKE_CACHE_DIR", str(tmp_path / "cache"))  # cache clear leaves the shared cache alone
    result = run_child(instance.name, "killed/write.parquet", fault="write", work=tmp_path)
    assert result.returncode == -signal.SIGKILL, result.stderr
    leftovers = temp_files(ln.settings.cache_dir)
    assert len(leftovers) == 1 and tempfiles.is_stale(leftovers[0])
    alive = tempfiles.new_path(ln.settings.cache_dir / "_tmp", ".parquet")  # a save of this live process
    alive.write_bytes(b"in progress")
    ln.connect(instance.name)
    gc = cli("storage", "gc")
    assert gc.exit_code == 0 and str(leftovers[0]) in gc.stdout and "temporary" in gc.stdout
    assert str(alive) not in gc.stdout
    cleared = cli("cache", "clear")
    assert cleared.exit_code == 0 and "1 stale temporary file" in cleared.stdout
    assert temp_files(ln.settings.cache_dir) == [alive]
    alive.unlink()
    assert not ln.Artifact.filter(key="killed/write.parquet").exists()
