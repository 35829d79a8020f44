"""``biolake snapshot create|verify|restore`` and ``biolake migrate-db`` end to end, in-process.

Each test makes its own small SQLite instance; errors print one line; the PostgreSQL move runs
against the server of scripts/test.sh.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from biolake.cli import main
from instance_helpers import _pg_admin, _pg_template, server_url


def cli(*args: str, expect: int = 0) -> Result:
    result = CliRunner(env={"BIOLAKE_QUIET": "0"}).invoke(main, list(args))
    assert result.exit_code == expect, f"biolake {' '.join(args)} → {result.exit_code}\n{result.output}"
    return result


def one_line_error(result: Result, *fragments: str) -> str:
    lines = result.stderr.strip().splitlines()
    assert result.exit_code == 1 and len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


def unique_name() -> str:
    return f"clisnap{os.getpid()}{uuid.uuid4().hex[:6]}"


@pytest.fixture
def lake(tmp_path: Path) -> Iterator[tuple[str, list[str]]]:
    """A SQLite instance with one saved file (current); names of instances to delete afterwards."""
    from biolake import setup
    from biolake.setup import django_boot, store

    current, active = store.current_name(), django_boot.active_instance()
    name = unique_name()
    made = [name]
    cli("init", "--storage", str(tmp_path / "lake"), "--name", name)
    data = tmp_path / "counts.csv"
    data.write_text("gene,count\nCD8A,3\nIFNG,7\n")
    cli("save", str(data), "--key", "raw/counts.csv")
    yield name, made
    django_boot.deactivate()
    for other in made:
        if other in store.list_instances():
            setup.delete(other, force=True)
    known = store.list_instances()
    store.set_current(current if current in known else None)
    if active is not None and active.name in known:
        django_boot.activate(active)


def test_snapshot_create_verify_restore(lake, tmp_path):
    name, made = lake
    snapshot = tmp_path / "snap"
    created = cli("snapshot", "create", str(snapshot)).stdout
    assert "sqlite snapshot" in created and str(snapshot) in created
    assert (snapshot / "manifest.json").is_file() and (snapshot / "database.sqlite3").is_file()
    assert "is intact" in cli("snapshot", "verify", str(snapshot)).stdout

    copy = unique_name()
    made.append(copy)
    restored = cli("snapshot", "restore", str(snapshot), "--name", copy, "--db", f"sqlite:///{tmp_path / 'copy.sqlite3'}").stdout
    assert f"restored instance {copy!r}" in restored and "content hashes verified" in restored
    assert len(restored.strip().splitlines()) == 1
    assert cli("info").stdout.split("\n")[0].split()[-1] == copy
    assert "raw/counts.csv" in cli("artifact", "ls").stdout
    assert Path(cli("load", "raw/counts.csv").stdout.strip()).read_text().startswith("gene,count")

    one_line_error(cli("snapshot", "restore", str(snapshot), "--name", name, expect=1), "already exists", "--name")
    one_line_error(cli("snapshot", "create", str(snapshot), expect=1), "already exists")


def test_a_damaged_snapshot_is_one_line(lake, tmp_path):
    snapshot = tmp_path / "snap"
    cli("snapshot", "create", str(snapshot), "--kind", "parquet")
    table = snapshot / "tables" / "biolake_artifact.parquet"
    table.write_bytes(table.read_bytes()[:-8])
    line = one_line_error(cli("snapshot", "verify", str(snapshot), expect=1), "biolake_artifact.parquet", "use another one")
    assert "changed after the snapshot was made" in line
    one_line_error(cli("snapshot", "restore", str(snapshot), "--name", unique_name(), expect=1), "use another one")
    (snapshot / "manifest.json").write_text("{not json")
    one_line_error(cli("snapshot", "restore", str(snapshot), expect=1), "manifest.json", "not valid JSON")
    one_line_error(cli("snapshot", "verify", str(tmp_path / "nothing-here"), expect=1), "biolake snapshot create")


def test_migrate_db_refusals_are_one_line(lake, tmp_path):
    one_line_error(cli("migrate-db", "--to", f"sqlite:///{tmp_path / 'x.sqlite3'}", expect=1), "PostgreSQL URL")
    url = "postgresql://nobody:hunter2@127.0.0.1:1/none"
    line = one_line_error(cli("migrate-db", "--to", url, expect=1), "Cannot connect")
    assert "hunter2" not in line


@pytest.mark.postgres
def test_migrate_db_moves_the_instance_to_postgres(lake, tmp_path):
    name, _ = lake
    base = server_url("BIOLAKE_TEST_PG_URL")
    dbname = f"biolake_{unique_name()}"
    _pg_admin(f'CREATE DATABASE "{dbname}" TEMPLATE "{_pg_template(base)}"')
    url = base.rsplit("/", 1)[0] + "/" + dbname
    try:
        out = cli("migrate-db", "--to", url).stdout
        lines = out.strip().splitlines()
        assert len(lines) == 2 and "counts and content hashes verified" in lines[0] and "is kept" in lines[1]
        assert not (tmp_path / "lake" / ".biolake" / "biolake.sqlite3").exists()  # renamed: nothing writes there
        assert (tmp_path / "lake" / ".biolake" / "biolake.sqlite3.moved-to-postgresql").is_file()
        assert "biolake.sqlite3.moved-to-postgresql is kept" in lines[1]
        info = cli("info").stdout
        assert dbname in info and "postgresql://" in info
        assert Path(cli("load", "raw/counts.csv").stdout.strip()).read_text().startswith("gene,count")
        one_line_error(cli("migrate-db", "--to", url, expect=1), "not on SQLite")
        cli("delete", name, "--force")
    finally:
        _pg_admin(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
