"""New SQLite instances start from a migrated, empty copy of the schema instead of running migrations."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from biolake.setup import django_boot, schema_template
from biolake.setup.instance import sqlite_path


def _rows(db: Path, table: str) -> int:
    with sqlite3.connect(db) as connection:
        return connection.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]


def test_new_sqlite_instances_are_copies_of_the_migrated_template(tmp_path):
    import biolake as ln

    first = ln.setup.init(storage=str(tmp_path / "one"), name="templateone")
    try:
        template = schema_template.template_path()
        assert template.is_file()
        assert _rows(template, "biolake_user") == 0 and _rows(template, "biolake_storage") == 0  # no records
        applied = _rows(template, "django_migrations")
        assert applied == len(django_boot.all_migration_files())
        second = ln.setup.init(storage=str(tmp_path / "two"), name="templatetwo")
        try:
            assert django_boot.pending_migrations() == []
            db = sqlite_path(second.db)
            assert db != sqlite_path(first.db) and _rows(db, "django_migrations") == applied
            assert ln.Storage.filter().count() == 1 and ln.Storage.get(root=str(tmp_path / "two")).type == "local"
            assert ln.User.filter().count() == 1
            assert _rows(template, "biolake_storage") == 0  # the copy was written to, not the template
        finally:
            ln.setup.delete("templatetwo", force=True)
    finally:
        ln.setup.delete("templateone", force=True)


def test_another_migration_set_has_another_template(monkeypatch, tmp_path):
    today = schema_template.template_path()
    extra = tmp_path / "9999_more.py"
    extra.write_text("# a new migration\n")
    files = django_boot.all_migration_files()
    monkeypatch.setattr(django_boot, "all_migration_files", lambda: [*files, extra])
    assert schema_template.template_path() != today
    assert not schema_template.restore(tmp_path / "new.sqlite3")  # no template for that schema yet
    assert not (tmp_path / "new.sqlite3").exists()
