"""Issue 15 part 3 (a million artifacts), without timings: the indexes of migration 0007_scale,
the plans that use them, bulk ``ln.save()`` and the limit-first ``search()`` (``search_topk``).

Each test runs on SQLite and PostgreSQL (the module's ``instance``).
"""

from __future__ import annotations

import random
import uuid

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from biolake.errors import RecordConstraintError
from biolake.models import search_topk

NEW_INDEXES = ["biolake_artifact_key_ci", "biolake_artifact_description_ci", "biolake_transform_key_ci"]
COLUMN_FTS = ["biolake_artifact_fts_key", "biolake_artifact_fts_description", "biolake_transform_fts_key"]


def _storage(ln) -> int:
    return ln.Storage.filter().order_by("id").first().pk


def _tag() -> str:
    return "zs" + uuid.uuid4().hex[:6]


def _names(kind: str) -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = %s", [kind])
        else:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()")
        return {row[0] for row in cursor.fetchall()}


def test_new_indexes_exist(ln):
    assert set(NEW_INDEXES) <= _names("index")
    if connection.vendor == "sqlite":
        tables = _names("table")
        assert set(COLUMN_FTS) <= tables and "biolake_artifact_fts" not in tables  # 0006's table is replaced


def test_0007_migrates_backward_and_forward(ln):
    tag = _tag()
    call_command("migrate", "biolake", "0006_search", database="default", verbosity=0, interactive=False)
    try:
        assert not set(NEW_INDEXES) & _names("index")
        if connection.vendor == "sqlite":
            assert "biolake_artifact_fts" in _names("table") and not set(COLUMN_FTS) & _names("table")
        ln.Transform(key=f"{tag} saved at 0006", type="script").save()
    finally:
        call_command("migrate", "biolake", database="default", verbosity=0, interactive=False)
    test_new_indexes_exist(ln)
    assert [t.key for t in ln.Transform.search(f"{tag} saved")] == [f"{tag} saved at 0006"]  # the rebuilt index


def _plan(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql)
        return " ".join(str(row[-1]) for row in cursor.fetchall())


def _executed(fn) -> str:
    with CaptureQueriesContext(connection) as queries:
        fn()
    return [q["sql"] for q in queries.captured_queries if "biolake_artifact" in q["sql"]][-1]


def test_sqlite_prefix_count_and_get_by_key_use_the_key_index(ln):
    if connection.vendor != "sqlite":
        pytest.skip("EXPLAIN QUERY PLAN is SQLite's")
    tag = _tag()
    ln.save([ln.Artifact(key=f"{tag}/f{i}.parquet", suffix=".parquet", storage_id=_storage(ln)) for i in range(3)])
    count_sql = _executed(lambda: ln.Artifact.filter(key__startswith=f"{tag}/").count())
    assert "biolake_artifact_key" in _plan(count_sql) and "SCAN biolake_artifact " not in _plan(count_sql) + " "
    get_sql = _executed(lambda: ln.Artifact.get(key=f"{tag}/f1.parquet"))
    assert "USING INDEX biolake_artifact_key" in _plan(get_sql)
    assert ln.Artifact.filter(key__startswith=f"{tag}/").count() == 3


def test_bulk_save_sets_uids_versions_and_keeps_values(ln):
    tag = _tag()
    before = ln.Artifact.filter().count()
    artifacts = [ln.Artifact(key=f"{tag}/f{i}.parquet", description=f"{tag} bulk {i}", suffix=".parquet",
                             hash=f"{i:032x}", hash_type="blake3", size=i, storage_id=_storage(ln)) for i in range(300)]
    assert ln.save(artifacts) == artifacts
    assert ln.Artifact.filter().count() == before + 300
    uids = [a.uid for a in artifacts]
    assert len(set(uids)) == 300 and all(len(u) == 20 and u.endswith("0000") for u in uids)
    saved = {a.uid: a for a in ln.Artifact.filter(key__startswith=f"{tag}/")}
    assert set(saved) == set(uids)
    assert all(saved[a.uid].hash == a.hash and saved[a.uid].size == a.size and saved[a.uid].is_latest for a in artifacts)
    assert [a.key for a in ln.Artifact.search(f"{tag}/f299.parq")] == [f"{tag}/f299.parquet"]  # indexed in bulk
    ln.Artifact(key=f"{tag}/single.parquet", suffix=".parquet", storage_id=_storage(ln)).save()
    assert [a.key for a in ln.Artifact.search(f"{tag}/single.pa")] == [f"{tag}/single.parquet"]  # triggers back
    assert all(a.version is None and a.pk is not None and not a._state.adding for a in artifacts)


def test_bulk_save_of_more_keys_than_sqlite_binds_in_one_statement(ln):
    """SQLite builds before 3.32 bind at most 999 parameters per statement: the lookup of taken
    keys (and every other list lookup of a bulk save) passes the whole list as one parameter."""
    import sqlite3

    tag = _tag()
    artifacts = [ln.Artifact(key=f"{tag}/f{i}.parquet", suffix=".parquet", storage_id=_storage(ln)) for i in range(1500)]
    raw = connection.connection if connection.vendor == "sqlite" else None
    limit = raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) if raw else None
    if raw:
        raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)
    try:
        ln.save(artifacts)
    finally:
        if raw:
            raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, limit)
    assert ln.Artifact.filter(key__startswith=f"{tag}/").count() == 1500
    assert all(a.pk is not None and a.is_latest for a in artifacts)


def test_bulk_save_of_a_duplicate_raises_naming_it_and_saves_nothing(ln):
    tag = _tag()
    uid = (tag + "x" * 16)[:16] + "0000"
    before = ln.Artifact.filter().count()
    twice = [ln.Artifact(key=f"{tag}/a{i}", storage_id=_storage(ln)) for i in range(5)] + [
        ln.Artifact(uid=uid, key=f"{tag}/b", storage_id=_storage(ln)), ln.Artifact(uid=uid, key=f"{tag}/c", storage_id=_storage(ln))]
    with pytest.raises(RecordConstraintError, match=f"uid='{uid}' appears twice in the list"):
        ln.save(twice)
    assert ln.Artifact.filter().count() == before
    assert all(a.pk is None and a._state.adding for a in twice) and not twice[0].uid
    name = f"{tag}_feature"
    ln.Feature(name=name, dtype=int).save()
    with pytest.raises(RecordConstraintError, match=f"name='{name}' is already taken"):
        ln.save([ln.Feature(name=f"{tag}_other", dtype=int), ln.Feature(name=name, dtype=int)])
    assert not ln.Feature.filter(name=f"{tag}_other").exists()


WORDS = ["alpha", "Beta", "gamma", "delta", "ALPHA beta", "cell", "t cell", "sample"]


def test_limit_first_search_equals_the_full_ranking(ln, monkeypatch):
    """With tiny scans, most pages must be proven from a few rows: each equals the full ranking."""
    tag = _tag()
    rng = random.Random(3)
    keys = [f"{tag}/{rng.choice(WORDS)} {rng.choice(WORDS)} {i}" for i in range(150)]
    keys += [f"{tag} alpha", f"{tag} ALPHA", f"{tag} alpha beta", f"{tag}"]
    ln.save([ln.Transform(key=k, type="script", description=f"{rng.choice(WORDS)} {tag}") for k in keys])
    monkeypatch.setattr(search_topk, "FIRST_SCAN", 5)
    monkeypatch.setattr(search_topk, "MAX_SCAN", 500)
    queries = [tag, f"{tag} alpha", "alpha", "alpha beta", "t cell", "sample", f"{tag}/beta", "cell 1", f"{tag}/t",
               f"{tag}/alpha beta 101", f"{tag.upper()}/SAMPLE CELL 42"]  # long: found by a segment
    proven = 0
    for query in queries:
        for limit in (3, 20):
            fast = [t.pk for t in ln.Transform.filter(key__startswith=tag).search(query, limit=limit)]
            proven += search_topk.top_ids(ln.Transform.filter(key__startswith=tag), ["key", "description"], query,
                                          limit, _rank(ln, query)) is not None
            with monkeypatch.context() as patched:
                patched.setattr(search_topk, "top_ids", lambda *args: None)
                full = [t.pk for t in ln.Transform.filter(key__startswith=tag).search(query, limit=limit)]
            assert fast == full, query
    assert proven >= len(queries)  # the limit-first path answered, not only the fallback


def _rank(ln, query):
    from django.db import connections

    from biolake.models.search_rank import rank_expression

    return rank_expression(ln.Transform, connections["default"], ["key", "description"], query)


def test_a_long_term_is_found_by_its_rarest_segment():
    """PostgreSQL's trigram index reads the posting list of every trigram of a pattern: a long
    term is narrowed by the part of its identifier after the letters that every key shares."""
    assert search_topk._narrow_segment("proj33/batch33/file333333.parquet") == "e333333"
    assert search_topk._narrow_segment("kidney tumor sample 333333") == "333333"
    assert search_topk._narrow_segment("ENSG00000139618 in liver") == "G00000139618"
    assert search_topk._narrow_segment("cell type ab1 from the liver") == "ab1"  # the tail would be too short
    assert search_topk._narrow_segment("short file12") is None
    assert search_topk._narrow_segment("no digits in this long term") is None
