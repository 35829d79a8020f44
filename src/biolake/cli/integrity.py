"""Integrity commands: ``verify`` (re-hash stored bytes) and ``storage gc`` (orphan managed files).

Neither changes a record; ``storage gc`` deletes files only with ``--remove``.

Example:
    $ biolake verify my_datasets/rnaseq1.parquet
    $ biolake verify --all
    $ biolake storage gc            # list orphan files
    $ biolake storage gc --remove   # and delete them
"""

from __future__ import annotations

import re
from typing import Any

import click

import biolake as ln
from biolake.cli._base import needs_instance
from biolake.cli.artifact import find_artifact
from biolake.errors import CLIUsageError
from biolake.setup import ensure_ready, store
from biolake.setup.instance import default_sqlite_url, sqlite_path
from biolake.setup.settings import settings
from biolake.storage import tempfiles
from biolake.storage.cache import SAVING_DIR
from biolake.storage.paths import is_remote, normalize_root

_STATUS = {"ok": "ok", "mismatch": "MISMATCH", "missing": "MISSING", "unverifiable": "UNVERIFIABLE"}
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")


class Duration(click.ParamType):
    """A duration: seconds (``90``) or a number with a unit (``30s``, ``10m``, ``1h``, ``2d``)."""

    name = "duration"

    def convert(self, value: Any, param: Any, ctx: Any) -> float:
        if isinstance(value, (int, float)):
            return float(value)
        match = _DURATION.match(str(value))
        if not match:
            self.fail(f"{value!r} is not a duration such as 0, 90, 30s, 10m, 1h or 2d", param, ctx)
        return float(match.group(1)) * _UNITS[match.group(2)]


# -- verify ------------------------------------------------------------------------------------


@click.command("verify")
@click.argument("uid_or_key", required=False)
@click.option("--all", "all_artifacts", is_flag=True, help="Verify every artifact (trashed ones included).")
@needs_instance
def verify_command(uid_or_key: str | None, all_artifacts: bool) -> None:
    """Re-hash stored bytes and compare them with the recorded hashes; changes nothing.

    Prints one line per artifact: ok, MISMATCH, MISSING, or UNVERIFIABLE (no hash, or a
    hash type that cannot be recomputed). Exits with code 1 if any bytes are missing or
    differ. UID_OR_KEY is a uid, a 16-char uid stem or a key (the latest version).
    """
    from biolake.models import integrity  # Django: loaded only by commands that use the registries

    if all_artifacts == (uid_or_key is not None):
        raise CLIUsageError("Name one artifact (uid or key) or pass --all, not both.")
    if all_artifacts:
        artifacts: Any = ln.Artifact.objects.select_related("storage").order_by("id").iterator()
    else:
        artifacts = [find_artifact(uid_or_key)]  # type: ignore[arg-type]
    counts = dict.fromkeys(_STATUS, 0)
    for artifact in artifacts:
        report = integrity.verify(artifact)
        counts[report.status] += 1
        click.echo(_line(report))
    summary = ", ".join(f"{n} {status}" for status, n in counts.items() if n)
    click.echo(f"verified {sum(counts.values())} artifact(s): {summary or 'none'}", err=True)
    if counts["mismatch"] or counts["missing"]:
        raise click.exceptions.Exit(1)


def _line(report: Any) -> str:
    name = f"{report.uid}  {report.key or '-'}"
    status = f"{_STATUS[report.status]:<12}"
    if report.status == "mismatch":
        extra = f"  ({report.detail})" if report.detail else ""
        return f"{status}{name}  expected {report.hash_type} {report.expected_hash} found {report.actual_hash}{extra}"
    if report.status == "missing":
        return f"{status}{name}  {report.path} ({report.detail})"
    if report.status == "unverifiable":
        return f"{status}{name}  {report.detail}"
    return f"{status}{name}"


# -- storage gc --------------------------------------------------------------------------------


@click.group("storage")
def storage_group() -> None:
    """Storage locations of the current instance."""


@storage_group.command("gc")
@click.option("--remove", is_flag=True, help="Delete the orphan files (default: only list them).")
@click.option(
    "--min-age",
    type=Duration(),
    default="1h",
    show_default=True,
    help="Only files unchanged this long count (a save in progress writes its bytes before its record).",
)
@click.option(
    "--storage", "root", default=None, metavar="ROOT", help="Scan this registered storage location instead."
)
@needs_instance
def gc_command(remove: bool, min_age: float, root: str | None) -> None:
    """List managed files that no artifact owns; delete them only with --remove.

    Looks under <root>/.biolake/ of the storage locations the current instance writes to
    (its own and ln.settings.storage) for bytes whose artifact is not in the database (a
    save whose commit failed or was killed) and for temporary files of interrupted writes,
    and for stale temporary files of killed saves in the local cache (`biolake cache clear`
    removes those too). Files of artifacts are never touched. Other registered locations may hold other
    instances' files (zero-copy transfers): they are scanned only when named with
    --storage, and refused when they are a known instance's storage.
    """
    from biolake.models import storage_audit  # Django: loaded only by commands that use the registries

    n_found = n_bytes = n_recent = 0
    for storage in _locations(root):
        scan = storage_audit.scan_orphans(storage, min_age=min_age)
        n_recent += len(scan.recent)
        for orphan in scan.orphans:
            n_found += 1
            n_bytes += orphan.size
            kind = "temporary" if orphan.temporary else "orphan"
            click.echo(f"{kind:<10} {orphan.path}  {orphan.size} bytes, unchanged for {_age(orphan.age)}")
        if remove and scan.orphans:
            for path in storage_audit.remove_orphans(storage, [orphan.path for orphan in scan.orphans]):
                click.echo(f"removed    {path}")
    n_temp, temp_bytes = _stale_temporary_files(remove)
    n_found, n_bytes = n_found + n_temp, n_bytes + temp_bytes
    recent = f"; {n_recent} unowned file(s) younger than --min-age left alone" if n_recent else ""
    if n_found and not remove:
        click.echo(f"{n_found} orphan file(s), {n_bytes} bytes{recent}; pass --remove to delete them", err=True)
    else:
        click.echo(f"{n_found} orphan file(s), {n_bytes} bytes{' removed' if n_found else ''}{recent}", err=True)


def _stale_temporary_files(remove: bool) -> tuple[int, int]:
    """List (and with ``remove`` delete) temporary files in the cache left by killed saves."""
    folder = settings.cache_dir / SAVING_DIR
    stale = tempfiles.stale_files(folder)
    for temp in stale:
        owner = f"process {temp.owner} is gone" if temp.owner is not None else "owner unknown"
        click.echo(f"{'temporary':<10} {temp.path}  {temp.size} bytes, unchanged for {_age(temp.age)} ({owner})")
    if remove and stale:
        for temp in tempfiles.remove_stale(folder):
            click.echo(f"removed    {temp.path}")
    return len(stale), sum(temp.size for temp in stale)


def _locations(root: str | None) -> list[Any]:
    """The storage records to scan: the ones this instance writes to, or the one named.

    Other registered locations (registered in place, or transferred from another instance
    with zero-copy transfer) may hold other instances' managed files, which this
    instance's database does not know: they are scanned only when named with --storage,
    and never when they are a known instance's storage.
    """
    current = ensure_ready()
    own = {normalize_root(current.storage_root), normalize_root(settings.storage)}
    storages = list(ln.Storage.objects.order_by("id"))
    if root is None:
        others = [s.root for s in storages if s.root not in own]
        if others:
            click.echo(
                f"not scanned: {len(others)} other storage location(s) ({', '.join(others[:3])}"
                f"{', ...' if len(others) > 3 else ''}), which may hold other instances' files; "
                "name one with --storage ROOT to scan it",
                err=True,
            )
        return [s for s in storages if s.root in own]
    wanted = normalize_root(root)
    chosen = [s for s in storages if s.root == wanted]
    if not chosen:
        raise CLIUsageError(f"{root!r} is not a storage location of this instance; see ln.Storage.df().")
    owner = None if wanted in own else _other_owner(wanted, current)
    if owner is not None:
        raise CLIUsageError(
            f"{wanted!r} is the storage of {owner}; its managed files are not this instance's to collect. "
            "Run `biolake storage gc` connected to that instance."
        )
    return chosen


def _other_owner(root: str, current: Any) -> str | None:
    """Which other instance keeps its managed files under ``root``, if one is known."""
    for name in store.list_instances():
        if name == current.name:
            continue
        try:
            if normalize_root(store.load_instance(name).storage_root) == root:
                return f"instance {name!r}"
        except Exception:  # noqa: BLE001, S112 - an unreadable settings file of another instance
            continue
    return "an instance with its own database there" if _holds_other_database(root, current.db) else None


def _holds_other_database(root: str, db: str) -> bool:
    """Whether a local root holds a default SQLite database that is not the current instance's."""
    if is_remote(root):
        return False
    url = default_sqlite_url(root)
    return sqlite_path(url).exists() and url != db


def _age(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f}{unit}"
    return f"{seconds:.0f}s"


COMMANDS = [verify_command, storage_group]
