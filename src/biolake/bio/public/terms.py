"""The one table shape every ontology source is turned into.

A source loader yields Arrow record batches with :data:`TERM_SCHEMA`; the cache writes
them to parquet and :class:`~biolake.bio.public.ontology.PublicOntology` reads them back:

=============  ==================  ==================================================
column         type                meaning
=============  ==================  ==================================================
ontology_id    string              ``CL:0000798`` (the index of ``df()``)
name           string              the term's label
definition     string              its textual definition, or null
synonyms       string              ``"|"``-joined exact/related synonyms, or null
parents        list<string>        ids of the direct (``is_a``, distance 1) parents
deprecated     bool                obsolete term (left out of ``df()`` by default)
replaced_by    string              the id an obsolete term was replaced by, or null
=============  ==================  ==================================================

Entity-specific sources add columns after these (see :mod:`biolake.bio.public.sources`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow as pa

SEPARATOR = "|"
TERM_COLUMNS = ("ontology_id", "name", "definition", "synonyms", "parents", "deprecated", "replaced_by")


def term_schema() -> pa.Schema:
    """The Arrow schema of an ontology term table."""
    import pyarrow as pa

    return pa.schema(
        [
            ("ontology_id", pa.string()),
            ("name", pa.string()),
            ("definition", pa.string()),
            ("synonyms", pa.string()),
            ("parents", pa.list_(pa.string())),
            ("deprecated", pa.bool_()),
            ("replaced_by", pa.string()),
        ]
    )


def join_synonyms(synonyms: Iterable[str] | None, name: str | None) -> str | None:
    """``"|"``-join distinct synonyms in their order, leaving out the name itself; None if none."""
    if not synonyms:
        return None
    seen: dict[str, None] = {}
    for synonym in synonyms:
        for part in synonym.split(SEPARATOR):
            part = part.strip()
            if part and part != name:
                seen.setdefault(part, None)
    return SEPARATOR.join(seen) if seen else None


def terms_batch(
    ids: Sequence[str],
    names: Sequence[str | None],
    definitions: Sequence[str | None],
    synonyms: Sequence[str | None],
    parents: Sequence[Sequence[str]],
    deprecated: Sequence[bool],
    replaced_by: Sequence[str | None],
) -> pa.RecordBatch:
    """Build one record batch of :func:`term_schema` from column lists."""
    import pyarrow as pa

    return pa.RecordBatch.from_arrays(
        [
            pa.array(ids, pa.string()),
            pa.array(names, pa.string()),
            pa.array(definitions, pa.string()),
            pa.array(synonyms, pa.string()),
            pa.array(parents, pa.list_(pa.string())),
            pa.array(deprecated, pa.bool_()),
            pa.array(replaced_by, pa.string()),
        ],
        schema=term_schema(),
    )
