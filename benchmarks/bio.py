#!/usr/bin/env python
"""Benchmark of the bio module: the offline public-ontology layer and the registries.

Prints one JSON object to stdout; progress goes to stderr. Everything runs against a
fresh temporary cache folder that is removed at the end.

Measurements (medians; each entry has ``value``, ``unit``, ``target``, ``meets_target``):

- ``celltype_cold_s`` / ``ncbitaxon_cold_s``: first ``PublicOntology(entity)``, which
  reads the upstream ``.json.zst`` of cellxgene-ontology-guide and writes the parquet cache
  (NCBITaxon: 1.26 million terms, 844 MB of JSON). Measured in a fresh subprocess, which
  also reports its peak memory (``ncbitaxon_cold_peak_mb``).
- ``celltype_warm_s`` / ``ncbitaxon_warm_s``: later loads in the same process (the cache
  file exists, libraries are imported); ``*_warm_fresh_process_s``: the same in a new
  Python process, imports of pandas and pyarrow included.
- ``uberon_search_ms`` / ``ncbitaxon_search_ms``: ``search(q)`` (limit 20) over a fixed set
  of queries (exact names, synonyms, prefixes, several words, typos); the first search of
  a source, which builds its lower-cased columns, is reported as ``*_first_search_ms``.
- ``gene_validate_60k_ms``: ``validate`` of 60,000 Ensembl ids (10 % unknown) against
  the human gene source; ``gene_standardize_20k_ms``: ``standardize`` of 20,000 symbols
  (some lower-case, some outdated).
- ``celltype_import_source_s``: ``bt.CellType.import_source()`` into a new SQLite instance
  (target: the whole CL in under 10 s); ``gene_import_source_human_s``; and
  ``registry_gene_validate_60k_ms``: ``bt.Gene.validate`` of 60,000 ids against the registry.

Usage::

    python benchmarks/bio.py
"""

from __future__ import annotations

import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

UBERON_QUERIES = [
    "lung",
    "heart left ventricle",
    "liver",
    "brain",
    "cortex",
    "blood",
    "small intestine",
    "kidny",
    "bone marrow",
    "skin of body",
]
TAXON_QUERIES = [
    "Homo sapiens",
    "human",
    "mouse",
    "Mus musculus",
    "zebrafish",
    "Danio",
    "homo sapian",
    "fruit fly",
    "Drosophila melanogaster",
    "Caenorhabditis elegans",
]

_LOAD = """
import json, resource, sys, time
import pandas, pyarrow.parquet
from biolake.bio.public import PublicOntology
t = time.perf_counter()
o = PublicOntology(sys.argv[1], cache_dir=sys.argv[2])
elapsed = time.perf_counter() - t
print(json.dumps({"s": elapsed, "n": len(o), "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""
_FRESH = """
import sys, time
t = time.perf_counter()
from biolake.bio.public import PublicOntology
o = PublicOntology(sys.argv[1], cache_dir=sys.argv[2])
print(time.perf_counter() - t)
"""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def entry(value: float, unit: str, target: dict[str, float] | None = None, **extra: Any) -> dict[str, Any]:
    meets = None
    if target is not None:
        meets = value <= target["max"] if "max" in target else value >= target["min"]
    return {"value": round(value, 4), "unit": unit, "target": target, "meets_target": meets, **extra}


def median_time(function: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        function()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def run_python(code: str, *args: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", code, *args], check=True, capture_output=True, text=True
    ).stdout.strip()


def bench_loads(cache: Path, results: dict[str, Any]) -> None:
    from biolake.bio.public import PublicOntology

    for entity, key, targets in [("CellType", "celltype", (5.0, 0.1)), ("Organism", "ncbitaxon", (30.0, 0.5))]:
        log(f"cold load of {entity} (subprocess) ...")
        cold = json.loads(run_python(_LOAD, entity, str(cache)))
        results[f"{key}_cold_s"] = entry(cold["s"], "s", {"max": targets[0]}, terms=cold["n"])
        results[f"{key}_cold_peak_mb"] = entry(cold["peak_mb"], "MB", {"max": 1500.0} if key == "ncbitaxon" else None)
        PublicOntology(entity, cache_dir=cache)  # imports done
        warm = median_time(lambda e=entity: PublicOntology(e, cache_dir=cache), 5)
        results[f"{key}_warm_s"] = entry(warm, "s", {"max": targets[1]})
        fresh = statistics.median(float(run_python(_FRESH, entity, str(cache))) for _ in range(3))
        results[f"{key}_warm_fresh_process_s"] = entry(fresh, "s", {"max": 1.0})


def bench_search(cache: Path, results: dict[str, Any]) -> None:
    from biolake.bio.public import PublicOntology

    for entity, key, queries, target in [
        ("Tissue", "uberon", UBERON_QUERIES, 50.0),
        ("Organism", "ncbitaxon", TAXON_QUERIES, 500.0),
    ]:
        log(f"search over {entity} ...")
        ontology = PublicOntology(entity, cache_dir=cache)
        t = time.perf_counter()
        ontology.search(queries[0])
        results[f"{key}_first_search_ms"] = entry(1000 * (time.perf_counter() - t), "ms", None, terms=len(ontology))
        per_query = {q: 1000 * median_time(lambda q=q, o=ontology: o.search(q), 3) for q in queries}
        results[f"{key}_search_ms"] = entry(
            statistics.median(per_query.values()),
            "ms",
            {"max": target},
            max_ms=round(max(per_query.values()), 1),
            queries=len(queries),
        )


def bench_genes(cache: Path, results: dict[str, Any]) -> None:
    from biolake.bio.public import PublicOntology

    log("gene validation ...")
    genes = PublicOntology("Gene", organism="human", cache_dir=cache)
    df = genes.df()
    rng = random.Random(0)
    ids = rng.sample(df.index.tolist(), 54_000) + [f"ENSG9{i:010d}" for i in range(6_000)]
    rng.shuffle(ids)
    genes.validate(ids[:100], field="ensembl_gene_id", mute=True)
    value = 1000 * median_time(lambda: genes.validate(ids, field="ensembl_gene_id", mute=True), 5)
    results["gene_validate_60k_ms"] = entry(value, "ms", {"max": 100.0})
    symbols = [s for s in df["symbol"].dropna().tolist()]
    sample = (
        rng.sample(symbols, 19_000)
        + ["IGJ", "ATPIF1", "SEPT7", "H1FX"] * 100
        + [s.lower() for s in rng.sample(symbols, 600)]
    )
    value = 1000 * median_time(lambda: genes.standardize(sample, field="symbol", mute=True), 3)
    results["gene_standardize_20k_ms"] = entry(value, "ms", {"max": 1000.0})


def bench_registry(cache: Path, results: dict[str, Any]) -> None:
    """The registry side: Gene.validate of 60,000 ids in the database and CellType.import_source()."""
    import biolake as ln

    log("registry: import_source and Gene.validate ...")
    os.environ["BIOLAKE_HOME"] = str(cache / "home")
    os.environ["BIOLAKE_CACHE_DIR"] = str(cache)
    ln.setup.init(storage=str(cache / "lake"), modules=["bio"], name="benchbio")
    from biolake import bio as bt

    start = time.perf_counter()
    n = bt.CellType.import_source()
    results["celltype_import_source_s"] = entry(time.perf_counter() - start, "s", {"max": 10.0}, records=n)
    start = time.perf_counter()
    bt.Gene.import_source(organism="human")
    results["gene_import_source_human_s"] = entry(time.perf_counter() - start, "s", records=bt.Gene.filter().count())
    ids = list(bt.Gene.filter().values_list("ensembl_gene_id", flat=True)[:54_000]) + [f"ENSG9{i:010d}" for i in range(6_000)]
    value = 1000 * median_time(lambda: bt.Gene.validate(ids, field="ensembl_gene_id", mute=True), 3)
    results["registry_gene_validate_60k_ms"] = entry(value, "ms", {"max": 1000.0})


def main() -> int:
    os.environ.setdefault("BIOLAKE_QUIET", "1")
    cache = Path(tempfile.mkdtemp(prefix="biolake-bench-public-"))
    results: dict[str, Any] = {}
    errors: dict[str, str] = {}
    try:
        for bench in (bench_loads, bench_search, bench_genes, bench_registry):
            try:
                bench(cache, results)
            except Exception as error:  # report and go on with the other measurements
                errors[bench.__name__] = f"{type(error).__name__}: {error}"
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    with_target = [m for m in results.values() if m["meets_target"] is not None]
    report = {
        "benchmark": "biolake bio",
        "measurements": results,
        "targets_met": f"{sum(m['meets_target'] for m in with_target)}/{len(with_target)}",
        "errors": errors,
        "machine": {
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "loadavg": os.getloadavg(),
        },
    }
    print(json.dumps(report, indent=2))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
