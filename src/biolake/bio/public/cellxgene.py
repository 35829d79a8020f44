"""Read the ontology files that ``cellxgene-ontology-guide`` ships, without holding them in memory.

Each file is ``<ONTOLOGY>-ontology-<version>.json.zst``: one zstd-compressed JSON object
``{"CL:0000540": {"label": ..., "description": ..., "synonyms": [...], "deprecated": false,
"replaced_by": ..., "ancestors": {"CL:0000393": 1, "CL:0000211": 2, ...}}, ...}`` where
``ancestors`` maps every ancestor to its distance. NCBITaxon's file is 844 MB of JSON
(1.26 million terms with about 30 ancestors each; ``json.load`` takes 17 s and 3 GB), so it
is read as a stream, 16 MiB of text at a time:

1. cut the text after its last complete term (a ``},"<id>":{`` boundary, which cannot
   occur inside a JSON string, where quotes are escaped);
2. split out every ``"ancestors":{...}`` object with Arrow string kernels and keep only
   the ids at distance 1 (the direct parents): the millions of other pairs never become
   Python objects;
3. turn the rest into one JSON line per term and parse it with Arrow's JSON reader.

The result is a compact Arrow table of the term schema (:mod:`biolake.bio.public.terms`),
about 100 MB for NCBITaxon. A term whose direct parents are not in the file (EFO imports
some of its upper classes from other ontologies) gets its nearest ancestors that are in
the file as parents.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from biolake.bio.public.terms import join_synonyms, term_schema, terms_batch

if TYPE_CHECKING:
    import pyarrow as pa

CHUNK_BYTES = 16 << 20
SUFFIX = ".json.zst"

_BOUNDARY = re.compile(rb'\},"([^"\\]+)":\{')  # the end of one term and the id of the next
_BOUNDARY_RE2 = r'\},"([^"\\]+)":\{'
_ANCESTORS_OPEN = '"ancestors":{'
_PLACEHOLDER = '"_a":0'


def data_dir() -> Path:
    """The data folder of the installed ``cellxgene-ontology-guide`` package (not imported)."""
    import importlib.util

    spec = importlib.util.find_spec("cellxgene_ontology_guide")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            "The public ontologies need the 'cellxgene-ontology-guide' package: pip install 'biolake[bio]'",
            name="cellxgene_ontology_guide",
        )
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def shipped_files() -> dict[str, dict[str, Path]]:
    """``{ontology: {version: path}}`` for every ontology file in the package."""
    found: dict[str, dict[str, Path]] = {}
    for path in sorted(data_dir().glob(f"*-ontology-*{SUFFIX}")):
        ontology, _, version = path.name[: -len(SUFFIX)].partition("-ontology-")
        found.setdefault(ontology, {})[version] = path
    return found


def latest_versions() -> dict[str, dict[str, Any]]:
    """``{ontology: {"version": ..., "source": ..., "filename": ...}}`` from ``latest_ontology_info.json``."""
    path = data_dir() / "latest_ontology_info.json"
    if not path.exists():
        return {}
    return dict(json.loads(path.read_text()).get("ontologies", {}))


def source_url(ontology: str, version: str) -> str | None:
    """Where the upstream release of ``ontology`` at ``version`` is published."""
    info = latest_versions().get(ontology)
    if not info:
        return None
    if info.get("url"):
        return str(info["url"])
    template = str(info.get("source", ""))
    return template.replace("{version}", version).replace("{filename}", str(info.get("filename", ""))) or None


def read_table(path: str | Path, chunk_bytes: int = CHUNK_BYTES) -> pa.Table:
    """All terms of one ``.json.zst`` ontology file as an Arrow table of the term schema."""
    import pyarrow as pa

    path = Path(path)
    batches = []
    orphans: dict[str, dict[str, int]] = {}
    for chunk in _term_chunks(path, chunk_bytes):
        batch, found = _parse_chunk(chunk)
        batches.append(batch)
        orphans.update(found)
    table = pa.Table.from_batches(batches, schema=term_schema())
    if orphans:
        table = _adopt_orphans(path, table, orphans, chunk_bytes)
    return table


def _term_chunks(path: Path, chunk_bytes: int) -> Iterator[bytes]:
    """Yield the text of whole terms, ``"<id>":{...},"<id>":{...}``, a chunk at a time."""
    import zstandard

    pending = b""
    first = True
    with open(path, "rb") as fh, zstandard.ZstdDecompressor().stream_reader(fh) as reader:
        while True:
            block = reader.read(chunk_bytes)
            buffer = pending + block
            if first:
                buffer = buffer.lstrip()
                if not buffer.startswith(b"{"):
                    raise ValueError(f"{path.name} is not a JSON object")
                buffer, first = buffer[1:], False
            if not block:
                body = buffer.rstrip()
                if not body.endswith(b"}"):
                    raise ValueError(f"{path.name} ends before its JSON object is closed")
                if body[:-1].strip():
                    yield body[:-1]
                return
            cut = _last_boundary(buffer)
            if cut is None:  # no complete term yet: read on
                pending = buffer
                continue
            yield buffer[:cut]
            pending = buffer[cut + 1 :]  # skip the comma between two terms


def _last_boundary(buffer: bytes) -> int | None:
    """Index just after the ``}`` that closes the last complete term in ``buffer``."""
    window = 1 << 20
    start = max(0, len(buffer) - window)
    while True:
        last = None
        for match in _BOUNDARY.finditer(buffer, start):
            if match.group(1) != b"ancestors":
                last = match
        if last is not None:
            return last.start() + 1
        if start == 0:
            return None
        start = max(0, start - 8 * window)


def _parse_chunk(chunk: bytes) -> tuple[pa.RecordBatch, dict[str, dict[str, int]]]:
    """One record batch for the terms in ``chunk``, and the terms without a parent at distance 1."""
    import pyarrow as pa

    try:
        fields, bodies = _split_chunk(chunk)
    except (pa.ArrowException, ValueError):  # a layout the fast path does not know: parse it whole
        return _parse_chunk_json(chunk)
    parents, orphan_rows = _direct_parents(bodies)
    orphans = {fields["_id"][i].as_py(): json.loads("{" + bodies[i].as_py() + "}") for i in orphan_rows}
    return _fields_to_batch(fields, parents), orphans


def _split_chunk(chunk: bytes) -> tuple[pa.Table, pa.Array]:
    """The fields of each term (``_id``, ``label``, ...) and the text inside each ``ancestors`` object."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.json as pj

    text = pa.array([chunk], pa.large_binary()).cast(pa.large_string())
    pieces = pc.list_flatten(pc.split_pattern(text, _ANCESTORS_OPEN))
    rest = pieces.slice(1)
    halves = pc.list_flatten(pc.split_pattern(rest, "}", max_splits=1))
    if len(halves) != 2 * len(rest):
        raise ValueError("an 'ancestors' object is not closed")
    bodies = pc.take(halves, pa.array(np.arange(0, len(halves), 2)))
    tails = pc.take(halves, pa.array(np.arange(1, len(halves), 2)))
    lines = pc.replace_substring_regex(pa.chunked_array([pieces.slice(0, 1), tails]), _BOUNDARY_RE2, '}\n{"_id":"\\1",')
    ndjson = pc.binary_join(
        pa.LargeListArray.from_arrays([0, len(lines)], lines.combine_chunks()),
        pa.scalar(_PLACEHOLDER, pa.large_string()),
    )[0].as_py()
    head_end = ndjson.find('":{')
    ndjson = '{"_id":' + ndjson[: head_end + 1] + "," + ndjson[head_end + 3 :]
    options = pj.ParseOptions(explicit_schema=_json_schema(), unexpected_field_behavior="ignore")
    fields = pj.read_json(io.BytesIO(ndjson.encode()), parse_options=options)
    if fields.num_rows != len(bodies):
        raise ValueError("one 'ancestors' object per term expected")
    return fields, bodies


def _json_schema() -> pa.Schema:
    import pyarrow as pa

    return pa.schema(
        [
            ("_id", pa.string()),
            ("label", pa.string()),
            ("description", pa.string()),
            ("synonyms", pa.list_(pa.string())),
            ("deprecated", pa.bool_()),
            ("replaced_by", pa.string()),
        ]
    )


def _direct_parents(bodies: pa.Array) -> tuple[pa.ListArray, list[int]]:
    """The ids at distance 1 in each ancestors text (``"A":1,"B":2``), and the rows with none."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    items = pc.split_pattern(bodies, ",")
    flat = pc.list_flatten(items)
    rows = pc.list_parent_indices(items)
    direct = pc.ends_with(flat, '":1')
    ids = pc.utf8_slice_codeunits(pc.filter(flat, direct), 1, -3).cast(pa.string())
    counts = np.bincount(pc.filter(rows, direct).to_numpy(), minlength=len(bodies))
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    has_any = pc.greater(pc.utf8_length(bodies), 0).to_numpy(zero_copy_only=False)
    orphan_rows = np.flatnonzero(has_any & (counts == 0)).tolist()
    return pa.ListArray.from_arrays(pa.array(offsets), ids), orphan_rows


def _fields_to_batch(fields: pa.Table, parents: pa.ListArray) -> pa.RecordBatch:
    import pyarrow as pa
    import pyarrow.compute as pc

    names = fields["label"].combine_chunks()
    definitions = fields["description"].combine_chunks()
    definitions = pc.if_else(pc.equal(definitions, ""), pa.scalar(None, pa.string()), definitions)
    return pa.RecordBatch.from_arrays(
        [
            fields["_id"].combine_chunks(),
            names,
            definitions,
            _joined_synonyms(fields["synonyms"].combine_chunks(), names),
            parents,
            pc.fill_null(fields["deprecated"].combine_chunks(), False),
            fields["replaced_by"].combine_chunks(),
        ],
        schema=term_schema(),
    )


def _joined_synonyms(synonyms: pa.ListArray, names: pa.Array) -> pa.Array:
    """``"|"``-joined synonyms of each term (see :func:`~biolake.bio.public.terms.join_synonyms`)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    rows = np.flatnonzero(
        pc.fill_null(pc.greater(pc.list_value_length(synonyms), 0), False).to_numpy(zero_copy_only=False)
    )
    joined: list[str | None] = [None] * len(names)
    for row, values, name in zip(rows, pc.take(synonyms, rows).to_pylist(), pc.take(names, rows).to_pylist()):
        joined[row] = join_synonyms(values, name)
    return pa.array(joined, pa.string())


def _parse_chunk_json(chunk: bytes) -> tuple[pa.RecordBatch, dict[str, dict[str, int]]]:
    """The slow, general path: ``json.loads`` the whole chunk."""
    terms: dict[str, dict[str, Any]] = json.loads(b"{" + chunk + b"}")
    orphans = {}
    parents = []
    for term_id, term in terms.items():
        ancestors = term.get("ancestors") or {}
        direct = [ancestor for ancestor, distance in ancestors.items() if distance == 1]
        if ancestors and not direct:
            orphans[term_id] = ancestors
        parents.append(direct)
    values = list(terms.values())
    names = [term.get("label") for term in values]
    batch = terms_batch(
        ids=list(terms),
        names=names,
        definitions=[term.get("description") or None for term in values],
        synonyms=[join_synonyms(term.get("synonyms"), name) for term, name in zip(values, names)],
        parents=parents,
        deprecated=[bool(term.get("deprecated")) for term in values],
        replaced_by=[_first(term.get("replaced_by")) for term in values],
    )
    return batch, orphans


def _adopt_orphans(path: Path, table: pa.Table, orphans: dict[str, dict[str, int]], chunk_bytes: int) -> pa.Table:
    """Give each term without an in-file parent at distance 1 its nearest in-file ancestors.

    An ancestor is nearest when it is not itself an ancestor of another of the term's
    ancestors (the transitive reduction); this needs the ancestors of those ancestors,
    read in a second pass over the file.
    """
    import pyarrow as pa

    wanted = {ancestor for ancestors in orphans.values() for ancestor in ancestors}
    ancestors_of = _ancestor_sets(path, wanted, chunk_bytes)
    nearest = {
        term: sorted(a for a in ancestors if not any(a in ancestors_of.get(b, ()) for b in ancestors if b != a))
        for term, ancestors in orphans.items()
    }
    ids = table["ontology_id"].to_pylist()
    parents = table["parents"].to_pylist()
    for row, term_id in enumerate(ids):
        if term_id in nearest:
            parents[row] = nearest[term_id]
    position = table.schema.get_field_index("parents")
    return table.set_column(position, "parents", pa.array(parents, pa.list_(pa.string())))


def _ancestor_sets(path: Path, wanted: set[str], chunk_bytes: int) -> dict[str, set[str]]:
    import pyarrow as pa

    found: dict[str, set[str]] = {}
    for chunk in _term_chunks(path, chunk_bytes):
        try:
            fields, bodies = _split_chunk(chunk)
        except (pa.ArrowException, ValueError):
            terms = json.loads(b"{" + chunk + b"}")
            found.update({t: set(terms[t].get("ancestors") or ()) for t in wanted.intersection(terms)})
            continue
        for row, term_id in enumerate(fields["_id"].to_pylist()):
            if term_id in wanted:
                found[term_id] = set(json.loads("{" + bodies[row].as_py() + "}"))
    return found


def _first(value: Any) -> str | None:
    if isinstance(value, list):
        return str(value[0]) if value else None
    return str(value) if value else None


def read_source(spec: Any) -> pa.Table:
    """Reader of a :class:`~biolake.bio.public.sources.SourceSpec` backed by a ``.json.zst`` file."""
    return read_table(spec.path)


def read_uniprot(spec: Any) -> pa.Table:
    """UniProt entries: ``uniprotkb_id`` (``P01732``) instead of ``uniprot:P01732``, plus ``species``.

    ``species`` is the UniProt species mnemonic that ends the entry name (``CD8A_HUMAN`` →
    ``HUMAN``), which is how ``PublicOntology("Protein", organism="human")`` filters.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    table = read_table(spec.path)
    ids = pc.replace_substring_regex(table["ontology_id"], "^uniprot:", "")
    species = pc.struct_field(pc.extract_regex(table["name"], r"_(?P<species>[A-Z0-9]+)$"), "species")
    species = pc.if_else(pc.equal(species, ""), pa.scalar(None, pa.string()), species)
    table = table.set_column(0, "uniprotkb_id", ids)
    return table.append_column("species", species)
