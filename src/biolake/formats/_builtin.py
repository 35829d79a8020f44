"""The formats and object types biolake knows out of the box; the registry adds them on first use."""

from __future__ import annotations

from biolake.formats._format import Format

_DF = "biolake.formats.dataframe"
_AD = "biolake.formats.anndata"
_MD = "biolake.formats.mudata"
_TEXT = "biolake.formats.text"
_PLAIN = "biolake.formats.plain"

# Known files that nothing parses in memory: load() returns their path.
PLAIN_SUFFIXES = (
    # images
    ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".webp", ".svg", ".tif", ".tiff",
    # documents and notebooks
    ".html", ".htm", ".pdf", ".ipynb", ".rmd", ".qmd",
    # code
    ".py", ".r", ".sh", ".sql",
    # sequencing and genomics
    ".fastq", ".fastq.gz", ".fq", ".fq.gz", ".fasta", ".fa", ".fa.gz", ".fasta.gz",
    ".bam", ".bai", ".sam", ".cram", ".vcf", ".vcf.gz", ".bed", ".bed.gz", ".gtf", ".gtf.gz",
    ".gff", ".gff3", ".mtx", ".mtx.gz", ".loom",
    # arrays, archives, serialized objects
    ".npy", ".npz", ".pt", ".pth", ".pkl", ".rds", ".zip", ".tar", ".tar.gz", ".tgz", ".gz",
)  # fmt: skip

BUILTIN_OTYPES = {
    "DataFrame": ("pandas", "DataFrame"),
    "AnnData": ("anndata", "AnnData"),
    "MuData": ("mudata", "MuData"),
}
"""Object type → (module, class name) of the class that identifies it."""

BUILTIN_FORMATS = (
    Format(
        "parquet", (".parquet",), otype="DataFrame", tabular=True,
        writer=f"{_DF}:write_parquet", loader=f"{_DF}:load_parquet",
        opener=f"{_DF}:open_parquet", counter=f"{_DF}:count_rows",
    ),
    Format(
        "csv", (".csv", ".tsv", ".csv.gz", ".tsv.gz"), otype="DataFrame", tabular=True,
        writer=f"{_DF}:write_csv", loader=f"{_DF}:load_csv", counter=f"{_DF}:count_rows",
    ),
    Format(
        "h5ad", (".h5ad",), otype="AnnData",
        writer=f"{_AD}:write_h5ad", loader=f"{_AD}:load_h5ad",
        opener=f"{_AD}:open_h5ad", counter=f"{_AD}:count_obs",
    ),
    Format(
        "zarr", (".zarr", ".anndata.zarr"), otype="AnnData",
        writer=f"{_AD}:write_zarr", loader=f"{_AD}:load_zarr",
        opener=f"{_AD}:open_zarr", counter=f"{_AD}:count_obs",
    ),
    Format(
        "h5mu", (".h5mu",), otype="MuData", requires=("mudata",),
        writer=f"{_MD}:write_h5mu", loader=f"{_MD}:load_h5mu", counter=f"{_AD}:count_obs",
    ),
    Format("text", (".txt", ".md", ".log"), loader=f"{_TEXT}:load_text"),
    Format("json", (".json",), loader=f"{_TEXT}:load_json"),
    Format("vitessce", (".vitessce.json",), loader=f"{_TEXT}:load_json"),  # a Vitessce view config
    Format("yaml", (".yaml", ".yml"), loader=f"{_TEXT}:load_yaml", requires=("yaml",)),
    Format("hdf5", (".h5", ".hdf5"), loader=f"{_PLAIN}:load_path", opener=f"{_PLAIN}:open_h5"),
    Format("fcs", (".fcs",), loader=f"{_PLAIN}:load_fcs"),
    Format("plain", PLAIN_SUFFIXES, loader=f"{_PLAIN}:load_path"),
)  # fmt: skip
