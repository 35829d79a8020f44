"""The type check of the test command: ``python -m mypy src/biolake`` with the project's config.

One test shows the check passes on the source; the others show it fails on a violation, so a
type error (or an unannotated function in a strict package) fails CI.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "pyproject.toml"


def _mypy(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "mypy", "--config-file", str(CONFIG), *map(str, args)]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300)


def test_source_passes_mypy() -> None:
    result = _mypy("src/biolake", cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success: no issues found" in result.stdout


def test_a_type_error_fails(tmp_path: Path) -> None:
    module = tmp_path / "violation.py"
    module.write_text('def double(x: int) -> int:\n    return x * 2\n\n\ndouble("2")\n')
    result = _mypy(module, "--cache-dir", tmp_path / ".mypy_cache", cwd=tmp_path)
    assert result.returncode != 0
    assert 'violation.py:5: error: Argument 1 to "double" has incompatible type "str"' in result.stdout


@pytest.mark.parametrize("package", ["setup", "storage", "formats"])
def test_an_unannotated_function_fails_in_a_strict_package(tmp_path: Path, package: str) -> None:
    folder = tmp_path / "biolake" / package
    folder.mkdir(parents=True)
    (tmp_path / "biolake" / "__init__.py").write_text("")
    (folder / "__init__.py").write_text("")
    (folder / "violation.py").write_text("def identity(x):\n    return x\n")
    result = _mypy(folder / "violation.py", "--cache-dir", tmp_path / ".mypy_cache", cwd=tmp_path)
    assert result.returncode != 0
    assert "violation.py:1: error: Function is missing a type annotation  [no-untyped-def]" in result.stdout
