from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from upath import UPath

from biolake.errors import InvalidKeyError, StorageError
from biolake.storage import cache, transfer
from biolake.storage.cache import INDEX_DIR, cache_path, cached, clear_cache
from biolake.storage.paths import create_path


@pytest.fixture
def remote(store: UPath) -> UPath:
    if store.protocol in ("", "file"):
        pytest.skip("the cache is for remote paths")
    return store


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every download the cache makes."""
    seen: list[str] = []
    original = transfer.get

    def counting_get(src: UPath, dst: Any) -> Path:
        seen.append(str(src))
        return original(src, dst)

    monkeypatch.setattr(cache.transfer, "get", counting_get)
    return seen


def _rewrite(path: UPath, data: bytes) -> None:
    time.sleep(0.002)  # a new modification time on every backend
    path.write_bytes(data)


def test_cache_path_mirrors_protocol_bucket_and_key() -> None:
    assert cache_path(create_path("s3://bucket/lake/a.csv"), "/cache").as_posix() == "/cache/s3/bucket/lake/a.csv"
    assert cache_path(create_path("memory://lake/x/"), Path("/c")).as_posix() == "/c/memory/lake/x"
    assert cache_path(create_path("https://host.org/d/f.csv"), "/c").as_posix() == "/c/https/host.org/d/f.csv"
    with pytest.raises(InvalidKeyError):
        cache_path(create_path("https://host.org/../x"), "/c")


def test_local_paths_are_their_own_cache(tmp_path: Path) -> None:
    local = tmp_path / "a.csv"
    local.write_text("x")
    assert cached(create_path(local), tmp_path / "cache") == local
    assert not (tmp_path / "cache").exists()


def test_file_is_downloaded_once_and_refreshed_on_change(
    remote: UPath, write: Callable[[UPath, bytes], UPath], downloads: list[str], tmp_path: Path
) -> None:
    source = write(remote / "a.csv", b"version 1")
    first = cached(source, tmp_path)
    assert first == cache_path(source, tmp_path)
    assert first.read_bytes() == b"version 1" and len(downloads) == 1
    assert cached(source, tmp_path) == first and len(downloads) == 1
    _rewrite(source, b"version 2, longer")
    assert cached(source, tmp_path).read_bytes() == b"version 2, longer" and len(downloads) == 2
    _rewrite(source, b"version 3, sameish")
    assert cached(source, tmp_path).read_bytes() == b"version 3, sameish" and len(downloads) == 3
    assert cached(source, tmp_path).read_bytes() == b"version 3, sameish" and len(downloads) == 3


def test_file_deleted_from_the_cache_is_downloaded_again(
    remote: UPath, write: Callable[[UPath, bytes], UPath], downloads: list[str], tmp_path: Path
) -> None:
    source = write(remote / "a.csv", b"data")
    cached(source, tmp_path).unlink()
    assert cached(source, tmp_path).read_bytes() == b"data" and len(downloads) == 2


def test_folder_is_cached_and_only_changes_are_downloaded(
    remote: UPath, write: Callable[[UPath, bytes], UPath], downloads: list[str], tmp_path: Path
) -> None:
    for key in ["a.csv", "sub/b.csv", "sub/c.csv"]:
        write(remote / "folder" / key, key.encode())
    local = cached(remote / "folder", tmp_path)
    assert sorted(p.relative_to(local).as_posix() for p in local.rglob("*") if p.is_file()) == [
        "a.csv",
        "sub/b.csv",
        "sub/c.csv",
    ]
    assert len(downloads) == 3
    assert cached(remote / "folder", tmp_path) == local and len(downloads) == 3
    _rewrite(remote / "folder" / "sub" / "b.csv", b"changed")
    (remote / "folder" / "sub" / "c.csv").unlink()
    cached(remote / "folder", tmp_path)
    assert downloads[3:] == [str(remote / "folder" / "sub" / "b.csv")]
    assert (local / "sub" / "b.csv").read_bytes() == b"changed"
    assert not (local / "sub" / "c.csv").exists()


def test_index_lives_outside_the_mirrored_files(
    remote: UPath, write: Callable[[UPath, bytes], UPath], tmp_path: Path
) -> None:
    write(remote / "folder" / "a.csv", b"a")
    local = cached(remote / "folder", tmp_path)
    cached(remote / "folder" / "a.csv", tmp_path)
    assert [p.name for p in local.iterdir()] == ["a.csv"]
    assert (tmp_path / INDEX_DIR).is_dir()


def test_missing_remote_raises(remote: UPath, tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="no file or folder"):
        cached(remote / "missing.csv", tmp_path)


def test_clear_cache_counts_cached_files(
    remote: UPath, write: Callable[[UPath, bytes], UPath], tmp_path: Path
) -> None:
    cache_dir = tmp_path / "cache"
    assert clear_cache(cache_dir) == 0
    write(remote / "folder" / "a.csv", b"a")
    write(remote / "folder" / "b.csv", b"b")
    write(remote / "c.csv", b"c")
    cached(remote / "folder", cache_dir)
    cached(remote / "c.csv", cache_dir)
    assert clear_cache(cache_dir) == 3
    assert cache_dir.is_dir() and list(cache_dir.iterdir()) == []
