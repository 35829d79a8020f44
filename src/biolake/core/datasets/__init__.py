"""Small example datasets for tutorials and tests.

Example:
    >>> import biolake as ln
    >>> df = ln.core.datasets.small_dataset1()  # doctest: +SKIP
    >>> df.attrs["experiment"]  # doctest: +SKIP
    'Experiment 1'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import pandas as pd
    from anndata import AnnData

from biolake.core.datasets import mini_immuno
from biolake.core.datasets.files import (
    anndata_file_pbmc68k_test,
    anndata_pbmc68k_reduced,
    df_iris,
    df_iris_in_meter,
    df_iris_in_meter_study1,
    df_iris_in_meter_study2,
    file_bam,
    file_fastq,
    file_mini_csv,
)

__all__ = [
    "anndata_file_pbmc68k_test", "anndata_pbmc68k_reduced", "anndata_with_obs", "df_iris", "df_iris_in_meter",
    "df_iris_in_meter_study1", "df_iris_in_meter_study2", "file_bam", "file_fastq", "file_mini_csv",
    "mini_immuno", "small_dataset1", "small_dataset2",
]

_GENE_SYMBOLS = {
    "ENSG00000153563": "CD8A",
    "ENSG00000010610": "CD4",
    "ENSG00000170458": "CD14",
    "ENSG00000004468": "CD38",
}

_CELL_TYPES = ("T cell", "B cell", "monocyte", "natural killer cell")


def small_dataset1(
    otype: Literal["DataFrame", "AnnData"] = "DataFrame",
    with_typo: bool = False,
    gene_symbols_in_index: bool = False,
) -> pd.DataFrame | AnnData:
    """Three samples with expression of three genes and sample annotations.

    Args:
        otype: ``"DataFrame"`` (metadata in ``df.attrs``) or ``"AnnData"``
            (genes in ``X``, annotations in ``obs``, metadata in ``uns``).
        with_typo: Spell the perturbation ``"IFNG"`` as ``"IFNJ"`` in sample2,
            for curation examples.
        gene_symbols_in_index: Name genes by symbol (``"CD8A"``) instead of Ensembl id.

    Example:
        >>> small_dataset1().shape  # doctest: +SKIP
        (3, 11)
    """
    import pandas as pd

    genes = {
        "ENSG00000153563": [1, 2, 3],
        "ENSG00000010610": [3, 4, 5],
        "ENSG00000170458": [5, 6, 7],
    }
    annotations = {
        "perturbation": pd.Categorical(["DMSO", "IFNJ" if with_typo else "IFNG", "DMSO"]),
        "sample_note": ["was ok", "looks naah", "pretty! 🤩"],
        "cell_type_by_expert": pd.Categorical(
            ["B cell", "CD8-positive, alpha-beta T cell", "CD8-positive, alpha-beta T cell"]
        ),
        "cell_type_by_model": pd.Categorical(["B cell", "T cell", "T cell"]),
        "assay_oid": pd.Categorical(["EFO:0008913"] * 3),
        "concentration": ["0.1%", "200 nM", "0.1%"],
        "treatment_time_h": [24, 24, 6],
        "donor": ["D0001", "D0002", None],
    }
    metadata = {
        "temperature": 21.6,
        "experiment": "Experiment 1",
        "date_of_study": "2024-12-01",
        "study_note": "We had a great time performing this study and the results look compelling.",
    }
    index = ["sample1", "sample2", "sample3"]
    return _build(otype, index, genes, annotations, metadata, gene_symbols_in_index)


def small_dataset2(
    otype: Literal["DataFrame", "AnnData"] = "DataFrame",
    gene_symbols_in_index: bool = False,
) -> pd.DataFrame | AnnData:
    """Three more samples that share two genes and some labels with :func:`small_dataset1`.

    Example:
        >>> list(small_dataset2().index)  # doctest: +SKIP
        ['sample4', 'sample5', 'sample6']
    """
    import pandas as pd

    genes = {
        "ENSG00000153563": [2, 3, 3],
        "ENSG00000010610": [3, 4, 5],
        "ENSG00000004468": [4, 2, 3],
    }
    annotations = {
        "perturbation": pd.Categorical(["DMSO", "IFNG", "IFNG"]),
        "cell_type_by_model": pd.Categorical(["B cell", "T cell", "T cell"]),
    }
    metadata = {"temperature": 22.6, "experiment": "Experiment 2"}
    index = ["sample4", "sample5", "sample6"]
    return _build(otype, index, genes, annotations, metadata, gene_symbols_in_index)


def anndata_with_obs(n_obs: int = 40, n_vars: int = 100) -> AnnData:
    """A synthetic AnnData with count-like ``X`` and a categorical ``obs["cell_type"]``.

    Deterministic: the same arguments always give the same values.

    Example:
        >>> anndata_with_obs(n_obs=8, n_vars=5).shape  # doctest: +SKIP
        (8, 5)
    """
    import anndata
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed=0)
    X = rng.poisson(lam=1.0, size=(n_obs, n_vars)).astype(np.float32)
    cell_type = pd.Categorical(
        [_CELL_TYPES[i % len(_CELL_TYPES)] for i in range(n_obs)], categories=list(_CELL_TYPES)
    )
    obs = pd.DataFrame({"cell_type": cell_type}, index=[f"cell_{i}" for i in range(n_obs)])
    var = pd.DataFrame(index=[f"gene_{i}" for i in range(n_vars)])
    return anndata.AnnData(X=X, obs=obs, var=var)


def _build(
    otype: str,
    index: list[str],
    genes: dict[str, list[int]],
    annotations: dict[str, Any],
    metadata: dict[str, Any],
    gene_symbols_in_index: bool,
) -> pd.DataFrame | AnnData:
    import pandas as pd

    if gene_symbols_in_index:
        genes = {_GENE_SYMBOLS[gene_id]: values for gene_id, values in genes.items()}
    if otype == "DataFrame":
        df = pd.DataFrame({**genes, **annotations}, index=index)
        df.attrs = dict(metadata)
        return df
    if otype == "AnnData":
        import anndata

        X = pd.DataFrame(genes, index=index)
        obs = pd.DataFrame(annotations, index=index)
        return anndata.AnnData(
            X=X.to_numpy(), obs=obs, var=pd.DataFrame(index=list(genes)), uns=dict(metadata)
        )
    raise ValueError(f"otype must be 'DataFrame' or 'AnnData', not {otype!r}")
