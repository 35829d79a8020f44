#!/usr/bin/env python
"""The core benchmark of biolake: import cost, saves, bulk inserts, queries and hashing.

Prints one JSON object to stdout; progress goes to stderr. Everything runs in a fresh
temporary ``BIOLAKE_HOME`` and a temporary SQLite instance that are removed at the end.

Each measurement reports its ``value``, its ``target`` and ``meets_target``; where a
baseline exists it is measured in the same run (interleaved with the measured
operation, so background load hits both alike) and reported with the ratio
``value / baseline``. Compare ratios across machines, not absolute numbers.

Usage::

    python benchmarks/core.py            # full run (< 3 minutes)
    python benchmarks/core.py --quick    # smoke test (a few seconds)
    python benchmarks/core.py --profile  # also cProfile every measurement that misses its target
    python benchmarks/core.py --lamindb-python /work/venv-lamindb/bin/python  # + the lamindb ratios
    python benchmarks/core.py --only fresh_process --lamindb-python ...  # one section (see --help)

See ``benchmarks/README.md`` for what each number means.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import gc
import hashlib
import importlib.util
import json
import os
import platform
import pstats
import random
import secrets
import shutil
import sqlite3
import statistics
import string
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

HEAVY_MODULES = ("django", "pandas", "anndata", "numpy")
OTHER_MODULES = ("pyarrow", "fsspec", "upath", "rich", "blake3", "click", "zarr", "h5py", "scipy")

TARGETS: dict[str, dict[str, Any]] = {
    "import_time_s": {"max": 0.15},
    "heavy_modules_loaded": {"equals": []},
    "save_small_df_ms": {"max": 3.0},
    "bulk_create_5000_s": {"max": 0.7},
    "get_by_key_ms": {"max": 0.4},
    "filter_df_200_ms": {"max": 2.0},
    "hash_throughput": {"min_ratio_blake3_vs_read": 0.5},
    # against lamindb, measured in the same run: value = lamindb time / biolake time
    "vs_lamindb_import_first_query": {"min": 3.0},
    "vs_lamindb_save_small_df": {"min": 3.0},
    "vs_lamindb_filter_df_200": {"min": 2.0},
    "vs_lamindb_load_parquet_1m": {"min": 1.0},
}

SIZES = {
    #            full    quick
    "import_runs": (7, 5),
    "registry_runs": (5, 3),
    "saves": (200, 20),
    "late_saves": (50, 10),
    "bulk_records": (5000, 500),
    "bulk_repeats": (3, 1),
    "artifacts": (10_000, 1_000),
    "lookups": (500, 100),
    "filter_repeats": (50, 10),
    "df_all_repeats": (7, 3),
    "hash_repeats": (5, 3),
    "lamindb_fresh_runs": (7, 3),
    "lamindb_saves": (60, 10),
    "lamindb_early_saves": (20, 5),
    "lamindb_filters": (40, 10),
    "lamindb_loads": (7, 3),
    "lamindb_parquet_rows": (1_000_000, 100_000),
}

LAMINDB_MEASUREMENTS = (
    "vs_lamindb_import_first_query",
    "vs_lamindb_save_small_df",
    "vs_lamindb_filter_df_200",
    "vs_lamindb_load_parquet_1m",
)
LAMINDB_PYTHON_ENV = "BIOLAKE_BENCH_LAMINDB_PYTHON"

GROUP_SIZE = 200  # artifacts per key prefix "grp<g>/" (filter_df_200_ms selects one group)
READ_CHUNK = 16 * 1024**2
IN_MEMORY_BYTES = 256 * 1024**2  # bytes hashed in memory for the BLAKE3 compute ceiling
GB = 1e9

_T0 = time.perf_counter()


def log(message: str) -> None:
    """Progress on stderr."""
    print(f"[bench {time.perf_counter() - _T0:6.1f}s] {message}", file=sys.stderr, flush=True)


# -- small helpers ----------------------------------------------------------------------------


def median(values: list[float]) -> float:
    return statistics.median(values)


def rnd(value: float | None, digits: int = 4) -> float | None:
    """Round to ``digits`` significant digits (keeps small times readable)."""
    if value is None:
        return None
    if value == 0:
        return 0.0
    return float(f"{value:.{digits}g}")


def ratio(value: float | None, baseline: float | None) -> float | None:
    if value is None or not baseline:
        return None
    return rnd(value / baseline, 3)


def meets(name: str, value: Any) -> bool | None:
    target = TARGETS[name]
    if "max" in target:
        return bool(value <= target["max"])
    if "min" in target:
        return bool(value >= target["min"])
    if "equals" in target:
        return bool(value == target["equals"])
    return None  # a target on a derived number: the measurement sets meets_target itself


def random_uid(n: int, rng: random.Random) -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(rng.choices(alphabet, k=n))


@contextlib.contextmanager
def timer() -> Iterator[list[float]]:
    """``with timer() as t: ...`` then ``t[0]`` is the elapsed seconds."""
    out: list[float] = []
    start = time.perf_counter()
    try:
        yield out
    finally:
        out.append(time.perf_counter() - start)


def profile_call(fn: Callable[[], Any], top: int = 15) -> list[dict[str, Any]]:
    """Run ``fn`` under cProfile; print the top functions (cumulative) to stderr and return them."""
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        fn()
    finally:
        profiler.disable()
    stats = pstats.Stats(profiler, stream=sys.stderr)
    stats.sort_stats("cumulative").print_stats(top)
    rows = []
    for (filename, line, func), (cc, nc, tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        rows.append({"function": f"{_short(filename)}:{line}({func})", "ncalls": nc, "tottime_s": rnd(tt), "cumtime_s": rnd(ct)})
    rows.sort(key=lambda r: r["cumtime_s"] or 0, reverse=True)
    return rows[:top]


def _short(filename: str) -> str:
    for marker in ("site-packages/", "/src/", "/lib/python"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename


# -- the benchmark ----------------------------------------------------------------------------


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.quick = args.quick
        self.tmp = Path(tempfile.mkdtemp(prefix="biolake-bench-"))
        self.home = self.tmp / "home"
        self.storage_root = self.tmp / "storage"
        self.scratch = self.tmp / "scratch"
        self.scratch.mkdir()
        self.results: dict[str, Any] = {}
        self.profiles: dict[str, Any] = {}
        self.repro: dict[str, Callable[[], Any]] = {}
        self.errors: dict[str, str] = {}
        self.ln: Any = None
        self.raw: sqlite3.Connection | None = None
        self.db_path: Path | None = None
        self.n_full_groups = 0
        self.child_env = self._child_env()
        self.lamindb_info: dict[str, Any] = {}
        self.lamindb_early_saves: tuple[list[float], list[float]] | None = None

    def size(self, name: str) -> int:
        full, quick = SIZES[name]
        return quick if self.quick else full

    def _child_env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["BIOLAKE_HOME"] = str(self.home)
        env.pop("BIOLAKE_CACHE_DIR", None)
        env.pop("PYTHONPROFILEIMPORTTIME", None)
        # fresh processes run with bytecode caches, as an installed package does (pip compiles
        # at install time); they go to a folder of the run, not into the source tree
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(self.tmp / "pycache")
        spec = importlib.util.find_spec("biolake")
        if spec is None or spec.origin is None:
            raise SystemExit("biolake is not importable: pip install -e . first")
        src = str(Path(spec.origin).resolve().parent.parent)
        env["PYTHONPATH"] = os.pathsep.join([src, *filter(None, [env.get("PYTHONPATH")])])
        return env

    def record(self, name: str, value: Any, **extra: Any) -> dict[str, Any]:
        entry: dict[str, Any] = {"value": value}
        if name in TARGETS:
            entry["target"] = TARGETS[name]
            entry["meets_target"] = meets(name, value)
        else:
            entry["target"] = None
            entry["meets_target"] = None
        entry.update(extra)
        self.results[name] = entry
        return entry

    def step(self, name: str, fn: Callable[[], None], measurement: bool = True) -> None:
        """Run one measurement; an exception is recorded, not fatal."""
        log(f"{name} ...")
        try:
            fn()
        except Exception as error:  # noqa: BLE001 - the report must still be printed
            import traceback

            traceback.print_exc(file=sys.stderr)
            self.errors[name] = f"{type(error).__name__}: {error}"
            if measurement:
                self.results.setdefault(name, {"value": None, "target": TARGETS.get(name), "meets_target": False if name in TARGETS else None})
        else:
            if not measurement:
                return
            entry = self.results.get(name, {})
            log(f"{name}: {entry.get('value')} (target {entry.get('target')}, met: {entry.get('meets_target')})")
            if self.args.profile:
                self.profile(name)

    # -- 1. import time ------------------------------------------------------------------------

    def _run_child(self, code: str, *flags: str, capture: bool = False) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, *flags, "-c", code],
            env=self.child_env,
            check=True,
            text=True,
            stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def _wall(self, code: str) -> float:
        start = time.perf_counter()
        self._run_child(code)
        return time.perf_counter() - start

    def bench_import(self) -> None:
        n = self.size("import_runs")
        self._wall("import biolake")  # warm the bytecode cache and the page cache
        self._wall("pass")
        with_biolake, bare = [], []
        for _ in range(n):  # interleaved so background load hits both alike
            bare.append(self._wall("pass"))
            with_biolake.append(self._wall("import biolake"))
        value = median(with_biolake) - median(bare)
        top_self, top_cum = self._importtime()
        self.record(
            "import_time_s",
            rnd(max(value, 0.0)),
            unit="s",
            runs=n,
            python_import_biolake_median_s=rnd(median(with_biolake)),
            baseline={"python_pass_median_s": rnd(median(bare))},
            ratio={"import_biolake_vs_pass": ratio(median(with_biolake), median(bare))},
            median_difference_s=rnd(value),  # may be slightly negative: below the noise
            min_difference_s=rnd(min(with_biolake) - min(bare)),
            importtime_top5_self_us=top_self,
            importtime_top5_cumulative_us=top_cum,
        )

    def _importtime(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        stderr = self._run_child("import biolake", "-X", "importtime").stderr
        rows = []
        for line in stderr.splitlines():
            if not line.startswith("import time:") or "self [us]" in line:
                continue
            _, self_us, cum_us, name = (part.strip() for part in line.replace("import time:", "|", 1).split("|"))
            rows.append({"module": name, "self_us": int(self_us), "cumulative_us": int(cum_us)})
        by_self = sorted(rows, key=lambda r: r["self_us"], reverse=True)[:5]
        by_cum = sorted(rows, key=lambda r: r["cumulative_us"], reverse=True)[:5]
        return by_self, by_cum

    def bench_heavy_modules(self) -> None:
        code = (
            "import json, sys, biolake\n"
            f"print(json.dumps([[m for m in {HEAVY_MODULES!r} if m in sys.modules], "
            f"[m for m in {OTHER_MODULES!r} if m in sys.modules], len(sys.modules)]))"
        )
        heavy, other, count = _last_json(self._run_child(code, capture=True).stdout)
        self.record("heavy_modules_loaded", heavy, checked=list(HEAVY_MODULES), other_modules_loaded=other, n_modules=count)

    # -- 2. first registry access --------------------------------------------------------------

    def bench_first_registry_access(self) -> None:
        def code(connect_first: bool) -> str:
            return (
                "import json, sys, time\n"
                "t0 = time.perf_counter()\n"
                "import biolake as ln\n"
                "t1 = time.perf_counter()\n"
                + ("ln.setup.connect()\n" if connect_first else "")
                + "ln.Artifact.filter().count()\n"  # the first query connects (importing the registries does not)
                "t2 = time.perf_counter()\n"
                f"print(json.dumps([t1 - t0, t2 - t1, [m for m in {(*HEAVY_MODULES, *OTHER_MODULES)!r} if m in sys.modules]]))"
            )

        path, primary_error = "import biolake as ln; ln.Artifact.filter().count()", None
        try:
            self._run_child(code(False), capture=True)  # also the warm-up
            chosen = code(False)
        except subprocess.CalledProcessError as error:
            lines = (error.stderr or "").strip().splitlines()
            primary_error = lines[-1] if lines else f"exit status {error.returncode}"
            log(f"plain `ln.Artifact` fails in a fresh process ({primary_error}); timing ln.setup.connect() first")
            path = "import biolake as ln; ln.setup.connect(); ln.Artifact.filter().count() (fallback)"
            chosen = code(True)
            self._run_child(chosen, capture=True)
        n = self.size("registry_runs")
        imports, accesses, loaded = [], [], []
        for _ in range(n):
            t_import, t_access, loaded = _last_json(self._run_child(chosen, capture=True).stdout)
            imports.append(t_import)
            accesses.append(t_access)
        totals = [a + b for a, b in zip(imports, accesses)]
        entry = self.record(
            "first_registry_access_s",
            rnd(median(totals)),
            unit="s",
            runs=n,
            path=path,
            import_median_s=rnd(median(imports)),
            registry_access_median_s=rnd(median(accesses)),
            modules_loaded_after_access=loaded,
            note="in a fresh process with an existing instance: Django setup + migration check; no target",
        )
        if primary_error:
            entry["plain_access_error"] = primary_error

    # -- instance ------------------------------------------------------------------------------

    def setup_instance(self) -> None:
        os.environ["BIOLAKE_HOME"] = str(self.home)
        os.environ.pop("BIOLAKE_CACHE_DIR", None)
        import biolake as ln

        self.ln = ln
        ln.setup.init(storage=str(self.storage_root), name="bench")
        from django.db import connection

        self.db_path = Path(connection.settings_dict["NAME"])
        self.raw = sqlite3.connect(str(self.db_path), timeout=60)
        self.raw.execute("PRAGMA synchronous=NORMAL")  # as biolake's own connection

    # -- 3. saving a small DataFrame -------------------------------------------------------------

    def _frames(self, n: int, tag: int) -> list[Any]:
        import pandas as pd

        return [
            pd.DataFrame({f"c{c}": [tag * 1_000_000 + i * 10 + c + r for r in range(3)] for c in range(5)})
            for i in range(n)
        ]

    def bench_save_small_df(self) -> None:
        ln = self.ln
        n = self.size("saves")
        for i, df in enumerate(self._frames(3, tag=1)):  # first saves create the user and storage records
            ln.Artifact.from_df(df, key=f"bench/warmup{i}.parquet").save()
            df.to_parquet(self.scratch / f"warm{i}.parquet")
        frames = self._frames(n, tag=2)
        before = ln.Artifact.objects.count()
        saves, writes, copies = [], [], []
        gc.collect()
        for i, df in enumerate(frames):
            written = self.scratch / f"df{i}.parquet"
            with timer() as t:
                df.to_parquet(written)
            writes.append(t[0])
            with timer() as t:
                shutil.copy(written, self.scratch / f"copy{i}.parquet")
            copies.append(t[0])
            with timer() as t:
                ln.Artifact.from_df(df, key=f"bench/df{i}.parquet").save()
            saves.append(t[0])
        created = ln.Artifact.objects.count() - before
        if created != n:
            raise RuntimeError(f"{n} saves created {created} artifacts: some were deduplicated, the timing is not valid")
        value = median(saves) * 1e3
        self.record(
            "save_small_df_ms",
            rnd(value),
            unit="ms",
            n=n,
            p90_ms=rnd(sorted(saves)[int(0.9 * (n - 1))] * 1e3),
            parquet_bytes=(self.scratch / "df0.parquet").stat().st_size,
            baseline={"shutil_copy_ms": rnd(median(copies) * 1e3), "to_parquet_ms": rnd(median(writes) * 1e3)},
            ratio={"vs_shutil_copy": ratio(median(saves), median(copies)), "vs_to_parquet": ratio(median(saves), median(writes))},
        )
        extra = self._frames(50, tag=3)

        def repro() -> None:
            for i, df in enumerate(extra):
                ln.Artifact.from_df(df, key=f"bench/profile{i}.parquet").save()

        self.repro["save_small_df_ms"] = repro

    def bench_save_small_df_full_instance(self) -> None:
        """The same save, once the instance holds ``artifacts`` records (no target: shows scaling)."""
        ln = self.ln
        n = self.size("late_saves")
        n_artifacts = ln.Artifact.objects.count()
        frames = self._frames(n, tag=4)
        saves, writes = [], []
        gc.collect()
        for i, df in enumerate(frames):
            with timer() as t:
                df.to_parquet(self.scratch / f"late{i}.parquet")
            writes.append(t[0])
            with timer() as t:
                ln.Artifact.from_df(df, key=f"bench/late{i}.parquet").save()
            saves.append(t[0])
        small = self.results.get("save_small_df_ms", {})
        self.record(
            "save_small_df_full_instance_ms",
            rnd(median(saves) * 1e3),
            unit="ms",
            n=n,
            n_artifacts=n_artifacts,
            baseline={"to_parquet_ms": rnd(median(writes) * 1e3)},
            ratio={
                "vs_to_parquet": ratio(median(saves), median(writes)),
                "vs_save_small_df_ms": ratio(median(saves) * 1e3, small.get("value")),
            },
            note="save_small_df_ms repeated with the instance full; a ratio vs_save_small_df_ms well above 1 "
            "means a save costs more as the registry grows",
        )
        extra = self._frames(50, tag=5)

        def repro() -> None:
            for i, df in enumerate(extra):
                ln.Artifact.from_df(df, key=f"bench/profile-late{i}.parquet").save()

        self.repro["save_small_df_full_instance_ms"] = repro

    # -- 4. bulk create ------------------------------------------------------------------------

    def _bulk_ln(self, prefix: str, n: int) -> tuple[float, float]:
        ln = self.ln
        start = time.perf_counter()
        records = [ln.Transform(key=f"{prefix}{i}", type="pipeline") for i in range(n)]
        built = time.perf_counter()
        ln.save(records)
        return built - start, time.perf_counter() - built

    def _baseline_table(self) -> list[str]:
        """A plain table with the same columns and indexes as ``biolake_transform``."""
        assert self.raw is not None
        ddl = [row[0] for row in self.raw.execute(
            "SELECT sql FROM sqlite_master WHERE tbl_name = 'biolake_transform' AND sql IS NOT NULL "
            "AND type IN ('table', 'index') ORDER BY type = 'index'"
        )]
        for statement in ddl:
            self.raw.execute(statement.replace("biolake_transform", "bench_raw_transform"))
        self.raw.commit()
        return [row[1] for row in self.raw.execute("PRAGMA table_info(bench_raw_transform)") if row[1] != "id"]

    def _bulk_raw(self, columns: list[str], prefix: str, n: int, user_id: int, rng: random.Random) -> float:
        assert self.raw is not None
        sql = f"INSERT INTO bench_raw_transform ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        start = time.perf_counter()
        now = datetime.now(timezone.utc).isoformat(" ")
        fixed = {"type": "pipeline", "is_latest": 1, "branch_id": 1, "created_by_id": user_id, "created_at": now, "updated_at": now, "space_id": 1}
        rows = []
        for i in range(n):
            values = {**fixed, "uid": random_uid(16, rng), "key": f"{prefix}{i}"}
            rows.append(tuple(values.get(c) for c in columns))
        try:
            self.raw.executemany(sql, rows)
        except BaseException:
            self.raw.rollback()  # an open write transaction would lock the instance for the rest of the run
            raise
        self.raw.commit()
        return time.perf_counter() - start

    def bench_bulk_create(self) -> None:
        n, repeats = self.size("bulk_records"), self.size("bulk_repeats")
        columns = self._baseline_table()
        rng = random.Random(4)
        self._bulk_ln("warm-", 20)
        user_id = self.ln.Transform.objects.filter(key="warm-0").values_list("created_by_id", flat=True).get()
        builds, saves, raws = [], [], []
        for r in range(repeats):
            raws.append(self._bulk_raw(columns, f"raw{r}-", n, user_id, rng))
            gc.collect()
            build, save = self._bulk_ln("bulk-" if r == 0 else f"bulk{r}-", n)
            builds.append(build)
            saves.append(save)
        totals = [b + s for b, s in zip(builds, saves)]
        target = TARGETS["bulk_create_5000_s"]["max"] * n / 5000
        value = median(totals)
        entry = self.record(
            "bulk_create_5000_s",
            rnd(value),
            unit="s",
            n_records=n,
            repeats=repeats,
            construct_median_s=rnd(median(builds)),
            ln_save_median_s=rnd(median(saves)),
            baseline={"sqlite3_executemany_s": rnd(median(raws))},
            ratio={"vs_sqlite3_executemany": ratio(value, median(raws))},
            note="construct n ln.Transform(...) + ln.save(records); baseline builds the same rows as tuples "
            "and executemany()s them into a table with the same columns and indexes, one commit",
        )
        if n != 5000:
            entry["target"] = {"max": rnd(target), "scaled_from": TARGETS["bulk_create_5000_s"]}
            entry["meets_target"] = value <= target
        self.raw.execute("DROP TABLE bench_raw_transform")  # type: ignore[union-attr]
        self.raw.commit()  # type: ignore[union-attr]
        self.repro["bulk_create_5000_s"] = lambda: self._bulk_ln("profile-", n)

    # -- 6 (data). many artifact records ----------------------------------------------------

    def fill_artifacts(self) -> None:
        """Bring the instance to ``artifacts`` records: ``grp<g>/f<j>.parquet``, 200 per group."""
        from django.db import transaction

        ln = self.ln
        total = self.size("artifacts")
        existing = ln.Artifact.objects.count()
        extra = max(total - existing, 0)
        storage_id = ln.Artifact.objects.values_list("storage_id", flat=True).first()
        rng = random.Random(6)
        records = []
        for i in range(extra):
            g, j = divmod(i, GROUP_SIZE)
            records.append(
                ln.Artifact(
                    uid=random_uid(16, rng) + "0000",
                    key=f"grp{g}/f{j}.parquet",
                    storage_id=storage_id,
                    suffix=".parquet",
                    kind="dataset",
                    otype="DataFrame",
                    size=1000 + i,
                    hash=secrets.token_hex(32),
                    hash_type="blake3",
                    n_observations=3,
                )
            )
        with timer() as t, transaction.atomic():
            ln.Artifact.objects.bulk_create(records, batch_size=1000)
        self.n_full_groups = extra // GROUP_SIZE
        log(f"bulk-created {extra} artifact records in {t[0]:.2f} s ({ln.Artifact.objects.count()} in total)")

    # -- 5. get by key -------------------------------------------------------------------------

    def bench_get_by_key(self) -> None:
        ln = self.ln
        assert self.raw is not None
        n = self.size("lookups")
        keys = list(ln.Artifact.objects.values_list("key", flat=True))
        rng = random.Random(5)
        sample = [rng.choice(keys) for _ in range(n)]
        columns = [f.column for f in ln.Artifact._meta.concrete_fields]
        sql = f'SELECT {", ".join(columns)} FROM biolake_artifact WHERE key = ? AND branch_id = 1 LIMIT 21'
        for key in sample[:10]:  # warm-up
            ln.Artifact.get(key=key)
            self.raw.execute(sql, (key,)).fetchall()
        gets, raws = [], []
        gc.collect()
        for key in sample:
            with timer() as t:
                rows = self.raw.execute(sql, (key,)).fetchall()
            raws.append(t[0])
            with timer() as t:
                record = ln.Artifact.get(key=key)
            gets.append(t[0])
            assert record.key == key and len(rows) == 1
        value = median(gets) * 1e3
        self.record(
            "get_by_key_ms",
            rnd(value),
            unit="ms",
            n=n,
            n_artifacts=len(keys),
            baseline={"sqlite3_select_ms": rnd(median(raws) * 1e3)},
            ratio={"vs_sqlite3_select": ratio(median(gets), median(raws))},
        )

        def repro() -> None:
            for key in sample:
                ln.Artifact.get(key=key)

        self.repro["get_by_key_ms"] = repro

    # -- 6. filter → DataFrame -----------------------------------------------------------------

    def bench_filter_df(self) -> None:
        import pandas as pd

        ln = self.ln
        assert self.raw is not None
        group = min(7, self.n_full_groups - 1)
        if group < 0:
            raise RuntimeError("not enough artifacts for a full group of 200")
        prefix = f"grp{group}/"
        columns = [f.column for f in ln.Artifact._meta.concrete_fields]
        select = f'SELECT {", ".join(columns)} FROM biolake_artifact WHERE branch_id = 1'
        like = select + " AND key LIKE ? ESCAPE '\\'"

        def raw_df(sql: str, params: tuple[Any, ...]) -> Any:
            rows = self.raw.execute(sql, params).fetchall()  # type: ignore[union-attr]
            return pd.DataFrame.from_records(rows, columns=columns).set_index("id")

        assert len(ln.Artifact.filter(key__startswith=prefix).df()) == GROUP_SIZE
        raw_df(like, (prefix + "%",))
        n = self.size("filter_repeats")
        filters, raws = [], []
        gc.collect()
        for _ in range(n):
            with timer() as t:
                raw_df(like, (prefix + "%",))
            raws.append(t[0])
            with timer() as t:
                df = ln.Artifact.filter(key__startswith=prefix).df()
            filters.append(t[0])
        assert len(df) == GROUP_SIZE
        value = median(filters) * 1e3
        self.record(
            "filter_df_200_ms",
            rnd(value),
            unit="ms",
            n=n,
            rows=len(df),
            prefix=prefix,
            n_artifacts=ln.Artifact.objects.count(),
            baseline={"sqlite3_select_to_df_ms": rnd(median(raws) * 1e3)},
            ratio={"vs_sqlite3_select_to_df": ratio(median(filters), median(raws))},
            note="baseline: the same SQL (LIKE ... ESCAPE) on a raw sqlite3 connection + DataFrame.from_records",
        )
        self.repro["filter_df_200_ms"] = lambda: [ln.Artifact.filter(key__startswith=prefix).df() for _ in range(50)]

        m = self.size("df_all_repeats")
        alls, raw_alls = [], []
        for _ in range(m):
            with timer() as t:
                raw_df(select, ())
            raw_alls.append(t[0])
            with timer() as t:
                df = ln.Artifact.df()
            alls.append(t[0])
        self.record(
            "df_all_ms",
            rnd(median(alls) * 1e3),
            unit="ms",
            n=m,
            rows=len(df),
            baseline={"sqlite3_select_to_df_ms": rnd(median(raw_alls) * 1e3)},
            ratio={"vs_sqlite3_select_to_df": ratio(median(alls), median(raw_alls))},
            note="ln.Artifact.df() over every artifact record; no target",
        )
        self.repro["df_all_ms"] = lambda: [ln.Artifact.df() for _ in range(3)]

    # -- 8. against lamindb, side by side ------------------------------------------------------

    def bench_lamindb(self, parts: tuple[str, ...] = ("saves", "fresh_process", "filter", "load")) -> None:
        """The four ratios of issue 15 (lamindb time / biolake time), each measured interleaved:
        one lamindb iteration, one biolake iteration, and so on. ``parts`` other than all:
        only those (``--only``), with no fill of either instance."""
        python, reason = _lamindb_python(self.args)
        if python is None:
            self.lamindb_info = {"skipped": reason}
            for name in LAMINDB_MEASUREMENTS if len(parts) == 4 else ("vs_lamindb_import_first_query",):
                self.results[name] = {"value": None, "target": TARGETS[name], "meets_target": None, "skipped": reason}
            log(f"lamindb comparison skipped: {reason}")
            return
        side = _LamindbSide(python, self.tmp / "lamindb-home")
        try:
            info = side.ask({"op": "init", "storage": str(self.tmp / "lamindb-storage")})
            self.lamindb_info = {"python": python, "lamindb_version": info["version"], "django": info["django"]}
            warm_up = self._frames(3, tag=7)
            self._lamindb_save_pairs(side, warm_up, "cmp/warmup")  # also the record the fill copies
            if "saves" in parts:
                self.lamindb_early_saves = self._lamindb_save_pairs(side, self._frames(self.size("lamindb_early_saves"), tag=8), "cmp/early")
                filled = side.ask({"op": "fill", "total": self.ln.Artifact.objects.count(), "group_size": GROUP_SIZE})
                log(f"lamindb: bulk-created {filled['created']} artifact records ({filled['total']} in total)")
                self._lamindb_saves(side)
            if "fresh_process" in parts:
                self._lamindb_fresh_process(side, python)
            if "filter" in parts:
                self._lamindb_filter(side)
            if "load" in parts:
                self._lamindb_load(side)
        finally:
            side.close()

    def _ratio_entry(self, name: str, lamindb: list[float], biolake: list[float], unit: str, scale: float, **extra: Any) -> None:
        lam, bio = median(lamindb), median(biolake)
        self.record(
            name,
            ratio(lam, bio),
            unit="× (lamindb / biolake, higher is better)",
            lamindb={"median": rnd(lam * scale), "unit": unit, "n": len(lamindb)},
            biolake={"median": rnd(bio * scale), "unit": unit, "n": len(biolake)},
            **extra,
        )

    def _lamindb_fresh_process(self, side: _LamindbSide, python: str) -> None:
        n = self.size("lamindb_fresh_runs")
        code = "import {} as ln; ln.Artifact.filter().count()"
        runs: dict[str, list[float]] = {"lamindb": [], "biolake": [], "lamindb_pass": [], "biolake_pass": []}

        def wall(executable: str, source: str, env: dict[str, str], cwd: str | None = None) -> float:
            start = time.perf_counter()
            subprocess.run([executable, "-c", source], env=env, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            return time.perf_counter() - start

        for _ in range(2):  # warm-up: bytecode caches, page cache
            wall(python, code.format("lamindb"), side.env, side.cwd)
            wall(sys.executable, code.format("biolake"), self.child_env)
        for _ in range(n):
            runs["lamindb"].append(wall(python, code.format("lamindb"), side.env, side.cwd))
            runs["biolake"].append(wall(sys.executable, code.format("biolake"), self.child_env))
            runs["lamindb_pass"].append(wall(python, "pass", side.env, side.cwd))
            runs["biolake_pass"].append(wall(sys.executable, "pass", self.child_env))
        self._ratio_entry(
            "vs_lamindb_import_first_query",
            runs["lamindb"],
            runs["biolake"],
            "s",
            1.0,
            what='wall time of a fresh `python -c "import X as ln; ln.Artifact.filter().count()"` on an existing '
            "instance (interpreter start, import, Django set-up, connection, schema check, the query); each side's "
            "own interpreter",
            baseline={"lamindb_python_pass_s": rnd(median(runs["lamindb_pass"])), "biolake_python_pass_s": rnd(median(runs["biolake_pass"]))},
            ratio_net_of_interpreter_start=ratio(
                median(runs["lamindb"]) - median(runs["lamindb_pass"]), median(runs["biolake"]) - median(runs["biolake_pass"])
            ),
        )

    def _lamindb_save_pairs(self, side: _LamindbSide, frames: list[Any], prefix: str) -> tuple[list[float], list[float]]:
        """Save each frame on both sides, lamindb first; the two lists of save times."""
        lamindb, biolake = [], []
        for i, df in enumerate(frames):
            columns = {str(c): df[c].tolist() for c in df.columns}
            key = f"{prefix}{i}.parquet"
            lamindb.append(side.ask({"op": "save", "columns": columns, "key": key})["s"])
            with timer() as t:
                self.ln.Artifact.from_df(df, key=key).save()
            biolake.append(t[0])
        return lamindb, biolake

    def _early_saves_entry(self) -> dict[str, Any] | None:
        """The same saves while lamindb's instance held only its 3 warm-up artifacts (biolake's
        already held its ~10,000): no target, for comparison with measurements on a new instance."""
        early = self.lamindb_early_saves
        if not early:
            return None
        lam, bio = median(early[0]), median(early[1])
        return {"lamindb_ms": rnd(lam * 1e3), "biolake_ms": rnd(bio * 1e3), "ratio": ratio(lam, bio), "n": len(early[0])}

    def _lamindb_saves(self, side: _LamindbSide) -> None:
        frames = self._frames(self.size("lamindb_saves"), tag=6)
        gc.collect()
        lamindb, biolake = self._lamindb_save_pairs(side, frames, "cmp/df")
        self._ratio_entry(
            "vs_lamindb_save_small_df",
            lamindb,
            biolake,
            "ms",
            1e3,
            what="Artifact.from_df(df, key=...).save() (lamindb: from_dataframe) of distinct 3x5 int frames, "
            "median, after 3 warm-up saves each; both instances hold the same number of artifacts",
            lamindb_nearly_empty=self._early_saves_entry(),
        )

    def _lamindb_filter(self, side: _LamindbSide) -> None:
        ln = self.ln
        group = min(7, self.n_full_groups - 1)
        if group < 0:
            raise RuntimeError("not enough artifacts for a full group of 200")
        prefix = f"grp{group}/"
        first = side.ask({"op": "filter", "prefix": prefix})
        df = ln.Artifact.filter(key__startswith=prefix).df()
        if first["rows"] != GROUP_SIZE or len(df) != GROUP_SIZE:
            raise RuntimeError(f"filter returned {first['rows']} (lamindb) and {len(df)} (biolake) rows, not {GROUP_SIZE}")
        lamindb, biolake = [], []
        gc.collect()
        for _ in range(self.size("lamindb_filters")):
            lamindb.append(side.ask({"op": "filter", "prefix": prefix})["s"])
            with timer() as t:
                ln.Artifact.filter(key__startswith=prefix).df()
            biolake.append(t[0])
        self._ratio_entry(
            "vs_lamindb_filter_df_200",
            lamindb,
            biolake,
            "ms",
            1e3,
            what=f"Artifact.filter(key__startswith={prefix!r}) to a DataFrame of {GROUP_SIZE} rows out of "
            f"{ln.Artifact.objects.count()}: biolake .df(); lamindb .to_dataframe(limit=None) (its .df() is "
            "deprecated and stops at 20 rows)",
            columns={"lamindb": first["columns"], "biolake": [str(c) for c in df.columns]},
        )

    def _lamindb_load(self, side: _LamindbSide) -> None:
        import numpy as np
        import pandas as pd

        rows = self.size("lamindb_parquet_rows")
        path = self.scratch / "big.parquet"
        frame = pd.DataFrame(np.random.default_rng(7).random((rows, 10)), columns=[f"c{i}" for i in range(10)])
        frame.to_parquet(path)
        del frame
        key = "cmp/big.parquet"
        side.ask({"op": "register", "path": str(path), "key": key})
        artifact = self.ln.Artifact(str(path), key=key).save()
        side.ask({"op": "load", "key": key})  # warm: page cache, imports
        artifact.load()
        lamindb, biolake = [], []
        for _ in range(self.size("lamindb_loads")):
            gc.collect()
            lamindb.append(side.ask({"op": "load", "key": key})["s"])
            gc.collect()
            with timer() as t:
                loaded = artifact.load()
            biolake.append(t[0])
            del loaded
        self._ratio_entry(
            "vs_lamindb_load_parquet_1m",
            lamindb,
            biolake,
            "s",
            1.0,
            what=f"artifact.load() of a {rows}x10 float64 parquet file (the same bytes registered in both, "
            "local storage, page cache warm), the record fetched before the clock starts",
            parquet_bytes=path.stat().st_size,
        )

    # -- 7. hashing ----------------------------------------------------------------------------

    def bench_hash(self) -> None:
        from biolake.storage.hashing import hash_file

        requested = self.args.hash_size_mb
        size_mb, reasons = requested, []
        free = shutil.disk_usage(self.tmp).free
        if free < 4 * 1024**3:
            size_mb = min(size_mb, 256, int(free / 4 / 1024**2))
            reasons.append(f"only {free / 1024**3:.1f} GiB free on disk")
        available = _mem_available()
        if available is not None and size_mb * 1024**2 > available / 2:
            size_mb = min(size_mb, int(available / 2 / 1024**2))
            reasons.append(f"only {available / 1024**3:.1f} GiB of memory available for the page cache")
        size_mb = max(size_mb, 1)
        path = self.tmp / "hash-input.bin"
        try:
            with timer() as t:
                _write_random(path, size_mb * 1024**2)
            log(f"wrote {size_mb} MiB of random bytes in {t[0]:.1f} s")
            nbytes = path.stat().st_size
            buffer = bytearray(READ_CHUNK)
            _read_all(path, buffer)  # warm the page cache
            import blake3

            with open(path, "rb") as handle:  # the compute ceiling: BLAKE3 over bytes already in memory
                in_memory = handle.read(min(nbytes, IN_MEMORY_BYTES))
            blake, reads, md5s, ceilings = [], [], [], []
            for _ in range(self.size("hash_repeats")):  # interleaved passes
                with timer() as t:
                    _read_all(path, buffer)
                reads.append(t[0])
                with timer() as t:
                    blake3.blake3(in_memory, max_threads=blake3.blake3.AUTO).digest()
                ceilings.append(t[0] * nbytes / len(in_memory))
                with timer() as t:
                    hash_file(path)
                blake.append(t[0])
                with timer() as t:
                    _read_all(path, buffer, hashlib.md5())
                md5s.append(t[0])
        finally:
            path.unlink(missing_ok=True)
        blake_gbps = nbytes / median(blake) / GB
        read_gbps = nbytes / median(reads) / GB
        md5_gbps = nbytes / median(md5s) / GB
        ceiling_gbps = nbytes / median(ceilings) / GB
        versus_read = blake_gbps / read_gbps
        entry = self.record(
            "hash_throughput",
            rnd(blake_gbps),
            unit="GB/s (1e9 bytes)",
            size_mb=size_mb,
            requested_size_mb=requested,
            repeats=len(blake),
            baseline={
                "warm_read_gbps": rnd(read_gbps),
                "md5_gbps": rnd(md5_gbps),
                "blake3_in_memory_gbps": rnd(ceiling_gbps),
            },
            ratio={
                "blake3_vs_read": rnd(versus_read, 3),
                "blake3_vs_md5": rnd(blake_gbps / md5_gbps, 3),
                "blake3_vs_in_memory": rnd(blake_gbps / ceiling_gbps, 3),
            },
            note="biolake.storage.hashing.hash_file (BLAKE3) on a page-cache-warm file; the target is on "
            "blake3_vs_read. blake3_in_memory_gbps (blake3 with all cores over bytes already in memory) is the "
            "compute ceiling: blake3_vs_in_memory near 1 means hash_file loses nothing to I/O",
        )
        entry["meets_target"] = versus_read >= TARGETS["hash_throughput"]["min_ratio_blake3_vs_read"]
        if reasons:
            entry["shrunk_because"] = reasons

    # -- driver --------------------------------------------------------------------------------

    def run(self) -> dict[str, Any]:
        started = time.perf_counter()
        if self.args.only == "fresh_process":
            self.run_fresh_process()
            return self.report(time.perf_counter() - started)
        self.step("import_time_s", self.bench_import)
        self.step("heavy_modules_loaded", self.bench_heavy_modules)
        self.step("setup_instance", self.setup_instance, measurement=False)
        if self.ln is not None and "setup_instance" not in self.errors:
            self.step("first_registry_access_s", self.bench_first_registry_access)
            self.step("save_small_df_ms", self.bench_save_small_df)
            self.step("bulk_create_5000_s", self.bench_bulk_create)
            self.step("fill_artifacts", self.fill_artifacts, measurement=False)
            self.step("get_by_key_ms", self.bench_get_by_key)
            self.step("filter_df_200_ms", self.bench_filter_df)
            self.step("save_small_df_full_instance_ms", self.bench_save_small_df_full_instance)
            self.step("vs_lamindb", self.bench_lamindb, measurement=False)
        else:
            for name in ("first_registry_access_s", "save_small_df_ms", "bulk_create_5000_s", "get_by_key_ms", "filter_df_200_ms"):
                self.results[name] = {"value": None, "target": TARGETS.get(name), "meets_target": False if name in TARGETS else None, "skipped": "no instance"}
        self.step("hash_throughput", self.bench_hash)
        return self.report(time.perf_counter() - started)

    def run_fresh_process(self) -> None:
        """``--only fresh_process``: the fresh-process measurements alone, on instances that hold
        the 3 warm-up artifacts of each side (a full run's instances hold ~10,000 each)."""
        self.step("import_time_s", self.bench_import)
        self.step("heavy_modules_loaded", self.bench_heavy_modules)
        self.step("setup_instance", self.setup_instance, measurement=False)
        if self.ln is None or "setup_instance" in self.errors:
            return
        self.step("first_registry_access_s", self.bench_first_registry_access)
        self.step("vs_lamindb", lambda: self.bench_lamindb(parts=("fresh_process",)), measurement=False)

    def profile(self, name: str) -> None:
        """Repeat a measurement under cProfile if it missed its target (or a save slowed down with size).

        Runs right after the measurement, so the instance is in the same state.
        """
        entry = self.results.get(name, {})
        slower_when_full = ((entry.get("ratio") or {}).get("vs_save_small_df_ms") or 0) > 1.5
        if (entry.get("meets_target") is False or slower_when_full) and name in self.repro:
            log(f"profiling {name} ...")
            self.profiles[name] = profile_call(self.repro[name], top=self.args.profile_top)

    def report(self, elapsed: float) -> dict[str, Any]:
        targeted = [e for e in self.results.values() if e.get("meets_target") is not None]
        met = sum(1 for e in targeted if e["meets_target"])
        report: dict[str, Any] = {
            "benchmark": "biolake core",
            "biolake_version": getattr(self.ln, "__version__", None),
            "mode": "quick" if self.quick else "full",
            "only": self.args.only,
            "machine": {
                "cores": os.cpu_count(),
                "python": platform.python_version(),
                "platform": platform.platform(),
                "loadavg_at_end": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None,
            },
            "source": _git_state(),
            "targets_met": f"{met}/{len(targeted)}",
            "lamindb": self.lamindb_info,
            "measurements": self.results,
            "elapsed_s": round(elapsed, 1),
        }
        if self.errors:
            report["errors"] = self.errors
        if self.profiles:
            report["profiles"] = self.profiles
        return report

    def cleanup(self) -> None:
        if self.raw is not None:
            self.raw.close()
        if self.ln is not None:
            with contextlib.suppress(Exception):
                self.ln.setup.disconnect()
        shutil.rmtree(self.tmp, ignore_errors=True)


def _lamindb_python(args: argparse.Namespace) -> tuple[str | None, str]:
    """The Python of the environment with lamindb (``--lamindb-python`` or the environment
    variable), or None and why it is not usable."""
    python = args.lamindb_python or os.environ.get(LAMINDB_PYTHON_ENV)
    if not python:
        return None, f"no lamindb Python given (--lamindb-python PATH or {LAMINDB_PYTHON_ENV})"
    if not os.access(python, os.X_OK):
        return None, f"{python} is not an executable"
    check = subprocess.run([python, "-c", "import lamindb"], capture_output=True, text=True, env={**os.environ, "HOME": tempfile.gettempdir()})
    if check.returncode != 0:
        lines = check.stderr.strip().splitlines()
        return None, f"{python} cannot import lamindb: {lines[-1] if lines else check.returncode}"
    return python, ""


class _LamindbSide:
    """``benchmarks/lamindb_side.py`` running under the lamindb Python: one JSON request per line."""

    def __init__(self, python: str, home: Path) -> None:
        home.mkdir(parents=True, exist_ok=True)
        # lamindb keeps its settings under ~/.lamin: a temporary HOME keeps the user's own apart
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("BIOLAKE_", "LAMIN"))}
        self.env.update(HOME=str(home), PYTHONPATH="", PYTHONPYCACHEPREFIX=str(home.parent / "pycache"))
        self.env.pop("PYTHONDONTWRITEBYTECODE", None)
        work = home / "work"  # lamindb marks the current instance in the working folder (.lamin/), not in HOME
        work.mkdir(exist_ok=True)
        self.cwd = str(work)
        self.process = subprocess.Popen(
            [python, str(Path(__file__).resolve().with_name("lamindb_side.py"))],
            env=self.env,
            cwd=self.cwd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            bufsize=1,
        )

    def ask(self, request: dict[str, Any]) -> dict[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the lamindb side exited (status {self.process.poll()}) on {request['op']!r}")
        answer: dict[str, Any] = json.loads(line)
        if "error" in answer:
            raise RuntimeError(f"lamindb side, {request['op']!r}: {answer['error']}")
        return answer

    def close(self) -> None:
        with contextlib.suppress(Exception):
            assert self.process.stdin is not None
            self.process.stdin.write(json.dumps({"op": "quit"}) + "\n")
            self.process.stdin.close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _last_json(stdout: str) -> Any:
    """The JSON a child process printed last (biolake may print messages before it)."""
    return json.loads(stdout.strip().splitlines()[-1])


def _git_state() -> dict[str, Any] | None:
    """The commit of the biolake source tree being measured, and whether it has local changes."""
    spec = importlib.util.find_spec("biolake")
    if spec is None or spec.origin is None:
        return None
    folder = Path(spec.origin).resolve().parent

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True, check=True, timeout=10).stdout.strip()

    try:
        return {"commit": git("rev-parse", "--short", "HEAD"), "dirty": bool(git("status", "--porcelain", "--", "."))}
    except (OSError, subprocess.SubprocessError):
        return None


def _mem_available() -> int | None:
    try:
        with open("/proc/meminfo") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def _write_random(path: Path, nbytes: int) -> None:
    with open(path, "wb") as handle:
        left = nbytes
        while left:
            chunk = os.urandom(min(READ_CHUNK, left))
            handle.write(chunk)
            left -= len(chunk)
        handle.flush()
        os.fsync(handle.fileno())  # no write-back in the background while we measure


def _read_all(path: Path, buffer: bytearray, hasher: Any = None) -> None:
    view = memoryview(buffer)
    with open(path, "rb", buffering=0) as handle:
        while n := handle.readinto(buffer):
            if hasher is not None:
                hasher.update(view[:n])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="biolake core benchmark; prints one JSON object to stdout.")
    parser.add_argument("--quick", action="store_true", help="small sizes for a smoke test (a few seconds)")
    parser.add_argument("--hash-size-mb", type=int, default=None, help="size of the hashed file (default 1024; 64 with --quick)")
    parser.add_argument("--profile", action="store_true", help="cProfile each measurement that misses its target (stderr + JSON)")
    parser.add_argument("--profile-top", type=int, default=15, help="functions listed per profile")
    parser.add_argument(
        "--lamindb-python",
        default=None,
        help=f"Python of a virtual environment with lamindb: adds the vs_lamindb ratios (or set {LAMINDB_PYTHON_ENV})",
    )
    parser.add_argument(
        "--only",
        choices=["fresh_process"],
        default=None,
        help="run one section: fresh_process = import time, first registry access and (with --lamindb-python) "
        "vs_lamindb_import_first_query, on instances holding 3 artifacts each (a minute; default: everything)",
    )
    args = parser.parse_args(argv)
    if args.hash_size_mb is None:
        args.hash_size_mb = 64 if args.quick else 1024
    bench = Bench(args)
    log(f"temporary folder {bench.tmp}")
    try:
        with contextlib.redirect_stdout(sys.stderr):  # biolake's own messages must not mix with the JSON
            report = bench.run()
    finally:
        bench.cleanup()
    print(json.dumps(report, indent=2))
    return 0 if not bench.errors else 1


if __name__ == "__main__":
    sys.exit(main())
