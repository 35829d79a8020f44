#!/usr/bin/env python
"""Database round trips per operation, and their cost when PostgreSQL is 20 ms away.

A TCP proxy on loopback sits between biolake and PostgreSQL. It counts round trips (a
client-to-server burst that follows a server answer, or opens a connection) and delays each
one by ``--latency-ms`` (20 by default), as a database in another building would. Every
operation runs once to warm caches, then once measured: its round trips and wall time.

Prints one JSON object to stdout; progress on stderr. Needs a PostgreSQL server:
``--pg-url`` or ``BIOLAKE_TEST_PG_URL`` (``scripts/test.sh`` starts one; so does
``/work/svc/start.sh`` on the development machine).

Usage::

    python benchmarks/roundtrips.py --pg-url postgresql://postgres@127.0.0.1:5432/postgres
    python benchmarks/roundtrips.py --latency-ms 0      # counts only
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from latency_proxy import LatencyProxy  # noqa: E402

# Budgets from issue 15 ("round trips as a budget"): constant in the data size.
BUDGETS = {
    "save_artifact": 4,
    "get": 1,
    "filter_df_features_200": 3,
    "curator_validate": None,  # one per registry touched: reported with the registries
    "track": 5,
    "finish": 5,
    "save_10000_records": 10,
}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)


def measure(proxy: LatencyProxy, fn: Callable[[], Any]) -> dict[str, Any]:
    proxy.reset()
    start = time.perf_counter()
    fn()
    wall = time.perf_counter() - start
    return {"round_trips": proxy.round_trips, "wall_s": round(wall, 4)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pg-url", default=os.environ.get("BIOLAKE_TEST_PG_URL"))
    parser.add_argument("--latency-ms", type=float, default=20.0)
    args = parser.parse_args()
    if not args.pg_url:
        log("no PostgreSQL: pass --pg-url or set BIOLAKE_TEST_PG_URL")
        return 2
    work = Path(tempfile.mkdtemp(prefix="biolake-roundtrips-"))
    os.environ["BIOLAKE_HOME"] = str(work / "home")
    parts = urlsplit(args.pg_url)
    proxy = LatencyProxy(parts.hostname or "127.0.0.1", parts.port or 5432, latency_s=args.latency_ms / 1000)
    proxy.start()
    dbname, second = f"biolake_rt_{secrets.token_hex(4)}", f"biolake_rt_{secrets.token_hex(4)}"
    for name in (dbname, second):
        _admin(args.pg_url, f'CREATE DATABASE "{name}"')
    user = parts.username or "postgres"
    db = f"postgresql://{user}@127.0.0.1:{proxy.port}/{dbname}"
    try:
        with contextlib.redirect_stdout(sys.stderr):  # biolake's messages: stdout is for the JSON
            result = run(work, db, proxy)
            result["init_replayed_s"] = init_again(work, db.rsplit("/", 1)[0] + "/" + second, proxy)
    finally:
        import biolake as ln

        for name in ("roundtrips", "roundtrips2"):
            try:
                with contextlib.redirect_stdout(sys.stderr):
                    ln.setup.delete(name, force=True)
            except Exception as error:  # noqa: BLE001 - report and go on cleaning
                log(f"delete of {name} failed: {error}")
        proxy.stop()
        for name in (dbname, second):
            _admin(args.pg_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    result["latency_ms"] = args.latency_ms
    print(json.dumps(result, indent=2))
    return 0


def init_again(work: Path, db: str, proxy: LatencyProxy) -> dict[str, Any]:
    """A second new instance through the proxy: it replays the schema the first one recorded
    (``biolake.setup.pg_template``) instead of running the migrations."""
    import biolake as ln

    log("init of a second instance (replays the recorded schema)")
    figures = measure(proxy, lambda: ln.setup.init(storage=str(work / "storage2"), db=db, name="roundtrips2"))
    return {"wall_s": figures["wall_s"], "round_trips": figures["round_trips"]}


def run(work: Path, db: str, proxy: LatencyProxy) -> dict[str, Any]:
    import pandas as pd

    import biolake as ln

    log("init (migrations through the proxy: slow with latency)")
    t0 = time.perf_counter()
    ln.setup.init(storage=str(work / "storage"), db=db, name="roundtrips")
    init_s = time.perf_counter() - t0
    ops: dict[str, dict[str, Any]] = {}
    frame = pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "z"]})
    counter = iter(range(10**9))

    def save_artifact() -> None:
        ln.Artifact.from_df(frame.assign(n=next(counter)), key=f"rt/{next(counter)}.parquet").save()

    save_artifact()
    ops["save_artifact"] = measure(proxy, save_artifact)
    ops["get"] = measure(proxy, lambda: ln.Artifact.get(key="rt/1.parquet"))

    log("200 artifacts with 3 feature values each")
    features = [ln.Feature(name=f"f{i}", dtype=int).save() for i in range(3)]
    del features
    for i in range(200):
        artifact = ln.Artifact.from_df(frame.assign(m=i), key=f"many/{i}.parquet").save()
        artifact.features.add_values({"f0": i, "f1": i * 2, "f2": i * 3})
    query = ln.Artifact.filter(key__startswith="many/")
    try:
        ops["filter_df_features_200"] = measure(proxy, lambda: query.df(features=True))
    except TypeError:  # an older biolake without to_dataframe(features=)
        ops["filter_df_features_200"] = {"error": "df(features=True) is not supported"}

    log("curator")
    for name in ("DMSO", "IFNG"):
        ln.ULabel(name=name).save()
    perturbation = ln.Feature(name="perturbation", dtype=ln.ULabel).save()
    schema = ln.Schema(name="rt_schema", features=[perturbation]).save()
    table = pd.DataFrame({"perturbation": ["DMSO", "IFNG"] * 500})
    ops["curator_validate"] = measure(proxy, lambda: ln.curators.DataFrameCurator(table, schema).validate())
    ops["curator_validate"]["registries_touched"] = 1

    log("track / finish")
    ops["track"] = measure(proxy, lambda: ln.track(transform=ln.Transform(key="roundtrips-bench", type="script")))
    ops["finish"] = measure(proxy, ln.finish)

    log("ln.save of 10,000 records")
    labels = [ln.ULabel(name=f"label-{i}") for i in range(10_000)]
    ops["save_10000_records"] = measure(proxy, lambda: ln.save(labels))

    for name, figures in ops.items():
        if "error" in figures:
            continue
        budget = BUDGETS.get(name)
        figures["budget"] = budget
        figures["within_budget"] = None if budget is None else figures["round_trips"] <= budget
    return {"init_s": round(init_s, 2), "operations": ops}


if __name__ == "__main__":
    sys.exit(main())
