#!/usr/bin/env python
"""Benchmark of cell-level queries over a synthetic lake of sparse AnnData artifacts.

The lake: 100 ``.h5ad`` artifacts × 20,000 cells (2 M cells), 2,000 genes, 2 % non-zero
(CSR, 40 values per cell). Each artifact comes from one tissue (10 tissues, 10 artifacts
each) and one donor; every artifact holds 5,000 T cells among nine other cell types, in
random order. Artifacts are saved as users save them (``Artifact.from_anndata(...).save()``),
which writes each obs index sidecar.

Measurements (each entry has ``value``, ``unit`` and, where the issue sets one, ``target``
and ``meets_target``):

- ``count_by_s``: ``Artifact.filter(...).cells().count_by("cell_type")`` over all 2 M cells
  (median of 5 after the first call, reported as ``count_by_first_s``; target ≤ 0.5 s); ``count_by_naive_s``: load every artifact in full and count
  its obs (once); ``count_by_speedup``: their ratio (target ≥ 20).
- ``select_s``: ``cells(tissue="blood", cell_type="T cell").to_anndata(genes=<50 genes>)``:
  50,000 cells × 50 genes, a new query each time (median of 5 after the first call, reported as
  ``select_first_s``; target ≤ 5 s). The blood artifacts are found from the index records
  (the values of few-valued columns), so only their sidecars and matrices are read; ``select_naive_s``: load every artifact
  in full, filter obs, subset genes, concatenate (once); ``select_speedup`` (target ≥ 20).
- ``build_lake_s``: making and saving the lake (for information).

Both ways are checked to give the same counts and the same matrix. Prints one JSON object
to stdout; progress goes to stderr. ``--small`` runs 10 artifacts × 2,000 cells (the
targets are then not meaningful).

Usage::

    python benchmarks/cells.py [--small]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from typing import Any

import numpy as np

N_GENES = 2000
NNZ_PER_CELL = 40  # 2 % of 2,000 genes
TISSUES = ["blood", "lung", "liver", "kidney", "heart", "brain", "skin", "spleen", "colon", "bone marrow"]
OTHER_TYPES = ["B cell", "monocyte", "NK cell", "macrophage", "neutrophil", "fibroblast", "endothelial cell", "epithelial cell", "dendritic cell"]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def make_adata(i: int, n_cells: int, rng: np.random.Generator) -> Any:
    """One artifact's AnnData: CSR with NNZ_PER_CELL sorted, distinct columns per row."""
    import anndata as ad
    import pandas as pd
    import scipy.sparse as sp

    stride = N_GENES // NNZ_PER_CELL
    indices = (np.arange(NNZ_PER_CELL) * stride + rng.integers(0, stride, (n_cells, NNZ_PER_CELL))).astype(np.int32)
    data = rng.integers(1, 30, n_cells * NNZ_PER_CELL).astype(np.float32)
    indptr = np.arange(0, n_cells * NNZ_PER_CELL + 1, NNZ_PER_CELL, dtype=np.int64)
    X = sp.csr_matrix((data, indices.ravel(), indptr), shape=(n_cells, N_GENES))
    n_t = n_cells // 4
    cell_types = np.array(["T cell"] * n_t + list(rng.choice(OTHER_TYPES, n_cells - n_t)), dtype=object)
    rng.shuffle(cell_types)
    obs = pd.DataFrame(
        {
            "cell_type": pd.Categorical(cell_types),
            "tissue": pd.Categorical([TISSUES[i % len(TISSUES)]] * n_cells),
            "donor": pd.Categorical([f"donor{i}"] * n_cells),
            "n_counts": np.asarray(X.sum(axis=1)).ravel(),
        },
        index=[f"a{i}c{j}" for j in range(n_cells)],
    )
    var = pd.DataFrame(index=[f"GENE{k:04d}" for k in range(N_GENES)])
    return ad.AnnData(X, obs=obs, var=var)


def build_lake(ln: Any, n_artifacts: int, n_cells: int) -> float:
    rng = np.random.default_rng(0)
    start = time.perf_counter()
    for i in range(n_artifacts):
        ln.Artifact.from_anndata(make_adata(i, n_cells, rng), key=f"bench/{i:03d}.h5ad").save()
        if (i + 1) % 10 == 0:
            log(f"saved {i + 1}/{n_artifacts} artifacts")
    return time.perf_counter() - start


def naive_count_by(artifacts: list[Any]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for artifact in artifacts:
        for key, n in artifact.load().obs["cell_type"].value_counts().items():
            counts[str(key)] = counts.get(str(key), 0) + int(n)
    return counts


def naive_select(artifacts: list[Any], genes: list[str]) -> Any:
    import anndata as ad

    parts = []
    for artifact in artifacts:
        adata = artifact.load()
        keep = ((adata.obs["tissue"] == "blood") & (adata.obs["cell_type"] == "T cell")).to_numpy()
        if keep.any():
            parts.append(adata[keep][:, genes].copy())
    return ad.concat(parts)


def timed(function: Any, repeat: int, warm_up: bool = False) -> tuple[float, Any]:
    """The median time of ``repeat`` calls (after one untimed call with ``warm_up``) and the last result."""
    times, result = [], None
    if warm_up:
        function()
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def entry(value: float, unit: str, target: float | None = None, at_most: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {"value": round(value, 4), "unit": unit}
    if target is not None:
        out["target"] = target
        out["meets_target"] = value <= target if at_most else value >= target
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="10 artifacts × 2,000 cells: a quick run")
    args = parser.parse_args()
    n_artifacts, n_cells = (10, 2000) if args.small else (100, 20000)
    with tempfile.TemporaryDirectory(prefix="biolake-bench-cells-") as tmp:
        os.environ["BIOLAKE_HOME"] = os.path.join(tmp, "home")
        os.environ.setdefault("BIOLAKE_QUIET", "1")
        import biolake as ln

        ln.setup.init(storage=os.path.join(tmp, "lake"), name="benchcells")
        log(f"building the lake: {n_artifacts} artifacts × {n_cells} cells × {N_GENES} genes")
        build_s = build_lake(ln, n_artifacts, n_cells)
        artifacts = ln.Artifact.filter(key__startswith="bench/").order_by("key")
        genes = [f"GENE{k:04d}" for k in range(0, N_GENES, N_GENES // 50)][:50]

        log("count_by: cell queries")
        count_first_s, _ = timed(lambda: artifacts.cells().count_by("cell_type"), 1)
        count_s, counts = timed(lambda: artifacts.cells().count_by("cell_type"), 5)
        log("count_by: loading every artifact")
        naive_count_s, naive_counts = timed(lambda: naive_count_by(list(artifacts)), 1)
        assert dict(zip(counts["cell_type"], counts["count"].astype(int))) == naive_counts

        log("select 50,000 cells × 50 genes: cell queries")
        select = lambda: artifacts.cells(tissue="blood", cell_type="T cell").to_anndata(genes=genes)  # noqa: E731
        select_first_s, _ = timed(select, 1)
        select_s, adata = timed(select, 5)
        log("select: loading every artifact")
        naive_select_s, naive = timed(lambda: naive_select(list(artifacts), genes), 1)
        assert adata.shape == naive.shape == (n_artifacts // len(TISSUES) * (n_cells // 4), 50)
        assert (adata.X != naive.X).nnz == 0 and list(adata.obs["obs_name"]) == list(naive.obs_names)
        ln.setup.delete("benchcells", force=True)

    result = {
        "benchmark": "cells",
        "lake": {"artifacts": n_artifacts, "cells": n_artifacts * n_cells, "genes": N_GENES, "density": NNZ_PER_CELL / N_GENES},
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "build_lake_s": entry(build_s, "s"),
        "count_by_first_s": entry(count_first_s, "s"),
        "count_by_s": entry(count_s, "s", 0.5),
        "count_by_naive_s": entry(naive_count_s, "s"),
        "count_by_speedup": entry(naive_count_s / count_s, "x", 20, at_most=False),
        "select_cells": int(adata.n_obs),
        "select_first_s": entry(select_first_s, "s"),
        "select_s": entry(select_s, "s", 5.0),
        "select_naive_s": entry(naive_select_s, "s"),
        "select_speedup": entry(naive_select_s / select_s, "x", 20, at_most=False),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
