"""`biolake cache location|clear`: no instance needed."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from biolake.cli import main


def test_cache_location_and_clear(tmp_path):
    cache_dir = tmp_path / "cache"
    runner = CliRunner(env={"BIOLAKE_CACHE_DIR": str(cache_dir)})
    result = runner.invoke(main, ["cache", "location"])
    assert result.exit_code == 0, result.output
    assert Path(result.stdout.strip()) == cache_dir and cache_dir.is_dir()

    (cache_dir / "s3" / "bucket" / "lake").mkdir(parents=True)
    (cache_dir / "s3" / "bucket" / "lake" / "a.csv").write_text("a")
    (cache_dir / "s3" / "bucket" / "b.csv").write_text("b")
    (cache_dir / "top.txt").write_text("c")
    (cache_dir / ".biolake-cache-index" / "s3").mkdir(parents=True)
    (cache_dir / ".biolake-cache-index" / "s3" / "b.csv.json").write_text("{}")  # index: not counted

    result = runner.invoke(main, ["cache", "clear"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("removed 3 file(s)")
    assert list(cache_dir.iterdir()) == []

    result = runner.invoke(main, ["cache", "clear"])
    assert result.exit_code == 0 and result.stdout.startswith("removed 0 file(s)")
