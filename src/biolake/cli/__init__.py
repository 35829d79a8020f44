"""The ``biolake`` command line.

One module per command group: :mod:`~biolake.cli.instance` (init, connect, disconnect,
info, delete, migrate), :mod:`~biolake.cli.artifact` (save, load, ``artifact ls|get|describe``)
:mod:`~biolake.cli.cache` (``cache clear|location``), :mod:`~biolake.cli.run` (``run ls|describe``),
:mod:`~biolake.cli.lineage` (``lineage show|export``), :mod:`~biolake.cli.integrity` (``verify``,
``storage gc``), :mod:`~biolake.cli.registries` (``switch``, ``merge``, ``record|project|reference|branch|space
ls|describe``), :mod:`~biolake.cli.serve` (the web UI), :mod:`~biolake.cli.snapshot`
(``snapshot create|verify|restore``, ``migrate-db``) and :mod:`~biolake.cli.cells` (``cells count``,
``index build``). Importing this package does not
set up Django; only commands that read the database connect to an instance.

Example:
    $ biolake init --storage ./mydata
    $ biolake save ./rnaseq1.parquet --key my_datasets/rnaseq1.parquet
    $ biolake artifact ls
"""

from __future__ import annotations

import click

from biolake import __version__
from biolake.cli import artifact, cache, cells, instance, integrity, lineage, registries, run, serve, snapshot
from biolake.cli._base import BiolakeGroup

__all__ = ["main"]


@click.group(cls=BiolakeGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="biolake")
@click.option("--debug", is_flag=True, help="Show the full traceback of an error (as BIOLAKE_DEBUG=1 does).")
def main(debug: bool) -> None:
    """A lakehouse for biology: versioned artifacts and their metadata registries.

    Errors print one line; `biolake --debug <command>` (or BIOLAKE_DEBUG=1) shows the full traceback.
    """


for _module in (instance, artifact, cache, lineage, run, integrity, registries, serve, snapshot, cells):
    for _command in _module.COMMANDS:
        main.add_command(_command)
