"""A schema module's Django app (``bio``, ``wetlab``) joins the app registry when it is first
needed: a process working with a core-only instance never builds its ~120 model classes.

The tests that look at what a process loaded run in a fresh subprocess: this one has loaded
every module long ago (its fixtures make bio instances).
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from instance_helpers import BACKENDS, drop_instance, make_instance


@pytest.fixture(scope="module", params=BACKENDS)
def core_and_bio(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A core-only instance and an instance with the bio module, on the same backend."""
    core, core_db = make_instance(request.param, tmp_path_factory.mktemp("core"))
    bio, bio_db = make_instance(request.param, tmp_path_factory.mktemp("bio"), modules=["bio"])
    yield core, bio
    drop_instance(bio.name, bio_db)
    drop_instance(core.name, core_db)


def _run(code: str, home: str | None = None) -> object:
    """Run ``code`` in a fresh interpreter (this one's ``$BIOLAKE_HOME`` unless ``home``); the JSON
    its last line prints."""
    env = dict(os.environ)
    if home is not None:
        env["BIOLAKE_HOME"] = home
    preamble = "import json, sys\n"
    out = subprocess.run([sys.executable, "-c", preamble + code], env=env, capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


_LOADED = (
    "[m for m in ('biolake.bio.models', 'biolake.bio.links', 'biolake.wetlab.models') if m in sys.modules], "
    "sorted(__import__('django.apps').apps.apps.app_configs)"
)


def test_the_first_query_on_a_core_only_instance_loads_no_schema_module(core_and_bio) -> None:  # type: ignore[no-untyped-def]
    core, _ = core_and_bio
    code = f"""
import biolake as ln
from biolake.errors import InstanceSetupError
ln.connect({core.name!r})
ln.Artifact.filter().count()
loaded = [{_LOADED}]
try:
    ln.bio.CellType
    refused = None
except InstanceSetupError as error:
    refused = str(error)
print(json.dumps([loaded, refused, hasattr(ln.Artifact, "cell_types")]))
"""
    (models, apps), refused, reverse = _run(code)  # type: ignore[misc]
    assert models == [] and apps == ["biolake"] and not reverse
    assert refused is not None and "bio module is not enabled" in refused and "--modules bio" in refused


def test_activating_a_bio_instance_loads_bio_before_its_first_query(core_and_bio) -> None:  # type: ignore[no-untyped-def]
    _, bio = core_and_bio
    code = f"""
import biolake as ln
ln.connect({bio.name!r})
ln.Artifact.filter().count()
loaded = [{_LOADED}]
from biolake import bio as bt
t_cell = bt.CellType(name="T cell", ontology_id="CL:0000084").save()
print(json.dumps([loaded, bt.CellType.filter(name="T cell").count(), "cell_types" in dir(ln.Artifact)]))
t_cell.delete(permanent=True)
"""
    (models, apps), count, reverse = _run(code)  # type: ignore[misc]
    assert models == ["biolake.bio.models", "biolake.bio.links"] and apps == ["bio", "biolake"]
    assert count == 1 and reverse


def test_core_only_then_bio_then_back_in_one_process_follows_bio_relations(core_and_bio) -> None:  # type: ignore[no-untyped-def]
    """Relations bio adds to core models exist once bio is loaded: queries and deletions follow
    them, also in the core-only instance, whose database has bio's (empty) link tables."""
    core, bio = core_and_bio
    code = f"""
import pandas as pd
import biolake as ln

def artifact(key):
    return ln.Artifact.from_df(pd.DataFrame({{"x": [len(key)]}}), key=key).save()

ln.connect({core.name!r})
kept = artifact("lazy/core-before.parquet")
before = [{_LOADED}]
ln.connect({bio.name!r})
from biolake import bio as bt
b_cell = bt.CellType(name="B cell", ontology_id="CL:0000236").save()
labelled = artifact("lazy/labelled.parquet")
labelled.cell_types.add(b_cell)
found = [a.uid for a in ln.Artifact.filter(cell_types__name="B cell")]
uid = labelled.uid
labelled.delete(permanent=True)  # the deletion cascades into bio_artifactcelltype
links_left = bt.CellType.get(name="B cell").artifacts.count()
b_cell.delete(permanent=True)
ln.connect({core.name!r})
kept.delete(permanent=True)  # follows the same relations into the core instance's bio tables
print(json.dumps([before, found == [uid], links_left, ln.Artifact.filter(key__startswith="lazy/").count()]))
"""
    (models, apps), found, links_left, left = _run(code)  # type: ignore[misc]
    assert models == [] and apps == ["biolake"]
    assert found and links_left == 0 and left == 0


def test_reading_a_bio_instance_from_a_core_only_one_loads_bio(core_and_bio) -> None:  # type: ignore[no-untyped-def]
    """``Artifact.using(other)`` with another instance that enables bio: its relations are there."""
    core, bio = core_and_bio
    code = f"""
import pandas as pd
import biolake as ln

ln.connect({bio.name!r})
from biolake import bio as bt
t_cell = bt.CellType(name="T cell", ontology_id="CL:0000084").save()
labelled = ln.Artifact.from_df(pd.DataFrame({{"x": [3]}}), key="lazy/read-from-core.parquet").save()
labelled.cell_types.add(t_cell)
print(json.dumps([]))
"""
    _run(code)
    code = f"""
import biolake as ln
ln.connect({core.name!r})
ln.Artifact.filter().count()
before = [{_LOADED}]
found = list(ln.Artifact.using({bio.name!r}).filter(cell_types__name="T cell").values_list("key", flat=True))
print(json.dumps([before, found]))
"""
    (models, apps), found = _run(code)  # type: ignore[misc]
    assert models == [] and apps == ["biolake"] and found == ["lazy/read-from-core.parquet"]

def test_model_modules_import_before_any_instance(tmp_path: Path) -> None:
    """Importing a module's models (or its link tables) works without an instance, and puts its
    app in Django's registry first; wetlab's models bring bio's, which they refer to."""
    code = """
import biolake.bio.links as links
from django.apps import apps
first = [links.ArtifactCellType._meta.app_label, sorted(apps.app_configs)]
import biolake.wetlab.models as wl
organism = wl.Donor._meta.get_field("organism").related_model
print(json.dumps([first, sorted(apps.app_configs), organism._meta.label, "cell_types" in dir(__import__("biolake").Artifact)]))
"""
    first, apps, organism, reverse = _run(code, home=str(tmp_path))  # type: ignore[misc]
    assert first == ["bio", ["bio", "biolake"]]
    assert apps == ["bio", "biolake", "wetlab"] and organism == "bio.Organism" and reverse


def test_threads_loading_a_module_at_once_load_it_once(tmp_path: Path) -> None:
    """Threads that need bio at the same time (one by an import of its models, the others by
    load_module) all see it loaded, with one app and one set of classes."""
    code = """
import threading
import biolake.models
from biolake.setup import django_boot
from django.apps import apps
barrier, seen, errors = threading.Barrier(4), [], []

def need(how):
    barrier.wait()
    try:
        if how == "import":
            import biolake.bio.models as m
        else:
            django_boot.load_module("wetlab" if how == "wetlab" else "bio")
            from biolake.bio import models as m
        seen.append(id(m.CellType))
    except BaseException as error:
        errors.append(repr(error))

threads = [threading.Thread(target=need, args=(how,)) for how in ("import", "load", "load", "wetlab")]
for t in threads: t.start()
for t in threads: t.join()
config = apps.get_app_config("bio")
print(json.dumps([errors, len(set(seen)), len(seen), config.models_module is not None,
                  sum(1 for c in apps.get_app_configs() if c.label == "bio")]))
"""
    assert _run(code, home=str(tmp_path)) == [[], 1, 4, True, 1]


def test_init_of_a_core_only_instance_makes_every_module_s_tables(tmp_path: Path) -> None:
    """A fresh process (no schema template yet) migrating a core-only instance creates the tables
    of every app: a process that later loads bio for another instance never meets a missing table."""
    storage = tmp_path / "store"
    code = f"""
import biolake as ln
ln.setup.init(storage={str(storage)!r})
from django.db import connection
print(json.dumps(sorted(connection.introspection.table_names())))
"""
    tables = _run(code, home=str(tmp_path / "home"))
    assert {"biolake_artifact", "bio_celltype", "bio_artifactcelltype", "wetlab_biosample"} <= set(tables)  # type: ignore[arg-type]


def test_the_schema_check_sees_a_pending_migration_of_a_module_not_loaded(instance) -> None:  # type: ignore[no-untyped-def]
    """The schema check of a core-only instance reads every app's migrations from disk: a bio
    migration the database lacks is refused at connect, without loading bio."""
    if instance.dialect != "sqlite":
        pytest.skip("the database is edited with sqlite3")
    from biolake.setup.instance import sqlite_path

    db = sqlite3.connect(sqlite_path(instance.db))
    row = db.execute("SELECT id, app, name, applied FROM django_migrations WHERE app = 'bio' ORDER BY name DESC").fetchone()
    db.execute("DELETE FROM django_migrations WHERE id = ?", (row[0],))
    db.commit()
    try:
        code = f"""
import biolake as ln
from biolake.errors import MigrationRequiredError
try:
    ln.connect({instance.name!r})
    error = None
except MigrationRequiredError as e:
    error = e.pending
print(json.dumps([error, [{_LOADED}]]))
"""
        pending, (models, apps) = _run(code)  # type: ignore[misc]
    finally:
        db.execute("INSERT INTO django_migrations (id, app, name, applied) VALUES (?, ?, ?, ?)", row)
        db.commit()
        db.close()
    assert pending == [f"bio.{row[2]}"] and models == [] and apps == ["biolake"]


def test_a_fresh_process_deletes_an_artifact_with_a_bio_label_in_a_core_only_instance(ln) -> None:  # type: ignore[no-untyped-def]
    """A ``cat[bio.CellType]`` feature works on any instance (its registry is looked up by name,
    which loads bio); a later process that has not loaded bio still deletes the artifact with its
    label link, as Django's deletion collector learns bio's relations before it runs."""
    import pandas as pd

    ln.Feature(name="lazy_cell_type", dtype="cat[bio.CellType]").save()
    artifact = ln.Artifact.from_df(pd.DataFrame({"x": [7]}), key="lazy/with-bio-label.parquet").save()
    artifact.features.add_values({"lazy_cell_type": "T cell"})
    code = f"""
import biolake as ln
artifact = ln.Artifact.get(key="lazy/with-bio-label.parquet")
before = 'biolake.bio.models' in sys.modules
artifact.delete(permanent=True)
from biolake import models
links = ln.Artifact._meta.get_field("cell_types").through.objects.filter(feature__name="lazy_cell_type").count()
print(json.dumps([before, ln.Artifact.filter(key="lazy/with-bio-label.parquet").count(), links]))
"""
    assert _run(code) == [False, 0, 0]
    ln.Feature.get(name="lazy_cell_type").delete(permanent=True)
