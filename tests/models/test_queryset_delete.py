"""``QuerySet.delete(permanent=None)`` deletes as each record's ``delete()`` does, and ``QuerySet.list`` (LaminDB)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pandas as pd


def test_artifacts_of_a_query_go_to_the_trash_then_for_good_with_their_bytes(ln):
    folder = f"qd{uuid.uuid4().hex[:6]}"
    artifacts = [ln.Artifact.from_df(pd.DataFrame({"i": [i]}), key=f"{folder}/{i}.parquet").save() for i in range(3)]
    paths = [Path(a.path) for a in artifacts]
    deleted, _ = ln.Artifact.filter(key__startswith=f"{folder}/").delete()
    assert deleted == 3
    assert not ln.Artifact.filter(key__startswith=f"{folder}/").exists()
    assert ln.Artifact.filter(key__startswith=f"{folder}/", branch_id=-1).count() == 3  # in the trash, restorable
    assert all(p.is_file() for p in paths)
    ln.Artifact.filter(key__startswith=f"{folder}/", branch_id=-1).delete(permanent=True)
    assert ln.Artifact.filter(key__startswith=f"{folder}/", branch_id=-1).count() == 0
    assert not any(p.exists() for p in paths)  # the managed bytes went with the records


def test_labels_are_deleted_for_good_in_one_statement_or_trashed_on_request(ln):
    tag = uuid.uuid4().hex[:6]
    for i in range(4):
        ln.ULabel(name=f"qd-{tag}-{i}").save()
    ln.ULabel.filter(name__in=[f"qd-{tag}-0", f"qd-{tag}-1"]).delete()
    assert ln.ULabel.filter(name__startswith=f"qd-{tag}-").count() == 2
    assert ln.ULabel.filter(name__startswith=f"qd-{tag}-", branch_id=-1).count() == 0
    ln.ULabel.filter(name__startswith=f"qd-{tag}-").delete(permanent=False)
    assert ln.ULabel.filter(name__startswith=f"qd-{tag}-", branch_id=-1).count() == 2


def test_list_is_the_1x_name_of_to_list(ln):
    tag = uuid.uuid4().hex[:6]
    for name in ("b", "a"):
        ln.ULabel(name=f"ql-{tag}-{name}").save()
    query = ln.ULabel.filter(name__startswith=f"ql-{tag}-").order_by("name")
    assert query.list("name") == [f"ql-{tag}-a", f"ql-{tag}-b"] == query.to_list("name")
    assert [r.name for r in query.list()] == [f"ql-{tag}-a", f"ql-{tag}-b"]
