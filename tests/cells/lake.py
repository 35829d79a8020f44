"""A small lake of AnnData artifacts for the cell query tests, and the answers of loading them in full."""

from __future__ import annotations

import anndata as ad
import numpy as np
import pandas as pd
import scipy.sparse as sp

CELL_TYPES = ["T cell", "B cell", "monocyte", "CD8-positive, alpha-beta T cell"]
TISSUES = ["blood", "lung", "blood", "liver"]


def make_adata(i: int, n: int = 120, n_genes: int = 30, dense: bool = False) -> ad.AnnData:
    rng = np.random.default_rng(i)
    X = sp.random(n, n_genes, density=0.25, format="csr", dtype=np.float32, random_state=i)
    X.data = np.round(X.data * 10) + 1  # no stored zeros: loading and selecting agree exactly
    obs = pd.DataFrame(
        {
            "cell_type": pd.Categorical(rng.choice(CELL_TYPES, n)),
            "tissue": TISSUES[i % len(TISSUES)],
            "donor": rng.choice(["D1", "D2", "E1"], n),
            "n_genes": rng.integers(0, 500, n),
        },
        index=[f"cell{j}" for j in range(n)],
    )
    var = pd.DataFrame({"symbol": [f"GENE{k}" for k in range(n_genes)]}, index=[f"ENSG{k:011d}" for k in range(n_genes)])
    return ad.AnnData(X.toarray() if dense else X, obs=obs, var=var)


def full_obs(artifacts: list) -> pd.DataFrame:
    """obs of every artifact, loaded in full, with ``artifact_uid`` and ``obs_name``."""
    frames = []
    for artifact in artifacts:
        obs = artifact.load().obs.copy()
        obs["artifact_uid"] = artifact.uid
        obs["obs_name"] = obs.index.astype(str)
        frames.append(obs)
    return pd.concat(frames, ignore_index=True)


def full_selection(artifacts: list, mask_of, genes: list[str]) -> np.ndarray:
    """The dense matrix of the cells ``mask_of(obs)`` selects and ``genes`` (var index), loading everything."""
    parts = []
    for artifact in artifacts:
        adata = artifact.load()
        keep = mask_of(adata.obs).to_numpy()
        X = adata[keep][:, genes].X
        parts.append(X.toarray() if sp.issparse(X) else np.asarray(X))
    return np.vstack(parts)
