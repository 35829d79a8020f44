"""The first query of a fresh process loads what it needs and no more, and writes nothing
when it connects to the instance that is already current."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from biolake.setup import store


def test_first_query_skips_web_snapshot_and_rendering_modules(instance):  # type: ignore[no-untyped-def]
    import biolake as ln

    ln.connect(instance.name)
    unneeded = (
        "django.urls", "django.http", "django.utils.log", "biolake.setup.snapshot", "biolake.setup.move",
        "biolake.models.lineage_render", "biolake.models.artifact_diff", "biolake.formats.frame_diff",
        "biolake.models.describe", "pandas",
    )
    code = (
        "import json, sys\nimport biolake as ln\nln.Artifact.filter().count()\n"
        f"print(json.dumps([m for m in {unneeded!r} if m in sys.modules]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], env=dict(os.environ), capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


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
