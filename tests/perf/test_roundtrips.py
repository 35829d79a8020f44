"""Database round trips per operation on PostgreSQL stay within issue 15's budgets.

The operations run through the counting TCP proxy of ``benchmarks/latency_proxy.py`` (one
copy, loaded by path). Counts are exact, unlike times: each is asserted against its budget,
and a budget constant in the data size is checked at two sizes.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from instance_helpers import _pg_admin, _pg_template, drop_instance, server_url

pytestmark = pytest.mark.postgres

_PROXY_FILE = Path(__file__).resolve().parents[2] / "benchmarks" / "latency_proxy.py"


def _load_proxy() -> Any:
    spec = importlib.util.spec_from_file_location("biolake_bench_latency_proxy", _PROXY_FILE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module.LatencyProxy


@pytest.fixture(scope="module")
def proxied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """An instance whose database connection goes through the counting proxy."""
    import biolake as ln

    base = server_url("BIOLAKE_TEST_PG_URL")
    parts = urlsplit(base)
    proxy = _load_proxy()(parts.hostname or "127.0.0.1", parts.port or 5432)
    proxy.start()
    name = f"rt{os.getpid()}"
    dbname = f"biolake_{name}"
    _pg_admin(f'CREATE DATABASE "{dbname}" TEMPLATE "{_pg_template(base)}"')
    user = parts.username or "postgres"
    ln.setup.init(storage=str(tmp_path_factory.mktemp("rt") / "storage"), db=f"postgresql://{user}@127.0.0.1:{proxy.port}/{dbname}", name=name)
    try:
        yield proxy
    finally:
        drop_instance(name, dbname)
        proxy.stop()


def count(proxy: Any, operation: Callable[[], Any]) -> int:
    proxy.reset()
    operation()
    return int(proxy.round_trips)


def _frame(n: int) -> Any:
    import pandas as pd

    return pd.DataFrame({"a": [1, 2, 3], "n": [n] * 3})


def test_save_and_get_within_budget(proxied: Any) -> None:
    import biolake as ln

    ln.Artifact.from_df(_frame(-1), key="warm/0.parquet").save()  # first use: caches fill
    assert count(proxied, lambda: ln.Artifact.from_df(_frame(0), key="rt/0.parquet").save()) <= 4
    assert ln.Artifact.get(key="rt/0.parquet").is_latest
    assert count(proxied, lambda: ln.Artifact.get(key="rt/0.parquet")) == 1


def test_new_version_and_duplicate_stay_correct(proxied: Any) -> None:
    import biolake as ln

    first = ln.Artifact.from_df(_frame(10), key="rt/v.parquet").save()
    second = ln.Artifact.from_df(_frame(11), key="rt/v.parquet").save()
    assert second.stem_uid == first.stem_uid and second.uid != first.uid
    first.refresh_from_db()
    assert not first.is_latest and second.is_latest
    again = ln.Artifact.from_df(_frame(11), key="rt/v.parquet").save()
    assert again.uid == second.uid  # same bytes: the existing artifact, no new row
    assert ln.Artifact.filter(key="rt/v.parquet").count() == 2


def test_save_inside_an_outer_transaction(proxied: Any) -> None:
    """The one-round-trip BEGIN is skipped when a transaction is already open: same result."""
    from django.db import transaction

    import biolake as ln

    with transaction.atomic():
        ln.ULabel(name="rt-outer").save()
        first = ln.Artifact.from_df(_frame(20), key="rt/outer.parquet").save()
        second = ln.Artifact.from_df(_frame(21), key="rt/outer.parquet").save()
    assert second.stem_uid == first.stem_uid
    assert list(ln.Artifact.filter(key="rt/outer.parquet", is_latest=True).values_list("uid", flat=True)) == [second.uid]


@pytest.mark.parametrize("n_artifacts", [5, 30])
def test_df_with_features_is_constant(proxied: Any, n_artifacts: int) -> None:
    import biolake as ln

    for i in range(3):
        if ln.Feature.filter(name=f"rtf{i}").first() is None:
            ln.Feature(name=f"rtf{i}", dtype=int).save()
    for i in range(n_artifacts):
        artifact = ln.Artifact.from_df(_frame(1000 * n_artifacts + i), key=f"df{n_artifacts}/{i}.parquet").save()
        artifact.features.add_values({"rtf0": i, "rtf1": 2 * i, "rtf2": 3 * i})
    query = ln.Artifact.filter(key__startswith=f"df{n_artifacts}/")
    frame = query.df(features=True)
    assert len(frame) == n_artifacts and {"rtf0", "rtf1", "rtf2"} <= set(frame.columns)
    assert count(proxied, lambda: query.df(features=True)) <= 3


def test_curator_validate_one_query_per_registry(proxied: Any) -> None:
    import pandas as pd

    import biolake as ln

    for name in ("rtDMSO", "rtIFNG"):
        ln.ULabel(name=name).save()
    feature = ln.Feature(name="rt_perturbation", dtype=ln.ULabel).save()
    schema = ln.Schema(name="rt_schema", features=[feature]).save()
    small = pd.DataFrame({"rt_perturbation": ["rtDMSO", "rtIFNG"]})
    large = pd.DataFrame({"rt_perturbation": [f"rt{v}" for v in ("DMSO", "IFNG")] * 500})
    for table in (small, large):
        # the schema's features, then the ULabel registry: one query each, whatever the rows
        assert count(proxied, lambda table=table: ln.curators.DataFrameCurator(table, schema).validate()) <= 2


def test_track_and_finish_within_budget(proxied: Any) -> None:
    import biolake as ln

    assert count(proxied, lambda: ln.track(transform=ln.Transform(key="rt-pipeline", type="pipeline"))) <= 5
    run = ln.context.run
    assert count(proxied, ln.finish) <= 5
    run.refresh_from_db()
    assert run.status == "completed" and run.finished_at is not None and run.environment_id is not None


@pytest.mark.parametrize("n_records", [1_000, 5_000])
def test_bulk_save_is_constant(proxied: Any, n_records: int) -> None:
    import biolake as ln

    labels = [ln.ULabel(name=f"rt-bulk-{n_records}-{i}") for i in range(n_records)]
    assert count(proxied, lambda: ln.save(labels)) <= 10
    assert ln.ULabel.filter(name__startswith=f"rt-bulk-{n_records}-").count() == n_records
