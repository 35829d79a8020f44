"""Fill an instance with what the web UI shows: artifacts of each preview kind, versions, labels,
features, a schema, bio terms, runs with source code, a collection and an HTML report.

A module of its own (not conftest) so that the subprocess and screenshot helpers can import it.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

# a 2×2 PNG
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg=="
)
HOSTILE = "<script>alert('x')</script>"
REPORT_HTML = "<html><body><h1>QC report</h1><script>parent.document.title='pwned'</script></body></html>"


def in_run(ln: Any, key: str, source_code: str, make: Any, inputs: tuple[Any, ...] = ()) -> Any:
    """Call ``make()`` inside a completed run of transform ``key``: what it saves is that run's output."""
    from biolake import _process

    transform = ln.Transform(key=key, type="script", source_code=source_code).save()
    run = ln.Run(transform=transform, params={"lr": 0.1}).save()
    token = _process.run.set(run)
    try:
        for artifact in inputs:
            run.input_artifacts.add(artifact)
        out = make()
    finally:
        _process.run.reset(token)
    run.status = "completed"
    run.save()
    return out


def populate(ln: Any, folder: Path, bio: bool = True) -> dict[str, Any]:
    """Create the records; returns the interesting ones by name."""
    import pandas as pd

    folder.mkdir(parents=True, exist_ok=True)
    out: dict[str, Any] = {}
    df = ln.core.datasets.small_dataset1(with_typo=True)
    out["v0"] = ln.Artifact.from_df(df, key="my_datasets/rnaseq1.parquet", description=HOSTILE).save()
    df["perturbation"] = df["perturbation"].cat.rename_categories({"IFNJ": "IFNG"})
    out["v1"] = ln.Artifact.from_df(df, key="my_datasets/rnaseq1.parquet").save()
    # a curated artifact linked to IFNG through a schema
    ptype = ln.ULabel(name="Perturbation", is_type=True).save()
    ln.ULabel(name="DMSO", type=ptype).save()
    ln.ULabel(name="IFNG", type=ptype).save()
    schema = ln.Schema(name="My DataFrame schema", features=[
        ln.Feature(name="ENSG00000153563", dtype=int).save(),
        ln.Feature(name="perturbation", dtype=ln.ULabel).save()]).save()
    curated = ln.core.datasets.small_dataset1().assign(batch="b1")
    out["curated"] = in_run(ln, "curate.py", "import biolake as ln\n\ncurator = ln.curators.DataFrameCurator(df, schema)\n",
                            lambda: ln.curators.DataFrameCurator(curated, schema).save_artifact(key="my_curated_dataset.parquet"))
    ln.Feature(name="temperature", dtype=float).save()
    out["curated"].features.add_values({"temperature": 21.6})
    out["adata"] = ln.Artifact.from_anndata(ln.core.datasets.anndata_with_obs(n_obs=30), key="scrna/batch1.h5ad").save()
    for name, data in {"image.png": PNG, "notes.md": b"# Notes\n\nSome *markdown*.\n", "log.txt": b"line 1\nline 2\n",
                       "report.html": REPORT_HTML.encode()}.items():
        (folder / name).write_bytes(data)
        out[name] = ln.Artifact(str(folder / name), key=f"files/{name}").save()
    hostile = folder / "hostile.txt"
    hostile.write_text("hostile")
    out["hostile"] = ln.Artifact(str(hostile), key=f"files/{HOSTILE}.txt").save()
    out["raw"] = ln.Artifact.from_df(pd.DataFrame({"gene": ["A", "B", "C"], "count": [1, 2, 3]}),
                                     key="raw/counts.parquet").save()
    out["derived"] = in_run(
        ln, "analysis.py",
        "import biolake as ln\n\ndf = ln.Artifact.get(key='raw/counts.parquet').load()\n"
        "ln.Artifact.from_df(df.head(2), key='derived/top.parquet').save()\n",
        lambda: ln.Artifact.from_df(out["raw"].load().head(2), key="derived/top.parquet").save(), inputs=(out["raw"],))
    out["collection"] = ln.Collection([out["raw"], out["derived"]], key="my-collection").save()
    if bio:
        from biolake import bio as bt

        tcell = bt.CellType.from_source(name="T cell").save()
        ln.Feature(name="cell_type", dtype=bt.CellType).save()
        out["curated"].features.add_values({"cell_type": "T cell"})
        out["tcell"] = tcell
    return out
