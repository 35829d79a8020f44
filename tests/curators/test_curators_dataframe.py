"""DataFrameCurator: the intro walkthrough, every dtype, coercion, nulls, column sets, labels, saving."""

from __future__ import annotations

import datetime
import itertools
from pathlib import Path

import pandas as pd
import pytest


_ids = itertools.count()

TYPO_MESSAGE = (
    "1 term is not validated: 'IFNJ'\n"
    '→ fix typos, remove non-existent values, or save terms via .add_new_from("perturbation")'
)


def unique(prefix: str) -> str:
    return f"{prefix}_{next(_ids)}"


def schema_of(ln, **dtypes):
    """A schema with one new feature per keyword (column name → dtype); returns (schema, names)."""
    flags = {k: dtypes.pop(k) for k in ("minimal_set", "maximal_set", "ordered_set", "coerce_dtype") if k in dtypes}
    features, names = [], {}
    for column, dtype in dtypes.items():
        options = dtype if isinstance(dtype, dict) else {"dtype": dtype}
        feature = ln.Feature(name=unique(column), **options).save()
        features.append(feature)
        names[column] = feature.name
    return ln.Schema(features=features, **flags).save(), names


def error_of(curator):
    import biolake as ln

    with pytest.raises(ln.errors.ValidationError) as info:
        curator.validate()
    return info.value


@pytest.fixture
def quiet_off(monkeypatch, capsys):
    """Print messages (tests run with BIOLAKE_QUIET=1) and return a reader of stdout."""
    from biolake import _logging

    monkeypatch.setenv("BIOLAKE_QUIET", "0")
    _logging.reset_console()
    yield lambda: capsys.readouterr().out
    _logging.reset_console()


def test_intro_walkthrough(ln, quiet_off):
    perturbation_type = ln.ULabel(name="Perturbation", is_type=True).save()
    ln.ULabel(name="DMSO", type=perturbation_type).save(); ln.ULabel(name="IFNG", type=perturbation_type).save()  # noqa: E702
    schema = ln.Schema(name="My DataFrame schema", features=[
        ln.Feature(name="ENSG00000153563", dtype=int).save(),
        ln.Feature(name="ENSG00000010610", dtype=int).save(),
        ln.Feature(name="ENSG00000170458", dtype=int).save(),
        ln.Feature(name="perturbation", dtype=ln.ULabel).save()]).save()
    df_typo = ln.core.datasets.small_dataset1(with_typo=True)
    curator = ln.curators.DataFrameCurator(df_typo, schema)
    error = error_of(curator)
    assert str(error) == TYPO_MESSAGE
    assert error.non_validated == {"perturbation": ["IFNJ"]}
    assert curator.non_validated == {"perturbation": ["IFNJ"]}
    assert curator.cat.non_validated == {"perturbation": ["IFNJ"]}
    assert "! 1 term is not validated: 'IFNJ'" in quiet_off()

    df = ln.core.datasets.small_dataset1()
    artifact = ln.curators.DataFrameCurator(df, schema).save_artifact(key="my_curated_dataset.parquet")
    assert '✓ "perturbation" is validated against ULabel.name' in quiet_off()
    assert artifact.otype == "DataFrame" and artifact.n_observations == 3
    assert ln.Artifact.get(ulabels__name="IFNG") == artifact
    links = ln.models.ArtifactULabel.objects.filter(artifact=artifact)
    assert set(links.values_list("ulabel__name", "feature__name")) == {("DMSO", "perturbation"), ("IFNG", "perturbation")}
    assert list(ln.models.ArtifactSchema.objects.filter(artifact=artifact).values_list("schema", "slot")) == [
        (schema.pk, "columns")
    ]
    assert artifact.load()["perturbation"].tolist() == ["DMSO", "IFNG", "DMSO"]


# -- dtypes --------------------------------------------------------------------------------------
DTYPE_CASES = [
    # dtype, values that pass, values that fail, offending values
    ("int", [1, 2, 3], [1, 2.5, "x"], [2.5, "x"]),
    ("int", pd.array([1, None], dtype="Int64"), [1.0, 2.0], [1.0, 2.0]),
    ("float", [1.5, 2.0], [1, 2], [1, 2]),
    ("num", [1, 2.5], [1, "a"], ["a"]),
    ("str", ["a", "b"], ["a", 3], [3]),
    ("str", pd.Categorical(["a", "b"]), [True, "b"], [True]),
    ("bool", [True, False], [True, "yes"], ["yes"]),
    ("date", [datetime.date(2024, 1, 1), None], [datetime.date(2024, 1, 1), "2024-01-02"], ["2024-01-02"]),
    ("datetime", pd.to_datetime(["2024-01-01 12:00"]), ["noon"], ["noon"]),
    ("dict", [{"a": 1}, {}], [{"a": 1}, "x"], ["x"]),
    ("path", ["data/a.csv", Path("b.csv")], ["a.csv", 3], [3]),
    ("list[int]", [[1, 2], [3]], [[1, 2], [3, "x"]], ["x"]),
    ("list[str]", [["a"], []], [["a"], "b"], ["b"]),
]


@pytest.mark.parametrize(("dtype", "good", "bad", "offending"), DTYPE_CASES, ids=[c[0] for c in DTYPE_CASES])
def test_every_dtype_passes_and_fails(ln, dtype, good, bad, offending):
    schema, names = schema_of(ln, col=dtype)
    column = names["col"]
    assert ln.curators.DataFrameCurator(pd.DataFrame({column: good}), schema).validate() is None
    error = error_of(ln.curators.DataFrameCurator(pd.DataFrame({column: bad}), schema))
    assert error.non_validated == {column: offending}
    n = len(offending)
    assert f'column "{column}" should have dtype {dtype}: {n} value{"s" if n > 1 else ""} ' in str(error)
    assert "set coerce=True on the feature" in str(error)


def test_date_accepts_datetime64_midnights_only(ln):
    schema, names = schema_of(ln, day="date")
    day = names["day"]
    midnights = pd.DataFrame({day: pd.to_datetime(["2024-01-01", "2024-01-02"])})
    assert ln.curators.DataFrameCurator(midnights, schema).validate() is None
    noon = pd.DataFrame({day: pd.to_datetime(["2024-01-01 12:00"])})
    assert error_of(ln.curators.DataFrameCurator(noon, schema)).non_validated == {day: [pd.Timestamp("2024-01-01 12:00")]}


# -- coercion, nulls ----------------------------------------------------------------------------
def test_coerce_on_the_feature_converts_in_place(ln):
    schema, names = schema_of(
        ln, n={"dtype": int, "coerce": True}, when={"dtype": "date", "coerce": True}, flag={"dtype": bool, "coerce": True}
    )
    df = pd.DataFrame({names["n"]: ["1", "2"], names["when"]: ["2024-01-01", "2024-02-01"], names["flag"]: ["yes", "no"]})
    curator = ln.curators.DataFrameCurator(df, schema)
    assert curator.validate() is None
    assert df[names["n"]].tolist() == [1, 2] and str(df[names["n"]].dtype) == "int64"
    assert df[names["when"]].tolist() == [datetime.date(2024, 1, 1), datetime.date(2024, 2, 1)]
    assert df[names["flag"]].tolist() == [True, False]


def test_coerce_dtype_on_the_schema_and_values_that_cannot_be_converted(ln):
    schema, names = schema_of(ln, x=float, y=int, coerce_dtype=True)
    df = pd.DataFrame({names["x"]: [1, 2], names["y"]: ["3", "x"]})
    error = error_of(ln.curators.DataFrameCurator(df, schema))
    assert str(error) == f'column "{names["y"]}" should have dtype int: 1 value cannot be converted to int: \'x\''
    assert error.non_validated == {names["y"]: ["x"]}
    assert df[names["x"]].dtype == "float64"  # the convertible column was converted


def test_nullable(ln):
    schema, names = schema_of(ln, required={"dtype": str, "nullable": False}, optional=str)
    df = pd.DataFrame({names["required"]: ["a", None, None], names["optional"]: [None, "b", None]})
    error = error_of(ln.curators.DataFrameCurator(df, schema))
    assert str(error) == f'column "{names["required"]}" is not nullable, but has 2 missing values'
    df[names["required"]] = ["a", "b", "c"]
    assert ln.curators.DataFrameCurator(df, schema).validate() is None


# -- column sets --------------------------------------------------------------------------------
def test_minimal_set_requires_every_column(ln):
    schema, names = schema_of(ln, a=int, b=int, c=int)
    df = pd.DataFrame({names["a"]: [1]})
    error = error_of(ln.curators.DataFrameCurator(df, schema))
    assert str(error).startswith(f'2 required columns are missing: "{names["b"]}", "{names["c"]}"\n')
    relaxed_schema = ln.Schema(features=list(schema.ordered_features), minimal_set=False).save()
    assert ln.curators.DataFrameCurator(df, relaxed_schema).validate() is None


def test_maximal_set_refuses_extra_columns(ln):
    schema, names = schema_of(ln, a=int, maximal_set=True)
    df = pd.DataFrame({names["a"]: [1], "extra": [2]})
    assert str(error_of(ln.curators.DataFrameCurator(df, schema))) == (
        '1 column is not in the schema: "extra"\n→ remove them, or use a schema with maximal_set=False'
    )
    open_schema = ln.Schema(features=list(schema.ordered_features)).save()
    assert ln.curators.DataFrameCurator(df, open_schema).validate() is None


def test_ordered_set(ln):
    schema, names = schema_of(ln, a=int, b=int, ordered_set=True)
    df = pd.DataFrame({names["b"]: [1], names["a"]: [2]})
    assert "columns are not in the schema's order" in str(error_of(ln.curators.DataFrameCurator(df, schema)))
    assert ln.curators.DataFrameCurator(df[[names["a"], names["b"]]], schema).validate() is None


def test_every_failing_column_in_one_error(ln):
    ln.ULabel(name=unique("known")).save()
    schema, names = schema_of(ln, label=ln.ULabel, count=int, other=ln.ULabel, gone=str)
    df = pd.DataFrame({names["label"]: ["x1", "x2"], names["count"]: [1.5, 2], names["other"]: ["y", None]})
    error = error_of(ln.curators.DataFrameCurator(df, schema))
    message = str(error)
    assert f'1 required column is missing: "{names["gone"]}"' in message
    assert f"2 terms are not validated: 'x1', 'x2'\n→ fix typos, remove non-existent values, or save terms via .add_new_from(\"{names['label']}\")" in message
    assert f"1 term is not validated: 'y'\n" in message
    assert f'column "{names["count"]}" should have dtype int: 2 values are not int: 1.5, 2.0' in message
    assert error.non_validated == {names["label"]: ["x1", "x2"], names["count"]: [1.5, 2.0], names["other"]: ["y"]}


# -- labels: types, standardize, add_new_from ---------------------------------------------------
def test_label_type_restricts_values(ln):
    kind = ln.ULabel(name=unique("Treatment"), is_type=True).save()
    other = ln.ULabel(name=unique("Other"), is_type=True).save()
    good = ln.ULabel(name=unique("drugA"), type=kind).save()
    elsewhere = ln.ULabel(name=unique("drugB"), type=other).save()
    feature = ln.Feature(name=unique("treatment"), dtype=kind).save()
    assert feature.dtype == f"cat[ULabel[{kind.name}]]"
    schema = ln.Schema(features=[feature]).save()
    df = pd.DataFrame({feature.name: [good.name, elsewhere.name]})
    curator = ln.curators.DataFrameCurator(df, schema)
    error = error_of(curator)
    assert error.non_validated == {feature.name: [elsewhere.name]}
    curator.add_new_from(feature.name)
    assert ln.ULabel.get(name=elsewhere.name, type=kind).type == kind  # a new label of the right type
    assert curator.validate() is None
    artifact = curator.save_artifact(key=f"{unique('typed')}.parquet")
    assert set(artifact.ulabels.values_list("type__name", flat=True)) == {kind.name}


def test_add_new_from_needs_an_existing_label_type(ln):
    feature = ln.Feature(name=unique("assay"), dtype="cat[ULabel[NoSuchType]]").save()
    curator = ln.curators.DataFrameCurator(pd.DataFrame({feature.name: ["a"]}), ln.Schema(features=[feature]).save())
    with pytest.raises(ln.errors.ValidationError, match="There is no ULabel type 'NoSuchType'"):
        curator.cat.add_new_from(feature.name)


def test_standardize_replaces_synonyms_and_case_in_place(ln, quiet_off):
    t_cell = ln.ULabel(name=unique("T cell"), synonyms=f"{unique('Tcell')}|{unique('T-cell')}").save()
    synonym = t_cell.synonyms.split("|")[0]
    schema, names = schema_of(ln, obj=ln.ULabel, cats=ln.ULabel)
    df = pd.DataFrame({
        names["obj"]: [synonym, t_cell.name.lower(), t_cell.name, None],
        names["cats"]: pd.Categorical([synonym, t_cell.name.upper(), t_cell.name, None]),
    })
    curator = ln.curators.DataFrameCurator(df, schema)
    error = error_of(curator)
    assert (
        f'→ 2 synonyms found: "{synonym}" → "{t_cell.name}", "{t_cell.name.lower()}" → "{t_cell.name}"; '
        f'standardize with .standardize("{names["obj"]}")'
    ) in str(error)
    assert "fix typos" not in str(error)  # nothing left once standardized
    quiet_off()
    curator.standardize()
    assert "standardized 2 terms in" in quiet_off()
    assert df[names["obj"]].tolist()[:3] == [t_cell.name] * 3 and df[names["obj"]].isna().tolist()[3]
    assert df[names["cats"]].dtype == "category"
    assert df[names["cats"]].tolist()[:3] == [t_cell.name] * 3
    assert curator.validate() is None


def test_add_new_from_all_and_synonyms_not_added(ln):
    t_cell = ln.ULabel(name=unique("Tc"), synonyms=unique("Tc-syn")).save()
    schema, names = schema_of(ln, a=ln.ULabel, b=ln.ULabel, c=list[ln.ULabel])
    new_a, new_b, new_c = unique("newA"), unique("newB"), unique("newC")
    df = pd.DataFrame({
        names["a"]: [new_a, t_cell.synonyms],
        names["b"]: [new_b, new_b],
        names["c"]: [[new_c, t_cell.name], []],
    })
    curator = ln.curators.DataFrameCurator(df, schema)
    assert curator.non_validated == {names["a"]: [new_a, t_cell.synonyms], names["b"]: [new_b], names["c"]: [new_c]}
    curator.add_new_from("all")
    assert ln.ULabel.validate([new_a, new_b, new_c], mute=True).all()
    assert not ln.ULabel.validate([t_cell.synonyms], mute=True).any()  # a synonym: standardize instead
    assert curator.non_validated == {names["a"]: [t_cell.synonyms]}
    curator.standardize(names["a"])
    assert curator.validate() is None
    artifact = curator.save_artifact(key=f"{unique('lists')}.parquet")
    links = ln.models.ArtifactULabel.objects.filter(artifact=artifact)
    assert set(links.values_list("ulabel__name", "feature__name")) == {
        (new_a, names["a"]), (t_cell.name, names["a"]), (new_b, names["b"]), (new_c, names["c"]), (t_cell.name, names["c"])
    }


def test_unknown_key_and_non_label_registries(ln):
    schema, names = schema_of(ln, feat="cat[Feature]")
    curator = ln.curators.DataFrameCurator(pd.DataFrame({names["feat"]: ["nope"]}), schema)
    error = error_of(curator)
    assert str(error) == (
        "1 term is not validated: 'nope'\n→ fix typos, remove non-existent values, or create the missing Feature records"
    )
    with pytest.raises(ln.errors.ValidationError, match="Feature records need more than a name"):
        curator.add_new_from(names["feat"])
    with pytest.raises(ln.errors.ValidationError, match='No categorical key "nothing"'):
        curator.add_new_from("nothing")
    assert curator.cat.keys == [names["feat"]]


def test_itype_schema_validates_column_names_and_their_dtypes(ln):
    count = ln.Feature(name=unique("count"), dtype=int).save()
    schema = ln.Schema(itype=ln.Feature).save()
    df = pd.DataFrame({count.name: [1.5], "not_a_feature": [1]})
    error = error_of(ln.curators.DataFrameCurator(df, schema))
    assert "1 term is not validated: 'not_a_feature'" in str(error)
    assert f'column "{count.name}" should have dtype int' in str(error)
    assert error.non_validated == {"columns": ["not_a_feature"], count.name: [1.5]}
    good = pd.DataFrame({count.name: [1]})
    artifact = ln.curators.DataFrameCurator(good, schema).save_artifact(key=f"{unique('itype')}.parquet")
    linked = artifact.schemas.get()
    assert linked.n == 1 and list(linked.features.all()) == [count]


# -- saving -------------------------------------------------------------------------------------
def test_save_artifact_validates_first_and_saves_versions(ln):
    schema, names = schema_of(ln, n=int)
    before = ln.Artifact.filter().count()
    with pytest.raises(ln.errors.ValidationError):
        ln.curators.DataFrameCurator(pd.DataFrame({names["n"]: ["x"]}), schema).save_artifact(key="never.parquet")
    assert ln.Artifact.filter().count() == before
    key = f"{unique('versions')}.parquet"
    first = ln.curators.DataFrameCurator(pd.DataFrame({names["n"]: [1]}), schema).save_artifact(key=key, description="v1")
    second = ln.curators.DataFrameCurator(pd.DataFrame({names["n"]: [2]}), schema).save_artifact(revises=first)
    assert first.description == "v1"
    assert second.uid[:16] == first.uid[:16] and second.uid != first.uid and second.key == key
    assert second.schemas.get() == schema


def test_wrong_inputs(ln):
    schema, _ = schema_of(ln, n=int)
    with pytest.raises(TypeError, match="pandas DataFrame"):
        ln.curators.DataFrameCurator([1, 2], schema)
    composite = ln.Schema(otype="AnnData", components={"obs": schema}).save()
    with pytest.raises(ln.errors.ValidationError, match="AnnDataCurator"):
        ln.curators.DataFrameCurator(pd.DataFrame(), composite)


def test_index_feature(ln):
    sample = ln.ULabel(name=unique("sample")).save()
    index = ln.Feature(name=unique("sample_id"), dtype=ln.ULabel).save()
    schema, names = schema_of(ln, n=int)
    indexed = ln.Schema(features=list(schema.ordered_features), index=index).save()
    assert indexed != schema  # the index is part of the definition
    unknown = unique("unknown")
    df = pd.DataFrame({names["n"]: [1, 2]}, index=[sample.name, unknown])
    curator = ln.curators.DataFrameCurator(df, indexed)
    assert error_of(curator).non_validated == {"index": [unknown]}
    curator.add_new_from("index")
    artifact = curator.save_artifact(key=f"{unique('indexed')}.parquet")
    assert set(artifact.ulabels.values_list("name", flat=True)) == {sample.name, unknown}


def test_plain_cat_is_ulabel_name_and_success_messages(ln, quiet_off):
    kind = ln.ULabel(name=unique("Kind"), is_type=True).save()
    plain, typed = ln.ULabel(name=unique("plain")).save(), ln.ULabel(name=unique("typed"), type=kind).save()
    schema, names = schema_of(ln, a="cat", b=kind)
    df = pd.DataFrame({names["a"]: [plain.name, typed.name], names["b"]: [typed.name, None]})
    quiet_off()
    assert ln.curators.DataFrameCurator(df, schema).validate() is None
    out = quiet_off()
    assert f'✓ "{names["a"]}" is validated against ULabel.name' in out
    assert f'✓ "{names["b"]}" is validated against ULabel[{kind.name}].name' in out
