from __future__ import annotations

import os
from pathlib import Path

import pytest
from upath import UPath

from biolake.errors import InvalidKeyError
from biolake.storage.paths import (
    create_path,
    exists_locally,
    extract_suffix,
    find_root,
    is_local,
    is_remote,
    join_root,
    managed_key,
    normalize_root,
    relative_key,
    root_containing,
    storage_type,
)


def test_create_path_makes_local_paths_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    path = create_path("data/x.csv")
    assert isinstance(path, UPath)
    assert Path(path) == tmp_path.resolve() / "data" / "x.csv"
    assert create_path(f"file://{tmp_path.resolve().as_posix()}/y").path == (tmp_path.resolve() / "y").as_posix()


def test_create_path_keeps_urls_and_moves_query_into_options() -> None:
    memory = create_path("memory://bucket/x.csv")
    assert (memory.protocol, str(memory)) == ("memory", "memory://bucket/x.csv")
    s3 = create_path("s3://bucket/prefix?endpoint_url=http://127.0.0.1:9000&anon=true", key="k")
    assert str(s3) == "s3://bucket/prefix"
    assert s3.storage_options == {"endpoint_url": "http://127.0.0.1:9000", "anon": True, "key": "k"}
    http = create_path("https://example.org/file.csv?download=1")
    assert str(http) == "https://example.org/file.csv?download=1"


def test_create_path_explicit_options_win_over_query() -> None:
    s3 = create_path("s3://bucket?endpoint_url=http://a", endpoint_url="http://b")
    assert s3.storage_options["endpoint_url"] == "http://b"


@pytest.mark.parametrize(
    ("root", "expected"),
    [
        ("s3://bucket/prefix/", "s3://bucket/prefix"),
        ("S3://bucket/prefix?endpoint_url=http://x", "s3://bucket/prefix"),
        ("memory:///lake/", "memory://lake"),
        ("gs://bucket", "gs://bucket"),
        ("https://example.org/data/", "https://example.org/data"),
    ],
)
def test_normalize_root_urls(root: str, expected: str) -> None:
    assert normalize_root(root) == expected


def test_normalize_root_local(tmp_path: Path) -> None:
    resolved = tmp_path.resolve().as_posix()
    assert normalize_root(str(tmp_path) + "/") == resolved
    assert normalize_root(tmp_path / "a" / ".." / "b") == resolved + "/b"
    assert normalize_root(create_path(tmp_path)) == resolved
    assert normalize_root("~") == Path.home().resolve().as_posix()


def test_is_remote_and_storage_type(tmp_path: Path) -> None:
    assert not is_remote(tmp_path)
    assert not is_remote(create_path(tmp_path))
    assert not is_remote("file:///tmp/x")
    assert is_remote("memory://x") and is_remote(create_path("s3://bucket/x"))
    types = [storage_type(r) for r in ["/data", "s3://b", "gcs://b", "gs://b", "memory://b", "https://h", "hf://x"]]
    assert types == ["local", "s3", "gs", "gs", "memory", "http", "hf"]


@pytest.mark.parametrize(
    ("path", "local"),
    [
        ("/tmp/x", True),
        ("relative/x", True),
        ("file:///tmp/x", True),
        ("FILE:///tmp/x", True),
        ("local:///tmp/x", True),
        ("/data/not-a-url://x", True),
        (Path("/tmp/x"), True),
        (UPath("/tmp/x"), True),
        (UPath("file:///tmp/x"), True),
        (UPath("local:///tmp/x"), True),
        ("memory://x/y", False),
        ("S3://bucket/x", False),
        ("https://host/x", False),
        (UPath("memory://x/y"), False),
        (UPath("s3://bucket/x", anon=True), False),
    ],
)
def test_is_local_for_every_kind_of_path(path: str | os.PathLike[str] | UPath, local: bool) -> None:
    assert is_local(path) is local
    assert is_remote(path) is not local


def test_find_root_respects_boundaries_and_prefers_the_longest() -> None:
    roots = ["s3://b", "s3://b/lake", "s3://b/la", "/a/b"]
    assert find_root("s3://b/lake/x.csv", roots) == "s3://b/lake"
    assert find_root("s3://b/lakes/x.csv", roots) == "s3://b"
    assert find_root("/a/bc/x.csv", roots) is None
    assert find_root("/a/b/c/x.csv", roots) == "/a/b"
    assert find_root("/a/b", roots) == "/a/b"
    assert find_root("gs://b/x", roots) is None


def test_root_containing_takes_a_created_local_path_as_it_is(tmp_path: Path) -> None:
    (tmp_path / "real" / "sub").mkdir(parents=True)
    (tmp_path / "link").symlink_to(tmp_path / "real")
    roots = [str((tmp_path / "real").resolve()), "s3://b/lake"]
    created = create_path(tmp_path / "link" / "sub" / "x.csv")  # symlinks resolved once, here
    assert created.path == normalize_root(created)
    assert root_containing(created.path, roots) == find_root(tmp_path / "link" / "sub" / "x.csv", roots) == roots[0]
    assert root_containing("s3://b/lake/x.csv", roots) == "s3://b/lake"
    assert root_containing("s3://b/lakes/x.csv", roots) is None


def test_local_paths_resolve_as_pathlib_resolves_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a").mkdir()
    (tmp_path / "to_a").symlink_to(tmp_path / "a")
    for text in ["", ".", "~", "~/x/../y", "to_a/../b", "to_a/./c/", "/", "//", "rel/x", "../up"]:
        expected = Path(text).expanduser().resolve().as_posix().rstrip("/") or "/"
        assert normalize_root(text) == expected, text


def test_exists_locally_checks_one_local_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "here.txt").write_text("x")
    assert exists_locally(tmp_path / "here.txt") and exists_locally("~/here.txt")
    assert exists_locally(f"file://{tmp_path.as_posix()}/here.txt") and exists_locally(create_path(tmp_path / "here.txt"))
    assert exists_locally(tmp_path) and not exists_locally(tmp_path / "gone.txt")
    (tmp_path / "dangling").symlink_to(tmp_path / "gone.txt")
    assert not exists_locally(tmp_path / "dangling")


def test_relative_key(tmp_path: Path) -> None:
    assert relative_key("memory://lake/raw/a.csv", "memory://lake") == "raw/a.csv"
    assert relative_key(tmp_path / "x" / "y.csv", str(tmp_path)) == "x/y.csv"
    with pytest.raises(InvalidKeyError, match="not inside storage root"):
        relative_key("memory://lakes/a.csv", "memory://lake")
    with pytest.raises(InvalidKeyError):
        relative_key("memory://lake", "memory://lake")


def test_managed_key() -> None:
    assert managed_key("3mAxR5zVnDyq0000", ".parquet") == ".biolake/3mAxR5zVnDyq0000.parquet"
    assert managed_key("3mAxR5zVnDyq0000", "") == ".biolake/3mAxR5zVnDyq0000"
    for uid, suffix in [("", ".csv"), ("a/b", ".csv"), ("abc", "csv"), ("abc", "./x")]:
        with pytest.raises(InvalidKeyError):
            managed_key(uid, suffix)


@pytest.mark.parametrize(
    ("name", "suffix"),
    [
        ("table.csv", ".csv"),
        ("TABLE.CSV", ".csv"),
        ("image.OME.TIFF", ".ome.tiff"),
        ("image.ome.tif", ".ome.tif"),
        ("scan.ome.zarr", ".ome.zarr"),
        ("cells.anndata.zarr", ".anndata.zarr"),
        ("config.vitessce.json", ".vitessce.json"),
        ("reads/sample.fastq.gz", ".fastq.gz"),
        ("r1.fq.gz", ".fq.gz"),
        ("calls.vcf.gz", ".vcf.gz"),
        ("x.csv.gz", ".csv.gz"),
        ("x.tsv.gz", ".tsv.gz"),
        ("bundle.tar.gz", ".tar.gz"),
        ("other.gz", ".gz"),
        ("table.v1.parquet", ".parquet"),
        ("file.v1.1", ".1"),
        ("run.2024-01", ""),
        ("folder", ""),
        ("folder/", ""),
        (".bashrc", ""),
        ("x.averyverylongsuffix", ""),
        ("s3://bucket/dir/x.h5ad", ".h5ad"),
        ("s3://bucket/dir/x.h5ad?versionId=1", ".h5ad"),
    ],
)
def test_extract_suffix(name: str, suffix: str) -> None:
    assert extract_suffix(name) == suffix


def test_extract_suffix_of_path_objects(tmp_path: Path) -> None:
    assert extract_suffix(tmp_path / "a.ome.tiff") == ".ome.tiff"
    assert extract_suffix(create_path("memory://b/x.parquet")) == ".parquet"


def test_join_root() -> None:
    assert str(join_root("memory://lake", "raw/a.csv")) == "memory://lake/raw/a.csv"
    assert str(join_root("memory://lake/", ".biolake/abc.csv")) == "memory://lake/.biolake/abc.csv"
    joined = join_root("s3://bucket?endpoint_url=http://x", "k.csv", anon=True)
    assert (str(joined), joined.storage_options) == ("s3://bucket/k.csv", {"endpoint_url": "http://x", "anon": True})
    with pytest.raises(InvalidKeyError, match="outside the storage root"):
        join_root("memory://lake", "../secret")


def test_join_root_local(tmp_path: Path) -> None:
    joined = join_root(str(tmp_path), "a/b.csv")
    assert os.fspath(joined) == str(tmp_path.resolve() / "a" / "b.csv")
