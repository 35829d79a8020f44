"""Artifact previews: DataFrame head and column summary, AnnData summary, images, text, HTML reports.

Each preview reads at most a bounded amount: frames larger than ``LOAD_LIMIT`` bytes show
only their first rows (parquet) and schema, text shows its first ``TEXT_LIMIT`` bytes.
"""

from __future__ import annotations

from typing import Any

LOAD_LIMIT = 50_000_000
TEXT_LIMIT = 64_000
HEAD_ROWS = 10
IMAGE_SUFFIXES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
                  ".webp": "image/webp", ".svg": "image/svg+xml"}
HTML_SUFFIXES = (".html", ".htm")
TEXT_SUFFIXES = (".txt", ".md", ".py", ".r", ".json", ".yaml", ".yml", ".csv", ".tsv", ".log", ".toml", ".ini",
                 ".sh", ".cfg", ".fasta", ".fa", ".gtf", ".bed", ".vcf", ".xml", ".ipynb", ".tex", ".rst")


def kind_of(artifact: Any) -> str:
    """``dataframe``, ``anndata``, ``image``, ``html``, ``text``, ``folder`` or ``none``."""
    suffix = (artifact.suffix or "").lower()
    if artifact.n_files and artifact.n_files > 1 or suffix == "":
        return "folder" if artifact.n_files else "none"
    if artifact.otype == "DataFrame" or suffix == ".parquet":
        return "dataframe"
    if artifact.otype == "AnnData" or suffix in (".h5ad", ".zarr"):
        return "anndata"
    if suffix in IMAGE_SUFFIXES:
        return "image"
    if suffix in HTML_SUFFIXES:
        return "html"
    if suffix in TEXT_SUFFIXES:
        return "text"
    return "none"


def preview(artifact: Any) -> dict[str, Any]:
    """The preview of ``artifact`` for the template (``kind`` plus what that kind shows)."""
    kind = kind_of(artifact)
    builders = {"dataframe": _dataframe, "anndata": _anndata, "text": _text}
    try:
        data = builders[kind](artifact) if kind in builders else {}
    except Exception as error:  # a preview never breaks the page
        return {"kind": "error", "message": f"{type(error).__name__}: {error}"}
    return {"kind": kind, **data}


def _frame_rows(df: Any) -> dict[str, Any]:
    head = df.head(HEAD_ROWS)
    return {
        "columns": [str(c) for c in head.columns],
        "index": [str(i) for i in head.index],
        "rows": [[_cell(v) for v in row] for row in head.itertuples(index=False, name=None)],
    }


def _cell(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _column_summary(df: Any) -> list[dict[str, Any]]:
    out = []
    for column in df.columns:
        series = df[column]
        entry: dict[str, Any] = {"name": str(column), "dtype": str(series.dtype),
                                 "nulls": int(series.isna().sum())}
        if str(series.dtype) == "category":
            counts = series.value_counts().head(5)
            entry["summary"] = ", ".join(f"{k} ({v})" for k, v in counts.items())
        elif series.dtype.kind in "iuf" and len(series):
            entry["summary"] = f"min {series.min():.4g}, mean {series.mean():.4g}, max {series.max():.4g}"
        else:
            entry["summary"] = f"{series.nunique()} distinct"
        out.append(entry)
    return out


def _dataframe(artifact: Any) -> dict[str, Any]:
    if (artifact.size or 0) <= LOAD_LIMIT:
        df = artifact.load()
        return {"shape": df.shape, **_frame_rows(df), "summary": _column_summary(df)}
    if (artifact.suffix or "").lower() != ".parquet":
        return {"message": "too large to preview"}
    import pyarrow.parquet as pq

    parquet = pq.ParquetFile(artifact.cache())
    head = next(parquet.iter_batches(batch_size=HEAD_ROWS)).to_pandas()
    shape = (parquet.metadata.num_rows, parquet.metadata.num_columns)
    summary = [{"name": f.name, "dtype": str(f.type), "nulls": "", "summary": ""} for f in parquet.schema_arrow]
    return {"shape": shape, **_frame_rows(head), "summary": summary}


def _anndata(artifact: Any) -> dict[str, Any]:
    import anndata as ad

    path = artifact.cache()
    adata = ad.read_zarr(path) if str(path).endswith(".zarr") else ad.read_h5ad(path, backed="r")
    try:
        obs = adata.obs
        categorical = [
            {"name": str(c), "counts": [(str(k), int(v)) for k, v in obs[c].value_counts().head(10).items()]}
            for c in obs.columns if str(obs[c].dtype) == "category"
        ]
        return {
            "shape": (adata.n_obs, adata.n_vars),
            "obs_columns": [(str(c), str(obs[c].dtype)) for c in obs.columns],
            "var_columns": [(str(c), str(adata.var[c].dtype)) for c in adata.var.columns],
            "categorical": categorical,
            "slots": {s: sorted(map(str, getattr(adata, s).keys())) for s in ("layers", "obsm", "varm", "uns")},
            "obs_head": _frame_rows(obs),
        }
    finally:
        if getattr(adata, "isbacked", False):
            adata.file.close()


def _text(artifact: Any) -> dict[str, Any]:
    from biolake.web.highlight import highlight

    with open(artifact.cache(), "rb") as handle:
        data = handle.read(TEXT_LIMIT + 1)
    text = data[:TEXT_LIMIT].decode("utf-8", errors="replace")
    name = artifact.key or f"file{artifact.suffix}"
    return {"html": highlight(text, name), "truncated": len(data) > TEXT_LIMIT}
