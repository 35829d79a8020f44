"""Developer tool: write a small instance at an older schema version, for the migration tests.

Usage: python scripts/make_migration_archive.py MIGRATION  (e.g. 0001_initial)

Writes tests/setup/archives/<MIGRATION>/ with the SQLite database (its storage root set
to the placeholder ``@ROOT@``) and the managed file of the one artifact it holds.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import sys
import tempfile
from pathlib import Path


def main() -> None:
    migration = sys.argv[1]
    work = Path(tempfile.mkdtemp(prefix="biolake-archive-"))
    os.environ["BIOLAKE_HOME"] = str(work / "home")
    os.environ["BIOLAKE_QUIET"] = "1"
    import pandas as pd

    import biolake as ln
    from django.core.management import call_command

    ln.setup.init(storage=str(work / "lake"), name="archive")
    artifact = ln.Artifact.from_df(pd.DataFrame({"gene": ["CD8A", "CD4"], "count": [3, 5]}), key="old/counts.parquet").save()
    call_command("migrate", "biolake", migration, verbosity=0)
    ln.disconnect()
    db = work / "lake" / ".biolake" / "biolake.sqlite3"
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("UPDATE biolake_storage SET root = '@ROOT@'")
        conn.execute("PRAGMA journal_mode=DELETE")
    with sqlite3.connect(db) as conn:
        conn.execute("VACUUM")
    target = Path(__file__).parents[1] / "tests" / "setup" / "archives" / migration
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    shutil.copy(db, target / "biolake.sqlite3")
    shutil.copy(work / "lake" / ".biolake" / f"{artifact.uid}.parquet", target / f"{artifact.uid}.parquet")
    print(f"wrote {target} (artifact {artifact.uid})")


if __name__ == "__main__":
    main()
