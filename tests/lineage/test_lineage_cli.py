"""CLI for lineage: save a script or notebook, load a transform's source, list and describe runs."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from biolake.cli import main


@pytest.fixture
def cli(ln):
    runner = CliRunner()

    def invoke(*args: str):
        result = runner.invoke(main, list(args), catch_exceptions=False)
        return result

    return invoke


def test_save_script_then_load_its_source(cli, ln, tmp_path, monkeypatch):
    script = tmp_path / "qc_step.py"
    script.write_text('"""Quality control."""\ntoken = "s3cr3t"\nprint("qc")\n')
    result = cli("save", str(script))
    assert result.exit_code == 0, result.output
    transform = ln.Transform.get(key="qc_step.py")
    assert f"transform: {transform.uid}" in result.output
    assert transform.type == "script" and transform.description == "Quality control."
    assert "s3cr3t" not in transform.source_code

    monkeypatch.chdir(tmp_path / "..")
    out = tmp_path / "restored.py"
    loaded = cli("load", "qc_step.py", "--to", str(out))
    assert loaded.exit_code == 0, loaded.output
    assert out.read_text() == transform.source_code
    out.write_text("changed")
    refused = CliRunner().invoke(main, ["load", transform.uid, "--to", str(out)])
    assert refused.exit_code == 1 and "--force" in refused.output
    assert cli("load", transform.uid[:12], "--to", str(out), "--force").exit_code == 0


def test_save_notebook_registers_a_run_with_html_report(cli, ln, tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Look at data"), nbformat.v4.new_code_cell("1 + 1")]
    path = tmp_path / "look.ipynb"
    nbformat.write(nb, path)
    result = cli("save", str(path))
    assert result.exit_code == 0, result.output
    transform = ln.Transform.get(key="look.ipynb")
    run = transform.runs.get()
    assert run.status == "completed" and run.report.suffix == ".html"
    assert "Look at data" in run.report.cache().read_text()


def test_run_ls_and_describe(cli, ln):
    run = ln.track(transform=ln.Transform(key="cli-pipeline", type="pipeline"), params={"alpha": 3})
    ln.finish()
    listed = cli("run", "ls", "--transform", "cli-pipeline")
    assert listed.exit_code == 0 and run.uid in listed.output and "completed" in listed.output
    described = cli("run", "describe", run.uid)
    assert described.exit_code == 0
    for text in ("cli-pipeline", "completed", "environment", "params", "alpha"):
        assert text in described.output


def test_unknown_uid_is_one_line(ln):
    result = CliRunner().invoke(main, ["load", "nothing-like-this"])
    assert result.exit_code == 1 and "No artifact or transform" in result.output
