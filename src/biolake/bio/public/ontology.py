"""PublicOntology: one version of one public source of an entity, loaded from the cache.

Example:
    >>> from biolake.bio.public import PublicOntology
    >>> cell_types = PublicOntology("CellType")  # doctest: +SKIP
    >>> cell_types.search("gamma-delta T cell").index[0]  # doctest: +SKIP
    'CL:0000798'
    >>> cell_types.standardize(["T-cell", "neuron"])  # doctest: +SKIP
    ['T cell', 'neuron']
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from biolake import _logging
from biolake.bio.public.cache import load_table
from biolake.bio.public.lookup import Lookup
from biolake.bio.public.matching import Matcher, as_list
from biolake.bio.public.obo import open_ontology
from biolake.bio.public.search import SearchIndex, top
from biolake.bio.public.sources import SourceSpec, get_source, normalize_organism
from biolake.errors import AmbiguousValueWarning, DoesNotExist, UnknownFormatError, ValidationWarning
from biolake.models.validation import InspectResult

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import pronto
    import pyarrow as pa

# UniProt species mnemonics of the organisms that ``organism=`` accepts for proteins
UNIPROT_SPECIES = {
    "human": "HUMAN",
    "mouse": "MOUSE",
    "rat": "RAT",
    "zebrafish": "DANRE",
    "fruit fly": "DROME",
    "yeast": "YEAST",
}


class PublicOntology:
    """The terms of a public source, with search, validation and navigation.

    Args:
        entity: ``"CellType"``, ``"Gene"``, ... (see :data:`~biolake.bio.public.sources.ENTITIES`).
        organism: ``"human"``, ``"mouse"``, ... Selects organism-specific sources
            (Gene, DevelopmentalStage) and filters proteins; default: human where the
            entity needs an organism, else all.
        source: Source name (``"cl"``); default: the entity's default source.
        version: Source version; default: the source's default version.
        cache_dir: The cache folder (default ``$BIOLAKE_CACHE_DIR/public``).
        include_deprecated: Keep obsolete terms (left out by default; ``inspect`` and
            ``standardize`` map obsolete ids to their replacements either way).

    Example:
        >>> genes = PublicOntology("Gene", organism="human")  # doctest: +SKIP
        >>> genes.standardize(["ATPIF1", "IGJ"], field="symbol")  # doctest: +SKIP
        ['ATP5IF1', 'JCHAIN']
    """

    def __init__(
        self,
        entity: str,
        organism: str | None = None,
        source: str | None = None,
        version: str | None = None,
        *,
        cache_dir: str | os.PathLike[str] | None = None,
        include_deprecated: bool = False,
    ) -> None:
        self._spec = get_source(entity, organism=organism, source=source, version=version, cache_dir=cache_dir)
        self._organism = normalize_organism(organism) or (self._spec.organism if self._spec.organism != "all" else None)
        table, self._cache_path = load_table(self._spec, cache_dir)
        self._table, self._replacements = _prepare(table, self._spec, self._organism, include_deprecated)
        self._df: pd.DataFrame | None = None
        self._matcher = Matcher(self._table, self._spec.id_field, self._spec.name_field, self._replacements)
        self._search_index: SearchIndex | None = None

    # -- description ------------------------------------------------------------------

    @property
    def entity(self) -> str:
        """The entity, e.g. ``"CellType"``."""
        return self._spec.entity

    @property
    def organism(self) -> str:
        """``"human"``, ``"mouse"``, ... or ``"all"``."""
        return self._organism or "all"

    @property
    def source(self) -> SourceSpec:
        """The source and version in use (name, version, url, license, ...)."""
        return self._spec

    @property
    def version(self) -> str:
        """The source version."""
        return self._spec.version

    @property
    def cache_path(self) -> Path:
        """The parquet file this ontology was loaded from."""
        return self._cache_path

    @property
    def id_field(self) -> str:
        """The column that identifies a term (the index of :meth:`df`)."""
        return self._spec.id_field

    @property
    def name_field(self) -> str:
        """The column searched and validated by default (``name``; ``symbol`` for genes)."""
        return self._spec.name_field

    def __len__(self) -> int:
        return self._table.num_rows

    def __repr__(self) -> str:
        return (
            f"PublicOntology\n  Entity: {self.entity}\n  Organism: {self.organism}\n"
            f"  Source: {self._spec.name}, {self._spec.version}\n  #terms: {len(self)}"
        )

    # -- data -------------------------------------------------------------------------

    def df(self) -> pd.DataFrame:
        """All terms, indexed by id; string columns are Arrow-backed (``string[pyarrow]``).

        ``parents`` holds lists of ids; ``synonyms`` is ``"|"``-joined.
        """
        return self._frame().copy(deep=False)

    def to_arrow(self) -> pa.Table:
        """All terms as an Arrow table (the cheapest form, for bulk inserts)."""
        return self._table

    def search(self, text: str, field: str | None = None, limit: int | None = 20, fuzzy: bool = True) -> pd.DataFrame:
        """Terms matching ``text``, best first, with a ``score`` column (100 = exact name).

        Ranking: exact name > exact synonym > prefix > substring > shared words > fuzzy
        (see :mod:`biolake.bio.public.search`); case-insensitive.

        Args:
            text: What to look for.
            field: Search only this column (default: the name, synonyms and, for genes,
                the description).
            limit: At most this many results (None: all).
            fuzzy: Also score near misses (typos).
        """
        index = self._index_for(field)
        scores = index.score(text, limit=limit, fuzzy=fuzzy)
        rows = top(scores, index.name_lengths, limit)
        result = self._frame().iloc[rows].copy()
        result["score"] = scores[rows].astype("float64").round(1)
        return result

    def lookup(self, field: str | None = None) -> Lookup:
        """Attribute access to terms by name: ``lookup().t_cell``, ``lookup()["T cell"]``."""
        return Lookup(self._frame(), field or self.name_field)

    # -- validation -------------------------------------------------------------------

    def validate(self, values: Iterable[str] | str, field: str | None = None, mute: bool = False) -> np.ndarray:
        """Whether each value occurs exactly (case-sensitive) in ``field`` (default: the name field)."""
        items, _ = as_list(values)
        field = field or self.name_field
        valid = self._matcher.validate(items, field)
        if not mute:
            n_unique, n_bad = len(set(items)), len({v for v, ok in zip(items, valid) if not ok})
            if n_bad:
                _logging.warning(
                    f"{n_bad} of {n_unique} unique values did not validate against {self.entity}.{field}",
                    ValidationWarning,
                )
            else:
                _logging.success(f"all {n_unique} unique values validated against {self.entity}.{field}")
        return valid

    def inspect(self, values: Iterable[str] | str, field: str | None = None, mute: bool = False) -> InspectResult:
        """Sort values into validated and not, map the others where possible, report ambiguities.

        ``synonyms_mapper`` maps a value that did not validate to the value of ``field`` it
        stands for (other case, synonym, or, for ids, the replacement of an obsolete id).
        ``ambiguous`` maps each value that matches several records to their ids.
        """
        items, _ = as_list(values)
        field = field or self.name_field
        unique = list(dict.fromkeys(items))
        valid = self._matcher.validate(unique, field)
        resolved = self._matcher.resolve(unique, field, field)
        several = resolved[resolved["n_ids"] > 1]
        mappable = resolved[(resolved["tier"] > 0) & (resolved["n_targets"] == 1)]
        mapper = mappable["target"].to_dict()
        ambiguous = several["ids"].to_dict()
        result = InspectResult(
            validated=[v for v, ok in zip(unique, valid) if ok],
            non_validated=[v for v, ok in zip(unique, valid) if not ok],
            synonyms_mapper=mapper,
            ambiguous=ambiguous,
        )
        if not mute:
            _log_inspect(result, f"{self.entity}.{field}")
        return result

    def standardize(
        self,
        values: Iterable[str] | str,
        field: str | None = None,
        return_field: str | None = None,
        return_mapper: bool = False,
        mute: bool = False,
    ) -> Any:
        """Map values to the canonical values of ``field`` (case, synonyms, replaced ids).

        Args:
            values: A string or an iterable of strings.
            field: The column the values belong to (default: the name field).
            return_field: Return this column's values instead (``"ensembl_gene_id"`` for symbols).
            return_mapper: Return only ``{value: standardized}`` for the values that change.
            mute: Do not print the warning about ambiguous or unmapped values.

        Returns:
            The standardized values, shaped like ``values`` (a string for a string), or the
            mapper. A value that matches nothing, or several records that disagree on the
            returned field, is returned unchanged (and named in a warning).
        """
        items, single = as_list(values)
        field = field or self.name_field
        return_field = return_field or field
        resolved = self._matcher.resolve(list(dict.fromkeys(items)), field, return_field)
        mapping = resolved.loc[resolved["n_targets"] == 1, "target"].to_dict()
        ambiguous = resolved.loc[resolved["n_targets"] > 1, "targets"].to_dict()
        if ambiguous and not mute:
            shown = "; ".join(f"{k!r} → {', '.join(v)}" for k, v in list(ambiguous.items())[:5])
            where = f"{self.entity}.{return_field}"
            _logging.warning(
                f"{len(ambiguous)} ambiguous value(s) kept as given, each matches several {where} values: {shown}",
                AmbiguousValueWarning,
            )
        if return_mapper:
            return {k: v for k, v in mapping.items() if k != v}
        result = [mapping.get(v, v) for v in items]
        return result[0] if single else result

    # -- navigation -------------------------------------------------------------------

    def parents(self, ontology_id: str) -> list[str]:
        """Ids of the direct parents of a term."""
        return list(self._parents_of(ontology_id))

    def ancestors(self, ontology_id: str) -> list[str]:
        """Ids of all ancestors of a term, nearest first."""
        seen: dict[str, None] = {}
        frontier = self._parents_of(ontology_id)
        while frontier:
            following = []
            for term in frontier:
                if term not in seen:
                    seen[term] = None
                    following.extend(self._parents_of(term, missing_ok=True))
            frontier = following
        return list(seen)

    def children(self, ontology_id: str) -> list[str]:
        """Ids of the terms whose direct parents include ``ontology_id``."""
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        self._row(ontology_id)
        parents = self._column("parents")
        hits = pc.equal(pc.list_flatten(parents), ontology_id)
        rows = np.unique(pc.filter(pc.list_parent_indices(parents), hits).to_numpy())
        return pc.take(self._matcher.column(self.id_field), pa.array(rows, pa.int64())).to_pylist()

    def to_pronto(self) -> pronto.Ontology:
        """The source file opened with pronto (only for sources that are OBO/OWL files).

        Raises:
            UnknownFormatError: The source is not an OBO/OWL file (the shipped ontologies
                are cellxgene-ontology-guide JSON); import such a file with ``add_source``.
        """
        if not self._spec.is_obo:
            suffix = "".join(Path(self._spec.path or "").suffixes) or None
            raise UnknownFormatError(
                f"Source {self._spec.name!r} {self._spec.version} of {self.entity} is not an OBO/OWL file "
                f"({self._spec.path}); to_pronto() works for sources imported with add_source() and for HPO",
                suffix=suffix,
            )
        return open_ontology(str(self._spec.path))

    # -- internals --------------------------------------------------------------------

    def _frame(self) -> pd.DataFrame:
        if self._df is None:
            import pandas as pd
            import pyarrow as pa

            def types(arrow_type: pa.DataType) -> Any:
                if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
                    return pd.StringDtype("pyarrow")
                if pa.types.is_list(arrow_type):
                    return pd.ArrowDtype(arrow_type)
                return None

            self._df = self._table.to_pandas(types_mapper=types).set_index(self.id_field)
        return self._df

    def _column(self, field: str) -> pa.Array:
        if field not in self._table.column_names:
            raise ValueError(f"{self.entity} terms of source {self._spec.name!r} have no {field!r}")
        column = self._table[field]
        return column.combine_chunks() if len(column.chunks) != 1 else column.chunk(0)

    def _row(self, ontology_id: str, missing_ok: bool = False) -> int:
        import pyarrow.compute as pc

        row = pc.index(self._matcher.column(self.id_field), ontology_id).as_py()
        if row < 0 and not missing_ok:
            raise DoesNotExist(
                f"No {self.entity} term {ontology_id!r} in {self._spec.name} {self._spec.version}", query=ontology_id
            )
        return int(row)

    def _parents_of(self, ontology_id: str, missing_ok: bool = False) -> list[str]:
        parents = self._column("parents")
        row = self._row(ontology_id, missing_ok)
        return [] if row < 0 else list(parents[row].as_py() or [])

    def _index_for(self, field: str | None) -> SearchIndex:
        if field is not None:
            return SearchIndex(self._matcher.column(field))
        if self._search_index is None:
            names = self._table.column_names
            self._search_index = SearchIndex(
                self._matcher.column(self.name_field),
                self._matcher.column("synonyms") if "synonyms" in names else None,
                [self._matcher.column("description")] if "description" in names else None,
            )
        return self._search_index


def _prepare(
    table: pa.Table, spec: SourceSpec, organism: str | None, include_deprecated: bool
) -> tuple[pa.Table, dict[str, str]]:
    """Leave out obsolete terms (keeping their replacements) and filter proteins by organism."""
    import pyarrow.compute as pc

    replacements: dict[str, str] = {}
    if "deprecated" in table.column_names:
        deprecated = pc.fill_null(table["deprecated"], False)
        if pc.any(deprecated).as_py():
            obsolete = table.select([spec.id_field, "replaced_by"]).filter(deprecated).to_pylist()
            replacements = {r[spec.id_field]: r["replaced_by"] for r in obsolete if r["replaced_by"]}
            if not include_deprecated:
                table = table.filter(pc.invert(deprecated))
        if not include_deprecated:
            table = table.drop_columns(["deprecated", "replaced_by"])
    if organism and "species" in table.column_names:
        table = table.filter(pc.equal(table["species"], UNIPROT_SPECIES.get(organism, organism.upper())))
    return table, replacements


def _log_inspect(result: InspectResult, where: str) -> None:
    n_valid, n_bad = len(result.validated), len(result.non_validated)
    total = n_valid + n_bad
    if n_valid:
        share = f"{100 * result.frac_validated:.0f}%"
        _logging.success(f"{n_valid} unique value{'s' if n_valid != 1 else ''} ({share}) validated against {where}")
    if result.synonyms_mapper:
        sample = ", ".join(f"{k!r} → {v!r}" for k, v in list(result.synonyms_mapper.items())[:5])
        _logging.info(f"{len(result.synonyms_mapper)} of the others can be standardized: {sample}")
    unmapped = result.unmapped
    if unmapped:
        _logging.warning(
            f"{len(unmapped)} of {total} unique values not found in {where}: {', '.join(map(repr, unmapped[:10]))}",
            ValidationWarning,
        )
    if result.ambiguous:
        sample = "; ".join(f"{k!r} → {', '.join(v)}" for k, v in list(result.ambiguous.items())[:5])
        _logging.warning(
            f"{len(result.ambiguous)} ambiguous value(s) match several records: {sample}", AmbiguousValueWarning
        )
