"""Suffix and object-type lookups, registration, plain-file loading and errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import anndata as ad
import numpy as np
import pandas as pd
import pytest

import biolake.formats as formats
from biolake.errors import UnknownFormatError
from biolake.formats import registry


def test_exported_members_match_all():
    public = {name for name in vars(formats) if not name.startswith("_")} - {"registry"}
    public -= {name for name in public if isinstance(getattr(formats, name), type(sys))}
    assert public == set(formats.__all__)
    assert set(formats.__all__) <= set(registry.__all__)


def test_import_is_cheap():
    code = (
        "import sys, biolake.formats, biolake.core;"
        "biolake.formats.default_suffix('DataFrame');"
        "biolake.formats.infer_otype(object());"
        "heavy = [m for m in ('pandas', 'anndata', 'mudata', 'pyarrow', 'zarr', 'h5py', 'numpy', 'django')"
        " if m in sys.modules];"
        "print(heavy)"
    )
    src = str(Path(formats.__file__).parents[2])
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env={"PYTHONPATH": src}, check=True
    )
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("otype", "fmt", "expected"),
    [
        ("DataFrame", None, ".parquet"),
        ("DataFrame", "csv", ".csv"),
        ("DataFrame", "parquet", ".parquet"),
        ("AnnData", None, ".h5ad"),
        ("AnnData", "zarr", ".zarr"),
        ("AnnData", ".h5ad", ".h5ad"),
        ("MuData", None, ".h5mu"),
    ],
)
def test_default_suffix(otype, fmt, expected):
    assert formats.default_suffix(otype, fmt) == expected


def test_default_suffix_unknown():
    with pytest.raises(UnknownFormatError, match="SpatialData"):
        formats.default_suffix("SpatialData")
    with pytest.raises(UnknownFormatError, match="'h5ad'") as excinfo:
        formats.default_suffix("DataFrame", "h5ad")
    assert isinstance(excinfo.value, ValueError)


def test_infer_otype():
    assert formats.infer_otype(pd.DataFrame({"a": [1]})) == "DataFrame"
    assert formats.infer_otype(ad.AnnData(np.zeros((2, 2)))) == "AnnData"
    assert formats.infer_otype(pd.Series([1])) is None
    assert formats.infer_otype({"a": 1}) is None
    assert formats.infer_otype(None) is None


@pytest.mark.parametrize(
    ("suffix", "otype"),
    [
        (".parquet", "DataFrame"),
        (".csv", "DataFrame"),
        (".tsv", "DataFrame"),
        (".csv.gz", "DataFrame"),
        (".h5ad", "AnnData"),
        (".zarr", "AnnData"),
        (".anndata.zarr", "AnnData"),
        (".h5mu", "MuData"),
        (".PARQUET", "DataFrame"),
        ("h5ad", "AnnData"),
        (".png", None),
        (".json", None),
        (".unknownsuffix", None),
        ("", None),
    ],
)
def test_otype_from_suffix(suffix, otype):
    assert formats.otype_from_suffix(suffix) == otype


def test_is_tabular_suffix():
    assert formats.is_tabular_suffix(".parquet")
    assert formats.is_tabular_suffix(".tsv")
    assert not formats.is_tabular_suffix(".h5ad")
    assert not formats.is_tabular_suffix(".nope")


@pytest.mark.parametrize(
    ("name", "suffix"),
    [
        ("x.parquet", ".parquet"),
        ("dir/x.anndata.zarr", ".anndata.zarr"),
        ("t.CSV.GZ", ".csv.gz"),
        ("my.data.parquet", ".parquet"),
        ("reads.fastq.gz", ".fastq.gz"),
        ("folder", ""),
        ("store.zarr/", ".zarr"),
        ("x.weird", ".weird"),
        (".parquet", ""),
    ],
)
def test_infer_suffix(name, suffix):
    assert formats.infer_suffix(name) == suffix


def test_n_observations():
    assert formats.n_observations(pd.DataFrame({"a": range(5)})) == 5
    assert formats.n_observations(ad.AnnData(np.zeros((4, 2)))) == 4
    assert formats.n_observations([1, 2, 3]) is None
    assert formats.n_observations("text") is None


def test_load_text_json_yaml(tmp_path):
    (tmp_path / "notes.txt").write_text("hello 🤩\n", encoding="utf-8")
    (tmp_path / "readme.md").write_text("# title", encoding="utf-8")
    (tmp_path / "d.json").write_text(json.dumps({"a": [1, 2]}))
    (tmp_path / "l.json").write_text("[1, 2]")
    (tmp_path / "c.yaml").write_text("a: 1\nb: [x, y]\n")
    (tmp_path / "c.yml").write_text("k: v\n")
    assert formats.load(tmp_path / "notes.txt") == "hello 🤩\n"
    assert formats.load(tmp_path / "readme.md", ".md") == "# title"
    assert formats.load(tmp_path / "d.json") == {"a": [1, 2]}
    assert formats.load(tmp_path / "l.json") == [1, 2]
    assert formats.load(tmp_path / "c.yaml") == {"a": 1, "b": ["x", "y"]}
    assert formats.load(tmp_path / "c.yml") == {"k": "v"}


@pytest.mark.parametrize("name", ["plot.png", "report.html", "photo.JPG", "scan.tif", "doc.pdf", "a.svg", "x.fcs"])
def test_load_plain_returns_path(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"\x89PNG not really")
    assert formats.load(path) == path


def test_load_explicit_suffix_wins(tmp_path):
    # cached artifacts may be named by uid; the suffix argument decides the format
    path = tmp_path / "abc123"
    path.write_text('{"x": 1}')
    assert formats.load(path, ".json") == {"x": 1}


def test_load_folder_returns_path(tmp_path):
    folder = tmp_path / "images"
    folder.mkdir()
    (folder / "a.png").write_bytes(b"")
    assert formats.load(folder) == folder
    assert formats.load(folder, "") == folder


def test_load_unknown_suffix_error(tmp_path):
    path = tmp_path / "thing.xyz"
    path.write_bytes(b"?")
    with pytest.raises(UnknownFormatError) as excinfo:
        formats.load(path)
    message = str(excinfo.value)
    assert "'.xyz'" in message
    assert ".cache()" in message and "local path" in message and "always works" in message
    assert excinfo.value.suffix == ".xyz"


def test_load_file_without_suffix_error(tmp_path):
    path = tmp_path / "README"
    path.write_text("x")
    with pytest.raises(UnknownFormatError, match=r"\.cache\(\)"):
        formats.load(path)


def test_write_refuses_wrong_object(tmp_path):
    with pytest.raises(UnknownFormatError, match="'.h5ad'"):
        formats.write(pd.DataFrame({"a": [1]}), tmp_path / "x.h5ad", ".h5ad")
    with pytest.raises(UnknownFormatError, match="'.png'"):
        formats.write(pd.DataFrame({"a": [1]}), tmp_path / "x.png", ".png")
    with pytest.raises(UnknownFormatError, match="'.nope'"):
        formats.write([1], tmp_path / "x.nope", ".nope")


def test_register_custom_format(tmp_path):
    calls = []

    def loader(path, suffix, **kwargs):
        calls.append((path, suffix, kwargs))
        return path.read_text().split(",")

    fmt = formats.register(formats.Format("testcsvlist", ("TESTLIST",), loader=loader))
    try:
        assert fmt.suffixes == (".testlist",)
        path = tmp_path / "values.testlist"
        path.write_text("a,b")
        assert formats.load(path, flag=True) == ["a", "b"]
        assert calls == [(path, ".testlist", {"flag": True})]
        with pytest.raises(ValueError, match="already registered"):
            formats.register(formats.Format("other", (".testlist",), loader=loader))
    finally:
        registry._REGISTRY.by_suffix.pop(".testlist", None)
        registry._REGISTRY.formats = [f for f in registry._REGISTRY.formats if f.name != "testcsvlist"]


def test_dotted_handler_and_missing_requirement(tmp_path):
    fmt = formats.Format("t", (".t",), loader="json:loads", requires=("surely_not_installed_pkg",))
    with pytest.raises(ModuleNotFoundError, match="pip install surely_not_installed_pkg"):
        fmt.handler("loader")
    assert formats.Format("t", (".t",), loader="json:loads").handler("loader") is json.loads
    assert formats.Format("t", (".t",), loader="json.loads").handler("loader") is json.loads
