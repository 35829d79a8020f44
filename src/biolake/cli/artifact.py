"""Artifact commands: ``save``, ``load`` and the ``artifact`` group (``ls``, ``get``, ``describe``, ``diff``).

An artifact is named on the command line by its 20-char uid, the 16-char stem of its
uid (any version of the family: the latest is used) or its key (the latest version).
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath
from typing import Any

import click

import biolake as ln
from biolake import _logging as log
from biolake.cli._base import needs_instance
from biolake.cli._table import plain_table
from biolake.errors import CLIUsageError
from biolake.storage import transfer

CODE_SUFFIXES = (".py", ".ipynb", ".r", ".rmd", ".qmd")  # saved as transforms (lineage.register)

_UID_LENGTHS = (16, 20)  # version family stem, full uid
_DEFAULT_LIMIT = 100
_COUNT_CAP = 1000  # ls counts the matching artifacts up to this many
_LS_FIELDS = ("uid", "key", "suffix", "size", "created_at")


def _looks_like_uid(text: str) -> bool:
    return len(text) in _UID_LENGTHS and text.isascii() and text.isalnum()


def find_artifact(uid_or_key: str) -> Any:
    """The artifact named by a uid, a 16-char uid stem or a key (latest version).

    Raises:
        Artifact.DoesNotExist: Nothing matches.
        Artifact.MultipleObjectsReturned: The key is the latest in several storage locations.
    """
    Artifact = ln.Artifact
    if _looks_like_uid(uid_or_key):
        try:
            return Artifact.get(uid_or_key)
        except Artifact.DoesNotExist:
            pass  # a key that happens to look like a uid
    matches = list(Artifact.filter(key=uid_or_key, is_latest=True).order_by("-id")[:10])
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise Artifact.DoesNotExist(
            f"No artifact with uid or key {uid_or_key!r}; list them with `biolake artifact ls`.", query=uid_or_key
        )
    uids = ", ".join(a.uid for a in matches)
    raise Artifact.MultipleObjectsReturned(
        f"The key {uid_or_key!r} names artifacts in several storage locations ({uids}); pass a uid instead.",
        query=uid_or_key,
    )


# -- top-level commands --------------------------------------------------------------------


@click.command("save")
@click.argument("path")
@click.option("--key", default=None, metavar="KEY", help="Name of the artifact, e.g. my_datasets/rnaseq1.parquet.")
@click.option("--description", default=None, help="Free-text description.")
@click.option("--kind", default=None, metavar="KIND", help="Kind of artifact, e.g. dataset or model.")
@click.option("--as-artifact", is_flag=True, help="Save a script or notebook (.py, .ipynb, .R, .Rmd, .qmd) as an artifact, not as a transform.")
@needs_instance
def save_command(path: str, key: str | None, description: str | None, kind: str | None, as_artifact: bool) -> None:
    """Save a file or folder as an artifact; print its uid and key.

    PATH is a local path or a URL (s3://..., gs://...). Saving bytes that are already
    registered returns the existing artifact; a known key with new bytes makes a new version.
    A script (.py, .R) or notebook (.ipynb, .Rmd, .qmd) is saved as a transform (its source code; for a
    notebook also a run whose report is the notebook rendered as HTML).
    """
    if not as_artifact and Path(path).suffix.lower() in CODE_SUFFIXES and Path(path).is_file():
        _save_code(path)
        return
    artifact = ln.Artifact(path, key=key, description=description, kind=kind).save()
    if artifact._returned_existing:  # the same bytes are registered already
        if key is not None and key != artifact.key:
            where = f"under key {artifact.key!r}" if artifact.key else "without a key"
            log.warning(f"these bytes are already registered as {artifact.uid} {where}; the key was not changed")
        else:
            log.info(f"these bytes are already registered as {artifact.uid}")
    click.echo(f"uid: {artifact.uid}")
    click.echo(f"key: {artifact.key if artifact.key is not None else '-'}")


def _save_code(path: str) -> None:
    from biolake.lineage.register import save_code  # Django: loaded only by commands that use it

    transform, run = save_code(path)
    click.echo(f"transform: {transform.uid}")
    click.echo(f"key: {transform.key}")
    if run is not None:
        click.echo(f"run: {run.uid}")
        click.echo(f"report: {run.report.uid}")


@click.command("load")
@click.argument("uid_or_key")
@click.option("--to", "destination", default=None, metavar="FILE", help="Where to write a transform's source.")
@click.option("--force", is_flag=True, help="Overwrite FILE if it differs.")
@needs_instance
def load_command(uid_or_key: str, destination: str | None, force: bool) -> None:
    """Print a local path to an artifact's bytes, or write a transform's source to a file.

    UID_OR_KEY names an artifact (uid, 16-char uid stem or key; the latest version is
    used; remote bytes are downloaded into the cache) or else a transform (uid, 12-char
    stem or key), whose stored source is written to FILE (default: its file name here)
    to start a new version.
    """
    try:
        click.echo(str(find_artifact(uid_or_key).cache()))
    except ln.Artifact.DoesNotExist:
        from biolake.lineage.register import load_code  # Django: loaded only by commands that use it

        try:
            click.echo(str(load_code(uid_or_key, destination, force=force)))
        except ln.Transform.DoesNotExist:
            raise ln.Artifact.DoesNotExist(
                f"No artifact or transform with uid or key {uid_or_key!r}; list them with "
                "`biolake artifact ls` or `biolake run ls`.",
                query=uid_or_key,
            ) from None


# -- the artifact group ----------------------------------------------------------------------


@click.group("artifact")
def artifact_group() -> None:
    """List, copy and describe artifacts."""


@artifact_group.command("ls")
@click.option("--key-prefix", default=None, metavar="PREFIX", help="Only artifacts whose key starts with this.")
@click.option(
    "--limit",
    default=_DEFAULT_LIMIT,
    show_default=True,
    type=click.IntRange(min=1),
    metavar="N",
    help="Show at most N artifacts.",
)
@click.option("--all-versions", is_flag=True, help="Show every version, not only the latest.")
@needs_instance
def ls_command(key_prefix: str | None, limit: int, all_versions: bool) -> None:
    """List artifacts, newest first, as a table."""
    query = ln.Artifact.filter()
    if key_prefix:
        query = query.filter(key__startswith=key_prefix)
    if not all_versions:
        query = query.filter(is_latest=True)
    page = list(query.order_by("-created_at", "-id").values_list(*_LS_FIELDS)[:limit])
    if not page:
        click.echo("No artifacts" + (f" with a key starting with {key_prefix!r}." if key_prefix else "."))
        return
    rows = [[uid, key or "", suffix, log.human_size(size), f"{created:%Y-%m-%d %H:%M:%S}"]
            for uid, key, suffix, size, created in page]
    log.print_renderable(plain_table(list(_LS_FIELDS), rows, _caption(query, page, limit)))


def _caption(query: Any, page: list[Any], limit: int) -> str | None:
    """How many artifacts the page leaves out; counted up to ``_COUNT_CAP`` only (a count of a
    million rows takes a quarter of a second, the page itself milliseconds)."""
    if len(page) < limit:
        return None
    total = query.order_by().values("pk")[: _COUNT_CAP + 1].count()
    if total <= limit:
        return None
    shown = f"more than {_COUNT_CAP:,}" if total > _COUNT_CAP else str(total)
    return f"{limit} of {shown} artifacts shown; use --limit to see more"


@artifact_group.command("get")
@click.argument("uid_or_key")
@click.option("--to", "dest", default=None, metavar="DEST", help="Copy the bytes to this file or into this folder.")
@click.option("--force", is_flag=True, help="Overwrite what exists at the destination.")
@needs_instance
def get_command(uid_or_key: str, dest: str | None, force: bool) -> None:
    """Copy an artifact's bytes to --to DEST, or print its local path."""
    artifact = find_artifact(uid_or_key)
    if dest is None:
        click.echo(str(artifact.cache()))
        return
    target = _target(artifact, dest)
    if target.exists() and not force:
        raise CLIUsageError(f"{str(target)!r} exists; pass --force to overwrite it.")
    click.echo(str(transfer.get(artifact.path, target)))


def _target(artifact: Any, dest: str) -> Path:
    """``dest`` itself, or ``dest/<name>`` when ``dest`` is a folder (existing, or ending in ``/``)."""
    folder = Path(dest).expanduser()
    if not (folder.is_dir() or dest.endswith(("/", os.sep))):
        return folder
    name = PurePosixPath(artifact.key).name if artifact.key else f"{artifact.uid}{artifact.suffix}"
    return folder / name


@artifact_group.command("describe")
@click.argument("uid_or_key")
@needs_instance
def describe_command(uid_or_key: str) -> None:
    """Print an artifact's fields and provenance as a tree."""
    find_artifact(uid_or_key).describe()


@artifact_group.command("diff")
@click.argument("old")
@click.argument("new")
@needs_instance
def diff_command(old: str, new: str) -> None:
    """Print what changed from artifact OLD to NEW (DataFrame or AnnData; uid, stem or key each)."""
    click.echo(str(find_artifact(old).diff(find_artifact(new))))


COMMANDS = [save_command, load_command, artifact_group]
