"""`biolake switch|merge` and `biolake record|project|reference|branch|space ls|describe`, in-process (CliRunner)."""

from __future__ import annotations

import uuid

import pandas as pd
import pytest
from click.testing import CliRunner, Result

from biolake.cli import main


def cli(*args: str, expect: int = 0) -> Result:
    result = CliRunner(env={"BIOLAKE_QUIET": "0"}).invoke(main, list(args))
    assert result.exit_code == expect, f"biolake {' '.join(args)} → {result.exit_code}\n{result.output}"
    return result


@pytest.fixture
def on_main(ln):
    yield ln
    if ln.setup.info()["branch"] != "main":
        ln.setup.switch("main")


def test_switch_create_then_merge_into_main(on_main):
    ln = on_main
    name = f"cli_{uuid.uuid4().hex[:6]}"
    assert f"switched to branch '{name}'" in cli("switch", "-c", name).stdout
    assert "branch" in cli("info").stdout and name in cli("info").stdout
    key = f"cli_branches/{name}.parquet"
    ln.connect(ln.setup.info()["name"])  # this process reads the choice the command persisted
    ln.Artifact.from_df(pd.DataFrame({"x": [1, 2]}), key=key).save()
    cli("switch", "main")
    ln.connect(ln.setup.info()["name"])
    assert not ln.Artifact.filter(key=key).exists()
    assert f"merged branch '{name}' into 'main'" in cli("merge", name).stdout
    assert ln.Artifact.filter(key=key).one().branch.name == "main"
    listed = cli("branch", "ls").stdout
    assert all(branch in listed for branch in ("main", "trash", "archive", name))


def test_switch_to_an_unknown_branch_is_one_line_error(on_main):
    result = cli("switch", "no_such_branch", expect=1)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "biolake switch -c no_such_branch" in lines[0] and "Traceback" not in result.output


def test_ls_and_describe_of_the_2x_registries(ln):
    sheet = ln.Record(name=f"CliSheet{uuid.uuid4().hex[:4]}", is_type=True).save()
    ln.Record(name="cli-sample", type=sheet).save()
    project = ln.Project(name=f"CliProject{uuid.uuid4().hex[:4]}", abbr="CLI").save()
    ln.Reference(name="CliReference", doi="10.1000/cli").save()
    assert "cli-sample" in cli("record", "ls").stdout and sheet.name in cli("record", "ls").stdout
    described = cli("record", "describe", "cli-sample").stdout
    assert described.startswith("Record") and f"type: {sheet.name}" in described
    assert project.name in cli("project", "ls").stdout
    assert "abbr: CLI" in cli("project", "describe", project.uid).stdout
    assert "10.1000/cli" in cli("reference", "ls").stdout
    assert "name: all" in cli("space", "describe", "all").stdout
    result = cli("project", "describe", "nothing-like-this", expect=1)
    assert "No Project record matches" in result.stderr
