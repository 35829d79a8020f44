"""The curators package: a thin, lazy public surface, and the message texts."""

from __future__ import annotations

import subprocess
import sys

import biolake.curators as curators
from biolake.curators import report


def test_all_lists_the_public_names():
    public = {name for name in dir(curators) if not name.startswith("_")}
    assert set(curators.__all__) == {"AnnDataCurator", "DataFrameCurator", "MuDataCurator"}
    assert set(curators.__all__) <= public


def test_import_is_cheap():
    code = "import sys, biolake.curators; print(sorted(m for m in ('pandas', 'django', 'anndata') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_message_texts():
    assert report.not_validated(["IFNJ"]) == "1 term is not validated: 'IFNJ'"
    assert report.not_validated(["a", "b"]) == "2 terms are not validated: 'a', 'b'"
    assert report.validated(1) == "1 term is validated"
    assert report.synonyms_found({"T-cell": "T cell"}) == (
        '1 synonym found: "T-cell" → "T cell"; standardize with .standardize()'
    )
    assert report.validated_against("perturbation", "ULabel.name") == '"perturbation" is validated against ULabel.name'
    assert report.listing([f"t{i}" for i in range(25)]).endswith("'t19', ... (+5 more)")
    assert report.add_hint("perturbation") == (
        '→ fix typos, remove non-existent values, or save terms via .add_new_from("perturbation")'
    )
