"""Helpers for tests that make their own instances (SQLite or the PostgreSQL server of scripts/test.sh).

A module of its own (not conftest) so that test files can import it by a unique name.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest

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


_PG_TEMPLATES: dict[str, str] = {}


def _pg_template(base: str) -> str:
    """A PostgreSQL database migrated once per test session, copied for each test instance
    (``CREATE DATABASE ... TEMPLATE``): running every migration takes seconds per instance."""
    if base not in _PG_TEMPLATES:
        from biolake.setup import django_boot
        from biolake.setup.instance import InstanceSettings

        name = f"biolake_template_{os.getpid()}"
        _pg_admin(f'CREATE DATABASE "{name}"')
        previous = django_boot.active_instance()
        template = InstanceSettings(name=name, storage_root="/nonexistent", db=base.rsplit("/", 1)[0] + "/" + name)
        django_boot.activate(template, check_migrations=False)
        django_boot.migrate()
        django_boot.deactivate()  # closes its connections: a template database must have none
        if previous is not None:
            django_boot.activate(previous)
        _PG_TEMPLATES[base] = name
    return _PG_TEMPLATES[base]


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
        _pg_admin(f'CREATE DATABASE "{dbname}" TEMPLATE "{_pg_template(base)}"')
        db = base.rsplit("/", 1)[0] + "/" + dbname
    return ln.setup.init(storage=str(storage), db=db, name=name, modules=modules), dbname


def drop_instance(name: str, dbname: str | None) -> None:
    """Delete an instance made by :func:`make_instance`."""
    import biolake as ln
    from biolake.errors import InstanceNotFoundError

    try:
        ln.setup.delete(name, force=True)
    except InstanceNotFoundError:  # the test deleted it already
        pass
    if dbname:
        _pg_admin(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
