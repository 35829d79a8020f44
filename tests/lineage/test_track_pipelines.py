"""Pipelines, @tracked functions, input tracking and notebooks, in this process or a kernel."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest


def test_pipeline_transform_with_version_and_params(ln):
    run = ln.track(transform=ln.Transform(key="my-pipeline", type="pipeline", version="1.2.0"), params={"lr": 0.1, "n": 3})
    try:
        source = ln.Artifact.from_df(pd.DataFrame({"p": [1, 2]}), key="pipe/in.parquet").save()
        assert source.run_id == run.pk
        other = ln.Artifact.from_df(pd.DataFrame({"q": [3]}), key="pipe/external.parquet")
        other.run = None
        other.save()
        other.load()  # an input: made outside this run
        source.load()  # not an input: this run made it
    finally:
        finished = ln.finish()
    assert finished.status == "completed" and finished.environment is not None
    assert [a.key for a in finished.input_artifacts.all()] == ["pipe/external.parquet"]
    assert ln.Run.filter(params__lr=0.1, transform__key="my-pipeline").count() == 1
    again = ln.track(transform=ln.Transform(key="my-pipeline", type="pipeline", version="1.2.0"))
    ln.finish()
    assert again.transform_id == run.transform_id
    assert ln.Transform.filter(key="my-pipeline").count() == 1


def test_loading_without_track_links_nothing(ln):
    artifact = ln.Artifact.from_df(pd.DataFrame({"z": [1]}), key="notrack/z.parquet").save()
    assert artifact.run is None
    artifact.load()
    artifact.cache()
    assert artifact.input_of_runs.count() == 0


def test_tracked_functions_nest_and_record_errors(ln):
    @ln.tracked()
    def normalize(key: str, factor: float = 2.0) -> str:
        df = ln.Artifact.get(key=key).load()
        out = ln.Artifact.from_df(df * factor, key=f"{key}.normalized.parquet").save()
        return out.key

    @ln.tracked()
    def pipeline(key: str) -> str:
        return normalize(key)

    @ln.tracked()
    def broken(x: int) -> None:
        raise RuntimeError(f"broken {x}")

    raw = ln.Artifact.from_df(pd.DataFrame({"v": [1.0, 2.0]}), key="fn/raw.parquet").save()
    out_key = pipeline("fn/raw.parquet")
    out = ln.Artifact.get(key=out_key)
    inner = out.run
    assert inner.transform.type == "function" and inner.transform.key.endswith("normalize")
    assert inner.params == {"key": "fn/raw.parquet", "factor": 2.0}
    assert [a.uid for a in inner.input_artifacts.all()] == [raw.uid]
    outer = inner.initiated_by_run
    assert outer.transform.key.endswith("pipeline") and outer.status == "completed"
    assert "def normalize" in inner.transform.source_code
    with pytest.raises(RuntimeError, match="broken 7"):
        broken(7)
    failed = ln.Run.filter(transform__key__endswith="broken").first()
    assert failed.status == "errored" and failed.params == {"x": 7}
    from biolake import _process

    assert _process.run.get() is None
    pipeline("fn/raw.parquet")
    assert ln.Transform.filter(key__endswith=".normalize").count() == 1  # same source: reused


def _write_notebook(path: Path, cells: list[tuple[str, str, int | None]]) -> None:
    import nbformat

    nb = nbformat.v4.new_notebook()
    for kind, text, count in cells:
        cell = nbformat.v4.new_markdown_cell(text) if kind == "markdown" else nbformat.v4.new_code_cell(text)
        if kind == "code":
            cell.execution_count = count
        nb.cells.append(cell)
    nbformat.write(nb, path)


def test_notebook_executed_headlessly(ln, tmp_path, monkeypatch):
    nbclient = pytest.importorskip("nbclient")
    import nbformat

    path = tmp_path / "explore.ipynb"
    _write_notebook(path, [
        ("markdown", "# Explore counts", None),
        ("code", "import biolake as ln\nln.track()", None),
        ("code", "import pandas as pd\nln.Artifact.from_df(pd.DataFrame({'n': [1]}), key='nb/out.parquet').save()", None),
        ("code", "ln.finish()", None),
    ])
    monkeypatch.setenv("JPY_SESSION_NAME", str(path))  # what Jupyter Server tells its kernels
    monkeypatch.delenv("BIOLAKE_RUN_UID", raising=False)
    nb = nbformat.read(path, as_version=4)
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    out = ln.Artifact.get(key="nb/out.parquet")
    transform = out.transform
    assert transform.type == "notebook" and transform.key == "explore.ipynb"
    assert transform.description == "Explore counts"
    assert "".join(json.loads(transform.source_code)["cells"][1]["source"]).startswith("import biolake")
    report = out.run.report
    html = report.cache().read_text()
    assert report.suffix == ".html" and "<html" in html and "Explore counts" in html and "track" in html
    assert out.run.status == "completed"


def test_out_of_order_notebook_warns(ln, tmp_path, monkeypatch, capsys):
    from biolake import _logging

    path = tmp_path / "messy.ipynb"
    _write_notebook(path, [("code", "x = 1", 2), ("code", "y = 2", 1)])
    monkeypatch.setenv("BIOLAKE_QUIET", "0")
    _logging.reset_console()
    ln.track(path=path)
    ln.finish()
    assert "out of order" in capsys.readouterr().out
