"""Small AnnData stores of every kind the mapped loaders read, for the mapped tests.

A module of its own (not conftest) so that test files can import it by a unique name.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import anndata as ad
import numpy as np
import pandas as pd
import scipy.sparse as sp

GENES = [f"g{i}" for i in range(12)]


def make_adata(n: int, genes: list[str], seed: int, first_id: int, sparse: bool = True) -> ad.AnnData:
    rng = np.random.default_rng(seed)
    counts = sp.random(n, len(genes), density=0.3, format="csr", random_state=rng, dtype=np.float32)
    counts.data = np.ceil(counts.data * 10)
    keep = np.ones(n, np.float32)
    keep[5] = 0
    counts = sp.csr_matrix(sp.diags(keep) @ counts)  # row 5 empty
    counts.eliminate_zeros()
    obs = pd.DataFrame(
        {
            "cell_type": pd.Categorical(rng.choice(["T", "B", "NK"], n)),
            "donor": rng.choice(["d1", "d2"], n).astype(object),
            "cell_id": np.arange(first_id, first_id + n),
            "score": rng.random(n),
        },
        index=[f"c{i}" for i in range(first_id, first_id + n)],
    )
    adata = ad.AnnData(X=counts if sparse else counts.toarray(), obs=obs, var=pd.DataFrame(index=genes))
    adata.layers["counts"] = counts * 3
    return adata


def write_stores(folder: Path) -> list[Path]:
    """A memory-mappable sparse h5ad, a gzip-compressed h5ad, a dense h5ad and a zarr store in ``folder``."""
    adatas = [
        make_adata(70, GENES[:10], seed=1, first_id=0),
        make_adata(40, GENES[1:11], seed=2, first_id=100),
        make_adata(30, GENES[:10][::-1], seed=3, first_id=200, sparse=False),
        make_adata(50, GENES[2:12], seed=4, first_id=300),
    ]
    paths = [folder / "plain.h5ad", folder / "gzip.h5ad", folder / "dense.h5ad", folder / "store.zarr"]
    adatas[0].write_h5ad(paths[0])
    adatas[1].write_h5ad(paths[1], compression="gzip")
    adatas[2].write_h5ad(paths[2])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        adatas[3].write_zarr(paths[3])
    return paths
