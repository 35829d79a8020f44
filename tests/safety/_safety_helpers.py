"""Shared by the safety tests: run the CLI, run a save in a child process, list stray files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner, Result

SRC = str(Path(__file__).resolve().parents[2] / "src")

CHILD = str(Path(__file__).resolve().parents[2] / "benchmarks" / "save_child.py")  # shared with benchmarks/safety.py


def cli(*args: str) -> Result:
    """Run ``biolake ARGS`` in this process (the current instance of BIOLAKE_HOME)."""
    from biolake.cli import main

    return CliRunner().invoke(main, list(args))


def start_child(name: str, key: str, *, fault: str | None, mode: str = "df", work: Path) -> subprocess.Popen[str]:
    """Start saving an artifact in a child process, killed by ``BIOLAKE_FAULT=fault`` at that phase."""
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    env.pop("BIOLAKE_FAULT", None)
    if fault:
        env["BIOLAKE_FAULT"] = fault
    return subprocess.Popen(
        [sys.executable, CHILD, name, key, mode, str(work)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def run_child(name: str, key: str, *, fault: str | None, mode: str = "df", work: Path) -> subprocess.CompletedProcess[str]:
    """:func:`start_child` and wait for it."""
    child = start_child(name, key, fault=fault, mode=mode, work=work)
    out, err = child.communicate(timeout=120)
    return subprocess.CompletedProcess(child.args, child.returncode, out, err)


def temp_files(cache_dir: Path) -> list[Path]:
    """Files and folders in the cache's folder of saves in progress."""
    folder = cache_dir / "_tmp"
    return sorted(folder.iterdir()) if folder.is_dir() else []
