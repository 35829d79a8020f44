"""A small DataFrame saved to local storage does no needless filesystem work: its parquet is
written once (one file opened for writing, in one write), hashed from that file, and renamed
into place; nothing is copied. Counts, not times."""

from __future__ import annotations

import builtins
import os
import shutil
from collections import Counter
from typing import Any

import pandas as pd
import pytest


@pytest.fixture
def ln(tmp_path: Any) -> Any:
    import biolake as ln

    inst = ln.setup.init(storage=str(tmp_path / "storage"), name=f"fswork{os.getpid()}")
    ln.Artifact.from_df(pd.DataFrame({"warm": [0]}), key="warm.parquet").save()  # storage and user records exist
    yield ln
    ln.setup.delete(inst.name, force=True)


def _count(monkeypatch: pytest.MonkeyPatch, calls: Counter[str]) -> None:
    def counted(name: str, function: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            calls[name] += 1
            return function(*args, **kwargs)

        return wrapper

    for name in ("replace", "rename"):
        monkeypatch.setattr(os, name, counted(name, getattr(os, name)))
    for name in ("copyfile", "copyfileobj", "copy", "copy2"):
        monkeypatch.setattr(shutil, name, counted(name, getattr(shutil, name)))
    original_open = builtins.open

    def tracking_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        handle = original_open(file, mode, *args, **kwargs)
        if any(flag in mode for flag in "wxa+"):
            calls["opened for writing"] += 1
            write = handle.write

            def counted_write(data: Any) -> Any:
                calls["write"] += 1
                return write(data)

            handle.write = counted_write
        else:
            calls["opened for reading"] += 1
        return handle

    monkeypatch.setattr(builtins, "open", tracking_open)


def test_a_local_dataframe_save_writes_once_and_renames_once(ln: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    df = pd.DataFrame({f"c{c}": [c + r for r in range(3)] for c in range(5)})
    managed = os.path.join(str(ln.settings.storage), ".biolake")
    before = set(os.listdir(managed))
    calls: Counter[str] = Counter()
    _count(monkeypatch, calls)
    artifact = ln.Artifact.from_df(df, key="fs/work.parquet").save()
    monkeypatch.undo()
    assert calls == Counter({"opened for writing": 1, "write": 1, "opened for reading": 1, "replace": 1})
    assert set(os.listdir(managed)) - before == {f"{artifact.uid}.parquet"}
    pd.testing.assert_frame_equal(artifact.load(), df)
