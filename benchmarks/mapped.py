#!/usr/bin/env python
"""Benchmark of ``mapped()``: cells per second from many sparse .h5ad files.

Writes synthetic data to a temporary folder (default: 4 files x 50,000 cells x 2,000 genes,
CSR, 5 % non-zero, a categorical ``cell_type``), then measures, in samples (cells) per
second, with every output a dense float32 row over all genes:

- ``mapped_random_rows``: ``ds[i]`` for random ``i`` over all files;
- ``iter_batches_block_{1,32,256,1024}``: one epoch of ``ds.iter_batches(256, block_size=b)``
  (block-shuffled, window 8); target for ``b=32``: ``ratio.vs_in_memory >= 0.8``;
- ``mapped_iter_batches``: the same at ``block_size=1024``, against backed AnnData too;
- ``dataloader_shuffled_{0,2}_workers`` (with torch): the documented way, exactly as users
  call it, ``DataLoader(ds, batch_size=256, shuffle=True, num_workers=w)`` (torch's defaults
  otherwise): torch calls ``ds.__getitems__(indices)`` once per batch and ``default_collate``
  builds the batch from the gathered arrays (workers build it in shared memory and send its
  place); target ``>= 300,000``
  cells/s. ``Collection.mapped()`` returns this same dataset over the artifacts' paths;
- ``dataloader_per_item_0_workers``: the same with ``__getitems__`` hidden (one ``ds[i]`` per
  cell, the path before batched fetching), for comparison;
- ``zarr_random_rows`` / ``zarr_iter_batches``: the same over one file written as zarr;

against two baselines measured in the same run, interleaved round by round:

(a) ``anndata.read_h5ad(path, backed="r")``: ``adata.X[i]`` for random rows, and for
    batches ``adata.X[sorted random rows]`` per file (the hand-written loader);
(b) the whole X read into memory (one CSR), then indexed: rows by ``indptr`` slicing,
    batches by ``X[random rows].toarray()`` (the ceiling, without any I/O).

Each measurement has ``ratio.vs_anndata_backed`` and/or ``ratio.vs_in_memory``
(``mapped / baseline``). Medians of rounds. The files are freshly written (warm page cache)
and one warm-up epoch runs first. Prints one JSON object to stdout, progress to stderr; the
temporary folder is removed at the end, also after an error.

Usage::

    python benchmarks/mapped.py            # full run (about a minute on 2 cores)
    python benchmarks/mapped.py --quick    # 4 x 5,000 cells x 500 genes, a few seconds
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

BATCH_SIZE = 256
BLOCK_SIZES = (1, 32, 256, 1024)
BACKED_TARGET = {"min": 1.0, "of": "ratio.vs_anndata_backed"}
#: issue 15: iter_batches(256, block_size=32) at >= 0.8 of the in-memory ceiling.
BLOCK_32_TARGET = {"min": 0.8, "of": "ratio.vs_in_memory"}
#: issue 15: DataLoader(ds, batch_size=256, shuffle=True) at >= 300k cells/s, 0 and 2 workers.
DATALOADER_TARGET = {"min": 300_000, "of": "value"}


def log(message: str) -> None:
    print(f"[mapped bench] {message}", file=sys.stderr, flush=True)


def synthetic_csr(n_cells: int, n_genes: int, density: float, rng: np.random.Generator) -> Any:
    """A random CSR count matrix, built in row chunks to keep memory low."""
    import scipy.sparse as sp

    pieces = []
    for start in range(0, n_cells, 5000):
        mask = rng.random((min(5000, n_cells - start), n_genes), dtype=np.float32) < density
        rows, cols = np.nonzero(mask)
        indptr = np.concatenate(([0], np.cumsum(np.bincount(rows, minlength=mask.shape[0]))))
        data = rng.integers(1, 30, len(cols)).astype(np.float32)
        pieces.append(sp.csr_matrix((data, cols.astype(np.int32), indptr), shape=mask.shape))
    return sp.vstack(pieces, format="csr")


def write_files(folder: Path, args: argparse.Namespace) -> tuple[list[Path], Path]:
    """The .h5ad files, and a zarr copy of the first one."""
    import anndata as ad
    import pandas as pd

    rng = np.random.default_rng(0)
    genes = pd.Index([f"gene{i}" for i in range(args.genes)])
    cell_types = [f"type{i}" for i in range(20)]
    paths = []
    for f in range(args.files):
        x = synthetic_csr(args.cells, args.genes, args.density, rng)
        obs = pd.DataFrame(
            {"cell_type": pd.Categorical(rng.choice(cell_types, args.cells, p=_skewed(len(cell_types))))},
            index=[f"f{f}c{i}" for i in range(args.cells)],
        )
        adata = ad.AnnData(X=x, obs=obs, var=pd.DataFrame(index=genes))
        paths.append(folder / f"part{f}.h5ad")
        adata.write_h5ad(paths[-1])
        if f == 0:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                adata.write_zarr(folder / "part0.zarr")
        log(f"wrote {paths[-1].name}: {x.nnz:,} non-zeros")
    return paths, folder / "part0.zarr"


def _skewed(n: int) -> np.ndarray:
    weights = 1.0 / np.arange(1, n + 1)
    return weights / weights.sum()


def rate(fn: Callable[[], int]) -> float:
    """Samples per second of ``fn`` (which returns how many samples it produced)."""
    start = time.perf_counter()
    n = fn()
    return n / (time.perf_counter() - start)


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.tmp = Path(tempfile.mkdtemp(prefix="biolake-mapped-bench-"))
        self.rng = np.random.default_rng(1)
        self.results: dict[str, Any] = {}
        self.errors: dict[str, str] = {}
        self.resources: list[Any] = []

    def setup(self) -> None:
        start = time.perf_counter()
        self.paths, self.zarr_path = write_files(self.tmp, self.args)
        self.results["write_data_s"] = {"value": round(time.perf_counter() - start, 2), "unit": "s"}
        from biolake.formats.mapped import dataset_class, mapped

        start = time.perf_counter()
        dataset_class()  # imports torch, if installed: once per process
        self.results["dataset_class_s"] = {
            "value": round(time.perf_counter() - start, 3),
            "unit": "s",
            "what": "first use of MappedDataset: creating the class (imports torch when installed)",
        }
        start = time.perf_counter()
        self.ds = mapped(self.paths, obs_keys=["cell_type"], join="inner")
        self.results["mapped_init_s"] = {
            "value": round(time.perf_counter() - start, 3),
            "unit": "s",
            "what": "mapped(paths, obs_keys=['cell_type']): var names, labels, matrix checks of all files",
        }
        self.resources.append(self.ds)
        start = time.perf_counter()
        self.mapped_epoch(self.ds)  # warm-up: maps the files' pages into this process
        self.results["warm_up_epoch_s"] = {"value": round(time.perf_counter() - start, 2), "unit": "s"}
        self.n = len(self.ds)
        self.offsets = np.arange(len(self.paths) + 1) * self.args.cells

    def open_baselines(self) -> None:
        import anndata as ad
        import scipy.sparse as sp

        self.backed = [ad.read_h5ad(path, backed="r") for path in self.paths]
        self.resources += [adata.file for adata in self.backed]
        start = time.perf_counter()
        self.memory = sp.vstack([ad.read_h5ad(path).X for path in self.paths], format="csr")
        self.results["in_memory_load_s"] = {"value": round(time.perf_counter() - start, 2), "unit": "s"}

    # -- single rows -----------------------------------------------------------------------
    def mapped_rows(self, k: int) -> int:
        for i in self.rng.integers(0, self.n, k):
            self.ds[i]
        return k

    def backed_rows(self, k: int) -> int:
        for i in self.rng.integers(0, self.n, k):
            f, row = divmod(int(i), self.args.cells)
            self.backed[f].X[row].toarray()
        return k

    def memory_rows(self, k: int) -> int:
        x = self.memory
        indptr, indices, data, n_genes = x.indptr, x.indices, x.data, x.shape[1]
        for i in self.rng.integers(0, self.n, k):
            out = np.zeros(n_genes, np.float32)
            start, stop = indptr[i], indptr[i + 1]
            out[indices[start:stop]] = data[start:stop]
        return k

    # -- batches ---------------------------------------------------------------------------
    def mapped_epoch(self, ds: Any, block_size: int = 1024) -> int:
        return sum(len(batch["cell_type"]) for batch in ds.iter_batches(BATCH_SIZE, block_size=block_size))

    def backed_batches(self, n_batches: int) -> int:
        for _ in range(n_batches):
            cells = np.sort(self.rng.choice(self.n, BATCH_SIZE, replace=False))
            files = np.searchsorted(self.offsets, cells, side="right") - 1
            for f in np.unique(files):
                self.backed[f].X[cells[files == f] - self.offsets[f]].toarray()
        return n_batches * BATCH_SIZE

    def memory_batches(self, n_batches: int, min_seconds: float = 0.3) -> int:
        """The ceiling: ``X[random rows].toarray()`` from the in-memory CSR, for at least
        ``n_batches`` batches and ``min_seconds`` (short runs are noisy here)."""
        done, start = 0, time.perf_counter()
        while done < n_batches or time.perf_counter() - start < min_seconds:
            self.memory[self.rng.integers(0, self.n, BATCH_SIZE)].toarray()
            done += 1
        return done * BATCH_SIZE

    def make_loader(self, workers: int, batched: bool = True, collate: bool = False) -> Any:
        """``DataLoader(ds, batch_size=256, shuffle=True, num_workers=workers)``; ``batched=False``
        hides ``__getitems__`` so torch fetches ``ds[i]`` cell by cell; ``collate`` passes
        ``collate_fn=biolake.formats.mapped.collate``."""
        import copy

        from torch.utils.data import DataLoader

        from biolake.formats.mapped import collate as numpy_collate

        ds = self.ds
        if not batched:
            ds = copy.copy(self.ds)
            ds.__getitems__ = None  # torch checks the attribute: None means "fetch item by item"
        options: dict[str, Any] = {"num_workers": workers}  # torch's defaults otherwise (prefetch_factor 2)
        if collate:
            options["collate_fn"] = numpy_collate
        return DataLoader(ds, batch_size=BATCH_SIZE, shuffle=True, **options)

    def collated(self, items: list[dict[str, Any]]) -> Iterator[Any]:
        """``default_collate(items)`` again and again."""
        from torch.utils.data import default_collate

        while True:
            yield default_collate(items)

    def loader_batches(self, workers: int, batched: bool = True, collate: bool = False) -> Iterator[Any]:
        """Batches of the loader, epoch after epoch; the first one (start-up) is not yielded."""
        loader = self.make_loader(workers, batched, collate)
        first = True
        while True:
            for batch in loader:
                if not first:
                    yield batch
                first = False

    def dataloader(self, n_batches: int, workers: int) -> float:
        """Cells/s of ``n_batches`` from a fresh loader (worker start-up and first batch not timed)."""
        iterator = iter(self.make_loader(workers))
        next(iterator)
        start = time.perf_counter()
        for _ in range(n_batches):
            next(iterator)
        elapsed = time.perf_counter() - start
        del iterator
        return n_batches * BATCH_SIZE / elapsed

    # -- measurements ----------------------------------------------------------------------
    def record(
        self,
        name: str,
        values: list[float],
        baselines: dict[str, list[float]],
        target: dict[str, Any] | None = BACKED_TARGET,
        what: str | None = None,
    ) -> None:
        """One measurement: the median of ``values``, the baselines' medians and the ratios.

        ``target`` is ``{"min": x, "of": "value" | "ratio.<key>"}`` (``None``: no target).
        """
        value = statistics.median(values)
        base = {key: round(statistics.median(v), 1) for key, v in baselines.items()}
        ratios = {f"vs_{key}": round(value / b, 3) for key, b in base.items()}
        entry: dict[str, Any] = {
            "value": round(value, 1),
            "unit": "samples/s",
            "rounds": [round(v, 1) for v in values],
            "baseline": base,
            "ratio": ratios,
            "target": target,
            "meets_target": None,
        }
        if what:
            entry["what"] = what
        if target is not None:
            of = target["of"]
            measured = value if of == "value" else ratios.get(of.removeprefix("ratio."))
            entry["meets_target"] = None if measured is None else measured >= target["min"]
        self.results[name] = entry

    def bench_random_rows(self) -> None:
        k_fast, k_slow = self.args.rows, self.args.backed_rows
        self.mapped_rows(1000)  # warm up: handles, indptr
        values, backed, memory = [], [], []
        for round_ in range(self.args.rounds):
            values.append(rate(lambda: self.mapped_rows(k_fast)))
            backed.append(rate(lambda: self.backed_rows(k_slow)))
            memory.append(rate(lambda: self.memory_rows(k_fast)))
            log(f"random rows round {round_}: mapped {values[-1]:,.0f}/s, backed {backed[-1]:,.0f}/s, memory {memory[-1]:,.0f}/s")
        self.record("mapped_random_rows", values, {"anndata_backed": backed, "in_memory": memory})

    def paired(self, batches: Iterator[Any], n_batches: int) -> tuple[float, float]:
        """Cells/s of ``next(batches)`` and of the in-memory ceiling, alternating batch by batch
        (both see the same load on a shared machine)."""
        ours = ceiling = 0.0
        cells = 0
        for _ in range(n_batches):
            start = time.perf_counter()
            batch = next(batches)
            middle = time.perf_counter()
            self.memory[self.rng.integers(0, self.n, BATCH_SIZE)].toarray()
            ours += middle - start
            ceiling += time.perf_counter() - middle
            cells += len(batch["cell_type"])
        return cells / ours, n_batches * BATCH_SIZE / ceiling

    def epochs(self, block_size: int) -> Iterator[Any]:
        """``iter_batches(256, block_size=...)`` epoch after epoch (each epoch's planning included)."""
        while True:
            yield from self.ds.iter_batches(BATCH_SIZE, block_size=block_size)

    def bench_iter_batches(self) -> None:
        """``iter_batches(256, block_size=b)`` per block size, batch by batch next to the ceiling."""
        n_batches = self.args.batches
        streams = {b: self.epochs(b) for b in BLOCK_SIZES}
        values: dict[int, list[float]] = {b: [] for b in BLOCK_SIZES}
        memory: dict[int, list[float]] = {b: [] for b in BLOCK_SIZES}
        backed = []
        for round_ in range(self.args.rounds):
            for b in BLOCK_SIZES:
                ours, ceiling = self.paired(streams[b], n_batches)
                values[b].append(ours)
                memory[b].append(ceiling)
            backed.append(rate(lambda: self.backed_batches(max(2, n_batches // 10))))
            summary = ", ".join(f"b={b} {values[b][-1]:,.0f}/s ({values[b][-1] / memory[b][-1]:.2f})" for b in BLOCK_SIZES)
            log(f"iter_batches round {round_}: {summary}; backed {backed[-1]:,.0f}/s")
        for b in BLOCK_SIZES:
            self.record(
                f"iter_batches_block_{b}",
                values[b],
                {"in_memory": memory[b]},
                BLOCK_32_TARGET if b == 32 else None,
                f"ds.iter_batches({BATCH_SIZE}, block_size={b}) (window 8), epochs back to back, each batch timed"
                " alternately with one X[random rows].toarray()",
            )
        self.record("mapped_iter_batches", values[1024], {"anndata_backed": backed, "in_memory": memory[1024]})
        rows = self.results["mapped_random_rows"]["value"]
        self.results["mapped_iter_batches"]["ratio"]["vs_mapped_random_rows"] = round(statistics.median(values[1024]) / rows, 2)

    def bench_dataloader(self) -> None:
        """The documented way: ``DataLoader(ds, batch_size=256, shuffle=True)``, 0 and 2 workers."""
        try:
            import torch  # noqa: F401
        except ImportError:
            for workers in (0, 2):
                self.results[f"dataloader_shuffled_{workers}_workers"] = {
                    "value": None, "unit": "samples/s", "skipped": "torch not installed", "target": None, "meets_target": None,
                }
            return
        n_batches = self.args.batches
        values: dict[int, list[float]] = {0: [], 2: []}
        memory: dict[int, list[float]] = {0: [], 2: []}
        per_item, per_item_memory = [], []
        numpy_collate, numpy_collate_memory = [], []
        collate_only, collate_only_memory = [], []
        single = self.loader_batches(0)
        stacked = self.loader_batches(0, collate=True)
        items = self.ds.__getitems__(list(range(BATCH_SIZE)))
        for round_ in range(self.args.rounds):
            ours, ceiling = self.paired(single, n_batches)  # one process: alternate batch by batch
            values[0].append(ours)
            memory[0].append(ceiling)
            memory[2].append(rate(lambda: self.memory_batches(n_batches)))  # workers run ahead: not alternated
            values[2].append(self.dataloader(n_batches, 2))
            ours, ceiling = self.paired(self.loader_batches(0, batched=False), max(5, n_batches // 10))
            per_item.append(ours)
            per_item_memory.append(ceiling)
            ours, ceiling = self.paired(stacked, n_batches)
            numpy_collate.append(ours)
            numpy_collate_memory.append(ceiling)
            ours, ceiling = self.paired(self.collated(items), n_batches)
            collate_only.append(ours)
            collate_only_memory.append(ceiling)
            log(f"DataLoader round {round_}: 0 workers {values[0][-1]:,.0f}/s, 2 workers {values[2][-1]:,.0f}/s, per item {per_item[-1]:,.0f}/s")
        for workers in (0, 2):
            self.record(
                f"dataloader_shuffled_{workers}_workers",
                values[workers],
                {"in_memory": memory[workers]},
                DATALOADER_TARGET,
                f"DataLoader(ds, batch_size={BATCH_SIZE}, shuffle=True, num_workers={workers}) exactly (torch's defaults):"
                " one __getitems__ per batch; default_collate builds the batch from the gathered arrays"
                + ("; workers build batches in shared memory and send their place; ceiling measured just before, not alternated" if workers else ""),
            )
        self.record(
            "dataloader_per_item_0_workers",
            per_item,
            {"in_memory": per_item_memory},
            None,
            "the same with __getitems__ hidden: torch fetches ds[i] cell by cell (before issue 15, part 5)",
        )
        self.record(
            "dataloader_shuffled_0_workers_collate_fn",
            numpy_collate,
            {"in_memory": numpy_collate_memory},
            None,
            "DataLoader(ds, batch_size=256, shuffle=True, collate_fn=biolake.formats.mapped.collate): numpy stacking",
        )
        self.record(
            "default_collate_only",
            collate_only,
            {"in_memory": collate_only_memory},
            None,
            "torch's default_collate of the 256 items of one __getitems__ call, again and again (no reading)",
        )

    def bench_zarr(self) -> None:
        from biolake.formats.mapped import mapped
        from biolake.formats.mapped._chunk_cache import CACHE

        ds = mapped([self.zarr_path], obs_keys=["cell_type"])
        self.resources.append(ds)
        cells = self.args.cells
        CACHE.clear()
        cold = rate(lambda: sum(1 for i in self.rng.integers(0, cells, 200) if ds[i] is not None))
        warm = [rate(lambda: sum(1 for i in self.rng.integers(0, cells, self.args.rows) if ds[i] is not None))]
        epochs = [rate(lambda: self.mapped_epoch(ds)) for _ in range(self.args.rounds)]
        self.results["zarr_random_rows"] = {
            "value": round(statistics.median(warm), 1),
            "unit": "samples/s",
            "cold_cache": round(cold, 1),
            "what": "one zarr store (zarr format 2, anndata's default chunks); decoded chunks cached per process",
            "target": None,
            "meets_target": None,
        }
        self.results["zarr_iter_batches"] = {
            "value": round(statistics.median(epochs), 1),
            "unit": "samples/s",
            "rounds": [round(v, 1) for v in epochs],
            "target": None,
            "meets_target": None,
        }

    def run(self) -> dict[str, Any]:
        start = time.perf_counter()
        self.load_at_start = [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None
        steps = [
            ("setup", self.setup),
            ("baselines", self.open_baselines),
            ("random_rows", self.bench_random_rows),
            ("iter_batches", self.bench_iter_batches),
            ("dataloader", self.bench_dataloader),
            ("zarr", self.bench_zarr),
        ]
        for name, step in steps:
            log(f"{name} ...")
            try:
                step()
            except Exception as error:  # noqa: BLE001  (report and go on)
                self.errors[name] = f"{type(error).__name__}: {error}"
                log(f"{name} failed: {self.errors[name]}")
                if name in ("setup", "baselines"):
                    break
        return self.report(time.perf_counter() - start)

    def report(self, elapsed: float) -> dict[str, Any]:
        targeted = [e for e in self.results.values() if isinstance(e, dict) and e.get("meets_target") is not None]
        report: dict[str, Any] = {
            "benchmark": "biolake mapped",
            "mode": "quick" if self.args.quick else "full",
            "data": {
                "files": self.args.files,
                "cells_per_file": self.args.cells,
                "genes": self.args.genes,
                "density": self.args.density,
                "format": "h5ad, CSR float32, uncompressed",
                "batch_size": BATCH_SIZE,
                "iter_batches": {"block_sizes": list(BLOCK_SIZES), "window": 8},
                "page_cache": "warm (files just written, one warm-up epoch)",
            },
            "machine": {
                "cores": os.cpu_count(),
                "python": platform.python_version(),
                "platform": platform.platform(),
                "loadavg_at_start": self.load_at_start,
                "loadavg_at_end": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None,
            },
            "targets_met": f"{sum(1 for e in targeted if e['meets_target'])}/{len(targeted)}",
            "loaders": self.summary(),
            "measurements": self.results,
            "elapsed_s": round(elapsed, 1),
        }
        if self.errors:
            report["errors"] = self.errors
        return report

    def summary(self) -> dict[str, Any]:
        """Issue 15 part 5 at a glance: cells/s next to the in-memory ceiling of the same run."""
        names = [f"iter_batches_block_{b}" for b in BLOCK_SIZES]
        names += [f"dataloader_shuffled_{w}_workers" for w in (0, 2)]
        table: dict[str, Any] = {}
        for name in names:
            entry = self.results.get(name)
            if not entry or entry.get("value") is None:
                continue
            table[name] = {
                "cells_per_s": entry["value"],
                "in_memory_ceiling": entry.get("baseline", {}).get("in_memory"),
                "ratio": entry.get("ratio", {}).get("vs_in_memory"),
                "target": entry.get("target"),
                "meets_target": entry.get("meets_target"),
            }
        return table

    def cleanup(self) -> None:
        for resource in self.resources:
            with contextlib.suppress(Exception):
                resource.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="mapped() benchmark; prints one JSON object to stdout.")
    parser.add_argument("--quick", action="store_true", help="4 files x 5,000 cells x 500 genes (a few seconds)")
    parser.add_argument("--files", type=int, default=4)
    parser.add_argument("--cells", type=int, default=None, help="cells per file (default 50,000; 5,000 with --quick)")
    parser.add_argument("--genes", type=int, default=None, help="genes (default 2,000; 500 with --quick)")
    parser.add_argument("--density", type=float, default=0.05)
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds per measurement")
    args = parser.parse_args(argv)
    args.cells = args.cells or (5_000 if args.quick else 50_000)
    args.genes = args.genes or (500 if args.quick else 2_000)
    args.rows = 2_000 if args.quick else 20_000  # random rows per round (mapped, in memory)
    args.backed_rows = 100 if args.quick else 400  # random rows per round (anndata backed: ms each)
    args.batches = 20 if args.quick else 200  # batches per round (in memory; backed: a tenth)
    bench = Bench(args)
    log(f"temporary folder {bench.tmp}")
    try:
        with contextlib.redirect_stdout(sys.stderr):
            report = bench.run()
    finally:
        bench.cleanup()
    print(json.dumps(report, indent=2))
    return 0 if not bench.errors else 1


if __name__ == "__main__":
    sys.exit(main())
