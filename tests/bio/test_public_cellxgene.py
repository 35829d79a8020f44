"""The streaming reader of cellxgene-ontology-guide's ``.json.zst`` files, on small files made here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import zstandard

from biolake.bio.public import cellxgene

TERMS = {
    "X:1": {
        "ancestors": {},
        "label": "root",
        "description": 'braces } and "quotes" and },"X:9":{ inside',
        "deprecated": False,
    },
    "X:2": {
        "ancestors": {"X:1": 1},
        "label": "child é",
        "synonyms": ["kid", "child é", " kid ", "a|b"],
        "deprecated": False,
    },
    "X:3": {"label": "grandchild", "deprecated": False, "ancestors": {"X:1": 2, "X:2": 1}},
    # direct parent not in the file: X:2 (nearer) is the parent, not X:1
    "X:4": {"ancestors": {"Y:7": 1, "X:2": 2, "X:1": 3}, "label": "orphan-ish", "deprecated": False},
    "X:5": {"ancestors": {"X:2": 3, "X:1": 4}, "label": "orphan", "description": "", "deprecated": False},
    "X:6": {"ancestors": {}, "label": "obsolete thing", "deprecated": True, "replaced_by": "X:3"},
}


def write_zst(path: Path, terms: dict) -> Path:
    path.write_bytes(zstandard.ZstdCompressor().compress(json.dumps(terms, separators=(",", ":")).encode()))
    return path


@pytest.mark.parametrize("chunk_bytes", [16 << 20, 64, 7])
def test_streaming_reader_matches_the_json(tmp_path, chunk_bytes):
    table = cellxgene.read_table(write_zst(tmp_path / "X-ontology-v1.json.zst", TERMS), chunk_bytes=chunk_bytes)
    rows = {r["ontology_id"]: r for r in table.to_pylist()}
    assert list(rows) == list(TERMS)
    assert rows["X:1"]["definition"] == TERMS["X:1"]["description"]
    assert rows["X:2"]["name"] == "child é"
    assert rows["X:2"]["synonyms"] == "kid|a|b"  # trimmed, deduplicated, without the name; "|" splits
    assert rows["X:3"]["parents"] == ["X:2"]
    assert rows["X:4"]["parents"] == ["Y:7"]  # a direct parent outside the file is still a direct parent
    assert rows["X:5"]["parents"] == ["X:2"]  # no direct parent: the nearest ancestors in the file
    assert rows["X:5"]["definition"] is None
    assert (rows["X:6"]["deprecated"], rows["X:6"]["replaced_by"]) == (True, "X:3")


def test_unusual_layouts_fall_back_to_the_json_parser(tmp_path):
    terms = {
        "X:1": {"label": "no ancestors key"},
        "X:2": {"ancestors": {"X:1": 1}, "label": "listed replacement", "replaced_by": ["X:1"], "deprecated": True},
    }
    table = cellxgene.read_table(write_zst(tmp_path / "odd.json.zst", terms), chunk_bytes=32)
    assert table.to_pylist() == [
        {
            "ontology_id": "X:1",
            "name": "no ancestors key",
            "definition": None,
            "synonyms": None,
            "parents": [],
            "deprecated": False,
            "replaced_by": None,
        },
        {
            "ontology_id": "X:2",
            "name": "listed replacement",
            "definition": None,
            "synonyms": None,
            "parents": ["X:1"],
            "deprecated": True,
            "replaced_by": "X:1",
        },
    ]


def test_a_truncated_file_is_an_error(tmp_path):
    path = tmp_path / "cut.json.zst"
    path.write_bytes(zstandard.ZstdCompressor().compress(json.dumps(TERMS).encode()[:-10]))
    with pytest.raises(ValueError):
        cellxgene.read_table(path)


def test_shipped_files_and_versions_are_found():
    files = cellxgene.shipped_files()
    for ontology in [
        "CL",
        "UBERON",
        "MONDO",
        "EFO",
        "HANCESTRO",
        "HsapDv",
        "MmusDv",
        "PATO",
        "NCBITaxon",
        "CVCL",
        "UniProt",
    ]:
        assert files[ontology], ontology
    latest = cellxgene.latest_versions()
    assert latest["CL"]["version"] in files["CL"]
    assert cellxgene.source_url("CL", "v2025-02-13").endswith("/v2025-02-13/cl.owl")
