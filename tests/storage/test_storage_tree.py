from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from rich.console import Console
from upath import UPath

from biolake import _logging
from biolake.errors import StorageError
from biolake.storage.tree import render_tree, view_tree


def _text(renderable: object) -> str:
    console = Console(file=io.StringIO(), width=200, color_system=None)
    console.print(renderable)
    return console.file.getvalue()  # type: ignore[attr-defined]


@pytest.fixture
def lake(store: UPath, write: Callable[[UPath, bytes], UPath]) -> UPath:
    files = [
        ".biolake/3mAxR5zVnDyq0000.parquet",
        ".biolake/8kPqR5zVnDyq0000.h5ad",
        "raw/a.csv",
        "raw/b.csv",
        "raw/plates/p1.parquet",
        "README",
    ]
    for key in files:
        write(store / key, b"x")
    return store


def test_root_label_has_totals_and_suffixes(lake: UPath) -> None:
    text = _text(render_tree(lake))
    assert str(lake) in text
    assert "3 sub-directories & 6 files with suffixes '.csv', '.h5ad', '.parquet'" in text


def test_folders_show_counts_per_suffix_and_files(lake: UPath) -> None:
    text = _text(render_tree(lake))
    assert ".biolake/ (2 files: .h5ad: 1, .parquet: 1)" in text
    assert "raw/ (3 files: .csv: 2, .parquet: 1)" in text
    assert "plates/ (1 file: .parquet: 1)" in text
    for name in ["3mAxR5zVnDyq0000.parquet", "a.csv", "p1.parquet", "README"]:
        assert name in text


def test_level_limits_the_depth(lake: UPath) -> None:
    text = _text(render_tree(lake, level=1))
    assert "raw/ (3 files" in text and "README" in text
    assert "plates/" not in text and "a.csv" not in text
    assert "3 sub-directories & 6 files" in _text(render_tree(lake, level=0))


def test_limit_shows_how_many_more(lake: UPath) -> None:
    text = _text(render_tree(lake, limit=2))
    assert "... 1 more" in text
    assert "README" not in text
    assert "3 sub-directories & 6 files" in text


def test_show_files_false_lists_only_folders(lake: UPath) -> None:
    text = _text(render_tree(lake, show_files=False))
    assert "raw/ (3 files: .csv: 2, .parquet: 1)" in text
    assert "a.csv\n" not in text and "README" not in text


def test_file_and_missing_paths(lake: UPath) -> None:
    assert "a.csv" in _text(render_tree(lake / "raw" / "a.csv"))
    with pytest.raises(StorageError, match="No file or folder"):
        render_tree(lake / "missing")


def test_labels_are_not_read_as_markup(tmp_path: Path) -> None:
    (tmp_path / "[bold]x[red].csv").write_text("x")
    assert "[bold]x[red].csv" in _text(render_tree(tmp_path))


def test_view_tree_prints(lake: UPath, capsys: pytest.CaptureFixture[str]) -> None:
    _logging.reset_console()
    view_tree(lake, level=1)
    _logging.reset_console()
    assert "raw/" in capsys.readouterr().out


def test_upath_factory_adds_view_tree(lake: UPath, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from biolake.storage.upath import UPath as make_path

    path = make_path(str(lake), **lake.storage_options)
    assert isinstance(path, UPath)
    local = make_path(tmp_path)
    assert type(local).__name__ in ("PosixUPath", "WindowsUPath")
    _logging.reset_console()
    path.view_tree(limit=1)
    local.view_tree()
    _logging.reset_console()
    out = capsys.readouterr().out
    assert "... " in out and str(tmp_path.resolve()) in out
