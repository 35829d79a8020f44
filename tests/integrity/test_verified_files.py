"""load() re-hashes a file only when it may have changed since this process last verified it."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from biolake import _process, errors
from biolake.models import integrity


@pytest.fixture
def hashes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records each re-hash; the "just changed" window is 0 so a fresh file can be remembered."""
    calls: list[str] = []
    recompute = integrity._recompute

    def counting(upath, hash_type):  # type: ignore[no-untyped-def]
        calls.append(str(upath))
        return recompute(upath, hash_type)

    monkeypatch.setattr(integrity, "_recompute", counting)
    monkeypatch.setattr(integrity, "_RACY_NS", 0)
    _process.verified_files.clear()
    return calls


def _saved(ln, key: str):  # type: ignore[no-untyped-def]
    """A saved artifact, fetched again (a just-saved one answers load() from memory)."""
    df = pd.DataFrame({"a": range(200), "b": [key] * 200})
    ln.Artifact.from_df(df, key=key).save()
    return ln.Artifact.get(key=key), df


def test_an_unchanged_file_is_hashed_once(ln, hashes):  # type: ignore[no-untyped-def]
    artifact, df = _saved(ln, "verified/once.parquet")
    for _ in range(3):
        pd.testing.assert_frame_equal(ln.Artifact.get(key="verified/once.parquet").load(), df)
    assert len(hashes) == 1


def test_a_flipped_bit_is_found_after_a_verified_load_even_with_the_old_mtime(ln, hashes):  # type: ignore[no-untyped-def]
    artifact, _ = _saved(ln, "verified/flip.parquet")
    artifact.load()
    path = Path(artifact.path.path)
    before = os.stat(path)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # same size, same mtime: ctime still differs
    with pytest.raises(errors.CorruptBytesError, match="hash"):
        ln.Artifact.get(key="verified/flip.parquet").load()
    assert len(hashes) == 2


def test_a_replaced_file_is_hashed_again(ln, hashes):  # type: ignore[no-untyped-def]
    artifact, df = _saved(ln, "verified/replaced.parquet")
    artifact.load()
    path = Path(artifact.path.path)
    copy = path.with_name(path.name + ".copy")
    copy.write_bytes(path.read_bytes())
    os.replace(copy, path)  # the same bytes in a new inode
    pd.testing.assert_frame_equal(ln.Artifact.get(key="verified/replaced.parquet").load(), df)
    assert len(hashes) == 2


def test_a_file_changed_just_before_its_verification_is_not_remembered(ln, hashes, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(integrity, "_RACY_NS", 3600 * 10**9)  # every file counts as just changed
    artifact, _ = _saved(ln, "verified/racy.parquet")
    artifact.load()
    artifact.load()
    assert len(hashes) == 2 and not _process.verified_files


def test_a_full_check_always_hashes(ln, hashes):  # type: ignore[no-untyped-def]
    artifact, _ = _saved(ln, "verified/full.parquet")
    path = Path(artifact.path.path)
    integrity.check_local(artifact, path)
    integrity.check_local(artifact, path)
    integrity.check_local(artifact, path, full=True)
    assert len(hashes) == 2


def test_the_memory_is_per_recorded_hash(ln, hashes):  # type: ignore[no-untyped-def]
    artifact, _ = _saved(ln, "verified/other-hash.parquet")
    path = Path(artifact.path.path)
    integrity.check_local(artifact, path)
    artifact.hash = "0" * len(artifact.hash)  # a record that expects other bytes at the same path
    with pytest.raises(errors.CorruptBytesError):
        integrity.check_local(artifact, path)
