"""ln.track() / ln.finish() in real script processes: transforms, runs, inputs, outputs, reports."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

ANALYSIS = '''\
"""Top genes of raw counts."""
import biolake as ln

ln.track(params={"lr": 0.1})
raw = ln.Artifact.get(key="raw/counts.parquet")
df = raw.load()
print("loaded", len(df), "rows")
print("connecting with api_key='sk-abcdefghijklmnopqrstuvwx'")
ln.Artifact.from_df(df.head(2), key="derived/top.parquet").save()
password = "hunter2"
ln.finish()
'''


def run_script(path: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "BIOLAKE_QUIET": "0", **(env or {})}
    full_env.pop("BIOLAKE_RUN_UID", None)
    return subprocess.run(
        [sys.executable, str(path), *args], cwd=path.parent, env=full_env, capture_output=True, text=True, timeout=180
    )


@pytest.fixture
def raw(ln):
    return ln.Artifact.from_df(pd.DataFrame({"gene": ["CD8A", "CD4", "CD14"], "count": [10, 3, 7]}), key="raw/counts.parquet").save()


def test_script_run_records_transform_run_inputs_outputs(ln, raw, tmp_path):
    script = tmp_path / "analysis.py"
    script.write_text(ANALYSIS)
    result = run_script(script, "--lr", "0.1")
    assert result.returncode == 0, result.stderr
    assert "created Transform(" in result.stdout and "started new Run(" in result.stdout

    art = ln.Artifact.get(key="derived/top.parquet")
    run = art.run
    transform = art.transform
    assert transform.key == "analysis.py" and transform.type == "script"
    assert transform.description == "Top genes of raw counts."
    assert 'password = "<redacted>"' in transform.source_code and "hunter2" not in transform.source_code
    assert run.status == "completed" and run.finished_at >= run.started_at
    assert run.params == {"lr": 0.1} and run.cli_args == "--lr 0.1"
    assert [a.uid for a in run.input_artifacts.all()] == [raw.uid]
    assert ln.Run.filter(params__lr=0.1).filter(pk=run.pk).exists()
    report = run.report.cache().read_text()
    assert "loaded 3 rows" in report and "sk-abcdefghijklmnopqrstuvwx" not in report  # logs are redacted
    environment = run.environment.cache().read_text()
    assert "django==" in environment.lower() and environment.startswith("# python ")
    assert not ln.Artifact.filter(key__isnull=True, description__startswith="log of").exists()  # hidden kind

    again = run_script(script, "--lr", "0.1")
    assert again.returncode == 0, again.stderr
    runs = ln.Run.filter(transform=transform).order_by("started_at")
    assert runs.count() == 2
    assert runs[1].environment_id == runs[0].environment_id  # deduplicated by hash

    script.write_text(ANALYSIS.replace('"lr": 0.1', '"lr": 0.2'))
    changed = run_script(script)
    assert changed.returncode == 0, changed.stderr
    assert "source code of 'analysis.py' changed" in changed.stdout
    newest = ln.Transform.get(key="analysis.py")
    assert newest.stem_uid == transform.stem_uid and newest.uid != transform.uid
    assert [t.uid for t in newest.versions] == [transform.uid, newest.uid]


def test_exception_marks_the_run_errored_and_keeps_the_report(ln, tmp_path):
    script = tmp_path / "crash.py"
    script.write_text("import biolake as ln\nln.track()\nprint('about to fail')\nraise ValueError('bad input 42')\n")
    result = run_script(script)
    assert result.returncode == 1 and "bad input 42" in result.stderr
    run = ln.Run.filter(transform__key="crash.py").order_by("-started_at").first()
    assert run.status == "errored" and run.finished_at is not None
    log = run.report.cache().read_text()
    assert "about to fail" in log and "ValueError: bad input 42" in log


def test_script_without_finish_is_completed_at_exit(ln, tmp_path):
    script = tmp_path / "nofinish.py"
    script.write_text("import biolake as ln\nln.track()\nprint('done')\n")
    assert run_script(script).returncode == 0
    run = ln.Run.filter(transform__key="nofinish.py").first()
    assert run.status == "completed" and "done" in run.report.cache().read_text()


def test_subprocess_runs_link_to_their_parent_run(ln, tmp_path):
    (tmp_path / "child.py").write_text("import biolake as ln\nln.track()\nln.finish()\n")
    parent = tmp_path / "parent.py"
    parent.write_text(textwrap.dedent("""\
        import subprocess, sys
        import biolake as ln
        run = ln.track()
        subprocess.run([sys.executable, "child.py"], check=True)
        ln.finish()
    """))
    result = run_script(parent)
    assert result.returncode == 0, result.stderr
    parent_run = ln.Run.filter(transform__key="parent.py").first()
    child_run = ln.Run.filter(transform__key="child.py").first()
    assert child_run.initiated_by_run_id == parent_run.pk
    assert list(parent_run.initiated_runs.all()) == [child_run]


def test_track_outside_a_script_needs_a_path(ln):
    with pytest.raises(ln.errors.TrackingError, match="path="):
        ln.track(path="/nonexistent/script.py")
    with pytest.raises(ln.errors.TrackingError, match="ln.track"):
        ln.finish()
