"""The top ``limit`` rows of ``search()`` without ranking every match (limit-first, then proven).

A common word matches a tenth of a million rows, and a multi-word query matches every row that
contains one of its words; ranking all of them takes seconds. The score (see
:mod:`biolake.models.search_rank`) is a sum over *atoms*: per field, the whole query matching
exactly (100), as a prefix (20) or as a substring (10) -- only the best of the three counts --
plus 1 per word of the query contained in the field. So:

1. per field and term (the whole query, each word), read only the first ``scan`` rows, in id
   order, that the field's search index (SQLite: its own FTS5 table; PostgreSQL: its trigram
   GIN index) says contain the term; a term with more hits is *truncated* at the id of its last
   row read. For a truncated whole query, its exact and prefix matches come from a B-tree
   (migration 0007), complete when few;
2. rank exactly (the score SQL of ``search_rank``) the rows read whose score bound can reach
   the page: each one's lowest and highest possible score follow from the atoms it was seen to
   match and those not read as far as its id;
3. prove the page: a row never read matches truncated atoms only, and only with an id above
   each one's cut. If no such combination of atoms can outscore the last row of the page (or
   tie with it at a lower id), the page equals the page of the full ranking. Otherwise read
   10 times more rows; past ``MAX_SCAN`` the caller ranks every match as before.

The whole query is read first and its words only if its rows do not prove the page.
Terms shorter than 3 characters (no trigram) are never read: their atoms count as truncated at
id 0, which the proof handles like any other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.db import connections

from biolake.models import search_index
from biolake.models.one_param import in_values
from biolake.models.search_index import MIN_TERM, search_words
from biolake.models.search_rank import condition_sql
from biolake.setup import search_ddl

FIRST_SCAN = 1000
MAX_SCAN = 10_000
_EXACT, _PREFIX, _SUBSTRING = 100, 20, 10


@dataclass
class _Term:
    """The rows read of one term in one field: ``cut`` is ``None`` if every hit was read, else no
    unread hit has an id at or below it; ``exact``/``prefix``: every such match, when few."""

    hits: set[int] = field(default_factory=set)
    cut: int | None = 0
    exact: set[int] | None = None
    prefix: set[int] | None = None

    def known(self, row: int) -> bool:
        """Whether ``row`` was read if it contains the term."""
        return self.cut is None or row <= self.cut


@dataclass
class _Field:
    phrase: _Term = field(default_factory=_Term)
    words: list[_Term] = field(default_factory=list)

    def _tier_cuts(self) -> dict[int, int | None]:
        cut = self.phrase.cut
        return {_EXACT: None if self.phrase.exact is not None else cut,
                _PREFIX: None if self.phrase.prefix is not None else cut, _SUBSTRING: cut}

    def best(self, below: float) -> int:
        """The best score on this field of an unread row whose id can lie below ``below``."""
        free = [w.cut for w in self.words if w.cut is not None]
        best = sum(1 for cut in free if cut < below)  # some words only
        if len(free) < len(self.words):
            return best  # a row containing the whole query contains every word: it was read
        tiers = self._tier_cuts()
        for weight in (_EXACT, _PREFIX, _SUBSTRING):  # an exact match is a prefix is a substring
            implied = [tiers[w] for w in (_EXACT, _PREFIX, _SUBSTRING) if w <= weight]
            if any(cut is None for cut in implied):
                continue
            if max([0, *(c for c in implied if c is not None), *free]) < below:
                best = max(best, weight + len(free))
        return best

    def bounds(self, rows: Any) -> tuple[Any, Any]:
        """The lowest and highest score each of ``rows`` (read; a numpy array) can have on this field."""
        import numpy as np

        phrase, n_words = self.phrase, len(self.words)
        exact = np.isin(rows, list(phrase.exact or ()))
        prefix = exact | np.isin(rows, list(phrase.prefix or ()))
        contains = prefix | np.isin(rows, list(phrase.hits))
        low = np.where(exact, _EXACT, np.where(prefix, _PREFIX, np.where(contains, _SUBSTRING, 0)))
        known = rows <= phrase.cut if phrase.cut is not None else np.ones(len(rows), dtype=bool)
        may_prefix = prefix | (phrase.prefix is None)
        high = np.where(exact | (phrase.exact is None), _EXACT, np.where(may_prefix, _PREFIX, _SUBSTRING))
        high = np.where(~contains & known, 0, high)
        words_low = sum((np.isin(rows, list(w.hits)) for w in self.words), np.zeros(len(rows), dtype=int))
        words_high = sum((np.isin(rows, list(w.hits)) | (rows > w.cut if w.cut is not None else False)
                          for w in self.words), np.zeros(len(rows), dtype=int))
        # a row containing the whole query contains every word
        return (low + np.where(contains, n_words, words_low),
                high + np.where(contains | (high > 0), n_words, words_high))


@dataclass
class _Atoms:
    rows: set[int] = field(default_factory=set)
    fields: list[_Field] = field(default_factory=list)

    def best(self, below: float) -> int:
        """The best score of an unread row whose id can lie below ``below``."""
        return sum(f.best(below) for f in self.fields)

    def survivors(self, limit: int) -> tuple[set[int], int]:
        """The rows read that can reach the first ``limit`` (their highest score reaches the
        ``limit``-th lowest score), and that threshold."""
        import numpy as np

        rows = np.fromiter(self.rows, dtype=np.int64, count=len(self.rows))
        if len(rows) <= limit:
            return self.rows, 0
        low, high = np.zeros(len(rows), dtype=int), np.zeros(len(rows), dtype=int)
        for read in self.fields:
            field_low, field_high = read.bounds(rows)
            low, high = low + field_low, high + field_high
        threshold = int(np.sort(low)[-limit])
        if threshold == 0:
            return self.rows, 0
        return set(rows[high >= threshold].tolist()), threshold


def top_ids(qs: Any, fields: list[str], string: str, limit: int, rank: Any) -> list[int] | None:
    """The ids of the first ``limit`` rows of the full ranking, or ``None`` when the index cannot
    answer (no index for these fields, or the page could not be proven within ``MAX_SCAN``)."""
    connection = connections[qs.db]
    table = qs.model._meta.db_table
    if connection.vendor == "sqlite" and not _sqlite_indexed(connection, table, fields):
        return None
    if connection.vendor not in ("sqlite", "postgresql"):
        return None
    scan = FIRST_SCAN
    while scan <= MAX_SCAN:
        atoms = _Atoms()
        for words in (False, True):  # the whole query first: often its rows alone prove the page
            _read(atoms, qs, connection, fields, string, scan, words)
            page = _page(qs, atoms, rank, limit)
            if _proven(atoms, page, limit):
                return [pk for pk, _ in page]
            if not search_words(string):
                break
        scan *= 10
    return None


def _page(qs: Any, atoms: _Atoms, rank: Any, limit: int) -> list[tuple[int, int]]:
    """The first ``limit`` of the rows read, ranked in SQL; only the rows that can reach it are
    ranked (if rows the query hides made the threshold too high, all rows are)."""

    def ranked(rows: set[int]) -> list[tuple[int, int]]:
        return list(qs.filter(pk__in=_ids(connections[qs.db], rows)).annotate(search_rank=rank).filter(search_rank__gt=0)
                    .order_by("-search_rank", "id").values_list("id", "search_rank")[:limit])

    rows, threshold = atoms.survivors(limit)
    page = ranked(rows)
    if len(rows) < len(atoms.rows) and (len(page) < limit or page[-1][1] < threshold):
        page = ranked(atoms.rows)
    return page


def _ids(connection: Any, rows: set[int]) -> Any:
    """``rows`` as one SQL parameter: Django prepares each value of a ``pk__in`` list in Python,
    a millisecond per thousand."""
    return in_values(connection.vendor, sorted(rows), "bigint")


def _proven(atoms: _Atoms, page: list[tuple[int, int]], limit: int) -> bool:
    """Whether no unread row can enter the page: none outscores its last row, nor ties with it
    at a lower id (ties are ordered by id)."""
    if len(page) < limit:
        return atoms.best(float("inf")) == 0
    last_id, last_score = page[-1]
    return atoms.best(float("inf")) <= last_score and atoms.best(last_id) < last_score


def _sqlite_indexed(connection: Any, table: str, fields: list[str]) -> bool:
    return set(fields) <= set(search_index.INDEXED.get(table, ())) and search_index.has_fts(connection, table)


def _read(atoms: _Atoms, qs: Any, connection: Any, fields: list[str], string: str, scan: int, words: bool) -> None:
    """Read the whole query's hits per field (``words=False``; its words count as unread), or the
    hits of its words (``words=True``)."""
    table = qs.model._meta.db_table
    for index, name in enumerate(fields):
        column = qs.model._meta.get_field(name)
        if not words:
            atoms.fields.append(_Field(phrase=_read_phrase(atoms, connection, table, column, string, scan),
                                       words=[_Term() for _ in search_words(string)]))
        else:
            atoms.fields[index].words = [_read_term(atoms, connection, table, column, w, scan) for w in search_words(string)]


def _read_term(atoms: _Atoms, connection: Any, table: str, column: Any, term: str, scan: int) -> _Term:
    """The first hits of ``term`` (none when it is too short for a trigram: unread, cut 0)."""
    if len(term) < MIN_TERM:
        return _Term()
    rows, cut = _hits(connection, table, column, term, scan)
    hits = {row[0] for row in rows if row[1]}
    atoms.rows.update(hits)
    return _Term(hits=hits, cut=cut)


def _read_phrase(atoms: _Atoms, connection: Any, table: str, column: Any, term: str, scan: int) -> _Term:
    read = _read_term(atoms, connection, table, column, term, scan)
    if read.cut is not None:  # exact and prefix matches through a B-tree: all of them, if few
        for prefix in (False, True):
            found = _exact_or_prefix(connection, table, column, term, prefix, scan // 20)
            if len(found) < scan // 20:
                atoms.rows.update(found)
                setattr(read, "prefix" if prefix else "exact", set(found))
    return read


def _hits(connection: Any, table: str, column: Any, term: str, scan: int) -> tuple[list[tuple[Any, ...]], int | None]:
    """Up to ``scan`` rows (by id) whose ``column`` contains ``term`` by the index, each with a
    flag (whether it contains it by Django's ``icontains``), and the cut: ``None`` when every hit
    was read, else no unread hit has an id at or below it."""
    qn = connection.ops.quote_name
    ref = f"{qn(table)}.{qn(column.column)}"
    contains, param = condition_sql(connection, ref, column.get_internal_type(), "icontains", term)
    if connection.vendor == "sqlite":
        fts = qn(search_ddl.column_fts(table, column.column))
        match = '"' + term.replace('"', '""') + '"'
        rows = _fetch(connection, f"SELECT hit.rowid, CASE WHEN {contains} THEN 1 ELSE 0 END FROM (SELECT rowid FROM {fts} "
                                  f"WHERE {fts} MATCH %s ORDER BY rowid LIMIT {int(scan)}) AS hit "
                                  f"LEFT JOIN {qn(table)} ON {qn(table)}.id = hit.rowid ORDER BY hit.rowid", [param, match])
        return rows, rows[-1][0] if len(rows) == scan else None
    return _pg_hits(connection, table, column, term, scan, (contains, param))


def _pg_hits(connection: Any, table: str, column: Any, term: str, scan: int,
             contains: tuple[str, str]) -> tuple[list[tuple[Any, ...]], int | None]:
    """PostgreSQL: the first rows by id when the term is common (a window of the primary key),
    else all hits through the trigram index (the planner, misled by its estimates, would
    otherwise walk the primary key through half the table for a rare phrase)."""
    qn = connection.ops.quote_name
    if _in_window(connection, table, column, contains, scan // 2):  # else rare: straight to the index
        window = scan * 5
        found = _fetch(connection, f"WITH w AS (SELECT id, {qn(column.column)} FROM {qn(table)} ORDER BY id LIMIT {window}) "
                                   f"SELECT id, 1, (SELECT CASE WHEN count(*) = {window} THEN max(id) END FROM w) "
                                   f"FROM w AS {qn(table)} WHERE {contains[0]} ORDER BY id LIMIT {int(scan)}",
                       [contains[1]])
        rows = [row[:2] for row in found]
        if len(rows) == scan:
            return rows, rows[-1][0]
        if len(rows) >= scan // 10:  # common enough: what the window read stands, cut at its end
            return rows, found[0][2]
    ref = f"{qn(table)}.{qn(column.column)}"
    segment = _narrow_segment(term)
    narrow, narrow_param = contains if segment is None else condition_sql(
        connection, ref, column.get_internal_type(), "icontains", segment)
    # OFFSET 0: the index finds all hits (the segment's trigrams only), then the term decides
    rows = _fetch(connection, f"SELECT id, 1 FROM (SELECT id, {qn(column.column)} FROM {qn(table)} WHERE {narrow} "
                              f"OFFSET 0) AS {qn(table)} WHERE {contains[0]} ORDER BY id LIMIT {int(scan)}",
                  [narrow_param, contains[1]])
    return rows, rows[-1][0] if len(rows) == scan else None


def _in_window(connection: Any, table: str, column: Any, contains: tuple[str, str], size: int) -> bool:
    """Whether any of the first ``size`` rows by id contains the term: a common term surely
    does, so a miss sends a rare term to the trigram index without reading the whole window."""
    qn = connection.ops.quote_name
    return bool(_fetch(connection, f"SELECT 1 FROM (SELECT {qn(column.column)} FROM {qn(table)} ORDER BY id LIMIT {size}) "
                                   f"AS {qn(table)} WHERE {contains[0]} LIMIT 1", [contains[1]]))


def _fetch(connection: Any, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _exact_or_prefix(connection: Any, table: str, column: Any, term: str, prefix: bool, scan: int) -> list[int]:
    """Up to ``scan`` ids of rows whose ``column`` equals (or starts with) ``term``, case-insensitively
    as Django's ``iexact``/``istartswith``, through the B-tree indexes of migration 0007."""
    qn = connection.ops.quote_name
    ref = f"{qn(table)}.{qn(column.column)}"
    lookup = "istartswith" if prefix else "iexact"
    exact_sql, param = condition_sql(connection, ref, column.get_internal_type(), lookup, term)
    if connection.vendor == "sqlite":  # NOCASE folds ASCII only, as LIKE does
        if prefix:
            narrow, params = f"{ref} >= %s COLLATE NOCASE AND {ref} < %s COLLATE NOCASE", [term, term + chr(0x10FFFF)]
        else:
            narrow, params = f"{ref} = %s COLLATE NOCASE", [term]
        fence = ""
    else:
        key = f"left(upper({ref}::text), {search_ddl.PREFIX_CHARS})"
        like = connection.ops.prep_for_like_query(term)
        if prefix:
            narrow, params = f"{key} LIKE left(upper(%s), {search_ddl.PREFIX_CHARS}) || '%%'", [like]
        else:
            narrow, params = f"{key} = left(upper(%s), {search_ddl.PREFIX_CHARS})", [term]
        # a term shorter than the indexed prefix: the B-tree's condition is Django's, so the LIMIT
        # goes inside, where PostgreSQL stops after the first rows of the index (without it, it
        # reads every prefix match into a bitmap before the LIMIT: 9 ms for a common word at 1M)
        exact_inside = max(len(term), len(like)) < search_ddl.PREFIX_CHARS
        fence = (f" LIMIT {int(scan)}" if exact_inside else "") + " OFFSET 0"
    # the B-tree narrows, Django's condition decides (OFFSET 0 keeps PostgreSQL from answering the
    # condition through the trigram index instead, which reads every row containing the term)
    sql = (f"SELECT id FROM (SELECT id, {qn(column.column)} FROM {qn(table)} WHERE {narrow}{fence}) AS {qn(table)} "
           f"WHERE {exact_sql} LIMIT {int(scan)}")
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, param])
        return [row[0] for row in cursor.fetchall()]


_SEGMENT_MIN = 16  # shorter terms: few trigrams, the index reads them all quickly


def _narrow_segment(term: str) -> str | None:
    """For a long term on PostgreSQL, a part of it to find candidates by: pg_trgm reads the
    posting list of every trigram of the pattern, and a path such as ``proj3/batch3/file3.parquet``
    has trigrams that every key has. The part: the longest run of letters/digits that holds a
    digit (identifiers are rare), else none (a superset; the whole term is still checked). Its
    leading letters but the last are dropped: ``file`` of ``file3`` is in every key, ``e3`` is not."""
    if len(term) < _SEGMENT_MIN:
        return None
    parts = [p for p in re.split(r"[^0-9A-Za-z]+", term) if len(p) >= MIN_TERM and any(c.isdigit() for c in p)]
    if not parts:
        return None
    part = max(parts, key=len)
    first_digit = next(i for i, c in enumerate(part) if c.isdigit())
    tail = part[max(first_digit - 1, 0):]
    return tail if len(tail) >= MIN_TERM else part
