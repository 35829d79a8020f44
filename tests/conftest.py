"""Shared fixtures: a throw-away ``$BIOLAKE_HOME`` and instances on SQLite and PostgreSQL.

The same test modules run against both backends through the parametrized ``instance``
fixture. PostgreSQL tests need ``BIOLAKE_TEST_PG_URL`` (set by scripts/test.sh, which
starts the server); without it they are skipped locally and fail in CI.
"""

from __future__ import annotations

import itertools
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ["BIOLAKE_HOME"] = tempfile.mkdtemp(prefix="biolake-test-home-")
os.environ.setdefault("BIOLAKE_QUIET", "1")

_counter = itertools.count()
BACKENDS = [pytest.param("sqlite", id="sqlite"), pytest.param("postgres", id="postgres", marks=pytest.mark.postgres)]


def server_url(env: str) -> str:
    """The URL of a test server started by scripts/test.sh (skip, or fail in CI, without it)."""
    url = os.environ.get(env)
    if not url:
        message = f"{env} is not set: run the suite through scripts/test.sh"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return url


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(server_url("BIOLAKE_TEST_PG_URL"), autocommit=True) as conn:
        conn.execute(sql)


def make_instance(
    backend: str, storage: Path, name: str | None = None, modules: list[str] | None = None
) -> tuple[object, str | None]:
    """Create an instance on ``backend``; returns it and the PostgreSQL database name, if any."""
    import biolake as ln

    name = name or f"test{os.getpid()}x{next(_counter)}"
    db, dbname = None, None
    if backend == "postgres":
        base = server_url("BIOLAKE_TEST_PG_URL")
        dbname = f"biolake_{name.lower()}"
        _pg_admin(f'CREATE DATABASE "{dbname}"')
        db = base.rsplit("/", 1)[0] + "/" + dbname
    return ln.setup.init(storage=str(storage), db=db, name=name, modules=modules), dbname


def drop_instance(name: str, dbname: str | None) -> None:
    """Delete an instance made by :func:`make_instance`."""
    import biolake as ln

    ln.setup.delete(name, force=True)
    if dbname:
        _pg_admin(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


@pytest.fixture(scope="module", params=BACKENDS)
def instance(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """A fresh instance per test module and backend, current while the module runs."""
    storage = tmp_path_factory.mktemp("storage")
    inst, dbname = make_instance(request.param, storage)
    yield inst
    drop_instance(inst.name, dbname)


@pytest.fixture
def ln(instance: object) -> object:
    """``import biolake as ln`` with the module's instance connected."""
    import biolake

    biolake.connect(instance.name)
    return biolake


@pytest.fixture
def backend(instance: object) -> str:
    """``"sqlite"`` or ``"postgresql"``."""
    return instance.dialect
