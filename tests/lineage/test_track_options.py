"""``ln.track(features=..., new_run=..., branch=...)``: LaminDB's other track arguments."""

from __future__ import annotations

import uuid

import nbformat
import pandas as pd
import pytest

from biolake.errors import BiolakeError, TrackingError


def _name(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:6]}"


def test_features_are_values_of_the_run(ln):
    temperature, expert = _name("temperature"), _name("expert")
    ln.Feature(name=temperature, dtype=float).save()
    ln.Feature(name=expert, dtype=str).save()
    run = ln.track(transform=ln.Transform(key=_name("feat-pipeline"), type="pipeline"),
                   features={temperature: 21.5, expert: "Jane"})
    ln.finish()
    assert run.features.get_values() == {temperature: 21.5, expert: "Jane"}


def test_an_unknown_feature_or_a_wrong_value_creates_nothing(ln):
    count = _name("count")
    ln.Feature(name=count, dtype=int).save()
    runs, key = ln.Run.filter().count(), _name("never")
    with pytest.raises(BiolakeError, match="no_such_feature"):
        ln.track(transform=ln.Transform(key=key, type="pipeline"), features={"no_such_feature": 1})
    with pytest.raises(BiolakeError, match=count):
        ln.track(transform=ln.Transform(key=key, type="pipeline"), features={count: "many"})
    assert ln.Run.filter().count() == runs
    assert not ln.Transform.filter(key=key).exists()
    assert ln.context.run is None


def test_new_run_false_restarts_the_latest_run(ln):
    key = _name("restart-pipeline")
    first = ln.track(transform=ln.Transform(key=key, type="pipeline"), params={"lr": 0.1})
    ln.finish()
    again = ln.track(transform=ln.Transform(key=key, type="pipeline"), new_run=False, params={"lr": 0.2})
    assert again.uid == first.uid and again.status == "started" and again.finished_at is None
    assert again.started_at > first.started_at and again.params == {"lr": 0.2}
    ln.finish()
    new = ln.track(transform=ln.Transform(key=key, type="pipeline"))  # scripts and pipelines: a new run
    ln.finish()
    assert new.uid != first.uid
    assert ln.Run.filter(transform__key=key).count() == 2


def test_a_notebook_restarts_its_run_unless_new_run_is_true(ln, tmp_path, capsys, monkeypatch):
    from biolake import _logging

    path = tmp_path / f"{_name('nb')}.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell("x = 1"))
    nbformat.write(nb, path)
    monkeypatch.setenv("BIOLAKE_QUIET", "0")
    _logging.reset_console()
    first = ln.track(path=path)
    ln.finish()
    again = ln.track(path=path)
    ln.finish()
    assert again.uid == first.uid
    assert f"re-started Run('{first.uid}') at " in capsys.readouterr().out
    fresh = ln.track(path=path, new_run=True)
    ln.finish()
    assert fresh.uid != first.uid
    assert ln.Run.filter(transform=first.transform).count() == 2


def test_a_restarted_notebook_run_versions_its_report(ln, tmp_path):
    """A notebook finished again in the same run with other outputs (same code): its new report is the
    next version of the old one (no report left behind without its run)."""
    path = tmp_path / f"{_name('nb')}.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell("x = 1"))
    nbformat.write(nb, path)
    run = ln.track(path=path)
    ln.finish()
    old_report = ln.Run.get(uid=run.uid).report
    nb.cells[0].outputs = [nbformat.v4.new_output("stream", text="another result\n")]
    nbformat.write(nb, path)
    again = ln.track(path=path)
    ln.finish()
    new_report = ln.Run.get(uid=again.uid).report
    assert again.uid == run.uid and new_report.uid != old_report.uid
    assert new_report.stem_uid == old_report.stem_uid and new_report.is_latest
    old_report.refresh_from_db()
    assert not old_report.is_latest
    assert list(new_report.versions.order_by("created_at").values_list("uid", flat=True)) == [old_report.uid, new_report.uid]


def test_branch_holds_the_run_and_its_records_until_finish(ln):
    name = _name("dev")
    branch = ln.Branch(name=name).save()
    run = ln.track(transform=ln.Transform(key=_name("branch-pipeline"), type="pipeline"), branch=name)
    try:
        inside = ln.Artifact.from_df(pd.DataFrame({"a": [1]}), key=f"{name}/inside.parquet").save()
    finally:
        finished = ln.finish()
    after = ln.Artifact.from_df(pd.DataFrame({"a": [2]}), key=f"{name}/after.parquet").save()
    assert inside.branch_id == branch.pk and run.branch_id == branch.pk and finished.branch_id == branch.pk
    assert after.branch_id == 1
    assert not ln.Artifact.filter(key=f"{name}/inside.parquet").exists()  # main shows main only
    from biolake import _process
    from biolake.setup import store

    instance = _process.instance.get()
    assert (instance.branch, instance.branch_id) == ("main", 1)
    assert store.load_instance(instance.name).branch == "main"  # `biolake switch` was not touched


def test_branch_must_exist_and_be_workable(ln):
    runs = ln.Run.filter().count()
    with pytest.raises(TrackingError, match=r"Branch 'nope' not found: create it with ln.Branch\(name='nope'\).save\(\)"):
        ln.track(transform=ln.Transform(key=_name("nobranch"), type="pipeline"), branch="nope")
    with pytest.raises(TrackingError, match="records there are hidden"):
        ln.track(transform=ln.Transform(key=_name("trash"), type="pipeline"), branch="trash")
    assert ln.Run.filter().count() == runs
    assert ln.context.run is None


def test_finish_of_an_out_of_order_notebook(ln, tmp_path, capsys, monkeypatch):
    from biolake import _logging

    path = tmp_path / f"{_name('messy')}.ipynb"
    nb = nbformat.v4.new_notebook()
    for source, count in (("x = 1", 2), ("y = 2", 1)):
        cell = nbformat.v4.new_code_cell(source)
        cell.execution_count = count
        nb.cells.append(cell)
    nbformat.write(nb, path)
    monkeypatch.setenv("BIOLAKE_QUIET", "0")
    _logging.reset_console()
    run = ln.track(path=path)
    with pytest.raises(TrackingError, match=r"ran out of order \(execution counts \[1\]\); re-run it top to bottom, or pass ignore_non_consecutive=True"):
        ln.finish(ignore_non_consecutive=False)
    assert ln.context.run == run and ln.Run.get(pk=run.pk).status == "started"  # still open
    capsys.readouterr()
    assert ln.finish(ignore_non_consecutive=True).status == "completed"
    assert "out of order" not in capsys.readouterr().out
