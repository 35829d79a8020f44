"""The texts of validation messages."""

from __future__ import annotations

from biolake.models import validation_report


def test_message_texts():
    assert validation_report.not_validated(["IFNJ"]) == "1 term is not validated: 'IFNJ'"
    assert validation_report.not_validated(["a", "b"]) == "2 terms are not validated: 'a', 'b'"
    assert validation_report.validated(1) == "1 term is validated"
    assert validation_report.synonyms_found({"T-cell": "T cell"}) == (
        '1 synonym found: "T-cell" → "T cell"; standardize with .standardize()'
    )
    assert validation_report.validated_against("perturbation", "ULabel.name") == (
        '"perturbation" is validated against ULabel.name'
    )
    assert validation_report.listing([f"t{i}" for i in range(25)]).endswith("'t19', ... (+5 more)")
    assert validation_report.add_hint("perturbation") == (
        '→ fix typos, remove non-existent values, or save terms via .add_new_from("perturbation")'
    )
