"""A new PostgreSQL instance replays the recorded SQL of a migrated schema instead of running
every migration (``biolake.setup.pg_template``): the same schema, the same seed rows."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import psycopg
import pytest

from instance_helpers import _pg_admin, server_url

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

_SIGNATURE = {
    "columns": "SELECT table_name, column_name, data_type, is_nullable, coalesce(column_default, '') "
               "FROM information_schema.columns WHERE table_schema = 'public'",
    "indexes": "SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = 'public'",
    "constraints": "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
                   "WHERE connamespace = 'public'::regnamespace",
    "triggers": "SELECT tgrelid::regclass::text, tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal",
    "functions": "SELECT proname, pg_get_functiondef(oid) FROM pg_proc WHERE pronamespace = 'public'::regnamespace "
                 "AND prokind = 'f'",
    "extensions": "SELECT extname FROM pg_extension",
    "migrations": "SELECT app, name FROM django_migrations",
    "seeds": "SELECT 'space', id, uid, name FROM biolake_space UNION ALL SELECT 'branch', id, uid, name FROM biolake_branch",
    "sequences": "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public' "
                 "AND sequencename IN ('biolake_space_id_seq', 'biolake_branch_id_seq')",
}


def _url(dbname: str) -> str:
    return server_url("BIOLAKE_TEST_PG_URL").rsplit("/", 1)[0] + "/" + dbname


def _signature(dbname: str) -> dict[str, list[tuple]]:
    with psycopg.connect(_url(dbname)) as conn:
        return {name: sorted(conn.execute(sql).fetchall()) for name, sql in _SIGNATURE.items()}


@pytest.fixture
def new_database(tmp_path, monkeypatch):
    """``make(name)``: a new, empty database and an instance on it; all dropped afterwards."""
    import biolake as ln

    monkeypatch.setenv("BIOLAKE_CACHE_DIR", str(tmp_path / "cache"))  # no script recorded yet
    made: list[tuple[str, str]] = []

    def make(label: str) -> str:
        name, dbname = f"pgt{os.getpid()}{label}", f"biolake_pgt{os.getpid()}{label}"
        _pg_admin(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        _pg_admin(f'CREATE DATABASE "{dbname}"')
        made.append((name, dbname))
        ln.setup.init(storage=str(tmp_path / label), name=name, db=_url(dbname))
        return dbname

    yield make
    for name, dbname in made:
        try:
            ln.setup.delete(name, force=True)
        finally:
            _pg_admin(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


def _script(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "cache" / "schema").glob("postgresql*.sql"))


def test_the_second_instance_replays_the_first_ones_schema(new_database, tmp_path, monkeypatch):
    import biolake as ln
    from biolake.setup import django_boot, pg_template

    migrated = new_database("a")
    assert len(_script(tmp_path)) == 1  # recorded while the migrations ran
    replays = []
    real_replay = pg_template.replay
    monkeypatch.setattr(pg_template, "replay", lambda connection: replays.append(real_replay(connection)) or replays[-1])
    replayed = new_database("b")
    assert replays == [True]
    assert _signature(replayed) == _signature(migrated)
    assert django_boot.pending_migrations() == []
    artifact = ln.Artifact.from_df(pd.DataFrame({"a": [1]}), key="replayed/table.parquet", description="replayed schema").save()
    assert [a.pk for a in ln.Artifact.search("replayed schema")] == [artifact.pk]  # search triggers and indexes are there
    assert ln.Space.get(name="all").pk == 1 and ln.Branch.get(name="main").pk == 1


def test_a_script_that_fails_is_rolled_back_dropped_and_the_migrations_run(new_database, tmp_path):
    migrated = new_database("c")
    script = _script(tmp_path)[0]
    script.write_text(script.read_text() + "SELECT no_such_function();\n")
    fallback = new_database("d")
    assert _signature(fallback) == _signature(migrated)
    assert "no_such_function" not in script.read_text()  # recorded again by the migrations that ran
