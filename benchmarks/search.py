"""Benchmark of ``Registry.search()`` through the search indexes (migration 0005) on a large registry.

Bulk-inserts ``--n`` artifacts (default 100,000; issue 15 asks for 1,000,000) into a temporary
SQLite instance and, when BIOLAKE_TEST_PG_URL is set, a temporary PostgreSQL database, then times
``ln.Artifact.search(query)`` (top 20) for exact, prefix, multi-word and common queries: median of
``--repeat`` runs, against the baseline of the same run (the former ranking: every row scored by
Case/When LIKE expressions, no index). Prints one JSON object with the ratio baseline/indexed.

    python benchmarks/search.py [--n 100000] [--repeat 7] [--backends sqlite,postgres]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import shutil
import statistics
import string
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

TARGET_MS = 20.0
ALPHABET = string.ascii_letters + string.digits
WORDS = ["kidney", "tumor", "liver", "brain", "lung", "heart", "blood", "skin", "bone", "muscle",
         "rnaseq", "atac", "chip", "proteomics", "imaging", "spatial", "bulk", "single", "cell", "nucleus"]


def queries(n: int) -> dict[str, str]:
    """Queries over the bulk-created rows (key ``grp<i // 100>/f<i % 100>.parquet``, description
    ``<word> <word> sample <i>``)."""
    i = n // 3
    return {
        "exact key": f"grp{i // 100}/f{i % 100}.parquet",  # 1 exact hit, 10 more containing it
        "prefix": f"grp{i // 100}/f5",  # 11 keys
        "multi-word phrase": "liver sample 12",  # the phrase fills the page
        "multi-word rare phrase": f"kidney tumor sample {i}",  # "sample" is in every row: ranks all
        "common word": "proteomics",  # in about 10 % of the rows
    }


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def populate(ln: Any, n: int) -> float:
    from django.db import transaction

    rng = random.Random(0)
    storage_id, user_id = ln.Storage.filter().first().pk, ln.User.filter().first().pk
    start = time.perf_counter()
    batch = 20_000
    for offset in range(0, n, batch):
        with transaction.atomic():
            ln.Artifact.objects.bulk_create([
                ln.Artifact(uid="".join(rng.choice(ALPHABET) for _ in range(16)) + "0000",
                            key=f"grp{i // 100}/f{i % 100}.parquet", storage_id=storage_id, suffix=".parquet",
                            kind="dataset", otype="DataFrame", size=i, hash=secrets.token_hex(16), hash_type="blake3",
                            description=f"{rng.choice(WORDS)} {rng.choice(WORDS)} sample {i}", created_by_id=user_id)
                for i in range(offset, min(n, offset + batch))], batch_size=2000)
    return time.perf_counter() - start


def baseline(ln: Any, query: str) -> list[Any]:
    """The ranking before the indexes: every row scored by a Case/When tree, then sorted."""
    from django.db.models import Value

    from biolake.models.query import _field_rank

    rank = sum((_field_rank(f, query) for f in ("key", "description")), Value(0))
    qs = ln.Artifact.filter().annotate(search_rank=rank).filter(search_rank__gt=0).order_by("-search_rank", "id")
    return list(qs[:20])


def timed(fn: Any, repeat: int) -> tuple[float, Any]:
    result = fn()  # warm
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def measure(ln: Any, n: int, repeat: int) -> dict[str, Any]:
    out = {}
    for name, query in queries(n).items():
        fast_ms, fast = timed(lambda q=query: list(ln.Artifact.search(q)), repeat)
        slow_ms, slow = timed(lambda q=query: baseline(ln, q), max(3, repeat // 2))
        same = [a.pk for a in fast] == [a.pk for a in slow]
        out[name] = {"query": query, "indexed_ms": round(fast_ms, 2), "baseline_ms": round(slow_ms, 1),
                     "ratio": round(slow_ms / fast_ms, 1), "same_top20": same, "hits": len(fast),
                     "target_ms": TARGET_MS, "ok": fast_ms <= TARGET_MS}
        log(f"  {name:24s} indexed {fast_ms:8.2f} ms  baseline {slow_ms:8.1f} ms  same={same}")
    return out


def _pg_db(name: str, drop: bool = False) -> str | None:
    base = os.environ.get("BIOLAKE_TEST_PG_URL")
    if not base:
        return None
    import psycopg

    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)' if drop else f'CREATE DATABASE "{name}"')
    return base.rsplit("/", 1)[0] + "/" + name


def run_backend(ln: Any, backend: str, home: str, n: int, repeat: int) -> dict[str, Any]:
    name = f"benchsearch{backend}{os.getpid()}"
    db = _pg_db(name) if backend == "postgres" else None
    if backend == "postgres" and db is None:
        return {"skipped": "BIOLAKE_TEST_PG_URL is not set"}
    try:
        ln.setup.init(storage=str(Path(home) / name), name=name, db=db)
        seconds = populate(ln, n)
        if backend == "postgres":
            from django.db import connection

            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        log(f"{backend}: bulk-created {n} artifacts in {seconds:.1f} s")
        return {"artifacts": n, "insert_s": round(seconds, 1), "queries": measure(ln, n, repeat)}
    finally:
        if db is not None:
            from django.db import connections

            connections.close_all()
            _pg_db(name, drop=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--backends", default="sqlite,postgres")
    args = parser.parse_args()
    home = tempfile.mkdtemp(prefix="biolake-bench-search-")
    os.environ["BIOLAKE_HOME"] = home
    os.environ["BIOLAKE_QUIET"] = "1"
    try:
        import biolake as ln

        results = {b: run_backend(ln, b, home, args.n, args.repeat) for b in args.backends.split(",")}
        print(json.dumps(results, indent=2))
        return 0
    finally:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
