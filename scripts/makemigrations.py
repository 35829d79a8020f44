"""Developer tool: write Django migrations for biolake's apps after a model change.

Usage: python scripts/makemigrations.py [--name NAME]
"""

from __future__ import annotations

import os
import sys
import tempfile


def main() -> None:
    home = tempfile.mkdtemp(prefix="biolake-makemigrations-")
    os.environ["BIOLAKE_HOME"] = home
    from biolake.setup import django_boot, store
    from biolake.setup.instance import InstanceSettings, default_sqlite_url

    root = os.path.join(home, "storage")
    os.makedirs(os.path.join(root, ".biolake"))
    instance = InstanceSettings(name="makemigrations", storage_root=root, db=default_sqlite_url(root))
    store.save_instance(instance)
    store.set_current(instance.name)
    django_boot.activate(instance, check_migrations=False)
    from django.core.management import call_command

    call_command("makemigrations", *sys.argv[1:], verbosity=1)


if __name__ == "__main__":
    main()
