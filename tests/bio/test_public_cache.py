"""The compact per-source cache: built once, then read instead of the upstream file."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from biolake.bio.public import PublicOntology, default_source
from biolake.bio.public import cache as cache_module
from biolake.bio.public.sources import SourceSpec


def _refuse_to_read(self: SourceSpec):  # noqa: ANN202
    raise AssertionError(f"{self.name} was read from its source file instead of the cache")


def test_first_load_builds_the_parquet_later_loads_use_it(tmp_path, monkeypatch):
    spec = default_source("CellType")
    path = cache_module.cache_path(spec, tmp_path)
    assert not path.exists()
    first = PublicOntology("CellType", cache_dir=tmp_path)
    assert first.cache_path == path and path.exists()
    assert path.parent == tmp_path / "cl" and path.name.startswith(spec.version)
    assert pq.read_metadata(path).num_rows >= len(first)

    monkeypatch.setattr(SourceSpec, "read", _refuse_to_read)
    second = PublicOntology("CellType", cache_dir=tmp_path)
    assert second.df().equals(first.df())


def test_a_broken_cache_file_is_rebuilt(tmp_path):
    spec = default_source("DevelopmentalStage", organism="mouse")
    path = cache_module.cache_path(spec, tmp_path)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not parquet")
    ontology = PublicOntology("DevelopmentalStage", organism="mouse", cache_dir=tmp_path)
    assert len(ontology) > 100
    assert pq.read_metadata(path).num_rows > 100
    assert not list(path.parent.glob(".*.tmp"))  # no temporary files left behind


def test_cache_key_follows_the_source_content(tmp_path):
    spec = default_source("CellType")
    changed = SourceSpec(**{**spec.to_dict(), "fingerprint": spec.fingerprint + "x"})
    assert cache_module.cache_path(spec, tmp_path) != cache_module.cache_path(changed, tmp_path)
    assert cache_module.cache_path(spec, tmp_path).parent == cache_module.cache_path(changed, tmp_path).parent


def test_default_cache_folder_is_under_the_biolake_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("BIOLAKE_CACHE_DIR", str(tmp_path / "c"))
    assert cache_module.cache_root() == tmp_path / "c" / "public"
    assert cache_module.cache_root(tmp_path / "mine") == tmp_path / "mine"


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.getbasetemp() / "biolake-public-cache"


def test_ncbitaxon_cache_is_compact(cache_dir, monkeypatch):
    taxa = PublicOntology("Organism", cache_dir=cache_dir)  # built once per session
    assert taxa.cache_path.stat().st_size < 40_000_000
    metadata = pq.read_metadata(taxa.cache_path)
    assert metadata.num_rows > 1_000_000 and metadata.num_row_groups == 1
    monkeypatch.setattr(SourceSpec, "read", _refuse_to_read)
    assert len(PublicOntology("Organism", cache_dir=cache_dir)) == len(taxa)
