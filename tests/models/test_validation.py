"""Registry validation API: validate, inspect, standardize, from_values — one query per call."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest


_ids = itertools.count()


def unique(prefix: str) -> str:
    return f"{prefix}{next(_ids)}"


@pytest.fixture
def queries():
    """Count the SQL queries of a block: ``with queries() as q: ...; len(q)``."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    return lambda: CaptureQueriesContext(connection)


@pytest.fixture
def cells(ln):
    """Three labels, one with synonyms, one of a label type; the names are unique per test."""
    kind = ln.ULabel(name=unique("CellKind"), is_type=True).save()
    t_cell = ln.ULabel(name=unique("T cell "), synonyms=None).save()
    t_cell.synonyms = f"{t_cell.name}-syn|TC{t_cell.id}"
    t_cell.save()
    b_cell = ln.ULabel(name=unique("B cell "), type=kind).save()
    nk = ln.ULabel(name=unique("NK cell "), type=kind).save()
    return {"kind": kind, "t": t_cell, "b": b_cell, "nk": nk}


def test_validate_returns_boolean_array_in_one_query(ln, cells, queries):
    t, b = cells["t"].name, cells["b"].name
    values = [t, "nope", b, t, None]
    ln.ULabel.validate([t], mute=True)  # warm up the connection
    with queries() as q:
        result = ln.ULabel.validate(values, mute=True)
    assert len(q) == 1
    assert isinstance(result, np.ndarray) and result.dtype == bool
    assert result.tolist() == [True, False, True, True, False]
    for field in (None, "name", ln.ULabel.name):
        assert ln.ULabel.validate(values, field=field, mute=True).tolist() == result.tolist()


@pytest.mark.parametrize(
    "wrap",
    [list, tuple, np.array, pd.Series, pd.Index, pd.Categorical, lambda v: pd.Series(v, dtype="category")],
    ids=["list", "tuple", "ndarray", "Series", "Index", "Categorical", "category-Series"],
)
def test_validate_takes_any_sequence(ln, cells, wrap):
    t = cells["t"].name
    assert ln.ULabel.validate(wrap([t, "nope", t]), mute=True).tolist() == [True, False, True]


def test_validate_string_case_and_synonyms_are_not_exact(ln, cells):
    t = cells["t"]
    assert ln.ULabel.validate(t.name, mute=True).tolist() == [True]
    assert ln.ULabel.validate([t.name.upper(), f"{t.name}-syn"], mute=True).tolist() == [False, False]


def test_validate_other_fields_and_registries(ln, cells):
    t = cells["t"]
    assert ln.ULabel.validate([t.uid, "xxxxxxxx"], field="uid", mute=True).tolist() == [True, False]
    feature = ln.Feature(name=unique("feat"), dtype=int).save()
    assert ln.Feature.validate([feature.name, "nope"], mute=True).tolist() == [True, False]
    with pytest.raises(ln.errors.ValidationError, match="ULabel has no field 'nope'"):
        ln.ULabel.validate(["a"], field="nope")


def test_trashed_records_do_not_validate(ln, queries):
    label = ln.ULabel(name=unique("trashed")).save()
    assert ln.ULabel.validate([label.name], mute=True).tolist() == [True]
    ln.ULabel.objects.filter(pk=label.pk).update(branch_id=-1)
    assert ln.ULabel.validate([label.name], mute=True).tolist() == [False]
    assert ln.ULabel.from_values([label.name]) == []


def test_type_filter_restricts_labels_to_a_label_type(ln, cells):
    t, b, kind = cells["t"].name, cells["b"].name, cells["kind"].name
    assert ln.ULabel.validate([t, b], type_filter=kind, mute=True).tolist() == [False, True]
    assert ln.ULabel.from_values([t, b], type_filter=kind) == [cells["b"]]


def test_inspect_lists_validated_non_validated_and_synonyms(ln, cells, queries, capsys, monkeypatch):
    from biolake import _logging

    t = cells["t"]
    values = [t.name, f"{t.name}-syn", t.name.upper(), "foo", None, "foo", cells["b"].name]
    with queries() as q:
        result = ln.ULabel.inspect(values, mute=True)
    assert len(q) == 1
    assert result.validated == [t.name, cells["b"].name]
    assert result.non_validated == [f"{t.name}-syn", t.name.upper(), "foo"]
    assert result.synonyms_mapper == {f"{t.name}-syn": t.name, t.name.upper(): t.name}
    assert ln.ULabel.inspect(values, mute=True, case_sensitive=True).synonyms_mapper == {f"{t.name}-syn": t.name}

    monkeypatch.setenv("BIOLAKE_QUIET", "0")
    _logging.reset_console()
    ln.ULabel.inspect([t.name, "foo", f"{t.name}-syn"])
    out = capsys.readouterr().out
    assert "✓ 1 term is validated" in out
    assert f"! 2 terms are not validated: 'foo', '{t.name}-syn'" in out
    assert f'→ 1 synonym found: "{t.name}-syn" → "{t.name}"; standardize with .standardize()' in out
    _logging.reset_console()


def test_inspect_prints_singular_messages(ln, cells, capsys, monkeypatch):
    from biolake import _logging

    monkeypatch.setenv("BIOLAKE_QUIET", "0")
    _logging.reset_console()
    ln.ULabel.inspect(["foo"])
    assert "! 1 term is not validated: 'foo'" in capsys.readouterr().out
    _logging.reset_console()


def test_standardize_maps_synonyms_and_case_keeps_the_rest(ln, cells, queries):
    t = cells["t"]
    values = [f"{t.name}-syn", t.name.lower(), t.name, "foo", None, f"TC{t.id}"]
    with queries() as q:
        result = ln.ULabel.standardize(values)
    assert len(q) == 1
    assert result == [t.name, t.name, t.name, "foo", None, t.name]
    assert ln.ULabel.standardize(f"{t.name}-syn") == t.name
    assert ln.ULabel.standardize("foo") == "foo"
    assert ln.ULabel.standardize(values, return_mapper=True) == {
        f"{t.name}-syn": t.name, t.name.lower(): t.name, f"TC{t.id}": t.name
    }
    assert ln.ULabel.standardize([t.name.lower()], case_sensitive=True) == [t.name.lower()]
    assert ln.ULabel.standardize([f"{t.name}-syn"], synonyms_field=None) == [f"{t.name}-syn"]
    assert ln.ULabel.standardize([f"{t.name}-SYN"]) == [t.name]  # synonyms match case-insensitively
    series_result = ln.ULabel.standardize(pd.Series([f"{t.name}-syn", np.nan]))
    assert series_result[0] == t.name and pd.isna(series_result[1])


def test_standardize_without_a_synonyms_field(ln, queries):
    """Schema has no synonyms column (nor CanValidate): only case variants map."""
    from biolake.models import validation

    name = unique("Schema ")
    schema = ln.Schema(name=name, features=[ln.Feature(name=unique("f"), dtype=int).save()]).save()
    with queries() as q:
        assert validation.standardize(ln.Schema, [name.upper(), "zzz"]) == [schema.name, "zzz"]
    assert len(q) == 1


def test_exact_names_win_over_synonyms(ln):
    a = ln.ULabel(name=unique("alpha")).save()
    b = ln.ULabel(name=unique("beta"), synonyms=a.name).save()
    assert ln.ULabel.standardize([a.name]) == [a.name]
    assert ln.ULabel.standardize([a.name.upper()]) == [a.name]
    assert ln.ULabel.standardize([b.name]) == [b.name]


def test_from_values_returns_records_in_input_order_once(ln, cells, queries):
    t, b, nk = cells["t"], cells["b"], cells["nk"]
    with queries() as q:
        records = ln.ULabel.from_values([nk.name, "nope", t.name, nk.name, b.name, None])
    assert len(q) == 1
    assert records == [nk, t, b]
    assert ln.ULabel.from_values([b.uid], field=ln.ULabel.uid) == [b]


def test_many_values_take_one_query_on_both_backends(ln, queries):
    """A million values with 1,000 distinct ones (990 registered): more distinct values than
    SQLite's 999 query parameters, still one query per call."""
    prefix = unique("bulk")
    names = [f"{prefix}_{i}" for i in range(1000)]
    ln.save([ln.ULabel(name=n) for n in names[:990]])
    rng = np.random.default_rng(0)
    values = np.array(names, dtype=object)[rng.integers(0, 1000, 1_000_000)]
    with queries() as q:
        result = ln.ULabel.validate(values, mute=True)
    assert len(q) == 1
    assert result.sum() == pd.Series(values).isin(set(names[:990])).sum()
    with queries() as q:
        inspected = ln.ULabel.inspect(pd.Categorical(values), mute=True)
    assert len(q) == 1
    assert sorted(inspected.non_validated) == sorted(names[990:])
    with queries() as q:
        standardized = ln.ULabel.standardize([n.upper() for n in names])
    assert len(q) == 1
    assert standardized == names[:990] + [n.upper() for n in names[990:]]
    with queries() as q:
        assert len(ln.ULabel.from_values(names)) == 990
    assert len(q) == 1


def test_empty_input(ln, queries):
    with queries() as q:
        assert ln.ULabel.validate([], mute=True).tolist() == []
        assert ln.ULabel.inspect([], mute=True).validated == []
        assert ln.ULabel.standardize([]) == []
        assert ln.ULabel.from_values([]) == []
    assert len(q) == 0
