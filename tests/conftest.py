"""Shared fixtures: a throw-away ``$BIOLAKE_HOME`` and instances on SQLite and PostgreSQL.

The same test modules run against both backends through the parametrized ``instance``
fixture. PostgreSQL tests need ``BIOLAKE_TEST_PG_URL`` (set by scripts/test.sh, which
starts the server); without it they are skipped locally and fail in CI.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator

import pytest

os.environ["BIOLAKE_HOME"] = tempfile.mkdtemp(prefix="biolake-test-home-")
os.environ.setdefault("BIOLAKE_QUIET", "1")

from instance_helpers import BACKENDS, drop_instance, make_instance  # noqa: E402


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


@pytest.fixture(scope="module", params=BACKENDS)
def bio_instance(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """A fresh instance with the ``bio`` module per test module and backend."""
    inst, dbname = make_instance(request.param, tmp_path_factory.mktemp("bio"), modules=["bio"])
    yield inst
    drop_instance(inst.name, dbname)


@pytest.fixture
def bt(bio_instance: object) -> Iterator[object]:
    """``from biolake import bio as bt`` with the module's bio instance connected."""
    import biolake
    from biolake import bio

    biolake.connect(bio_instance.name)
    yield bio
    bio.settings.organism = None  # a test may set the default organism
