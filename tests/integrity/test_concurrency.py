"""Concurrency and faults, on SQLite (WAL) and PostgreSQL.

- 8 writer processes × 50 saves (half distinct artifacts, half new versions under 4 shared
  keys) end with every record's bytes present and verified, no duplicate uids, one latest
  version per family and exact counts;
- a writer killed (SIGKILL) during its upload, or inside its transaction, leaves no record,
  the next save of the same content succeeds, and `storage gc` finds what it left behind;
- a database connection dropped during the save leaves no orphan bytes.

Writers are `multiprocessing` spawn processes that import only this module's top level.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

N_WRITERS = 8
SAVES_PER_WRITER = 50
SHARED_KEYS = 4
_SPAWN = multiprocessing.get_context("spawn")


def _key(writer: int, j: int) -> str:
    """Even saves: a distinct artifact; odd saves: a new version under one of the shared keys."""
    if j % 2 == 0:
        return f"soak/w{writer}/d{j}.parquet"
    return f"soak/shared{(j // 2) % SHARED_KEYS}.parquet"


def _connect(home: str, name: str):
    os.environ["BIOLAKE_HOME"] = home
    os.environ["BIOLAKE_QUIET"] = "1"
    import biolake as ln

    ln.connect(name)
    return ln


def _writer(home: str, name: str, writer: int, n_saves: int, barrier, results) -> None:
    ln = _connect(home, name)
    frames = [pd.DataFrame({"writer": [writer], "save": [j]}) for j in range(n_saves)]
    ln.Artifact.filter(key="soak/none").exists()  # the database connection is open before the start
    barrier.wait()
    uids = [ln.Artifact.from_df(df, key=_key(writer, j)).save().uid for j, df in enumerate(frames)]
    results.put((writer, uids))


def _collect(results, procs: list, timeout: float) -> list:
    """One result per process; fail fast (not at the timeout) when a process dies without one."""
    import queue

    collected: list = []
    deadline = time.monotonic() + timeout
    while len(collected) < len(procs):
        try:
            collected.append(results.get(timeout=0.5))
        except queue.Empty:
            dead = [p.exitcode for p in procs if p.exitcode not in (None, 0)]
            assert not dead, f"writer process(es) died with exit codes {dead}"
            assert time.monotonic() < deadline, f"only {len(collected)} of {len(procs)} writers finished in {timeout} s"
    return collected


def _wait_until_ready(ready, proc, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not ready.wait(0.2):
        assert proc.is_alive(), f"the writer exited ({proc.exitcode}) before reaching the point to kill it at"
        assert time.monotonic() < deadline, "the writer never reached the point to kill it at"


def _managed(ln) -> set[str]:
    folder = Path(ln.settings.storage) / ".biolake"
    return {p.name for p in folder.iterdir() if not p.name.startswith("biolake.sqlite3")}


def _orphans(ln) -> list[str]:
    from biolake.models import storage_audit

    return storage_audit.find_orphans(_storage(ln), min_age=0)


def _storage(ln):
    from biolake.models.storage import default_storage

    return default_storage()


def test_many_writers_many_saves(ln, instance):
    from biolake.models import storage_audit

    orphans_before = set(_orphans(ln))
    barrier = _SPAWN.Barrier(N_WRITERS)
    results = _SPAWN.Queue()
    home = os.environ["BIOLAKE_HOME"]
    procs = [
        _SPAWN.Process(target=_writer, args=(home, instance.name, w, SAVES_PER_WRITER, barrier, results))
        for w in range(N_WRITERS)
    ]
    for proc in procs:
        proc.start()
    returned = dict(_collect(results, procs, timeout=240))
    for proc in procs:
        proc.join(60)
        assert proc.exitcode == 0

    uids = [uid for w in range(N_WRITERS) for uid in returned[w]]
    total = N_WRITERS * SAVES_PER_WRITER
    assert len(uids) == total and len(set(uids)) == total  # no duplicate uids
    soak = ln.Artifact.filter(key__startswith="soak/")
    assert soak.count() == total
    assert set(soak.values_list("uid", flat=True)) == set(uids)

    distinct = soak.filter(key__startswith="soak/w")
    assert distinct.count() == total // 2
    assert distinct.filter(is_latest=True).count() == total // 2
    assert {uid[-4:] for uid in distinct.values_list("uid", flat=True)} == {"0000"}

    expected = Counter(_key(w, j) for w in range(N_WRITERS) for j in range(SAVES_PER_WRITER) if j % 2)
    assert len(expected) == SHARED_KEYS
    for key, n in expected.items():
        family = list(ln.Artifact.filter(key=key).order_by("uid"))
        assert len(family) == n, key
        assert len({a.stem_uid for a in family}) == 1, key  # one family per key
        assert _versions(family) == list(range(n)), key  # version numbers without gaps
        latest = [a for a in family if a.is_latest]
        assert len(latest) == 1 and latest[0].uid == family[-1].uid, key

    reports = storage_audit.verify_all(soak)
    assert len(reports) == total
    assert [r for r in reports if not r.ok] == []  # every record's bytes exist and match
    assert set(_orphans(ln)) == orphans_before  # and no bytes without a record


def _versions(family: list) -> list[int]:
    from biolake.models.uids import decode_version

    return [decode_version(a.uid[-4:]) for a in family]


# -- a writer killed mid-save -------------------------------------------------------------------


def _stalled_writer(home: str, name: str, source: str, where: str, ready) -> None:
    """Save ``source``, but stall (until killed) at ``where``: in the upload, or in the transaction."""
    ln = _connect(home, name)
    from biolake.storage import transfer

    def stall() -> None:
        ready.set()
        time.sleep(600)

    if where == "temp-write":  # inside the real atomic local write: half the bytes in its temp file
        def half_copy(reader, writer, advance) -> None:
            writer.write(reader.read(os.path.getsize(source) // 2))
            writer.flush()
            stall()

        transfer._copy_chunks = half_copy
    elif where == "final-write":  # a transport without atomic writes: half the bytes at the final name
        def half_put(src, dst, **options) -> None:
            Path(dst.path).parent.mkdir(parents=True, exist_ok=True)
            Path(dst.path).write_bytes(Path(src).read_bytes()[: os.path.getsize(source) // 2])
            stall()

        transfer.put = half_put
    else:  # "transaction": bytes stored, record inserted, family lock and write lock held, not committed
        from biolake.models import artifact_save

        original = artifact_save._insert

        def stalled_insert(artifact, *args, **kwargs):
            original(artifact, *args, **kwargs)
            stall()

        artifact_save._insert = stalled_insert
    ln.Artifact(source, key="killed/table.csv").save()


@pytest.mark.parametrize("where", ["temp-write", "final-write", "transaction"])
def test_writer_killed_mid_save(ln, instance, tmp_path, where):
    from biolake.models import storage_audit
    from biolake.storage import transfer

    source = tmp_path / "table.csv"
    source.write_text("gene,count\n" + "".join(f"g{i},{i * 7 % 1000}\n" for i in range(20_000)))
    files_before, orphans_before = _managed(ln), set(_orphans(ln))
    n_before = ln.Artifact.objects.count()
    ready = _SPAWN.Event()
    proc = _SPAWN.Process(target=_stalled_writer, args=(os.environ["BIOLAKE_HOME"], instance.name, str(source), where, ready))
    proc.start()
    try:
        _wait_until_ready(ready, proc, timeout=120)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.join(30)
    assert proc.exitcode == -signal.SIGKILL

    assert ln.Artifact.objects.count() == n_before  # no record
    assert not ln.Artifact.objects.filter(key="killed/table.csv").exists()
    left = _managed(ln) - files_before
    leftovers = set(_orphans(ln)) - orphans_before
    assert leftovers == {str(Path(ln.settings.storage) / ".biolake" / name) for name in left}  # gc sees all of it
    if where == "temp-write":
        assert len(left) == 1 and next(iter(left)).endswith(transfer.TEMP_SUFFIX)  # a temp name, never the final one
    else:
        assert len(left) == 1 and next(iter(left)).endswith(".csv")  # bytes under a final name, no record

    artifact = ln.Artifact(source, key="killed/table.csv").save()  # locks are gone: the next save works
    assert artifact.verify().ok and artifact.uid[-4:] == "0000"
    assert storage_audit.remove_orphans(_storage(ln), sorted(leftovers)) == sorted(leftovers)
    assert _managed(ln) == files_before | {artifact.path.name}
    artifact.delete(permanent=True)


# -- a dropped database connection ----------------------------------------------------------------


@pytest.mark.parametrize("case", ["new-key", "new-version"])
def test_dropped_connection_leaves_no_orphan_bytes(ln, monkeypatch, case):
    from django.db import OperationalError, connection

    from biolake.models import artifact_save, storage_audit

    key = f"dropped/{case}.parquet"
    made = [ln.Artifact.from_df(pd.DataFrame({"dropped": [0]}), key=key).save()] if case == "new-version" else []
    files_before, n_before = _managed(ln), ln.Artifact.objects.count()

    def dropped(artifact, *args, **kwargs):  # the record's INSERT
        if connection.vendor == "postgresql":  # the server really ends the session mid-transaction
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")
        connection.close()
        raise OperationalError("server closed the connection unexpectedly")

    artifact = ln.Artifact.from_df(pd.DataFrame({"dropped": [1, 2, 3]}), key=key)
    with monkeypatch.context() as patch:
        patch.setattr(artifact_save, "_insert", dropped)
        with pytest.raises(OperationalError):
            artifact.save()
    left = _managed(ln) - files_before
    folder = Path(ln.settings.storage) / ".biolake"
    try:
        assert ln.Artifact.objects.count() == n_before  # the connection comes back; nothing was recorded
        assert {str(folder / name) for name in left} <= set(_orphans(ln))  # storage gc would find any leftover
        assert left == set()  # the uploaded bytes were removed
        again = ln.Artifact.from_df(pd.DataFrame({"dropped": [1, 2, 3]}), key=key).save()
        made.append(again)
        assert again.verify().ok and again.uid[-4:] == ("0001" if made[0] is not again else "0000")
        assert _managed(ln) == files_before | {again.path.name}
    finally:
        storage_audit.remove_orphans(_storage(ln), [str(folder / name) for name in left])
        for record in reversed(made):
            record.delete(permanent=True)
