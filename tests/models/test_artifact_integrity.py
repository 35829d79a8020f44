"""All-or-nothing saves, refused keys and concurrent versioning, on SQLite and PostgreSQL."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

import pandas as pd
import pytest


def _managed_files(ln) -> set[str]:
    return {p.name for p in (Path(ln.settings.storage) / ".biolake").iterdir() if not p.name.startswith("biolake.sqlite3")}


def test_failed_upload_records_nothing(ln, monkeypatch, tmp_path):
    from biolake.storage import transfer

    src = tmp_path / "upload.csv"
    src.write_text("a\n1\n")

    def broken_put(source, destination, **options):
        Path(str(destination)).write_bytes(b"partial")  # a half-written file
        raise ln.errors.UploadError("network down", path=str(destination))

    monkeypatch.setattr(transfer, "put", broken_put)
    before = ln.Artifact.objects.count()
    with pytest.raises(ln.errors.UploadError):
        ln.Artifact(src, key="fail/upload.csv").save()
    assert ln.Artifact.objects.count() == before
    assert not ln.Artifact.filter(key="fail/upload.csv").exists()


def test_failed_commit_leaves_no_orphan_file(ln, monkeypatch):
    from django.db import connection

    files_before = _managed_files(ln)
    artifact = ln.Artifact.from_df(pd.DataFrame({"x": [41, 42]}), key="fail/commit.parquet")

    def insert_fails(execute, sql, params, many, context):
        if sql.startswith('INSERT INTO "biolake_artifact"'):
            raise RuntimeError("database went away")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(insert_fails), pytest.raises(RuntimeError, match="database went away"):
        artifact.save()
    assert not ln.Artifact.filter(key="fail/commit.parquet").exists()
    assert _managed_files(ln) == files_before


@pytest.mark.parametrize(
    "key", ["../../etc/passwd", "/abs/file.parquet", "a//b.parquet", "a/./b.parquet", "bad\x00key.parquet", ".biolake/x.parquet"]
)
def test_unsafe_keys_are_refused(ln, key):
    with pytest.raises(ln.errors.InvalidKeyError) as info:
        ln.Artifact.from_df(pd.DataFrame({"k": [1]}), key=key)
    assert repr(key)[1:-1] in str(info.value) or key in str(info.value)
    assert isinstance(info.value, ValueError)


def test_key_suffix_must_match_format(ln):
    with pytest.raises(ln.errors.InvalidKeyError, match=r"\.parquet"):
        ln.Artifact.from_df(pd.DataFrame({"k": [1]}), key="tables/x.csv.txt")


def test_missing_path_is_a_clear_error(ln, tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.csv"):
        ln.Artifact(tmp_path / "nope.csv")


def _save_version(home: str, name: str, value: int, barrier, results) -> None:
    os.environ["BIOLAKE_HOME"] = home
    os.environ["BIOLAKE_QUIET"] = "1"
    import biolake as ln

    ln.connect(name)
    artifact = ln.Artifact.from_df(pd.DataFrame({"v": [value]}), key="race/shared.parquet")
    barrier.wait()
    results.put(ln.Artifact.save(artifact).uid)


def test_concurrent_saves_under_one_key(ln, instance):
    context = multiprocessing.get_context("spawn")
    n = 4
    barrier = context.Barrier(n)
    results = context.Queue()
    procs = [
        context.Process(target=_save_version, args=(os.environ["BIOLAKE_HOME"], instance.name, i, barrier, results))
        for i in range(n)
    ]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(120)
        assert proc.exitcode == 0
    uids = [results.get(timeout=5) for _ in range(n)]
    assert len(set(uids)) == n
    family = ln.Artifact.filter(key="race/shared.parquet")
    assert family.count() == n
    assert family.filter(is_latest=True).count() == 1
    assert len({a.uid[:16] for a in family}) == 1
    assert sorted(a.uid[-4:] for a in family) == ["0000", "0001", "0002", "0003"]
    for artifact in family:
        assert artifact.path.exists()


def _save_same(home: str, name: str, barrier, results) -> None:
    os.environ["BIOLAKE_HOME"] = home
    os.environ["BIOLAKE_QUIET"] = "1"
    import biolake as ln

    ln.connect(name)
    artifact = ln.Artifact.from_df(pd.DataFrame({"same": [1, 2, 3]}), key="race/same.parquet")
    barrier.wait()
    results.put(artifact.save().uid)


def test_concurrent_saves_of_the_same_bytes_make_one_record(ln, instance):
    context = multiprocessing.get_context("spawn")
    n = 3
    barrier, results = context.Barrier(n), context.Queue()
    procs = [context.Process(target=_save_same, args=(os.environ["BIOLAKE_HOME"], instance.name, barrier, results))
             for _ in range(n)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(120)
        assert proc.exitcode == 0
    uids = {results.get(timeout=5) for _ in range(n)}
    assert len(uids) == 1
    assert ln.Artifact.filter(key="race/same.parquet").count() == 1
    (uid,) = uids
    assert {p.name for p in (Path(ln.settings.storage) / ".biolake").glob("*.parquet") if "race" not in p.name} >= {f"{uid}.parquet"}
    stray = [p for p in (Path(ln.settings.storage) / ".biolake").glob("*.parquet")
             if not ln.Artifact.filter(uid=p.stem, branch_id__in=[1, -1]).exists()]
    assert stray == []
