"""Benchmark of curation; prints one JSON object.

On a temporary SQLite instance (and PostgreSQL when BIOLAKE_TEST_PG_URL is set):
- ``categorical_1m_s``: DataFrameCurator.validate() of a 1,000,000-row column with 1,000
  distinct values, 990 of them registered ULabels (target: under 1 s), as an object column
  and as a pandas Categorical; baseline: ``pandas.Series.isin`` of the same values against
  the registered names held in memory (the floor for any check).
- ``var_index_20k_s``: AnnDataCurator.validate() of a 20,000-gene var index against a
  60,000-record registry (target: under 0.5 s).

Usage: python benchmarks/curation.py [--rows N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time


def _median_time(func, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _expect_failure(func):
    def run() -> None:
        try:
            func()
        except Exception as error:  # noqa: BLE001 - the 10 unregistered values must be reported
            if "not validated" not in str(error):
                raise
    return run


def run_backend(db: str | None, rows: int) -> dict:
    import anndata
    import numpy as np
    import pandas as pd

    import biolake as ln

    name = f"bench{os.getpid()}{'pg' if db else 'lite'}"
    ln.setup.init(storage=tempfile.mkdtemp(prefix="biolake-bench-curation-"), db=db, name=name)
    try:
        names = [f"label_{i}" for i in range(1000)]
        ln.save([ln.ULabel(name=n) for n in names[:990]])
        feature = ln.Feature(name="perturbation_bench", dtype=ln.ULabel).save()
        schema = ln.Schema(features=[feature]).save()
        values = np.array(names, dtype=object)[np.random.default_rng(0).integers(0, 1000, rows)]
        registered = pd.Index(names[:990])
        result: dict = {}
        for kind, column in (("object", values), ("categorical", pd.Categorical(values))):
            df = pd.DataFrame({"perturbation_bench": column})
            seconds = _median_time(_expect_failure(ln.curators.DataFrameCurator(df, schema).validate))
            floor = _median_time(lambda: pd.Series(column).isin(registered))
            result[f"categorical_1m_{kind}_s"] = {
                "value": round(seconds, 4), "values_per_s": round(rows / seconds), "target": {"max": 1.0},
                "meets_target": seconds < 1.0, "baseline": {"pandas_isin_in_memory_s": round(floor, 4)},
                "ratio": {"vs_pandas_isin": round(seconds / floor, 2)},
            }
        genes = [f"ENSG{i:011d}" for i in range(60_000)]
        ln.save([ln.ULabel(name=g) for g in genes])
        var_schema = ln.Schema(itype=ln.ULabel.name).save()
        composite = ln.Schema(otype="AnnData", components={"var": var_schema}).save()
        picked = list(np.array(genes)[np.random.default_rng(1).choice(60_000, 20_000, replace=False)])
        adata = anndata.AnnData(X=np.zeros((2, 20_000), dtype=np.float32), var=pd.DataFrame(index=picked))
        seconds = _median_time(ln.curators.AnnDataCurator(adata, composite).validate)
        result["var_index_20k_s"] = {
            "value": round(seconds, 4), "values_per_s": round(20_000 / seconds), "target": {"max": 0.5},
            "meets_target": seconds < 0.5, "registry_records": 60_000 + 990,
        }
        return result
    finally:
        ln.setup.delete(name, force=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    options = parser.parse_args()
    os.environ["BIOLAKE_HOME"] = tempfile.mkdtemp(prefix="biolake-bench-home-")
    os.environ["BIOLAKE_QUIET"] = "1"
    results = {"benchmark": "biolake curation", "machine": {"cores": os.cpu_count(), "python": sys.version.split()[0]}}
    results["sqlite"] = run_backend(None, options.rows)
    pg = os.environ.get("BIOLAKE_TEST_PG_URL")
    if pg:
        import psycopg

        with psycopg.connect(pg, autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS biolake_bench_curation")
            conn.execute("CREATE DATABASE biolake_bench_curation")
        results["postgresql"] = run_backend(pg.rsplit("/", 1)[0] + "/biolake_bench_curation", options.rows)
    else:
        results["postgresql"] = "skipped: BIOLAKE_TEST_PG_URL is not set"
    checks = [m["meets_target"] for backend in ("sqlite", "postgresql") if isinstance(results[backend], dict)
              for m in results[backend].values()]
    results["targets_met"] = f"{sum(checks)}/{len(checks)}"
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
