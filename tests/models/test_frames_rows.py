"""df() builds the DataFrame straight from cursor rows: the same columns, dtypes and values
as the records themselves, whichever path (plain select, values_list) it takes."""

from __future__ import annotations

import pandas as pd
import pytest


@pytest.fixture
def saved(ln):  # type: ignore[no-untyped-def]
    for i in range(3):
        ln.Artifact.from_df(pd.DataFrame({"a": [i, i + 1]}), key=f"frames-rows/f{i}.parquet").save()
    return ln.Artifact.filter(key__startswith="frames-rows/").order_by("-id")


def _expected(records):  # type: ignore[no-untyped-def]
    return {r.id: {f.attname: getattr(r, f.attname) for f in r._meta.concrete_fields} for r in records}


def test_plain_df_matches_the_records(ln, saved):  # type: ignore[no-untyped-def]
    df = saved.df()
    expected = _expected(list(saved))
    assert df.index.name == "id" and df.index.tolist() == list(expected)  # the queryset's order
    assert df.columns[:2].tolist() == ["uid", "key"] and df.columns[-2:].tolist() == ["created_at", "updated_at"]
    for name in ("created_at", "updated_at"):
        assert isinstance(df[name].dtype, pd.DatetimeTZDtype) and str(df[name].dtype.tz) == "UTC"
    assert str(df["is_latest"].dtype) == "bool" and str(df["storage_id"].dtype) == "int64"
    for pk, row in df.iterrows():
        for name, value in row.items():
            want = expected[pk][name]
            if name in ("created_at", "updated_at"):
                assert value.to_pydatetime() == want
            else:
                assert value == want or (value is None and want is None), name


def test_values_list_path_gives_the_same_frame(ln, saved):  # type: ignore[no-untyped-def]
    plain = saved.df()
    from django.db.models import F

    annotated = saved.annotate(n=F("id"))
    via_values = annotated.df()  # an annotation: not a plain select
    pd.testing.assert_frame_equal(plain, via_values)


def test_empty_df_keeps_its_columns(ln, saved):  # type: ignore[no-untyped-def]
    empty = ln.Artifact.filter(key__startswith="frames-rows/none/").df()
    assert len(empty) == 0 and empty.columns.tolist() == saved.df().columns.tolist()


def test_df_of_a_condition_no_row_can_meet_is_empty(ln):
    frame = ln.Artifact.filter(pk__in=[]).df()
    assert frame.empty and "uid" in frame.columns
