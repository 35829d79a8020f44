"""Instance commands end to end through the CLI, in-process (CliRunner) on SQLite.

Each test creates its own uniquely named instances in tmp paths and deletes them, and the
``keep_current`` fixture gives the process back the current instance it had before, so the
tests that share this process (``instance`` / ``ln`` fixtures) are not disturbed.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from biolake.cli import main


def cli(*args: str, expect: int = 0) -> Result:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == expect, f"biolake {' '.join(args)} → {result.exit_code}\n{result.output}"
    return result


def assert_one_line_error(result: Result, *fragments: str) -> str:
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in lines[0]
    return lines[0]


def fields(info_output: str) -> dict[str, str]:
    """The ``label  value`` lines printed by ``biolake info``."""
    return dict(line.split(None, 1) for line in info_output.splitlines() if line.strip())


def unique_name() -> str:
    return f"cli{os.getpid()}{uuid.uuid4().hex[:8]}"


@pytest.fixture
def keep_current() -> Iterator[None]:
    """Restore the current and the active instance of this process after the test."""
    from biolake.setup import django_boot, store

    current, active = store.current_name(), django_boot.active_instance()
    yield
    known = store.list_instances()
    store.set_current(current if current in known else None)
    if active is not None and active.name in known:
        django_boot.activate(active)
    else:
        django_boot.deactivate()


@pytest.fixture
def names(keep_current: None) -> Iterator[list[str]]:
    """Names of the instances a test creates; whatever is left is deleted afterwards."""
    from biolake import setup
    from biolake.setup import store

    created: list[str] = []
    yield created
    for name in created:
        if name in store.list_instances():
            setup.delete(name, force=True)


def test_init_info_save_ls_load_describe_delete(names, tmp_path):
    name = unique_name()
    names.append(name)
    storage = tmp_path / "lake"
    cli("init", "--storage", str(storage), "--name", name)

    info = fields(cli("info").stdout)
    assert info["instance"] == name and info["storage"] == str(storage.resolve())
    assert info["db"].startswith("sqlite:///") and info["modules"] == "none" and info["user"]
    assert (info["artifacts"], info["transforms"], info["runs"]) == ("0", "0", "0")

    data = tmp_path / "counts.csv"
    data.write_text("gene,count\nCD8A,3\nIFNG,7\n")
    saved = cli("save", str(data), "--key", "raw/counts.csv", "--description", "a small table").stdout
    uid = saved.split("uid: ", 1)[1].split()[0]
    assert len(uid) == 20 and "key: raw/counts.csv" in saved
    assert fields(cli("info").stdout)["artifacts"] == "1"

    listing = cli("artifact", "ls").stdout
    assert uid in listing and "raw/counts.csv" in listing and ".csv" in listing

    path = Path(cli("load", uid).stdout.strip())
    assert path.is_file() and path.read_text() == data.read_text()

    described = cli("artifact", "describe", uid).stdout
    assert uid in described and "a small table" in described

    refused = cli("delete", name, expect=1)
    assert_one_line_error(refused, name, "--force")
    assert path.exists()

    cli("delete", name, "--force")
    assert not path.exists() and not (storage / ".biolake").exists()
    assert_one_line_error(cli("connect", name, expect=1), "biolake init")


def test_connect_unknown_name_names_init(keep_current):
    line = assert_one_line_error(cli("connect", "no-such-instance-xyz", expect=1), "biolake init")
    assert "no-such-instance-xyz" in line


def test_commands_without_a_current_instance_name_init(names, tmp_path):
    name = unique_name()
    names.append(name)
    cli("init", "--storage", str(tmp_path / "lake"), "--name", name)
    cli("disconnect")
    for args in (["info"], ["artifact", "ls"], ["load", "raw/x.csv"], ["save", __file__], ["migrate"]):
        assert_one_line_error(cli(*args, expect=1), "biolake init")


def test_connect_by_name_and_by_path_switches_instances(names, tmp_path):
    first, second = unique_name(), unique_name()
    names += [first, second]
    cli("init", "--storage", str(tmp_path / "one"), "--name", first)
    cli("init", "--storage", str(tmp_path / "two"), "--name", second)
    assert fields(cli("info").stdout)["instance"] == second
    cli("connect", first)
    assert fields(cli("info").stdout)["instance"] == first
    cli("connect", str(tmp_path / "two"))
    assert fields(cli("info").stdout)["instance"] == second
    assert "database is up to date" in CliRunner(env={"BIOLAKE_QUIET": "0"}).invoke(main, ["migrate"]).stdout


def test_init_refusals_are_one_line(names, tmp_path):
    name = unique_name()
    names.append(name)
    cli("init", "--storage", str(tmp_path / "lake"), "--name", name)
    assert_one_line_error(
        cli("init", "--storage", str(tmp_path / "other"), "--name", name, expect=1), "already exists"
    )
    assert_one_line_error(
        cli("init", "--storage", str(tmp_path / "third"), "--name", unique_name(), "--modules", "nosuch", expect=1),
        "Unknown schema module",
    )
    assert_one_line_error(cli("init", "--storage", str(tmp_path / "x"), "--name", "bad name!", expect=1), "Invalid")
    assert cli("init", expect=2).exit_code == 2  # click's usage error: --storage is required


def test_info_redacts_the_database_password(keep_current, tmp_path):
    """The settings are printed before connecting; an unreachable server is one error line."""
    pytest.importorskip("psycopg")
    from biolake.setup import store

    name = unique_name()
    settings_file = Path(os.environ["BIOLAKE_HOME"]) / "instances" / f"{name}.json"
    settings_file.parent.mkdir(parents=True, exist_ok=True)
    settings_file.write_text(
        json.dumps({"name": name, "storage_root": str(tmp_path), "db": "postgresql://alice:s3cret@127.0.0.1:1/lake"})
    )
    try:
        store.set_current(name)
        result = cli("info", expect=1)
        assert "postgresql://alice:***@127.0.0.1:1/lake" in result.stdout
        assert "s3cret" not in result.output
        assert_one_line_error(result, "database error")
    finally:
        store.remove_instance(name)
