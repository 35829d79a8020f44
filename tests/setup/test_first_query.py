"""The first query of a fresh process loads what it needs and no more, and writes nothing
when it connects to the instance that is already current."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from biolake.setup import store


# modules the first query of a fresh process must not import (each was on that path once)
UNNEEDED = (
    "django.urls", "django.http", "django.utils.log", "biolake.setup.snapshot", "biolake.setup.move",
    "biolake.models.lineage_render", "biolake.models.artifact_diff", "biolake.formats.frame_diff",
    "biolake.models.describe", "pandas", "numpy", "pyarrow", "rich", "fsspec", "upath", "anndata",
    # Django's forms, templates and system checks, and what only they import
    "django.forms", "django.template", "django.core.checks", "django.core.cache", "django.utils.html",
    # imported by Django's database backends for scripts, constraints and test databases
    "sqlparse", "argparse", "multiprocessing", "pickle",
)
# len(sys.modules) after `import biolake as ln; ln.Artifact.filter().count()` on Python 3.11 with
# Django 5.2: SQLite 469, PostgreSQL 563 (547 and 636 before forms, checks, sqlparse and
# multiprocessing were deferred)
MAX_MODULES = {"sqlite": 500, "postgresql": 600}


def _first_query(code: str) -> list:  # type: ignore[type-arg]
    out = subprocess.run(
        [sys.executable, "-c", "import json, sys\nimport biolake as ln\nln.Artifact.filter().count()\n" + code],
        env=dict(os.environ), capture_output=True, text=True, timeout=120,
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_first_query_skips_web_snapshot_rendering_and_django_forms_modules(instance):  # type: ignore[no-untyped-def]
    import biolake as ln

    ln.connect(instance.name)
    loaded, n_modules = _first_query(f"print(json.dumps([[m for m in {UNNEEDED!r} if m in sys.modules], len(sys.modules)]))")
    assert loaded == []
    assert n_modules <= MAX_MODULES[instance.dialect], f"the first query imports {n_modules} modules; find the new ones with python -X importtime"


def test_deferred_modules_load_on_first_use_in_the_process_of_a_first_query(instance):  # type: ignore[no-untyped-def]
    import biolake as ln

    ln.connect(instance.name)
    code = """
import django, gc
from django.db import connection
from django.db.models import CharField
deferred_forms = repr(django.forms)
formfield = type(CharField(max_length=3).formfield()).__module__   # forms, through the stand-in
checks = ln.Artifact.check()                                          # django.core.checks, through its stand-in
import django.forms, sqlparse.sql                                     # ordinary imports after the stand-ins
if connection.vendor == "sqlite":                                     # sqlparse, through the backend's stand-in
    constraints = connection.introspection.get_constraints(connection.cursor(), ln.Artifact._meta.db_table)
    assert constraints
print(json.dumps([deferred_forms, formfield, checks, django.forms is sys.modules["django.forms"],
                  sqlparse.sql is sys.modules["sqlparse.sql"], type(sys.modules["sqlparse"]).__name__,
                  gc.isenabled(), gc.get_freeze_count()]))
"""
    assert _first_query(code) == ["<deferred module 'django.forms'>", "django.forms.fields", [], True, True, "module", True, 0]


def test_objects_alive_at_exit_are_still_finalized(instance, tmp_path):  # type: ignore[no-untyped-def]
    """biolake leaves the interpreter's shutdown as it is: an object of the user's still alive in
    a reference cycle at exit is finalized, and the data its buffered file holds is written."""
    import biolake as ln

    log = tmp_path / "log.txt"
    code = f"""
class Log:
    def __init__(self, path):
        self.file = open(path, "w")
        self.me = self
keep = Log({str(log)!r})
keep.file.write("important line")
ln.ULabel(name="written before exit").save()
print(json.dumps([]))
"""
    assert _first_query(code) == []
    assert log.read_text() == "important line"
    ln.connect(instance.name)
    assert ln.ULabel.filter(name="written before exit").count() == 1


def test_lazy_setup_names_still_resolve():  # type: ignore[no-untyped-def]
    import biolake as ln

    assert callable(ln.setup.snapshot.create) and callable(ln.setup.migrate_db)
    assert callable(ln.setup.switch) and callable(ln.setup.merge)
    assert {"snapshot", "migrate_db", "switch", "merge"} <= set(dir(ln.setup))


def test_connecting_to_the_current_instance_does_not_rewrite_its_file(instance):  # type: ignore[no-untyped-def]
    import biolake as ln

    ln.connect(instance.name)
    current = store.home() / "current"
    before = os.stat(current)
    ln.connect()  # None: the current instance
    after = os.stat(current)
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert store.current_name() == instance.name
