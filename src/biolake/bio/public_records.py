"""Records of bio registries made from their public sources: ``public()``, ``from_source()``,
``from_values()``, ``import_source()``, lookups and inspections that fall
back to the public source."""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Any

from django.db import transaction

from biolake import _logging as log
from biolake import _process
from biolake.errors import AmbiguousValueWarning, ValidationError, ValidationWarning
from biolake.models import validation, validation_report
from biolake.models.lookup import to_identifier
from biolake.models.record_list import RecordList

if TYPE_CHECKING:
    import pandas as pd

    from biolake.bio.public import PublicOntology

# common organism names → NCBITaxon id and scientific name (Organism.name is the common name);
# known here so that the 1.26M-term NCBITaxon need not be loaded for them
COMMON_ORGANISMS = {
    "human": ("NCBITaxon:9606", "Homo sapiens"), "mouse": ("NCBITaxon:10090", "Mus musculus"),
    "rat": ("NCBITaxon:10116", "Rattus norvegicus"), "zebrafish": ("NCBITaxon:7955", "Danio rerio"),
    "fruit fly": ("NCBITaxon:7227", "Drosophila melanogaster"),
}
_ORGANISM_ENTITIES = ("Gene", "Protein", "CellMarker")
_BATCH = 2000


def _related_registry(model: Any, field: str) -> Any:
    """The registry ``model.<field>`` points to (``Source``, ``Organism``), reached through the relation
    because ``bio.models`` imports this module."""
    return model._meta.get_field(field).related_model


def public(model: Any, organism: str | None = None, source: str | None = None) -> PublicOntology:
    """The public source of a registry (offline; cached after the first load)."""
    # cycle: importing biolake.bio.public sets up Django (via biolake.models), which imports bio.models → this module
    from biolake.bio.public import PublicOntology

    return PublicOntology(model.__name__, organism=default_organism(model, organism), source=source)


def default_organism(model: Any, organism: str | None) -> str | None:
    """The organism asked for, else ``bt.settings.organism`` for registries that have an organism."""
    if organism is None and model.__name__ in _ORGANISM_ENTITIES:
        return _process.organism.get()
    return organism


def organism_record(model: Any, name: str | None) -> Any:
    """The Organism record of ``model.organism`` for a common name (``"human"``), created on first use."""
    if name is None:
        return None
    organisms = _related_registry(model, "organism")
    existing = organisms.objects.filter(name=name).first()
    if existing is not None:
        return existing
    if name not in COMMON_ORGANISMS:
        raise ValidationError(
            f"Unknown organism {name!r}; use one of {', '.join(COMMON_ORGANISMS)}, or create it with "
            f"bt.Organism.from_source(name=<scientific name>).save()."
        )
    ontology_id, scientific_name = COMMON_ORGANISMS[name]
    return organisms(name=name, ontology_id=ontology_id, scientific_name=scientific_name).save()


def _organism_name(organism: str | None, ontology: PublicOntology) -> str | None:
    """The organism asked for, else the one the source is for (none for multi-organism sources)."""
    name = organism or ontology.organism
    return None if name in (None, "all") else name


def _organism_for(model: Any, organism: str | None, ontology: PublicOntology) -> Any:
    """The Organism record for new records of ``model``; None for registries without an organism."""
    return organism_record(model, _organism_name(organism, ontology)) if model.__name__ in _ORGANISM_ENTITIES else None


def source_record(model: Any, ontology: PublicOntology) -> Any:
    """The Source record of the public source in use (marked currently used)."""
    spec = ontology.source
    record, _ = _related_registry(model, "source").objects.get_or_create(
        entity=model.__name__, organism=ontology.organism or "all", name=spec.name, version=spec.version,
        defaults={"url": spec.url, "license": spec.license, "description": spec.title, "currently_used": True},
    )
    return record


def _fields(model: Any, term_id: str, row: pd.Series | dict[str, Any], organism: Any, source: Any) -> dict[str, Any]:
    import pandas as pd

    def text(column: str) -> Any:
        value = row.get(column)
        return None if value is None or (not isinstance(value, (list, tuple)) and pd.isna(value)) else value

    if model.__name__ == "Gene":
        return {"ensembl_gene_id": term_id, "symbol": text("symbol"), "description": text("description"),
                "biotype": text("biotype"), "synonyms": text("synonyms"), "ncbi_gene_ids": text("ncbi_gene_ids"),
                "organism": organism, "source": source}
    if model.__name__ == "Protein":
        return {"uniprotkb_id": term_id, "name": text("name"), "gene_symbol": text("gene_symbol"),
                "synonyms": text("synonyms"), "organism": organism, "source": source}
    return {"ontology_id": term_id, "name": text("name"), "description": text("definition"),
            "synonyms": text("synonyms"), "source": source}


def _term_ids(ontology: PublicOntology, field: str, value: Any) -> list[str]:
    df = ontology.df()
    if field in (ontology.id_field, "ontology_id", "ensembl_gene_id", "uniprotkb_id"):
        return [value] if value in df.index else []
    matches = df.index[df[field] == value].tolist()
    if not matches:
        standardized = ontology.standardize([value], field=field, mute=True)
        if standardized and standardized[0] != value:
            matches = df.index[df[field] == standardized[0]].tolist()
    return matches


def from_source(model: Any, organism: str | None = None, source: str | None = None, **lookup: Any) -> Any:
    """One record built from the public source (not saved; saving adds its ancestors as parents)."""
    if len(lookup) != 1:
        raise ValidationError(f"from_source() takes one field, e.g. {model.__name__}.from_source(name=...).")
    (field, value), = lookup.items()
    ontology = public(model, organism, source)
    ids = _term_ids(ontology, field, value)
    if not ids:
        candidates = ontology.df()[field].dropna().astype(str).unique() if field in ontology.df() else []
        close = difflib.get_close_matches(str(value), list(candidates), n=3)
        hint = f" Did you mean: {', '.join(close)}?" if close else ""
        raise ValidationError(f"No {model.__name__} with {field}={value!r} in {ontology.source.name}.{hint}")
    if len(ids) > 1:
        raise ValidationError(
            f"{field}={value!r} is ambiguous in {ontology.source.name}: it matches {', '.join(ids)}; "
            f"pick one by id, e.g. {model.__name__}.from_source({ontology.id_field}={ids[0]!r}).",
            non_validated={field: [value]},
        )
    return _build(model, ontology, ids, organism)[0]


def _build(model: Any, ontology: PublicOntology, ids: list[str], organism: str | None) -> list[Any]:
    id_field = model._id_field
    existing = {getattr(r, id_field): r for r in model.objects.filter(**{f"{id_field}__in": ids})}
    org = _organism_for(model, organism, ontology)
    src = source_record(model, ontology)
    missing = [term_id for term_id in ids if term_id not in existing]
    rows = dict(zip(missing, ontology.df().loc[missing].to_dict("records"))) if missing else {}  # one lookup, not one per id
    records = []
    for term_id in ids:
        record = existing.get(term_id) or model(**_fields(model, term_id, rows[term_id], org, src))
        record._ontology = ontology
        records.append(record)
    return records


def save_with_ancestors(record: Any) -> None:
    """After saving a record from a public ontology: create its ancestors and link the parents."""
    ontology = getattr(record, "_ontology", None)
    if ontology is None or not hasattr(record, "parents") or not record.ontology_id:
        return
    index = ontology.df().index
    ancestors = [term for term in ontology.ancestors(record.ontology_id) if term in index]
    _ensure_terms(type(record), ontology, ancestors)
    _link_parents(type(record), ontology, [record.ontology_id, *ancestors])


def _ensure_terms(model: Any, ontology: PublicOntology, ids: list[str]) -> None:
    have = set(model.objects.filter(ontology_id__in=ids).values_list("ontology_id", flat=True))
    missing = [term for term in ids if term not in have]
    if not missing:
        return
    src = source_record(model, ontology)
    df = ontology.df()
    new = [model(**_fields(model, term, df.loc[term], None, src)) for term in missing]
    for record in new:
        record.uid = record._new_uid()
    model.objects.bulk_create(new, batch_size=_BATCH, ignore_conflicts=True)


def _link_parents(model: Any, ontology: PublicOntology, ids: list[str]) -> None:
    pks = dict(model.objects.filter(ontology_id__in=ids).values_list("ontology_id", "id"))
    through = model.parents.through
    from_col, to_col = f"from_{model.__name__.lower()}_id", f"to_{model.__name__.lower()}_id"
    rows = [
        through(**{from_col: pks[child], to_col: pks[parent]})
        for child in ids if child in pks
        for parent in ontology.parents(child) if parent in pks
    ]
    through.objects.bulk_create(rows, batch_size=_BATCH, ignore_conflicts=True)


def import_source(model: Any, source: str | None = None, organism: str | None = None) -> int:
    """Bulk-load the whole public source into the registry (parents linked); returns new records."""
    ontology = public(model, organism, source)
    df = ontology.df()
    id_field = model._id_field
    before = model.objects.count()
    with transaction.atomic():
        org = _organism_for(model, organism, ontology)
        src = source_record(model, ontology)
        have = set(model.objects.values_list(id_field, flat=True))
        new = [model(**_fields(model, term, row, org, src)) for term, row in df.iterrows() if term not in have]
        for record in new:
            record.uid = record._new_uid()
        model.objects.bulk_create(new, batch_size=_BATCH, ignore_conflicts=True)
        if hasattr(model, "parents"):
            _link_parents(model, ontology, df.index.tolist())
    added = model.objects.count() - before
    log.success(f"imported {added} {model.__name__} records from {ontology.source.name} {ontology.source.version}")
    return added


def from_values(
    model: Any, values: list[str], field: str, organism: str | None = None, mute: bool = False
) -> RecordList:
    """Records for ``values``: from the registry first, then (unsaved) from the public source."""
    found = validation.from_values(model, values, field=field)
    have = {getattr(r, field) for r in found}
    rest = [v for v in dict.fromkeys(values) if v not in have]
    if not rest:
        return found
    ontology = public(model, organism)
    result = ontology.inspect(rest, field=field, mute=True)
    if result.ambiguous and not mute:
        log.warning(f"ambiguous {field} values, not picked: " + "; ".join(
            f"{v!r} → {', '.join(ids)}" for v, ids in result.ambiguous.items()), AmbiguousValueWarning)
    df = ontology.df()
    usable = [v for v in result.validated if v not in result.ambiguous]
    ids = usable if field == ontology.id_field else [df.index[df[field] == v][0] for v in usable]
    new = _build(model, ontology, ids, organism)
    if new and not mute:
        log.info(f"created {len(new)} {model.__name__} records from {ontology.source.name} with {field}; save them with ln.save(...)")
    return RecordList([*found, *new])


def _public_with_field(model: Any, field: str, organism: str | None) -> PublicOntology | None:
    """The public source of ``model`` if it has ``field`` (its id or a column); else None."""
    try:
        ontology = public(model, organism)
    except LookupError:  # no source for this entity (e.g. Pathway before add_source)
        return None
    return ontology if field == ontology.id_field or field in ontology.df().columns else None


def _unmapped_strings(result: validation.InspectResult) -> list[str]:
    return [v for v in result.non_validated if v not in result.synonyms_mapper and isinstance(v, str)]


def inspect_with_public(
    model: Any, result: validation.InspectResult, field: str, organism: str | None, mute: bool
) -> validation.InspectResult:
    """``result`` of the registry's inspect with the public source's synonyms for values the
    registry cannot map; prints the summary (and which missing values the public source knows)."""
    rest = _unmapped_strings(result)
    ontology = _public_with_field(model, field, organism) if rest else None
    in_public: list[str] = []
    if ontology is not None:
        found = ontology.inspect(rest, field=field, mute=True)
        in_public = found.validated
        result.synonyms_mapper.update({k: v for k, v in found.synonyms_mapper.items() if k not in in_public})
    if not mute:
        _print_inspect(model, result, field, in_public)
    return result


def _print_inspect(model: Any, result: validation.InspectResult, field: str, in_public: list[str]) -> None:
    if result.validated:
        log.success(validation_report.validated(len(result.validated)))
    if result.non_validated:
        log.warning(validation_report.not_validated(result.non_validated), ValidationWarning)
    if result.synonyms_mapper:
        log.info(validation_report.synonyms_found(result.synonyms_mapper))
    if in_public:
        log.info(f"{validation_report.count(len(in_public), 'term')} {'is' if len(in_public) == 1 else 'are'} not in "
                 f"the registry but found in the public ontology: create them with "
                 f"{model.__name__}.from_values({in_public[:3]!r}, field={field!r})")


def standardize(model: Any, values: Any, field: str, organism: str | None = None, **kwargs: Any) -> Any:
    """The registry's ``standardize``, then the public source's synonyms for values it could not map."""
    return_mapper, mute = kwargs.pop("return_mapper", False), kwargs.pop("mute", False)
    result = validation.inspect(model, values, field=field, mute=True, **kwargs)
    rest = _unmapped_strings(result)
    ontology = _public_with_field(model, field, organism) if rest else None
    from_public = ontology.standardize(rest, field=field, return_mapper=True, mute=True) if ontology else {}
    mapper = {**result.synonyms_mapper, **from_public}
    if not mute and mapper:
        log.info(f"standardized {validation_report.count(len(mapper), 'term')}: {validation_report.mapping(mapper)}")
    if return_mapper:
        return mapper
    standardized = validation.standardize(model, values, field=field, mute=True, **kwargs)
    if isinstance(standardized, str):
        return from_public.get(standardized, standardized)
    return [from_public.get(v, v) if isinstance(v, str) else v for v in standardized]


def lookup_public(model: Any, identifier: str, field: str) -> Any:
    """An unsaved record for the public term whose ``field`` reads as ``identifier`` (``cd8a``), if one does."""
    ontology = public(model)
    df = ontology.df()
    values = df.index if field == ontology.id_field else df[field] if field in df else None
    if values is None:
        return None
    ids = [term for term, value in zip(df.index, values) if value is not None and to_identifier(str(value)) == identifier]
    return _build(model, ontology, ids[:1], None)[0] if len(ids) == 1 else None
