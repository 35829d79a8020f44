"""A LaminDB 1.3 script and a LaminDB 2.x script, each run in a subprocess on a fresh instance.

The scripts differ from real LaminDB code only in their import lines; each runs on SQLite
and on PostgreSQL.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from instance_helpers import BACKENDS, drop_instance, make_instance

SCRIPTS = Path(__file__).parent / "scripts"
SRC = Path(__file__).parents[2] / "src"


def run_script(name: str, folder: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    script = folder / name
    shutil.copy(SCRIPTS / name, script)
    full_env = {**os.environ, "BIOLAKE_QUIET": "0", "PYTHONPATH": f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}", **(env or {})}
    full_env.pop("BIOLAKE_RUN_UID", None)
    return subprocess.run([sys.executable, str(script)], cwd=folder, env=full_env, capture_output=True, text=True, timeout=300)


@pytest.fixture(params=BACKENDS)
def fresh(request: pytest.FixtureRequest, tmp_path: Path):
    """A fresh instance with the bio module, current for the subprocess (its folder: the script's)."""
    import biolake as ln

    previous = ln.settings.instance.name if _has_current() else None
    inst, dbname = make_instance(request.param, tmp_path / "lamin-intro", modules=["bio"])
    yield inst, request.param, tmp_path
    if previous is not None:
        ln.connect(previous)
    drop_instance(inst.name, dbname)


def _has_current() -> bool:
    import biolake as ln

    try:
        ln.settings.instance  # noqa: B018
        return True
    except Exception:
        return False


@pytest.mark.slow
def test_lamindb13_walkthrough(fresh):
    inst, _, folder = fresh
    result = run_script("lamindb13_walkthrough.py", folder)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "started new Run(" in result.stdout and "finished Run" in result.stdout


@pytest.mark.slow
def test_lamindb2x_script(fresh):
    inst, backend, folder = fresh
    other, dbname = make_instance(backend, folder / "other-lake", name=f"{inst.name}o")
    import biolake as ln

    ln.ULabel(name="label in the other instance").save()
    ln.connect(inst.name)
    try:
        result = run_script("lamindb2x_script.py", folder, env={"OTHER_INSTANCE": other.name})
    finally:
        drop_instance(other.name, dbname)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
