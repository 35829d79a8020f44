"""Example files and in-memory objects LaminDB's guides load from ``ln.core.datasets``.

Everything is generated here, offline and deterministically (no download): small files in
the current folder (or the default storage location with ``in_storage_root=True``) and
synthetic objects shaped like the datasets LaminDB's guides use.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd
    from anndata import AnnData

# marker genes of peripheral blood mononuclear cells (HGNC symbols)
_PBMC_GENES = (
    "CD3D", "CD3E", "CD2", "IL7R", "CCR7", "LEF1", "TCF7", "CD8A", "CD8B", "GZMK", "GZMB", "GZMA",
    "NKG7", "GNLY", "PRF1", "KLRD1", "KLRB1", "NCAM1", "FCGR3A", "MS4A7", "CD14", "LYZ", "S100A8",
    "S100A9", "FCN1", "VCAN", "CST3", "FCER1A", "CLEC10A", "CD1C", "MS4A1", "CD79A", "CD79B", "CD19",
    "IGHM", "IGKC", "PPBP", "PF4", "GP9", "ITGA2B", "HBB", "HBA1", "CD4", "FOXP3", "IL2RA", "CTLA4",
    "MKI67", "TOP2A", "LTB", "CD27", "SELL", "CD69", "JUN", "FOS", "MALAT1", "ACTB", "GAPDH", "B2M",
    "TMSB4X", "RPL13", "RPS27", "HLA-DRA", "HLA-DRB1", "CD74", "LILRA4", "IRF7", "CLEC4C", "TPSAB1",
)
_PBMC_CELL_TYPES = ("CD4-positive, alpha-beta T cell", "CD8-positive, alpha-beta T cell", "B cell",
                    "natural killer cell", "CD14-positive monocyte", "dendritic cell")
_IRIS_MEANS = {  # per species: sepal length, sepal width, petal length, petal width (cm)
    "setosa": (5.0, 3.4, 1.5, 0.2),
    "versicolor": (5.9, 2.8, 4.3, 1.3),
    "virginica": (6.6, 3.0, 5.6, 2.0),
}


def _target(name: str, in_storage_root: bool) -> Path:
    if in_storage_root:
        from biolake.setup.settings import settings

        root = str(settings.storage)
        if "://" not in root:
            return Path(root) / name
    return Path(name)


def file_mini_csv(in_storage_root: bool = False) -> Path:
    """A three-row CSV file ``mini.csv`` (one column ``test``).

    Args:
        in_storage_root: write it into the root of the default (local) storage location, to
            register it in place.

    Example:
        >>> ln.Artifact(ln.core.datasets.file_mini_csv(), key="mini.csv").save()  # doctest: +SKIP
    """
    path = _target("mini.csv", in_storage_root)
    path.write_text("test\n1\n2\n3\n")
    return path


def file_fastq(in_storage_root: bool = False) -> Path:
    """A small gzipped FASTQ file ``input.fastq.gz`` with two reads."""
    import gzip

    path = _target("input.fastq.gz", in_storage_root)
    reads = "@read1\nACGTACGTAC\n+\nIIIIIIIIII\n@read2\nTTGACCAGTA\n+\nIIIIIIIIII\n"
    path.write_bytes(gzip.compress(reads.encode(), mtime=0))
    return path


def file_bam(in_storage_root: bool = False) -> Path:
    """A small BAM file ``output.bam``: the two reads of :func:`file_fastq` aligned to a 100-base
    reference ``chr_mini`` (valid BGZF and BAM records; readable by samtools and pysam)."""
    from biolake.core.datasets.bam import bam_bytes

    path = _target("output.bam", in_storage_root)
    reads = [("read1", 10, "ACGTACGTAC", "IIIIIIIIII"), ("read2", 42, "TTGACCAGTA", "IIIIIIIIII")]
    path.write_bytes(bam_bytes(("chr_mini", 100), reads))
    return path


def anndata_pbmc68k_reduced() -> AnnData:
    """A synthetic stand-in for scanpy's ``pbmc68k_reduced``: 70 cells of 6 blood cell types,
    68 marker genes, ``obs`` columns ``cell_type``, ``n_genes``, ``percent_mito``, ``louvain``."""
    import anndata
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed=68)
    n_obs = 70
    X = rng.gamma(shape=1.0, scale=1.5, size=(n_obs, len(_PBMC_GENES))).astype(np.float32)
    types = [_PBMC_CELL_TYPES[i % len(_PBMC_CELL_TYPES)] for i in range(n_obs)]
    obs = pd.DataFrame(
        {
            "cell_type": pd.Categorical(types, categories=list(_PBMC_CELL_TYPES)),
            "n_genes": rng.integers(400, 1800, size=n_obs),
            "percent_mito": rng.uniform(0.0, 0.08, size=n_obs).round(4),
            "louvain": pd.Categorical([str(_PBMC_CELL_TYPES.index(t)) for t in types]),
        },
        index=[f"cell{i:03d}" for i in range(n_obs)],
    )
    var = pd.DataFrame(index=list(_PBMC_GENES))
    return anndata.AnnData(X=X, obs=obs, var=var)


def anndata_file_pbmc68k_test() -> Path:
    """The first 30 cells of :func:`anndata_pbmc68k_reduced` written to ``pbmc68k_test.h5ad``."""
    path = Path("pbmc68k_test.h5ad")
    anndata_pbmc68k_reduced()[:30].copy().write_h5ad(path)
    return path


def df_iris() -> pd.DataFrame:
    """A synthetic iris table: 150 flowers, four measurements in cm and ``iris_organism_name``."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed=150)
    rows = []
    for species, means in _IRIS_MEANS.items():
        values = rng.normal(loc=means, scale=(0.35, 0.3, 0.2, 0.1), size=(50, 4)).clip(0.1).round(1)
        rows += [(*v, species) for v in values]
    columns = ["sepal_length", "sepal_width", "petal_length", "petal_width", "iris_organism_name"]
    return pd.DataFrame(rows, columns=columns)


def df_iris_in_meter() -> pd.DataFrame:
    """:func:`df_iris` with lengths in meters."""
    df = df_iris()
    numeric = df.columns[:4]
    df[numeric] = df[numeric] / 100
    return df


def df_iris_in_meter_study1() -> pd.DataFrame:
    """The first half of :func:`df_iris_in_meter`."""
    return df_iris_in_meter().iloc[:75]


def df_iris_in_meter_study2() -> pd.DataFrame:
    """The second half of :func:`df_iris_in_meter`."""
    return df_iris_in_meter().iloc[75:]
