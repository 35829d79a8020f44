from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import blake3
import pytest
from upath import UPath

from biolake.errors import StorageError
from biolake.storage import _listing, hashing
from biolake.storage.hashing import (
    HASH_TYPE_DIR,
    HASH_TYPE_FILE,
    DirSummary,
    FileSummary,
    hash_bytes,
    hash_file,
    hash_stream,
    summarize,
    summarize_dir,
    summarize_file,
    summarize_small,
)
from biolake.storage.paths import create_path, is_local
from biolake.storage.transfer import put

EMPTY_BLAKE3 = "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"


def test_hash_bytes_matches_blake3() -> None:
    assert hash_bytes(b"") == EMPTY_BLAKE3
    assert hash_bytes(b"abc") == blake3.blake3(b"abc").hexdigest()


@pytest.mark.parametrize("size", [0, 10, hashing.SMALL_FILE - 1, hashing.SMALL_FILE, 3 * hashing.SMALL_FILE + 7])
def test_hash_file_small_and_large_paths_agree(tmp_path: Path, size: int) -> None:
    data = os.urandom(size)
    path = tmp_path / "data.bin"
    path.write_bytes(data)
    assert hash_file(path) == hash_bytes(data)
    assert hash_file(str(path)) == hash_bytes(data)
    assert hash_stream(create_path(path)) == hash_bytes(data)


def test_file_summary_is_the_same_on_every_backend(
    store: UPath, write: Callable[[UPath, bytes], UPath], tmp_path: Path
) -> None:
    data = os.urandom(1000)
    path = write(store / "x.bin", data)
    if not is_local(path) and hashing.store_md5(path.fs.info(path.path)):
        # object stores with a full-content checksum: their MD5 is used, no bytes are read
        assert summarize(path) == FileSummary(hashlib.md5(data).hexdigest(), hashing.HASH_TYPE_ETAG, 1000)
        return
    assert summarize(path) == FileSummary(hash_bytes(data), HASH_TYPE_FILE, 1000)
    assert summarize(store / "x.bin") == summarize(write(create_path(tmp_path / "copy.bin"), data))


def test_folder_summary_is_the_same_on_every_backend(store: UPath, local_folder: Path) -> None:
    put(local_folder, store / "folder")
    remote, local = summarize(store / "folder"), summarize_dir(local_folder)
    assert isinstance(remote, DirSummary)
    if remote.hash_type == hashing.HASH_TYPE_ETAG_DIR:  # a store with MD5 ETags: a manifest over those
        assert (remote.n_files, remote.size) == (local.n_files, local.size)
        return
    assert remote == local
    assert (local.hash_type, local.n_files, local.size) == (HASH_TYPE_DIR, 3, 8 + 260 + 6)


def test_folder_hash_follows_the_documented_manifest(local_folder: Path) -> None:
    manifest = b"biolake-dir-v1\n"
    for key in [".hidden/c.txt", "a.csv", "sub/b.parquet"]:
        manifest += key.encode() + b"\0" + hash_file(local_folder / key).encode() + b"\n"
    assert summarize_dir(local_folder).hash == hash_bytes(manifest)


def test_folder_hash_does_not_depend_on_listing_order(local_folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = summarize_dir(local_folder).hash
    original = _listing._walk_local
    monkeypatch.setattr(_listing, "_walk_local", lambda root, dirs: list(reversed(original(root, dirs))))
    assert summarize_dir(local_folder).hash == expected


def test_folder_hash_does_not_depend_on_creation_order(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    for folder, names in [(first, ["a", "b/c", "b/a", "z"]), (second, ["z", "b/a", "a", "b/c"])]:
        for name in names:
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(name)
    assert summarize_dir(first).hash == summarize_dir(second).hash


def test_folder_hash_changes_on_rename_move_and_content(local_folder: Path, tmp_path: Path) -> None:
    original = summarize_dir(local_folder).hash
    renamed = tmp_path / "renamed"
    shutil.copytree(local_folder, renamed)
    (renamed / "a.csv").rename(renamed / "A.csv")
    moved = tmp_path / "moved"
    shutil.copytree(local_folder, moved)
    (moved / "a.csv").rename(moved / "sub" / "a.csv")
    edited = tmp_path / "edited"
    shutil.copytree(local_folder, edited)
    (edited / "a.csv").write_bytes(b"a,b\n1,3\n")
    hashes = {original, *(summarize_dir(folder).hash for folder in (renamed, moved, edited))}
    assert len(hashes) == 4


def test_folder_name_itself_does_not_change_the_hash(local_folder: Path, tmp_path: Path) -> None:
    assert summarize_dir(shutil.copytree(local_folder, tmp_path / "other-name")).hash == summarize_dir(local_folder).hash


def test_empty_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "empty" / "nested").mkdir(parents=True)
    with pytest.raises(StorageError, match="holds no files"):
        summarize(tmp_path / "empty")


def test_missing_path_is_refused(store: UPath) -> None:
    with pytest.raises(StorageError, match="No file or folder"):
        summarize(store / "missing.csv")


@pytest.mark.parametrize("size", [0, 1000, 1024**2 + 17])
def test_a_small_file_is_read_once_and_its_bytes_are_what_was_hashed(tmp_path: Path, size: int) -> None:
    path = tmp_path / "f.bin"
    content = os.urandom(size)
    path.write_bytes(content)
    summary, body = summarize_small(path, 2 * 1024**2)
    assert body == content and summary == summarize_file(path) == FileSummary(hash_bytes(content), HASH_TYPE_FILE, size)
    summary, body = summarize_small(path, size - 1)  # above the limit: hashed, not kept
    assert body is None and summary == summarize_file(path)
