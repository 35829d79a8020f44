"""``artifact.diff(other)`` and ``biolake artifact diff`` on two versions of the README's dataset."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner

EXPECTED_LINES = [
    "shape: 3 × 11 → 3 × 11",
    "categories of 'perturbation': renamed 'IFNJ' → 'IFNG'",
]


@pytest.fixture
def versions(ln: Any) -> tuple[Any, Any]:
    df = ln.core.datasets.small_dataset1(with_typo=True)
    v0 = ln.Artifact.from_df(df, key="diff/rnaseq1.parquet").save()
    df["perturbation"] = df["perturbation"].cat.rename_categories({"IFNJ": "IFNG"})
    v1 = ln.Artifact.from_df(df, key="diff/rnaseq1.parquet").save()
    return v0, v1


def test_diff_of_two_versions(versions: tuple[Any, Any]) -> None:
    v0, v1 = versions
    result = v0.diff(v1)
    assert str(result) == "\n".join([f"Artifact {v0.uid} → {v1.uid} (DataFrame)", *EXPECTED_LINES])
    assert result.to_dict()["categories"] == [
        {"column": "perturbation", "added": [], "removed": [], "renamed": {"IFNJ": "IFNG"}}
    ]
    assert not v1.diff(v1)


def test_diff_of_anndata_artifacts(ln: Any) -> None:
    a = ln.core.datasets.anndata_with_obs(n_obs=10)
    old = ln.Artifact.from_anndata(a, key="diff/a.h5ad").save()
    b = a[:8].copy()
    b.obs["batch"] = "x"
    new = ln.Artifact.from_anndata(b, key="diff/a.h5ad").save()
    result = old.diff(new)
    assert result.otype == "AnnData"
    assert result.changes.shape == ((10, 100), (8, 100))
    assert result.changes.obs.columns_added == ["batch"] and result.changes.obs.n_rows_removed == 2


def test_diff_refuses_other_types(ln: Any, versions: tuple[Any, Any], tmp_path: Any) -> None:
    path = tmp_path / "plain.txt"
    path.write_text("text")
    text = ln.Artifact(str(path), key="diff/plain.txt").save()
    with pytest.raises(ln.errors.InvalidArgument, match="compares DataFrame or AnnData"):
        versions[0].diff(text)


def test_cli_artifact_diff(versions: tuple[Any, Any]) -> None:
    from biolake.cli import main

    v0, v1 = versions
    result = CliRunner().invoke(main, ["artifact", "diff", v0.uid, v1.uid])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [f"Artifact {v0.uid} → {v1.uid} (DataFrame)", *EXPECTED_LINES]
