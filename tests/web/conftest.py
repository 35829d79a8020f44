"""An instance filled with what the web UI shows (per backend), and Django test clients over it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from instance_helpers import BACKENDS, drop_instance, make_instance

pytest.importorskip("whitenoise")
pytest.importorskip("pygments")


@pytest.fixture(scope="package", params=BACKENDS)
def web_instance(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, dict[str, Any]]]:
    """A bio instance with artifacts of each preview kind, versions, labels, a run, a collection, a term."""
    import biolake as ln
    from web_data import populate

    folder = tmp_path_factory.mktemp("web")
    inst, dbname = make_instance(request.param, folder / "storage", modules=["bio"])
    records = populate(ln, folder / "files")
    yield inst, records
    drop_instance(inst.name, dbname)


@pytest.fixture
def web(web_instance: tuple[Any, dict[str, Any]]) -> dict[str, Any]:
    """The populated instance, connected; its records by name."""
    import biolake as ln

    ln.connect(web_instance[0].name)
    return web_instance[1]


def configure(**options: Any) -> None:
    """Serve with these ``WebConfig`` options (the next request sees them)."""
    from biolake.web.app import configure as configure_web
    from biolake.web.config import WebConfig

    configure_web(WebConfig(**options))


@pytest.fixture
def client(web: dict[str, Any]) -> Any:
    """A Django test client of a read-only, loopback server."""
    from django.test import Client

    configure()
    return Client()
