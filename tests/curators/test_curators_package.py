"""The curators package: a thin, lazy public surface."""

from __future__ import annotations

import subprocess
import sys

import biolake.curators as curators


def test_all_lists_the_public_names():
    public = {name for name in dir(curators) if not name.startswith("_")}
    assert set(curators.__all__) == {"AnnDataCurator", "Curator", "DataFrameCurator", "MuDataCurator"}
    assert set(curators.__all__) <= public


def test_import_is_cheap():
    code = "import sys, biolake.curators; print(sorted(m for m in ('pandas', 'django', 'anndata') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
