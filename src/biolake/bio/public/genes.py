"""The gene source: GENCODE gene tables (human, mouse) with HGNC synonyms for human genes.

The tables ship in ``biolake/bio/data/`` (see ``SOURCES.md`` there). The gene frame has
one row per Ensembl gene:

================  ===========================================================
column            meaning
================  ===========================================================
ensembl_gene_id   ``ENSG00000153563`` (the index of ``df()``)
symbol            ``CD8A``; null for genes without a name
description       approved gene name (human, where HGNC has one), else null
biotype           ``protein_coding``, ``lncRNA``, ...
synonyms          ``"|"``-joined previous and alias symbols (human only)
ncbi_gene_ids     ``"|"``-joined NCBI (Entrez) gene ids (human only)
hgnc_id           ``HGNC:1706`` (human only)
ensembl_version   the Ensembl version of the id in this GENCODE release
feature_length    length used by CELLxGENE for gene-length normalisation
organism          ``human`` or ``mouse``
================  ===========================================================
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
GENE_COLUMNS = (
    "ensembl_gene_id",
    "symbol",
    "description",
    "biotype",
    "synonyms",
    "ncbi_gene_ids",
    "hgnc_id",
    "ensembl_version",
    "feature_length",
    "organism",
)


def data_files(organism: str) -> list[Path]:
    """The shipped files that make up the gene source of ``organism`` (the gene table first)."""
    names = [f"genes_{organism}.parquet", f"gene_synonyms_{organism}.parquet", f"gene_xrefs_{organism}.parquet"]
    return [DATA_DIR / name for name in names if (DATA_DIR / name).exists()]


def read_source(spec: Any) -> pa.Table:
    """Reader of a gene :class:`~biolake.bio.public.sources.SourceSpec`: the gene frame as Arrow."""
    import pandas as pd
    import pyarrow as pa

    genes = pd.read_parquet(DATA_DIR / f"genes_{spec.organism}.parquet")
    genes["biotype"] = genes["biotype"].astype(str)
    genes["organism"] = spec.organism
    synonyms_path = DATA_DIR / f"gene_synonyms_{spec.organism}.parquet"
    if synonyms_path.exists():
        synonyms = pd.read_parquet(synonyms_path)
        synonyms["kind"] = pd.Categorical(synonyms["kind"].astype(str), ["previous", "alias"], ordered=True)
        joined = synonyms.sort_values(["ensembl_gene_id", "kind"]).groupby("ensembl_gene_id")["synonym"].agg("|".join)
        genes["synonyms"] = genes["ensembl_gene_id"].map(joined)
    xrefs_path = DATA_DIR / f"gene_xrefs_{spec.organism}.parquet"
    if xrefs_path.exists():
        genes = genes.merge(pd.read_parquet(xrefs_path), on="ensembl_gene_id", how="left")
    for column in GENE_COLUMNS:
        if column not in genes:
            genes[column] = None
    schema = pa.schema(
        [
            (c, pa.int16() if c == "ensembl_version" else pa.int32() if c == "feature_length" else pa.string())
            for c in GENE_COLUMNS
        ]
    )
    return pa.Table.from_pandas(genes[list(GENE_COLUMNS)], schema=schema, preserve_index=False)
