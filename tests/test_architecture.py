"""The one-way architecture is enforced: the import-linter contract holds (and fails on a
violation), and a save never calls from the storage layer back into the registries."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd

import biolake

ROOT = Path(__file__).resolve().parents[1]
SRC = Path(biolake.__file__).resolve().parent  # the biolake package under test
LINT_IMPORTS = shutil.which("lint-imports") or "lint-imports"


def _lint(package_parent: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(package_parent)}
    return subprocess.run(
        [LINT_IMPORTS, "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
        cwd=package_parent, env=env, capture_output=True, text=True, timeout=300,
    )


def test_import_contract_is_kept():
    out = _lint(SRC.parent)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "1 kept, 0 broken" in out.stdout


def test_import_contract_fails_on_an_upward_import(tmp_path):
    """A storage module importing the registries breaks the contract (as CI would report it)."""
    copy = tmp_path / "src"
    shutil.copytree(SRC, copy / "biolake", ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "biolake" / "storage" / "_upward.py").write_text("from biolake.models import Artifact  # an upward import\n")
    out = _lint(copy)
    assert out.returncode != 0
    assert "BROKEN" in out.stdout
    assert "biolake.storage._upward -> biolake.models" in out.stdout


def _calls_from_storage_into_models(action) -> tuple[list[str], int]:
    """Run ``action`` while watching calls: those of a function under ``biolake/models`` made
    while a function under ``biolake/storage`` is on the stack; and how many storage calls."""
    models_dir, storage_dir = str(SRC / "models") + os.sep, str(SRC / "storage") + os.sep
    violations: list[str] = []
    storage_calls = [0]

    def profile(frame, event, arg):
        if event != "call":
            return
        filename = frame.f_code.co_filename
        if filename.startswith(storage_dir):
            storage_calls[0] += 1
            return
        if not filename.startswith(models_dir):
            return
        caller = frame.f_back
        while caller is not None:
            if caller.f_code.co_filename.startswith(storage_dir):
                violations.append(f"{caller.f_code.co_name} → {frame.f_code.co_name} ({Path(filename).name})")
                return
            caller = caller.f_back

    sys.setprofile(profile)
    try:
        action()
    finally:
        sys.setprofile(None)
    return violations, storage_calls[0]


def test_a_save_never_calls_back_from_storage_into_models(ln, tmp_path):
    source = tmp_path / "traced.csv"
    source.write_text("a,b\n1,2\n")
    folder = tmp_path / "traced-folder"
    folder.mkdir()
    (folder / "x.txt").write_text("x")

    def save_three() -> None:
        ln.Artifact.from_df(pd.DataFrame({"traced": [1, 2]}), key="trace/df.parquet").save()
        ln.Artifact(source, key="trace/file.csv").save()
        ln.Artifact(folder, key="trace/folder").save()
        ln.Artifact.from_df(pd.DataFrame({"traced": [3]}), key="trace/df.parquet").save()  # a new version

    violations, storage_calls = _calls_from_storage_into_models(save_three)
    assert storage_calls > 20  # key → storage path → hash → upload all ran in storage/
    assert violations == []
