"""``search()`` through the search indexes of migration 0005 (SQLite FTS5 trigram, PostgreSQL pg_trgm).

Each test runs on SQLite and PostgreSQL (the module's ``instance``); keys are unique per test.
"""

from __future__ import annotations

import uuid

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from biolake.models import search_index


def _tag() -> str:
    return "zq" + uuid.uuid4().hex[:6]


def _transforms(ln, keys: list[str], descriptions: dict[str, str] | None = None) -> None:
    for key in keys:
        ln.Transform(key=key, type="script", description=(descriptions or {}).get(key)).save()


def _keys(qs) -> list[str]:
    return [r.key for r in qs]


def _index_exists(table: str) -> bool:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT 1 FROM sqlite_master WHERE name = %s", [table + "_fts_key"])  # per column (0007)
        else:
            cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", [f"{table}_key_trgm"])
        return cursor.fetchone() is not None


def test_index_exists_and_is_used(ln):
    assert _index_exists("biolake_artifact") and _index_exists("biolake_transform")
    with CaptureQueriesContext(connection) as queries:
        list(ln.Transform.search("annotation"))
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    if connection.vendor == "sqlite":
        assert "biolake_transform_fts_key" in sql and "MATCH" in sql
    else:
        assert 'UPPER("biolake_transform"."key"::text) LIKE UPPER(' in sql


def test_exact_prefix_substring_ranking(ln):
    tag = _tag()
    _transforms(ln, [f"x {tag} cell", f"{tag} cell", f"{tag} cell annotation", f"other {tag}"],
                {f"other {tag}": f"about {tag} cells"})
    assert _keys(ln.Transform.search(f"{tag} cell")) == [
        f"{tag} cell", f"{tag} cell annotation", f"other {tag}", f"x {tag} cell"]  # 102, 22, 1 + 12, 12
    assert _keys(ln.Transform.search(f"{tag.upper()} CELL"))[0] == f"{tag} cell"  # case-insensitive


def test_prefix_and_inner_substring(ln):
    tag = _tag()
    _transforms(ln, [f"{tag}-rnaseq-counts.parquet", f"{tag}/atac.h5ad"])
    assert _keys(ln.Transform.search(f"{tag}-rnas")) == [f"{tag}-rnaseq-counts.parquet"]
    assert _keys(ln.Transform.search(tag[2:] + "-rnaseq-c")) == [f"{tag}-rnaseq-counts.parquet"]  # mid-word
    assert _keys(ln.Transform.search(f"{tag}/atac.h5")) == [f"{tag}/atac.h5ad"]


def test_multi_word_ranks_by_words_matched(ln):
    tag = _tag()
    _transforms(ln, [f"{tag} alpha", f"{tag} alpha beta", "unrelated"], {"unrelated": f"mentions {tag}beta"})
    hits = _keys(ln.Transform.search(f"{tag} beta alpha"))
    assert hits[:2] == [f"{tag} alpha beta", f"{tag} alpha"]  # 3 words, then 2 words
    assert "unrelated" in hits  # a word in the description
    assert _keys(ln.Transform.search(f"{tag}beta", field="key")) == []  # a field restricts the search


def test_special_characters_and_no_match(ln):
    tag = _tag()
    _transforms(ln, [f'{tag}[*_*]"quoted"', f"{tag}%100"])
    assert _keys(ln.Transform.search(f"{tag}[*_")) == [f'{tag}[*_*]"quoted"']
    assert _keys(ln.Transform.search('"quoted"')) == [f'{tag}[*_*]"quoted"']
    assert _keys(ln.Transform.search(f"{tag}%1")) == [f"{tag}%100"]
    assert _keys(ln.Transform.search(f"{tag}_10")) == []  # "_" is not a wildcard
    assert _keys(ln.Transform.search(f"nothing-like-{tag}")) == []


def test_short_query_falls_back(ln):
    tag = _tag()
    _transforms(ln, [f"{tag} qa"])
    assert f"{tag} qa" in _keys(ln.Transform.search("qa", limit=None))


def test_created_updated_deleted_records(ln):
    tag = _tag()
    artifact = ln.Artifact.from_df(__import__("pandas").DataFrame({"x": [1]}), key=f"{tag}/first.parquet").save()
    assert _keys(ln.Artifact.search(f"{tag}/fir")) == [f"{tag}/first.parquet"]
    artifact.description = f"renamed {tag} measurement"
    artifact.save()
    assert _keys(ln.Artifact.search(f"{tag} measure")) == [f"{tag}/first.parquet"]
    label = ln.ULabel(name=f"{tag}-label").save()
    label.name = f"{tag}-renamed"
    label.save()
    assert [r.name for r in ln.ULabel.search(f"{tag}-lab")] == []
    assert [r.name for r in ln.ULabel.search(f"{tag}-ren")] == [f"{tag}-renamed"]
    label.delete(permanent=True)
    assert list(ln.ULabel.search(f"{tag}-ren")) == []
    artifact.delete(permanent=True)
    assert list(ln.Artifact.search(f"{tag}/fir")) == []


def test_containing_is_exact_on_short_terms(ln):
    tag = _tag()
    _transforms(ln, [f"{tag}-ab"])
    assert _keys(ln.Transform.objects.filter(key__startswith=tag).containing(["ab"], ["key"])) == [f"{tag}-ab"]
    assert _keys(ln.Transform.objects.filter(key__startswith=tag).containing(["zz"], ["key"])) == []


def test_instance_before_the_index_migrates_and_finds_old_records(ln):
    """Records written before the index existed (schema 0005) are found after migrating to 0006."""
    call_command("migrate", "biolake", "0005_registries", database="default", verbosity=0, interactive=False)
    try:
        assert not _index_exists("biolake_transform")
        tag = _tag()
        _transforms(ln, [f"{tag} before migration"])
        assert _keys(ln.Transform.search(f"{tag} before")) == [f"{tag} before migration"]  # unindexed path
    finally:
        call_command("migrate", "biolake", database="default", verbosity=0, interactive=False)
    assert _index_exists("biolake_transform")
    assert _keys(ln.Transform.search(f"{tag} before")) == [f"{tag} before migration"]
    assert _keys(ln.Transform.search(f"{tag[2:]} before mig")) == [f"{tag} before migration"]


@pytest.mark.parametrize("table", ["biolake_transform"])
def test_remade_table_keeps_index_in_sync(ln, table):
    """A later migration that remakes a SQLite table drops its triggers; post_migrate restores them."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only: PostgreSQL alters tables in place")
    with connection.cursor() as cursor:
        for column in ("key", "description"):
            for suffix in ("_ai", "_ad", "_au"):
                cursor.execute(f'DROP TRIGGER "{table}_fts_{column}{suffix}"')
    tag = _tag()
    _transforms(ln, [f"{tag} while triggers were gone"])
    search_index.repair_sqlite(connection)
    assert _keys(ln.Transform.search(f"{tag} while")) == [f"{tag} while triggers were gone"]
    _transforms(ln, [f"{tag} after repair"])
    assert _keys(ln.Transform.search(f"{tag} after rep"))[0] == f"{tag} after repair"
