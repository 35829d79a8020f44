"""Put the selected rows of several artifacts together into one AnnData."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from biolake.cells import genes as gene_matching, matrix
from biolake.formats import obs_sidecar

if TYPE_CHECKING:
    import pandas as pd
    from anndata import AnnData

    from biolake.models import Artifact
    from biolake.models.obs_index import ObsIndex


def anndata(
    obs: pd.DataFrame,
    artifacts: list[Artifact],
    indexes: dict[str, ObsIndex],
    genes: list[str] | None,
    gene_field: str | None,
    layer: str,
    on_missing: str,
) -> AnnData:
    """One AnnData of the rows ``obs`` selects (in its order, artifact by artifact)."""
    import anndata as ad
    import pandas as pd
    import scipy.sparse as sp

    vars_ = {a.uid: obs_sidecar.read_var(indexes[a.uid].var_path) for a in artifacts}
    wanted, places = _columns(vars_, genes, gene_field, on_missing)
    names = wanted.names
    blocks = []
    groups = obs.groupby("artifact_uid", observed=True, sort=False).indices
    all_rows = obs["obs_row"].to_numpy()
    for artifact in artifacts:
        rows = all_rows[groups[artifact.uid]]
        blocks.append(_read(artifact, layer, rows, places[artifact.uid], len(names)))
    matrix_ = sp.vstack(blocks, format="csr") if blocks else sp.csr_matrix((0, len(names)), dtype=np.float32)
    obs = obs.copy()
    index = obs["obs_name"].astype(str)
    if not index.is_unique:
        index = obs["artifact_uid"].astype(str) + ":" + index
    obs.index = pd.Index(index.to_numpy(), name=None)
    var = pd.DataFrame(index=pd.Index(names, name=None))
    if any(wanted.ensembl_ids):
        var["ensembl_gene_id"] = [e or "" for e in wanted.ensembl_ids]
    return ad.AnnData(X=matrix_, obs=obs, var=var)


def _columns(vars_: dict[str, pd.DataFrame], genes: list[str] | None, gene_field: str | None, on_missing: str) -> tuple[gene_matching.Genes, dict[str, list[int | None]]]:
    """The output genes and, per artifact, the var position of each (``None``: absent)."""
    if genes is None:  # the genes every artifact has, in the first one's order
        first, *others = list(vars_.values()) or [None]
        shared = [] if first is None else [str(n) for n in first.index if all(n in other.index for other in others)]
        wanted = gene_matching.literal(shared)
        return wanted, {uid: gene_matching.positions(var, wanted) for uid, var in vars_.items()}
    wanted, places = gene_matching.match(genes, gene_field, vars_)
    if on_missing == "raise":
        gene_matching.report_missing(wanted, places)
    return wanted, places


def _read(artifact: Artifact, layer: str, rows: np.ndarray, places: list[int | None], n_genes: int) -> Any:
    import scipy.sparse as sp

    present = [i for i, p in enumerate(places) if p is not None]
    columns = np.asarray([places[i] for i in present], dtype=np.int64)
    with matrix.open_store(artifact.path, artifact.suffix) as root:
        part = matrix.read_rows(root, layer, np.sort(rows), columns)
    if len(present) == n_genes:
        return part
    # place the found genes, zeros elsewhere
    spread = sp.csr_matrix((np.ones(len(present)), (np.arange(len(present)), present)), shape=(len(present), n_genes))
    return (part @ spread).astype(part.dtype)
