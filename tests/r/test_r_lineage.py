"""R code as transforms, seen from Python: Rscript's --file=, $BIOLAKE_R_SOURCE, save_code for .R/.Rmd."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from biolake.lineage.rscript import R_SOURCE_ENV, r_source


def test_r_source_from_rscript_file_argument(tmp_path, monkeypatch):
    monkeypatch.delenv(R_SOURCE_ENV, raising=False)
    script = tmp_path / "analysis.R"
    script.write_text("x <- 1\n")
    assert r_source(["/usr/lib/R/bin/exec/R", "--no-echo", "--no-restore", f"--file={script}"]) == script.resolve()
    assert r_source(["/usr/lib/R/bin/exec/R", "--file=notes.txt"]) is None
    assert r_source([]) is None
    monkeypatch.setenv(R_SOURCE_ENV, str(script))
    assert r_source([]) == script.resolve()


def test_track_in_embedded_python_uses_the_r_file(ln, tmp_path, instance):
    rmd = tmp_path / "report.Rmd"
    rmd.write_text("---\ntitle: t\n---\n```{r}\n1 + 1\n```\n")
    code = f"import biolake as ln; ln.connect({instance.name!r}); run = ln.track(); print(run.transform.key, run.transform.type); ln.finish()"
    src = str(Path(__file__).resolve().parents[2] / "src")
    env = {**os.environ, R_SOURCE_ENV: str(rmd), "PYTHONPATH": os.pathsep.join(filter(None, [src, os.environ.get("PYTHONPATH")]))}
    env.pop("BIOLAKE_RUN_UID", None)
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "report.Rmd notebook" in result.stdout
    transform = ln.Transform.get(key="report.Rmd")
    assert transform.source_code == rmd.read_text() and transform.runs.get().status == "completed"


def test_save_code_stores_an_rmd_with_its_html_report_on_the_latest_run(ln, tmp_path):
    from biolake.lineage.register import save_code

    rmd = tmp_path / "analysis.Rmd"
    rmd.write_text("---\ntitle: analysis\n---\n```{r}\nsummary(cars)\n```\n")
    with pytest.raises(ln.errors.TrackingError, match="render it first"):
        save_code(rmd)
    (tmp_path / "analysis.html").write_text("<html><body>rendered summary</body></html>")
    transform, run = save_code(rmd)
    assert transform.key == "analysis.Rmd" and transform.type == "notebook"
    assert "summary(cars)" in transform.source_code
    assert run.transform == transform and run.report.suffix == ".html"
    assert "rendered summary" in run.report.cache().read_text()
    script = tmp_path / "clean.R"
    script.write_text("df <- read.csv('x.csv')\n")
    transform, run = save_code(script)
    assert transform.type == "script" and run is None and transform.source_code == script.read_text()
