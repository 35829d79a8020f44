#!/usr/bin/env python
"""Soak benchmark: concurrent writers on SQLite and PostgreSQL, and uploads to S3.

Prints one JSON object to stdout; progress goes to stderr. Everything runs in a fresh
temporary folder (``BIOLAKE_HOME``, storage, servers) that is removed at the end.

1. **Writers.** For 1, 4 and 8 writer processes (``multiprocessing`` spawn), the same
   number of saves in total (600; ``--quick``: 24), split evenly: each save is a small
   DataFrame (→ parquet), half of them distinct artifacts, half new versions under 4
   shared keys (so writers contend for the same version families). The clock runs from
   the moment all writers are connected and warmed up (a barrier) until the last save
   ends. Each run uses a fresh instance and ends with a consistency check: exact counts,
   one latest version per family, every record's bytes verified, no orphan files.
   SQLite: the instance's own database file (WAL). PostgreSQL: ``BIOLAKE_TEST_PG_URL``
   if set, else a temporary server started here (Debian ``postgresql`` binaries, default
   durability settings); without either it is reported as skipped.
2. **Core operations** on a fresh instance per backend (one process, local storage):
   a small DataFrame artifact saved (median of 100), get by key (300 random keys among
   2,000 artifacts), ``filter().df()`` of 200 rows, ``ln.save`` of 5,000 ``Transform``
   records; SQLite and PostgreSQL side by side with ``postgresql_vs_sqlite``.
3. **S3 uploads.** A moto server on a free loopback port; an instance with storage
   ``s3://bench-bucket/lake?endpoint_url=...`` and a local SQLite database. 200 files of
   256 KB (``--quick``: 20) saved one by one as artifacts, interleaved file by file with
   ``s3fs`` ``put_file`` of other files of the same size (``s3_per_file_ratio``, target
   ≥ 0.7; the HTTP requests of the saves are counted by method), and rounds of one folder
   artifact vs one ``s3fs`` ``put`` of a list of as many files (``s3_folder_ratio``, target
   ≥ 0.9). Ratios are throughputs, biolake / raw ``s3fs``. Each side gets its own random
   files (saving bytes already registered would return the existing artifact).

Usage::

    python benchmarks/concurrency.py            # about 4-5 minutes here (must stay < 5)
    python benchmarks/concurrency.py --quick    # smoke test
    python benchmarks/concurrency.py --s3-only  # only part 3 (S3 uploads, SQLite and PostgreSQL)
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import json
import multiprocessing
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

SHARED_KEYS = 4
WRITERS = (1, 4, 8)
_T0 = time.perf_counter()


def log(message: str) -> None:
    """Progress on stderr."""
    print(f"[concurrency {time.perf_counter() - _T0:6.1f}s] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rnd(value: float, digits: int = 4) -> float:
    return float(f"{value:.{digits}g}") if value else 0.0


def key_of(writer: int, j: int) -> str:
    """Even saves: a distinct artifact; odd saves: a new version under one of the shared keys."""
    if j % 2 == 0:
        return f"soak/w{writer}/d{j}.parquet"
    return f"soak/shared{(j // 2 + writer) % SHARED_KEYS}.parquet"


# -- the writer processes ---------------------------------------------------------------------


def writer_process(home: str, name: str, writer: int, n_saves: int, barrier: Any, out: Any) -> None:
    """Connect, warm up, wait for the others, then save ``n_saves`` small DataFrames."""
    os.environ["BIOLAKE_HOME"] = home
    os.environ["BIOLAKE_QUIET"] = "1"
    try:
        import pandas as pd

        import biolake as ln

        ln.connect(name)
        frames = [pd.DataFrame({"writer": [writer] * 3, "save": [j] * 3, "x": [0.5, 1.5, 2.5]}) for j in range(n_saves)]
        ln.Artifact.from_df(pd.DataFrame({"warm": [writer]}), key=f"warmup/w{writer}.parquet").save()
        barrier.wait(timeout=300)
        start = time.time()
        latencies = []
        for j, frame in enumerate(frames):
            t = time.perf_counter()
            ln.Artifact.from_df(frame, key=key_of(writer, j)).save()
            latencies.append(time.perf_counter() - t)
        out.put({"writer": writer, "start": start, "end": time.time(), "latencies": latencies})
    except BaseException as error:  # noqa: BLE001 - report to the parent instead of hanging it
        try:
            barrier.abort()
        finally:
            out.put({"writer": writer, "error": f"{type(error).__name__}: {error}", "traceback": traceback.format_exc()})


# -- PostgreSQL -------------------------------------------------------------------------------


class Postgres:
    """``BIOLAKE_TEST_PG_URL``, or a temporary server started like scripts/test.sh does."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self.url: str | None = os.environ.get("BIOLAKE_TEST_PG_URL") or None
        self.started = False
        self.source = "BIOLAKE_TEST_PG_URL" if self.url else None
        self.skipped: str | None = None
        self._data: Path | None = None
        self._bin: str | None = None

    def __enter__(self) -> Postgres:
        if self.url:
            return self
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: [int(x) for x in Path(p).parent.name.split(".") if x.isdigit()])
        if not bins and shutil.which("initdb") is None:
            self.skipped = "BIOLAKE_TEST_PG_URL is not set and no PostgreSQL binaries (initdb, pg_ctl) are installed"
            return self
        self._bin = bins[-1] if bins else str(Path(shutil.which("initdb") or "").parent)
        folder = self.work / "pg"
        folder.mkdir()
        if os.geteuid() == 0:
            shutil.chown(folder, "postgres")
        self._data = folder / "data"
        port = free_port()
        self._pg("initdb", "-D", str(self._data), "-U", "postgres", "-A", "trust", "--no-sync")
        options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c max_connections=100"
        self._pg("pg_ctl", "-D", str(self._data), "-l", str(folder / "server.log"), "-w", "-o", options, "start")
        self.url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
        self.started = True
        self.source = f"temporary server started by this benchmark ({Path(self._bin).parent.name})"
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.started:
            self._pg("pg_ctl", "-D", str(self._data), "-m", "immediate", "-w", "stop", check=False)

    def _pg(self, tool: str, *args: str, check: bool = True) -> None:
        command = [str(Path(self._bin or "") / tool), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if check and done.returncode:
            raise RuntimeError(f"{tool} failed ({done.returncode}): {done.stderr.strip()[-500:]}")

    def admin(self, sql: str) -> list[tuple[Any, ...]]:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            cursor = conn.execute(sql)
            return cursor.fetchall() if cursor.description else []

    def settings(self) -> dict[str, str]:
        names = ("server_version", "fsync", "synchronous_commit", "max_connections")
        return {name: self.admin(f"SHOW {name}")[0][0] for name in names}


# -- the benchmark ----------------------------------------------------------------------------


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.tmp = Path(tempfile.mkdtemp(prefix="biolake-concurrency-"))
        os.chmod(self.tmp, 0o755)  # the PostgreSQL server user must reach its data folder
        self.home = self.tmp / "home"
        os.environ["BIOLAKE_HOME"] = str(self.home)
        os.environ["BIOLAKE_QUIET"] = "1"
        self.errors: dict[str, str] = {}
        self.counter = 0
        self.total_saves = 24 if args.quick else args.saves

    # -- writers ---------------------------------------------------------------------------
    def writers(self, backend: str, pg: Postgres | None = None) -> dict[str, Any]:
        runs: dict[str, Any] = {}
        for n in WRITERS:
            log(f"{backend}: {n} writer(s), {self.total_saves} saves")
            try:
                runs[str(n)] = self.writer_run(backend, n, pg)
            except Exception as error:  # noqa: BLE001 - one failing run must not hide the others
                self.errors[f"{backend}_{n}_writers"] = f"{type(error).__name__}: {error}"
                runs[str(n)] = {"error": f"{type(error).__name__}: {error}"}
                traceback.print_exc()
        base = runs.get("1", {}).get("saves_per_s")
        for run in runs.values():
            if base and "saves_per_s" in run:
                run["speedup_vs_1_writer"] = rnd(run["saves_per_s"] / base, 3)
        return runs

    def writer_run(self, backend: str, n_writers: int, pg: Postgres | None) -> dict[str, Any]:
        import biolake as ln

        self.counter += 1
        name = f"bench{backend[:2]}{n_writers}x{self.counter}"
        with self._instance(ln, name, str(self.tmp / name), backend, pg) as instance:
            per_writer = self.total_saves // n_writers
            results = self.spawn(instance.name, n_writers, per_writer)
            run = self.summarize(results, n_writers * per_writer)
            run["consistency"] = self.check(ln, n_writers, per_writer)
            return run

    @contextlib.contextmanager
    def _instance(self, ln: Any, name: str, storage: str, backend: str, pg: Postgres | None, db: str | None = None) -> Iterator[Any]:
        """A current instance ``name`` on ``storage`` with a new PostgreSQL database (``backend``
        "postgresql") or ``db`` (default: SQLite in the storage); deleted afterwards."""
        dbname = None
        if backend == "postgresql":
            assert pg is not None and pg.url
            dbname = f"biolake_bench_{name.lower().replace('-', '_')}_{os.getpid()}"
            pg.admin(f'CREATE DATABASE "{dbname}"')
            db = pg.url.rsplit("/", 1)[0] + "/" + dbname
        instance = ln.setup.init(storage=storage, db=db, name=name)
        try:
            yield instance
        finally:
            ln.setup.delete(instance.name, force=True)
            if dbname and pg is not None:
                pg.admin(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')

    def spawn(self, name: str, n_writers: int, per_writer: int) -> list[dict[str, Any]]:
        context = multiprocessing.get_context("spawn")
        barrier = context.Barrier(n_writers)
        out = context.Queue()
        procs = [
            context.Process(target=writer_process, args=(str(self.home), name, w, per_writer, barrier, out))
            for w in range(n_writers)
        ]
        for proc in procs:
            proc.start()
        try:
            results = [out.get(timeout=600) for _ in procs]
        finally:
            for proc in procs:
                proc.join(60)
                if proc.is_alive():
                    proc.kill()
        failed = [r for r in results if "error" in r]
        if failed:
            print(failed[0].get("traceback", ""), file=sys.stderr)
            raise RuntimeError(f"{len(failed)} writer(s) failed; first: {failed[0]['error']}")
        return results

    @staticmethod
    def summarize(results: list[dict[str, Any]], total: int) -> dict[str, Any]:
        wall = max(r["end"] for r in results) - min(r["start"] for r in results)
        latencies = sorted(x for r in results for x in r["latencies"])
        return {
            "writers": len(results),
            "saves": total,
            "wall_s": rnd(wall),
            "saves_per_s": rnd(total / wall),
            "latency_ms": {
                "p50": rnd(statistics.median(latencies) * 1000),
                "p95": rnd(latencies[int(0.95 * (len(latencies) - 1))] * 1000),
                "max": rnd(latencies[-1] * 1000),
            },
        }

    @staticmethod
    def check(ln: Any, n_writers: int, per_writer: int) -> dict[str, Any]:
        """Exact counts, one latest per family, every record's bytes verified, no orphans."""
        from biolake.models import storage_audit
        from biolake.models.storage import default_storage

        soak = ln.Artifact.filter(key__startswith="soak/")
        expected = Counter(key_of(w, j) for w in range(n_writers) for j in range(per_writer))
        counts = dict(Counter(soak.values_list("key", flat=True)))
        families_ok = all(
            ln.Artifact.filter(key=key, is_latest=True).count() == 1
            and len({uid[:16] for uid in ln.Artifact.filter(key=key).values_list("uid", flat=True)}) == 1
            for key in expected
        )
        reports = storage_audit.verify_all(soak)
        orphans = storage_audit.find_orphans(default_storage(), min_age=0)
        result = {
            "records": len(reports),
            "counts_exact": counts == dict(expected),
            "one_latest_per_family": families_ok,
            "bytes_verified": sum(r.ok for r in reports),
            "orphan_files": len(orphans),
        }
        result["ok"] = (
            result["counts_exact"] and families_ok and result["bytes_verified"] == len(reports) == sum(expected.values())
            and not orphans
        )
        return result

    # -- core operations -------------------------------------------------------------------
    def core(self, backend: str, pg: Postgres | None = None) -> dict[str, Any]:
        """Single-process latencies of core operations on a fresh instance (local storage)."""
        import biolake as ln

        self.counter += 1
        name = f"benchcore{backend[:2]}{self.counter}"
        log(f"{backend}: core operations")
        with self._instance(ln, name, str(self.tmp / name), backend, pg):
            return self._core_measure(ln)

    def _core_measure(self, ln: Any) -> dict[str, Any]:
        import random

        import pandas as pd

        quick = self.args.quick
        n_saves, n_gets, n_records = (20, 50, 500) if quick else (100, 300, 5000)
        frames = [pd.DataFrame({"save": [i] * 3, "x": [0.5, 1.5, 2.5]}) for i in range(n_saves + 3)]
        for i, frame in enumerate(frames[:3]):
            ln.Artifact.from_df(frame, key=f"core/warm{i}.parquet").save()
        saves = []
        for i, frame in enumerate(frames[3:]):
            t = time.perf_counter()
            ln.Artifact.from_df(frame, key=f"core/save{i}.parquet").save()
            saves.append(time.perf_counter() - t)
        keys = self._fill_artifacts(ln, groups=10)
        rng = random.Random(5)
        gets = []
        for key in [rng.choice(keys) for _ in range(n_gets)]:
            t = time.perf_counter()
            record = ln.Artifact.get(key=key)
            gets.append(time.perf_counter() - t)
            assert record.key == key
        dfs = []
        for _ in range(3 if quick else 10):
            t = time.perf_counter()
            df = ln.Artifact.filter(key__startswith="grp3/").df()
            dfs.append(time.perf_counter() - t)
            assert len(df) == 200
        bulk = []
        for r in range(3):
            records = [ln.Transform(key=f"bulk{r}-{i}", type="pipeline") for i in range(n_records)]
            t = time.perf_counter()
            ln.save(records)
            bulk.append(time.perf_counter() - t)
        return {
            "save_small_df_ms": rnd(statistics.median(saves) * 1000),
            "get_by_key_ms": rnd(statistics.median(gets) * 1000),
            "filter_df_200_ms": rnd(statistics.median(dfs) * 1000),
            f"ln_save_{n_records}_s": rnd(statistics.median(bulk)),
            "n": {"saves": n_saves, "gets": n_gets, "artifacts": ln.Artifact.objects.count(), "df_rows": 200, "records": n_records},
        }

    @staticmethod
    def _fill_artifacts(ln: Any, groups: int) -> list[str]:
        """Bulk-create ``groups`` x 200 artifact records ``grp<g>/f<j>.parquet`` (as benchmarks/core.py does)."""
        import secrets

        from django.db import transaction

        storage_id = ln.Artifact.objects.values_list("storage_id", flat=True).first()
        records = [
            ln.Artifact(
                uid=secrets.token_hex(8) + "0000", key=f"grp{g}/f{j}.parquet", storage_id=storage_id, suffix=".parquet",
                kind="dataset", otype="DataFrame", size=1000 + j, hash=secrets.token_hex(32), hash_type="blake3", n_observations=3,
            )
            for g in range(groups)
            for j in range(200)
        ]
        with transaction.atomic():
            ln.Artifact.objects.bulk_create(records, batch_size=1000)
        return [r.key for r in records]

    # -- S3 --------------------------------------------------------------------------------
    def s3(self, pg: Postgres | None = None) -> dict[str, Any]:
        n_files = 20 if self.args.quick else self.args.s3_files
        size = self.args.s3_file_kb * 1024
        port = free_port()
        endpoint = f"http://127.0.0.1:{port}"
        log_file = open(self.tmp / "moto.log", "wb")  # noqa: SIM115 - closed in finally
        server = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)], stdout=log_file, stderr=subprocess.STDOUT
        )
        os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1")
        try:
            self._wait_for(port)
            return self._s3_measure(endpoint, n_files, size, pg)
        finally:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
            log_file.close()

    @staticmethod
    def _wait_for(port: int) -> None:
        for _ in range(150):
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"moto server did not start on port {port}")

    def _s3_measure(self, endpoint: str, n_files: int, size: int, pg: Postgres | None) -> dict[str, Any]:
        import s3fs

        import biolake as ln

        fs = s3fs.S3FileSystem(endpoint_url=endpoint, key="testing", secret="testing")
        fs.mkdir("bench-bucket")
        total_mb = n_files * size / 1e6
        log(f"s3: {n_files} files x {size // 1024} KB to {endpoint}, interleaved with raw s3fs")
        result: dict[str, Any] = {"endpoint": "moto server on loopback", "files": n_files, "file_kb": size // 1024, "total_mb": rnd(total_mb)}
        warm = self._random_files("warm", 2, size)
        fs.put_file(str(warm[0]), "bench-bucket/warm/raw.bin")
        with self._s3_instance(ln, endpoint, "sqlite", None) as prefix:
            ln.Artifact(warm[1], key="warm/lake.bin").save()  # clients, connection, storage record ready
            per_file, artifacts = self._s3_files(ln, fs, n_files, size, "sqlite")
            per_file.update(artifacts_mb_per_s=rnd(total_mb / per_file["artifacts_s"]), s3fs_mb_per_s=rnd(total_mb / per_file["s3fs_put_file_s"]))
            folder, folders = self._s3_folders(ln, fs, n_files, size)
            folder.update(folder_artifact_mb_per_s=rnd(total_mb / folder["folder_artifact_median_s"]), s3fs_mb_per_s=rnd(total_mb / folder["s3fs_put_list_median_s"]))
            sample = [*artifacts[:: max(1, len(artifacts) // 5)], *folders]
            result.update(
                {
                    "database": "local SQLite file",
                    "files_one_by_one": per_file,
                    "one_folder": folder,
                    "ratio_note": "throughput of biolake / throughput of raw s3fs in the same run, interleaved (1.0 = no overhead)",
                    "hash_types": sorted({a.hash_type for a in [*artifacts, *folders]}),
                    "objects_in_lake": len(fs.find(f"bench-bucket/{prefix}/.biolake")),
                    "sample_verified": f"{sum(integrity_ok(a) for a in sample)}/{len(sample)}",
                }
            )
        if pg is not None:
            with self._s3_instance(ln, endpoint, "postgresql", pg):
                ln.Artifact(warm[1], key="warm/lake.bin").save()
                per_file_pg, artifacts_pg = self._s3_files(ln, fs, n_files, size, "postgresql")
                per_file_pg["sample_verified"] = f"{sum(integrity_ok(a) for a in artifacts_pg[::40])}/{len(artifacts_pg[::40])}"
                result["files_one_by_one_postgresql"] = per_file_pg
        return result

    @contextlib.contextmanager
    def _s3_instance(self, ln: Any, endpoint: str, backend: str, pg: Postgres | None) -> Iterator[str]:
        """A current instance on the S3 endpoint (its own prefix) with a SQLite or PostgreSQL database."""
        self.counter += 1
        name = f"bench-s3-{backend[:2]}{self.counter}"
        storage = f"s3://bench-bucket/{name}?endpoint_url={endpoint}"
        with self._instance(ln, name, storage, backend, pg, db=f"sqlite:///{self.tmp / f'{name}.sqlite3'}"):
            yield name

    def _s3_files(self, ln: Any, fs: Any, n_files: int, size: int, tag: str) -> tuple[dict[str, Any], list[Any]]:
        """Each file: one raw ``put_file`` and one artifact save, alternating which goes first."""
        raw_files, lake_files = self._random_files(f"raw_files_{tag}", n_files, size), self._random_files(f"lake_files_{tag}", n_files, size)
        raw, lake, artifacts = [], [], []
        requests = count_requests()
        for i, (raw_path, lake_path) in enumerate(zip(raw_files, lake_files)):
            for side in ("raw", "lake") if i % 2 == 0 else ("lake", "raw"):
                t = time.perf_counter()
                if side == "raw":
                    fs.put_file(str(raw_path), f"bench-bucket/raw-files-{tag}/{raw_path.name}")
                    raw.append(time.perf_counter() - t)
                else:
                    requests.active = True
                    artifacts.append(ln.Artifact(lake_path, key=f"files/{lake_path.name}").save())
                    lake.append(time.perf_counter() - t)
                    requests.active = False
        ratio = sum(raw) / sum(lake)
        return {
            "artifacts_s": rnd(sum(lake)),
            "s3fs_put_file_s": rnd(sum(raw)),
            "artifact_save_median_ms": rnd(statistics.median(lake) * 1000),
            "s3fs_put_file_median_ms": rnd(statistics.median(raw) * 1000),
            "artifacts_per_s": rnd(n_files / sum(lake)),
            "requests_per_save": {method: rnd(count / n_files) for method, count in sorted(requests.methods.items())},
            "s3_per_file_ratio": rnd(ratio, 3),
            "target": {"min": 0.7},
            "meets_target": ratio >= 0.7,
        }, artifacts

    def _s3_folders(self, ln: Any, fs: Any, n_files: int, size: int) -> tuple[dict[str, Any], list[Any]]:
        """Rounds of one raw ``put`` of the file list and one folder artifact, alternating which goes first."""
        raw, lake, folders = [], [], []
        for r in range(1 if self.args.quick else self.args.s3_folder_rounds):
            raw_put, lake_folder = self._random_files(f"raw_put{r}", n_files, size), self._random_files(f"lake_folder{r}", n_files, size)
            for side in ("raw", "lake") if r % 2 == 0 else ("lake", "raw"):
                t = time.perf_counter()
                if side == "raw":
                    fs.put([str(p) for p in raw_put], [f"bench-bucket/raw-put{r}/{p.name}" for p in raw_put])
                    raw.append(time.perf_counter() - t)
                else:
                    folders.append(ln.Artifact(lake_folder[0].parent, key=f"folder{r}").save())
                    lake.append(time.perf_counter() - t)
        ratio = sum(raw) / sum(lake)
        return {
            "rounds": len(raw),
            "folder_artifact_median_s": rnd(statistics.median(lake)),
            "s3fs_put_list_median_s": rnd(statistics.median(raw)),
            "s3_folder_ratio": rnd(ratio, 3),
            "target": {"min": 0.9},
            "meets_target": ratio >= 0.9,
        }, folders

    def _random_files(self, name: str, n: int, size: int) -> list[Path]:
        folder = self.tmp / "s3files" / name
        folder.mkdir(parents=True)
        paths = []
        for i in range(n):
            path = folder / f"part{i:04d}.bin"
            path.write_bytes(os.urandom(size))
            paths.append(path)
        return paths

    # -- all -------------------------------------------------------------------------------
    def guarded(self, name: str, measure: Any) -> dict[str, Any]:
        """Run one section; an error is reported under ``errors`` and the other sections still run."""
        try:
            result: dict[str, Any] = measure()
            return result
        except Exception as error:  # noqa: BLE001
            traceback.print_exc()
            self.errors[name] = f"{type(error).__name__}: {error}"
            return {"error": self.errors[name]}

    def run(self) -> dict[str, Any]:
        import biolake

        out: dict[str, Any] = {
            "benchmark": "concurrency",
            "biolake": biolake.__version__,
            "workload": {
                "saves_per_run": self.total_saves,
                "writers": list(WRITERS),
                "object": "3x3 pandas DataFrame saved as parquet",
                "mix": f"half distinct keys, half new versions under {SHARED_KEYS} shared keys",
                "processes": "multiprocessing spawn; clock starts at a barrier after connect and one warm-up save",
            },
        }
        if self.args.s3_only:
            with Postgres(self.tmp) as pg:
                out["s3"] = self.guarded("s3", lambda: self.s3(None if pg.skipped else pg))
            out["errors"] = self.errors
            out["elapsed_s"] = rnd(time.perf_counter() - _T0)
            return out
        out["sqlite"] = {"settings": "WAL, synchronous=NORMAL, BEGIN IMMEDIATE, busy timeout 60 s", "runs": self.writers("sqlite")}
        core: dict[str, Any] = {"sqlite": self.guarded("core_sqlite", lambda: self.core("sqlite"))}
        with Postgres(self.tmp) as pg:
            if pg.skipped:
                out["postgresql"] = {"skipped": pg.skipped}
                core["postgresql"] = {"skipped": pg.skipped}
            else:
                try:
                    out["postgresql"] = {"server": pg.source, **pg.settings(), "runs": self.writers("postgresql", pg)}
                except Exception as error:  # noqa: BLE001
                    self.errors["postgresql"] = f"{type(error).__name__}: {error}"
                    out["postgresql"] = {"error": self.errors["postgresql"]}
                core["postgresql"] = self.guarded("core_postgresql", lambda: self.core("postgresql", pg))
            if self.args.no_s3:
                out["s3"] = {"skipped": "--no-s3"}
            else:
                out["s3"] = self.guarded("s3", lambda: self.s3(None if pg.skipped else pg))
        core["postgresql_vs_sqlite"] = {
            name: rnd(pg_value / core["sqlite"][name], 3)
            for name, pg_value in core["postgresql"].items()
            if isinstance(pg_value, float) and isinstance(core["sqlite"].get(name), float) and core["sqlite"][name]
        }
        core["note"] = "one process, local storage, fresh instance per backend; medians; postgresql_vs_sqlite = PG time / SQLite time"
        out["core_operations"] = core
        out["errors"] = self.errors
        out["machine"] = {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "loadavg_end": [round(x, 2) for x in os.getloadavg()],
        }
        out["elapsed_s"] = rnd(time.perf_counter() - _T0)
        return out


class RequestCounter:
    """Counts, by method, the HTTP requests aiobotocore sends while ``active``."""

    def __init__(self) -> None:
        self.active = False
        self.methods: Counter[str] = Counter()


def count_requests() -> RequestCounter:
    """Hook aiobotocore's HTTP session (every s3fs client in this process) to count requests."""
    from aiobotocore.httpsession import AIOHTTPSession

    counter = RequestCounter()
    original = AIOHTTPSession.send

    async def counting_send(self: Any, request: Any) -> Any:
        if counter.active:
            counter.methods[request.method] += 1
        return await original(self, request)

    AIOHTTPSession.send = counting_send  # type: ignore[method-assign]
    return counter


def integrity_ok(artifact: Any) -> bool:
    from biolake.models import integrity

    return integrity.verify(artifact).ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke test")
    parser.add_argument("--saves", type=int, default=600, help="saves per run, split over the writers (default 600)")
    parser.add_argument("--s3-files", type=int, default=200, help="files uploaded to S3 (default 200)")
    parser.add_argument("--s3-file-kb", type=int, default=256, help="size of each file in KB (default 256)")
    parser.add_argument("--s3-folder-rounds", type=int, default=3, help="folder artifact vs s3fs put rounds (default 3)")
    parser.add_argument("--no-s3", action="store_true", help="skip the S3 part")
    parser.add_argument("--s3-only", action="store_true", help="only the S3 part (with PostgreSQL numbers when a server is there)")
    bench = Bench(parser.parse_args())
    try:
        result = bench.run()
    finally:
        shutil.rmtree(bench.tmp, ignore_errors=True)
    print(json.dumps(result, indent=2))
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
