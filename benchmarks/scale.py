"""Benchmark of biolake at a million artifacts (issue 15, part 3), on SQLite and PostgreSQL.

Fills an instance per backend with ``--n`` artifacts (default 1,000,000; ``--quick``: 20,000):
keys in folders (``proj<p>/batch<b>/file<i>.parquet``), a description of words, one ULabel
linked to each artifact (about 200 artifacts per label) and one value of the integer feature
``score`` each (about 200 artifacts per value), both through the real link tables. The fill
writes rows in bulk (SQLite ``executemany``, PostgreSQL ``COPY``) with the search triggers and
trigram indexes dropped, then rebuilds the search indexes exactly as the triggers/migration
would. Filled instances are cached in ``<tmp>/biolake-scale-cache`` keyed by ``--n`` and the
data layout (``--fresh`` refills); a cached fill is migrated forward
first (so a new migration, e.g. its indexes, is applied to a million rows).

Then it times, per backend (median of ``--repeat`` calls with varied arguments, after warm-up;
target 20 ms each): ``get(key=)``, ``filter(key__startswith=folder).count()``,
``filter(ulabels__name=...).df()`` (about 200 rows), ``filter(score=value).df()``,
``search(...)`` top 20 (exact key, prefix, common word, multi-word phrase, rare phrase) and
``biolake artifact ls`` first page. The CLI is measured in-process through click's CliRunner
(the command's queries and table rendering; not the process start). A miss prints the query
plan (EXPLAIN) of its SQL.

Finally ``ln.save(artifacts)`` of ``--save-n`` (default 100,000; ``--quick``: 20,000) new
``ln.Artifact`` records into a fresh SQLite instance (target 5,000 artifacts/s), with a raw
``executemany`` insert of the same rows in the same run as the baseline.

    python benchmarks/scale.py [--n 1000000] [--quick] [--repeat 31] [--backends sqlite,postgres] [--fresh]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Iterator

TARGET_MS = 20.0
TARGET_SAVE_PER_S = 5000.0
WORDS = ["kidney", "tumor", "liver", "brain", "lung", "heart", "blood", "skin", "bone", "muscle",
         "rnaseq", "atac", "chip", "proteomics", "imaging", "spatial", "bulk", "single", "cell", "nucleus"]
PER_LABEL = 200  # artifacts per ULabel and per feature value
PER_BATCH = 100  # artifacts per folder proj<p>/batch<b>/
BATCHES_PER_PROJECT = 100
FILL_VERSION = 1  # bump when the filled data changes
CACHE = Path(tempfile.gettempdir()) / "biolake-scale-cache"
ARTIFACT_COLUMNS = ("id", "uid", "key", "description", "suffix", "kind", "otype", "size", "hash", "hash_type",
                    "n_files", "n_observations", "version", "is_latest", "managed", "branch_id", "created_at",
                    "updated_at", "run_id", "storage_id", "created_by_id", "space_id")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- data ------------------------------------------------------------------------------------------
def key_of(i: int) -> str:
    batch = i // PER_BATCH
    return f"proj{batch // BATCHES_PER_PROJECT}/batch{batch % BATCHES_PER_PROJECT}/file{i}.parquet"


def uid_of(i: int, tag: str = "s") -> str:
    return (tag + format(i, "015d"))[:16] + "0000"


def description_of(i: int, rng: random.Random) -> str:
    return f"{rng.choice(WORDS)} {rng.choice(WORDS)} sample {i}"


def timestamp(i: int) -> str:
    return f"2026-01-{1 + i // 86_400 % 28:02d} {i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d}.000000"


def artifact_rows(n: int, ids: dict[str, int], start: int = 1) -> Iterator[tuple[Any, ...]]:
    rng = random.Random(0)
    for i in range(n):
        ts = timestamp(i)
        yield (start + i, uid_of(i), key_of(i), description_of(i, rng), ".parquet", "dataset", "DataFrame", 1000 + i,
               format(i, "032x"), "blake3", None, None, None, True, True, 1, ts, ts, None, ids["storage"],
               ids["user"], ids["space"])


# -- fill ------------------------------------------------------------------------------------------
def base_ids(ln: Any) -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM biolake_space ORDER BY id LIMIT 1")
        space = cursor.fetchone()[0]
    return {"storage": ln.Storage.filter().first().pk, "user": ln.User.filter().first().pk, "space": space}


def labels_and_values(ln: Any, n: int) -> tuple[list[int], list[int], int]:
    """The ULabels (``label<j>``) and the ``score`` feature's values (``0..V-1``), made through the ORM."""
    n_labels = max(n // PER_LABEL, 1)
    labels = [ln.ULabel(name=f"label{j}") for j in range(n_labels)]
    ln.save(labels)
    feature = ln.Feature(name="score", dtype=int).save()
    FeatureValue = ln.Artifact._meta.get_field("feature_values").related_model
    values = [FeatureValue(feature=feature, value=v, value_num=float(v), hash=FeatureValue.hash_of(v))
              for v in range(n_labels)]
    FeatureValue.objects.bulk_create(values, batch_size=2000)
    label_ids = list(ln.ULabel.filter(name__startswith="label").order_by("id").values_list("id", flat=True))
    value_ids = list(FeatureValue.objects.filter(feature=feature).order_by("value_num").values_list("id", flat=True))
    return label_ids, value_ids, n_labels


def fill_sqlite(ln: Any, n: int) -> None:
    from django.db import connection, transaction

    from biolake.models.search_index import INDEXED
    from biolake.setup import search_ddl

    ids = base_ids(ln)
    labels, values, n_labels = labels_and_values(ln, n)
    table = {"biolake_artifact": INDEXED["biolake_artifact"]}
    search_ddl.drop_sqlite_columns(connection, table)  # the triggers' per-row cost; rebuilt below
    marks = ", ".join(["%s"] * len(ARTIFACT_COLUMNS))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size = -400000")
        cursor.executemany(f"INSERT INTO biolake_artifact ({', '.join(ARTIFACT_COLUMNS)}) VALUES ({marks})",
                           artifact_rows(n, ids))
        cursor.executemany("INSERT INTO biolake_artifactulabel (created_at, artifact_id, ulabel_id, feature_id) "
                           "VALUES (%s, %s, %s, NULL)",
                           ((timestamp(i), i + 1, labels[i % n_labels]) for i in range(n)))
        cursor.executemany("INSERT INTO biolake_artifactfeaturevalue (artifact_id, featurevalue_id) VALUES (%s, %s)",
                           ((i + 1, values[(i * 7) % n_labels]) for i in range(n)))
    search_ddl.ensure_sqlite_columns(connection, table)  # FTS tables + triggers, 'rebuild' from the rows
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _copy(cursor: Any, table: str, columns: tuple[str, ...], rows: Iterator[tuple[Any, ...]]) -> None:
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def fill_postgres(ln: Any, n: int) -> None:
    from django.db import connection, transaction

    from biolake.models.search_index import INDEXED
    from biolake.setup import search_ddl

    ids = base_ids(ln)
    labels, values, n_labels = labels_and_values(ln, n)
    table = {"biolake_artifact": INDEXED["biolake_artifact"]}
    search_ddl.drop_postgres(connection, table)  # GIN upkeep per row; re-created below
    connection.ensure_connection()
    with transaction.atomic():
        cursor = connection.connection.cursor()
        _copy(cursor, "biolake_artifact", ARTIFACT_COLUMNS,
              ((*r[:16], r[16] + "+00", r[17] + "+00", *r[18:]) for r in artifact_rows(n, ids)))
        _copy(cursor, "biolake_artifactulabel", ("created_at", "artifact_id", "ulabel_id"),
              ((timestamp(i) + "+00", i + 1, labels[i % n_labels]) for i in range(n)))
        _copy(cursor, "biolake_artifactfeaturevalue", ("artifact_id", "featurevalue_id"),
              ((i + 1, values[(i * 7) % n_labels]) for i in range(n)))
        for name in ("biolake_artifact", "biolake_artifactulabel", "biolake_artifactfeaturevalue"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT max(id) FROM {name}))")
    search_ddl.ensure_postgres(connection, table)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def _pg_url(name: str) -> str | None:
    base = os.environ.get("BIOLAKE_TEST_PG_URL")
    return None if not base else base.rsplit("/", 1)[0] + "/" + name


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(os.environ["BIOLAKE_TEST_PG_URL"], autocommit=True) as conn:
        conn.execute(sql)


def instance(ln: Any, backend: str, n: int, fresh: bool) -> tuple[str, float | None]:
    """Connect to the cached filled instance, or make and fill it; (name, fill seconds or None)."""
    name = f"biolakescale{backend}{n}v{FILL_VERSION}"
    marker = CACHE / f"{name}.filled"
    if marker.is_file() and not fresh:
        applied = ln.setup.migrate(name)  # a cached fill made before a newer migration
        if applied:
            log(f"{backend}: applied {applied} to the cached fill")
        ln.setup.connect(name)
        return name, None
    with contextlib.suppress(Exception):
        ln.setup.delete(name, force=True)
    shutil.rmtree(CACHE / name, ignore_errors=True)
    db = None
    if backend == "postgres":
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _pg_admin(f'CREATE DATABASE "{name}"')
        db = _pg_url(name)
    ln.setup.init(storage=str(CACHE / name), name=name, db=db)
    start = time.perf_counter()
    (fill_postgres if backend == "postgres" else fill_sqlite)(ln, n)
    seconds = time.perf_counter() - start
    marker.write_text(str(seconds))
    return name, seconds


# -- timing ----------------------------------------------------------------------------------------
def median_ms(fn: Callable[[int], Any], repeat: int) -> float:
    for k in range(3):
        fn(k)  # warm-up: caches, Django's lazy set-up, connection
    times = []
    for k in range(repeat):
        start = time.perf_counter()
        fn(k + 3)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def cli_ls(ln: Any) -> Callable[[int], Any]:
    from click.testing import CliRunner

    from biolake.cli import main as cli

    runner = CliRunner()

    def run(_k: int) -> Any:
        result = runner.invoke(cli, ["artifact", "ls"], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result

    return run


def operations(ln: Any, n: int) -> dict[str, tuple[Callable[[int], Any], Callable[[int], Any]]]:
    """Each operation as (call(k), queryset(k) for EXPLAIN) with an argument varying by ``k``."""
    n_labels = max(n // PER_LABEL, 1)
    n_projects = max(n // (PER_BATCH * BATCHES_PER_PROJECT), 1)
    pick = random.Random(1)
    rows = [pick.randrange(n) for _ in range(1000)]
    search_queries = [key_of(n // 3), key_of(n // 2)[:-10], "proteomics", "liver sample 12",
                      f"kidney tumor sample {n // 3}", "spatial"]

    def folder(k: int) -> str:
        if k % 2:
            return f"proj{k % n_projects}/"
        batch = rows[k % len(rows)] // PER_BATCH
        return f"proj{batch // BATCHES_PER_PROJECT}/batch{batch % BATCHES_PER_PROJECT}/"

    return {
        "get(key=)": (lambda k: ln.Artifact.get(key=key_of(rows[k % len(rows)])),
                      lambda k: ln.Artifact.filter(key=key_of(rows[k % len(rows)]))),
        "filter(key__startswith=folder).count()": (lambda k: ln.Artifact.filter(key__startswith=folder(k)).count(),
                                                   lambda k: ln.Artifact.filter(key__startswith=folder(k))),
        "filter(ulabels__name=...).df()": (lambda k: ln.Artifact.filter(ulabels__name=f"label{k % n_labels}").df(),
                                           lambda k: ln.Artifact.filter(ulabels__name=f"label{k % n_labels}")),
        "filter(score=value).df()": (lambda k: ln.Artifact.filter(score=k % n_labels).df(),
                                     lambda k: ln.Artifact.filter(score=k % n_labels)),
        "search(...) top 20": (lambda k: list(ln.Artifact.search(search_queries[k % len(search_queries)])),
                               lambda k: ln.Artifact.search(search_queries[k % len(search_queries)])),
        "biolake artifact ls (first page, in-process)": (cli_ls(ln), lambda k: ln.Artifact.filter(is_latest=True)
                                                         .order_by("-created_at", "-id")[:100]),
    }


def explain(qs: Any) -> str:
    with contextlib.suppress(Exception):
        return str(qs.explain())
    return "(no plan)"


def per_search_query(ln: Any, n: int, repeat: int) -> dict[str, float]:
    queries = {"exact key": key_of(n // 3), "prefix": key_of(n // 2)[:-10], "common word": "proteomics",
               "multi-word phrase": "liver sample 12", "rare multi-word phrase": f"kidney tumor sample {n // 3}"}
    return {name: round(median_ms(lambda _k, q=q: list(ln.Artifact.search(q)), max(5, repeat // 3)), 2)
            for name, q in queries.items()}


def measure(ln: Any, n: int, repeat: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, (call, queryset) in operations(ln, n).items():
        ms = median_ms(call, repeat)
        entry: dict[str, Any] = {"value_ms": round(ms, 2), "target_ms": TARGET_MS, "meets_target": ms <= TARGET_MS}
        if name.startswith("filter(ulabels") or name.startswith("filter(score"):
            entry["rows"] = len(call(0))
        if ms > TARGET_MS:
            entry["explain"] = explain(queryset(0))
        out[name] = entry
        log(f"  {name:48s} {ms:8.2f} ms {'ok' if ms <= TARGET_MS else 'MISS'}")
    out["search(...) top 20"]["per_query_ms"] = per_search_query(ln, n, repeat)
    return out


# -- bulk save -------------------------------------------------------------------------------------
def bulk_save(ln: Any, count: int) -> dict[str, Any]:
    """``ln.save(count new artifacts)`` on a fresh SQLite instance, against a raw executemany."""
    from django.db import connection, transaction

    name = f"biolakescalesave{os.getpid()}"
    ln.setup.init(storage=str(CACHE / name), name=name)
    try:
        ids = base_ids(ln)
        rng = random.Random(2)
        artifacts = [ln.Artifact(key=f"new/batch{i // 1000}/file{i}.parquet", description=description_of(i, rng),
                                 suffix=".parquet", kind="dataset", otype="DataFrame", size=i,
                                 hash=format(i, "032x"), hash_type="blake3", storage_id=ids["storage"])
                     for i in range(count)]
        start = time.perf_counter()
        ln.save(artifacts)
        save_s = time.perf_counter() - start
        assert ln.Artifact.filter(key__startswith="new/").count() == count
        rows = [(r[0], "r" + r[1][1:], "raw/" + r[2], *r[3:]) for r in artifact_rows(count, ids, start=10_000_000)]
        marks = ", ".join(["%s"] * len(ARTIFACT_COLUMNS))
        start = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO biolake_artifact ({', '.join(ARTIFACT_COLUMNS)}) VALUES ({marks})", rows)
        raw_s = time.perf_counter() - start
        return {"artifacts": count, "value_per_s": round(count / save_s), "target_per_s": TARGET_SAVE_PER_S,
                "meets_target": count / save_s >= TARGET_SAVE_PER_S, "save_s": round(save_s, 2),
                "raw_executemany_per_s": round(count / raw_s), "ratio_raw_over_save": round(save_s / raw_s, 2),
                "note": "fresh SQLite instance; the raw baseline is one executemany of the same columns into the same table "
                        "afterwards, search indexed by the per-row triggers (ln.save indexes its rows in one statement)"}
    finally:
        from django.db import connections

        connections.close_all()
        with contextlib.suppress(Exception):
            ln.setup.delete(name, force=True)
        shutil.rmtree(CACHE / name, ignore_errors=True)


def profile_bulk_save(ln: Any, count: int) -> None:
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    bulk_save(ln, count)
    profiler.disable()
    stream = io.StringIO()
    pstats.Stats(profiler, stream=stream).sort_stats("cumulative").print_stats(40)
    log(stream.getvalue())


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="--n 20000 --save-n 20000")
    parser.add_argument("--save-n", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=31)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--fresh", action="store_true", help="refill the cached instances")
    parser.add_argument("--skip-save", action="store_true")
    parser.add_argument("--profile-save", action="store_true", help="cProfile ln.save() to stderr")
    args = parser.parse_args()
    if args.quick:
        args.n, args.save_n = 20_000, 20_000
    CACHE.mkdir(parents=True, exist_ok=True)
    os.environ["BIOLAKE_HOME"] = str(CACHE / "home")
    os.environ["BIOLAKE_QUIET"] = "1"
    import biolake as ln

    if args.profile_save:
        profile_bulk_save(ln, args.save_n)
        return 0
    started = time.perf_counter()
    results: dict[str, Any] = {"n": args.n, "load_average_before": load_average()}
    for backend in args.backends.split(","):
        if backend == "postgres" and not os.environ.get("BIOLAKE_TEST_PG_URL"):
            results[backend] = {"skipped": "BIOLAKE_TEST_PG_URL is not set"}
            continue
        _name, fill_s = instance(ln, backend, args.n, args.fresh)
        log(f"{backend}: {args.n} artifacts " + (f"filled in {fill_s:.1f} s" if fill_s else "(cached fill)"))
        results[backend] = {"fill_s": round(fill_s, 1) if fill_s else "cached", "operations": measure(ln, args.n, args.repeat)}
    if not args.skip_save:
        results["ln.save(artifacts) sqlite"] = bulk_save(ln, args.save_n)
    results["load_average_after"] = load_average()
    results["total_s"] = round(time.perf_counter() - started, 1)
    ops = [op for b in ("sqlite", "postgres") for op in results.get(b, {}).get("operations", {}).values()]
    results["all_meet_target"] = all(op["meets_target"] for op in ops) and results.get(
        "ln.save(artifacts) sqlite", {}).get("meets_target", True)
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
