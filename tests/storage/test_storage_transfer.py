from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from upath import UPath

from biolake.errors import StorageError, UploadError
from biolake.storage import _listing, transfer
from biolake.storage.hashing import summarize, summarize_dir
from biolake.storage.paths import create_path, is_local
from biolake.storage.transfer import get, move, n_files, put, remove, size_of


class InjectedFailure(RuntimeError):
    pass


def _files_below(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def _inject_write_failure(monkeypatch: pytest.MonkeyPatch, dst: UPath) -> None:
    """Make the next write to ``dst``'s file system write a few bytes, then fail."""
    if is_local(dst):

        def failing_copy(reader: Any, writer: Any, advance: Callable[[int], None]) -> None:
            writer.write(reader.read(3))
            raise InjectedFailure("disk full")

        monkeypatch.setattr(transfer, "_copy_chunks", failing_copy)
    elif getattr(dst.fs, "async_impl", False):  # s3fs: a small file is one PutObject (biolake.storage.s3_put)
        original_call = dst.fs._call_s3

        async def failing_call(method: str, *args: Any, **kwargs: Any) -> Any:
            if method != "put_object":
                return await original_call(method, *args, **kwargs)
            await original_call(method, *args, **{**kwargs, "Body": b"par"})
            raise InjectedFailure("connection reset")

        monkeypatch.setattr(dst.fs, "_call_s3", failing_call)
    else:

        def failing_put(lpath: str, rpath: str, **kwargs: Any) -> None:
            dst.fs.pipe_file(rpath, b"par")
            raise InjectedFailure("connection reset")

        monkeypatch.setattr(dst.fs, "put_file", failing_put)


def test_put_and_get_a_file(store: UPath, tmp_path: Path) -> None:
    source = tmp_path / "a.csv"
    source.write_bytes(b"a,b\n1,2\n")
    put(source, store / "raw" / "a.csv")
    assert (store / "raw" / "a.csv").read_bytes() == b"a,b\n1,2\n"
    assert size_of(store / "raw" / "a.csv") == 8
    assert n_files(store / "raw" / "a.csv") is None
    back = get(store / "raw" / "a.csv", tmp_path / "back" / "a.csv")
    assert back == tmp_path / "back" / "a.csv" and back.read_bytes() == b"a,b\n1,2\n"
    assert _files_below(tmp_path / "back") == ["a.csv"]


def test_put_and_get_a_folder(store: UPath, local_folder: Path, tmp_path: Path) -> None:
    put(local_folder, store / "folder")
    assert n_files(store / "folder") == 3
    assert size_of(store / "folder") == summarize_dir(local_folder).size
    back = get(store / "folder", tmp_path / "back")
    assert _files_below(back) == [".hidden/c.txt", "a.csv", "sub/b.parquet"]
    assert summarize_dir(back) == summarize_dir(local_folder)


def test_put_folder_into_an_existing_folder_merges(store: UPath, local_folder: Path, tmp_path: Path) -> None:
    put(local_folder, store / "folder")
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "a.csv").write_bytes(b"new")
    (extra / "d.txt").write_bytes(b"d")
    put(extra, store / "folder")
    assert n_files(store / "folder") == 4
    assert (store / "folder" / "a.csv").read_bytes() == b"new"


def test_put_overwrites_a_file(store: UPath, tmp_path: Path) -> None:
    source = tmp_path / "a.txt"
    source.write_bytes(b"one")
    put(source, store / "a.txt")
    source.write_bytes(b"second")
    put(source, store / "a.txt")
    assert (store / "a.txt").read_bytes() == b"second"


@pytest.mark.parametrize("fresh", [False, True], ids=["checked", "fresh"])
def test_failed_put_leaves_nothing_under_the_final_name(
    store: UPath, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh: bool
) -> None:
    source = tmp_path / "a.bin"
    source.write_bytes(os.urandom(1000))
    target = store / "dir" / "a.bin"
    _inject_write_failure(monkeypatch, target)
    with pytest.raises(UploadError) as info:
        put(source, target, fresh=fresh)
    assert isinstance(info.value.__cause__, InjectedFailure)
    assert str(source.resolve()) in str(info.value) and str(target) in str(info.value)
    assert not _listing.exists(target)
    if is_local(target):
        assert _files_below(Path(target).parent) == []


def test_failed_local_overwrite_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = create_path(tmp_path / "a.txt")
    Path(target).write_bytes(b"old content")
    source = tmp_path / "new.txt"
    source.write_bytes(b"new content")
    _inject_write_failure(monkeypatch, target)
    with pytest.raises(UploadError):
        put(source, target)
    assert Path(target).read_bytes() == b"old content"
    assert _files_below(tmp_path) == ["a.txt", "new.txt"]


def test_failed_folder_put_removes_only_what_it_wrote(
    store: UPath, local_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    existing = tmp_path / "existing.txt"
    existing.write_bytes(b"keep me")
    put(existing, store / "folder" / "existing.txt")
    calls = {"n": 0}
    if is_local(store):
        original_copy = transfer._copy_chunks

        def copy_then_fail(reader: Any, writer: Any, advance: Callable[[int], None]) -> None:
            calls["n"] += 1
            if calls["n"] == 2:
                raise InjectedFailure("disk full")
            original_copy(reader, writer, advance)

        monkeypatch.setattr(transfer, "_copy_chunks", copy_then_fail)
    elif getattr(store.fs, "async_impl", False):  # s3fs: one PutObject per file (biolake.storage.s3_put)
        original_call = store.fs._call_s3

        async def call_then_fail(method: str, *args: Any, **kwargs: Any) -> Any:
            if method == "put_object":
                calls["n"] += 1
                if calls["n"] == 2:
                    await original_call(method, *args, **{**kwargs, "Body": b"par"})
                    raise InjectedFailure("connection reset")
            return await original_call(method, *args, **kwargs)

        monkeypatch.setattr(store.fs, "_call_s3", call_then_fail)
    else:
        original_put = store.fs.put_file

        def put_then_fail(lpath: str, rpath: str, **kwargs: Any) -> None:
            calls["n"] += 1
            if calls["n"] == 2:
                store.fs.pipe_file(rpath, b"par")
                raise InjectedFailure("connection reset")
            original_put(lpath, rpath, **kwargs)

        monkeypatch.setattr(store.fs, "put_file", put_then_fail)
    with pytest.raises(UploadError):
        put(local_folder, store / "folder")
    monkeypatch.undo()
    assert [entry.key for entry in _listing.walk(store / "folder")] == ["existing.txt"]
    assert (store / "folder" / "existing.txt").read_bytes() == b"keep me"


def test_put_of_a_missing_source_raises(store: UPath, tmp_path: Path) -> None:
    with pytest.raises(UploadError, match="no file or folder"):
        put(tmp_path / "missing.csv", store / "x.csv")


def test_failed_get_leaves_nothing_under_the_final_name(
    store: UPath, write: Callable[[UPath, bytes], UPath], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = write(store / "a.bin", b"x" * 100)
    target = tmp_path / "down" / "a.bin"
    if is_local(source):

        def failing_copy(reader: Any, writer: Any, advance: Callable[[int], None]) -> None:
            writer.write(b"xx")
            raise InjectedFailure("read error")

        monkeypatch.setattr(transfer, "_copy_chunks", failing_copy)
    else:

        def failing_get(rpath: str, lpath: str, **kwargs: Any) -> None:
            Path(lpath).write_bytes(b"xx")
            raise InjectedFailure("timeout")

        monkeypatch.setattr(source.fs, "get_file", failing_get)
    with pytest.raises(StorageError, match="Downloading"):
        get(source, target)
    assert _files_below(tmp_path / "down") == []


def test_get_of_a_missing_source_raises(store: UPath, tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="no file or folder"):
        get(store / "missing", tmp_path / "x")


def test_remove_files_folders_and_missing_paths(store: UPath, local_folder: Path) -> None:
    put(local_folder, store / "folder")
    remove(store / "folder" / "a.csv")
    assert n_files(store / "folder") == 2
    remove(store / "folder")
    assert not _listing.exists(store / "folder")
    remove(store / "folder")
    remove(store / "never-existed.csv")


def test_move_within_a_file_system(store: UPath, local_folder: Path, tmp_path: Path) -> None:
    put(local_folder / "a.csv", store / "a.csv")
    move(store / "a.csv", store / "moved" / "b.csv")
    assert not _listing.exists(store / "a.csv")
    assert (store / "moved" / "b.csv").read_bytes() == b"a,b\n1,2\n"
    put(local_folder, store / "folder")
    move(store / "folder", store / "renamed")
    assert not _listing.exists(store / "folder")
    renamed, local = summarize(store / "renamed"), summarize_dir(local_folder)
    assert (renamed.n_files, renamed.size) == (local.n_files, local.size)  # S3 hashes from its ETags
    assert (store / "renamed" / "a.csv").read_bytes() == (local_folder / "a.csv").read_bytes()


def test_move_between_file_systems(store: UPath, local_folder: Path, tmp_path: Path) -> None:
    other = create_path(tmp_path / "other") if not is_local(store) else create_path("memory://biolake-move-test")
    try:
        put(local_folder, store / "folder")
        move(store / "folder", other / "folder")
        assert not _listing.exists(store / "folder")
        assert summarize(other / "folder") == summarize_dir(local_folder)
        move(other / "folder" / "a.csv", store / "a.csv")
        assert (store / "a.csv").read_bytes() == b"a,b\n1,2\n"
    finally:
        remove(create_path("memory://biolake-move-test"))


def test_move_of_a_missing_source_raises(store: UPath) -> None:
    with pytest.raises(StorageError, match="no file or folder"):
        move(store / "missing", store / "other")


def test_size_of_a_missing_path_raises(store: UPath) -> None:
    with pytest.raises(StorageError):
        size_of(store / "missing")


def test_big_transfers_show_progress(store: UPath, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transfer, "PROGRESS_THRESHOLD", 10)
    updates: list[int] = []
    original = transfer._progress

    def recording_progress(total: int, description: str) -> Any:
        updates.append(total)
        return original(total, description)

    monkeypatch.setattr(transfer, "_progress", recording_progress)
    source = tmp_path / "big.bin"
    source.write_bytes(os.urandom(3 * 1024))
    put(source, store / "big.bin")
    get(store / "big.bin", tmp_path / "back.bin")
    assert (tmp_path / "back.bin").read_bytes() == source.read_bytes()
    assert updates == [3 * 1024, 3 * 1024]
