"""`biolake save|load` and `biolake artifact ls|get|describe`, in-process (CliRunner) on SQLite.

The module makes its own uniquely named instance with `biolake init`, makes it current for
each test and deletes it at the end, restoring the process's previous current instance.
"""

from __future__ import annotations

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


def assert_one_line_error(result: Result, *fragments: str) -> None:
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def saved_uid(result: Result) -> str:
    (uid,) = [line.removeprefix("uid: ") for line in result.stdout.splitlines() if line.startswith("uid: ")]
    return uid


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from biolake import setup
    from biolake.setup import django_boot, store

    current, active = store.current_name(), django_boot.active_instance()
    name = f"cli{os.getpid()}{uuid.uuid4().hex[:8]}"
    cli("init", "--storage", str(tmp_path_factory.mktemp("lake")), "--name", name)
    yield name
    setup.delete(name, force=True)
    known = store.list_instances()
    store.set_current(current if current in known else None)
    if active is not None and active.name in known:
        django_boot.activate(active)
    else:
        django_boot.deactivate()


@pytest.fixture(autouse=True)
def connected(lake: str) -> None:
    cli("connect", lake)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_save_records_key_description_kind(tmp_path):
    import biolake as ln

    result = cli("save", str(write(tmp_path / "m.txt", "weights")), "--key", "models/m.txt",
                 "--description", "a model", "--kind", "model")
    uid = saved_uid(result)
    assert result.stdout.splitlines()[1] == "key: models/m.txt"
    artifact = ln.Artifact.get(uid)
    assert (artifact.key, artifact.description, artifact.kind) == ("models/m.txt", "a model", "model")


def test_save_without_key_and_same_bytes_again(tmp_path):
    file = write(tmp_path / "nokey.csv", "x\n1\n")
    first = cli("save", str(file))
    assert first.stdout.splitlines()[1] == "key: -"
    again = CliRunner(env={"BIOLAKE_QUIET": "0"}).invoke(main, ["save", str(file), "--key", "other/nokey.csv"])
    assert again.exit_code == 0 and saved_uid(again) == saved_uid(first)
    assert "already registered" in again.stdout and "key: -" in again.stdout


def test_versions_load_and_ls(tmp_path):
    file = write(tmp_path / "v.csv", "a\n1\n")
    v1 = saved_uid(cli("save", str(file), "--key", "versions/v.csv"))
    write(file, "a\n2\n")
    v2 = saved_uid(cli("save", str(file), "--key", "versions/v.csv"))
    assert v1[:16] == v2[:16] and v1 != v2

    assert Path(cli("load", "versions/v.csv").stdout.strip()).read_text() == "a\n2\n"
    assert Path(cli("load", v2[:16]).stdout.strip()).read_text() == "a\n2\n"
    assert Path(cli("load", v1).stdout.strip()).read_text() == "a\n1\n"

    latest = cli("artifact", "ls", "--key-prefix", "versions/").stdout
    assert v2 in latest and v1 not in latest
    every = cli("artifact", "ls", "--key-prefix", "versions/", "--all-versions").stdout
    assert v1 in every and v2 in every
    limited = cli("artifact", "ls", "--key-prefix", "versions/", "--all-versions", "--limit", "1").stdout
    assert v2 in limited and v1 not in limited and "1 of 2 artifacts shown" in limited

    assert cli("artifact", "ls", "--key-prefix", "nothing/here/").stdout.startswith("No artifacts with a key")
    assert cli("artifact", "ls", "--limit", "0", expect=2).exit_code == 2


def test_get_copies_bytes(tmp_path):
    file = write(tmp_path / "src" / "g.csv", "g\n1\n")
    uid = saved_uid(cli("save", str(file), "--key", "get/g.csv"))
    cached = Path(cli("artifact", "get", uid).stdout.strip())
    assert cached.read_text() == "g\n1\n"

    to_file = tmp_path / "out" / "copy.csv"
    assert Path(cli("artifact", "get", "get/g.csv", "--to", str(to_file)).stdout.strip()) == to_file
    assert to_file.read_text() == "g\n1\n"

    folder = tmp_path / "dest"
    folder.mkdir()
    cli("artifact", "get", "get/g.csv", "--to", str(folder))
    assert (folder / "g.csv").read_text() == "g\n1\n"
    assert_one_line_error(cli("artifact", "get", "get/g.csv", "--to", str(folder), expect=1), "--force")
    new_folder = tmp_path / "new" / "folder"
    cli("artifact", "get", uid, "--to", f"{new_folder}/")
    assert (new_folder / "g.csv").read_text() == "g\n1\n"
    write(folder / "g.csv", "stale")
    cli("artifact", "get", "get/g.csv", "--to", str(folder), "--force")
    assert (folder / "g.csv").read_text() == "g\n1\n"


def test_folder_artifact(tmp_path):
    folder = tmp_path / "study0"
    write(folder / "img0.png", "0")
    write(folder / "sub" / "meta.json", "{}")
    uid = saved_uid(cli("save", str(folder), "--key", "images/study0"))
    dest = tmp_path / "restored"
    dest.mkdir()
    cli("artifact", "get", uid, "--to", str(dest))
    assert sorted(p.relative_to(dest / "study0").as_posix() for p in dest.rglob("*") if p.is_file()) == [
        "img0.png", "sub/meta.json",
    ]
    assert Path(cli("load", "images/study0").stdout.strip()).is_dir()


def test_describe_shows_uid_key_and_path(tmp_path):
    uid = saved_uid(cli("save", str(write(tmp_path / "d.csv", "d\n")), "--key", "describe/d.csv"))
    described = cli("artifact", "describe", "describe/d.csv").stdout
    assert uid in described and "describe/d.csv" in described and ".biolake" in described


def test_errors_are_one_line(tmp_path):
    assert_one_line_error(cli("load", "no/such/key.csv", expect=1), "No artifact or transform with uid or key", "no/such/key.csv")
    assert_one_line_error(cli("load", "A" * 20, expect=1), "No artifact")
    assert_one_line_error(cli("artifact", "describe", "nope", expect=1), "No artifact")
    assert_one_line_error(cli("artifact", "get", "nope", "--to", str(tmp_path), expect=1), "No artifact")
    assert_one_line_error(cli("save", str(tmp_path / "missing.csv"), expect=1), "No file or folder")
    file = write(tmp_path / "e.csv", "e\n")
    assert_one_line_error(cli("save", str(file), "--key", "e.parquet", expect=1), "does not end in")
    assert_one_line_error(cli("save", str(file), "--key", "../e.csv", expect=1), "e.csv")
