"""Remote uploads: concurrent batches, verification against local files, retries."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from biolake.storage import _listing, upload
from biolake.storage.paths import create_path, is_local
from biolake.storage.transfer import put


@pytest.fixture
def many_files(tmp_path: Path) -> Path:
    folder = tmp_path / "many"
    for i in range(600):
        sub = folder / f"d{i % 7}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"f{i}.txt").write_text(f"content {i}\n" * (i % 5 + 1))
    return folder


def _remote_store(store: Any) -> Any:
    if is_local(store):
        pytest.skip("uploads to object stores only")
    return store


def test_folder_upload_is_complete_and_verified(store: Any, many_files: Path) -> None:
    store = _remote_store(store)
    put(many_files, store / "many")
    pairs = upload.pairs_for(many_files, (store / "many").path, _listing.walk(create_path(many_files)))
    assert len(pairs) == 600
    assert upload.unverified(store.fs, pairs) == []


def test_transient_failures_are_retried(store: Any, many_files: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = _remote_store(store)
    calls = {"n": 0}
    if getattr(store.fs, "async_impl", False):  # s3fs: one PutObject per file, verified by its response
        original_call = store.fs._call_s3

        async def flaky_call(method: str, *args: Any, **kwargs: Any) -> Any:
            if method == "put_object":
                calls["n"] += 1
                if calls["n"] % 2 == 0 and calls["n"] <= 600:  # half the first round is dropped
                    raise ConnectionResetError("connection reset by peer")
            return await original_call(method, *args, **kwargs)

        monkeypatch.setattr(store.fs, "_call_s3", flaky_call)
        put(many_files, store / "flaky")
        assert calls["n"] == 900  # the 300 dropped files went up again
    else:
        original = store.fs.put

        def flaky_put(lpaths: Any, rpaths: Any, **kwargs: Any) -> None:
            calls["n"] += 1
            if calls["n"] == 1:  # the first batch only half arrives, then the connection drops
                original(lpaths[: len(lpaths) // 2], rpaths[: len(rpaths) // 2], **kwargs)
                raise ConnectionResetError("connection reset by peer")
            original(lpaths, rpaths, **kwargs)

        monkeypatch.setattr(store.fs, "put", flaky_put)
        put(many_files, store / "flaky")
        assert calls["n"] > 3  # the retry pass uploaded what was missing
    files = [p for p in store.fs.find((store / "flaky").path)]
    assert len(files) == 600


def test_size_mismatch_is_detected(store: Any, tmp_path: Path) -> None:
    store = _remote_store(store)
    local = tmp_path / "one.txt"
    local.write_text("hello world")
    remote = (store / "check" / "one.txt").path
    store.fs.pipe_file(remote, b"hello")
    pairs = [upload.Pair(str(local), remote, local.stat().st_size)]
    assert upload.unverified(store.fs, pairs) == pairs
