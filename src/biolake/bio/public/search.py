"""Ranked, case-insensitive search over the terms of a source.

Every term gets the best of these scores (0–100); terms with 0 are not returned:

=====  ===========================================================================
score  the query (lower-cased, whitespace collapsed) ...
=====  ===========================================================================
100    equals the name
95     equals a synonym
85–90  starts the name (the larger the share of the name it covers, the higher)
80     starts a synonym
65–75  occurs in the name (as whole words: +5)
60     occurs in a synonym
50     occurs in another searched column (a gene's description)
20–45  token match: the share of the query's words found in the name or synonyms
≤ 45   fuzzy: ``rapidfuzz``'s token-sort ratio (``difflib`` without it) against the
       name, only on candidates that share a word (or a word's first 3 letters)
=====  ===========================================================================

Ties go to the shorter name. All matching is vectorized with Arrow string kernels over
lower-cased columns that are computed once per source and kept (:class:`SearchIndex`);
only the fuzzy step runs per candidate, on at most :data:`MAX_FUZZY` of them. With a
``limit``, the word and fuzzy steps are skipped when enough terms match the whole query.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

MAX_FUZZY = 20_000
_WORD = re.compile(r"[^\W_]+")


class SearchIndex:
    """Lower-cased search columns of one source, built once.

    Args:
        names: The primary column (``name``, or ``symbol`` for genes).
        synonyms: ``"|"``-joined synonyms, or None.
        others: Further columns matched by substring only (a gene's description).
    """

    def __init__(self, names: pa.Array, synonyms: pa.Array | None = None, others: list[pa.Array] | None = None) -> None:
        import pyarrow as pa
        import pyarrow.compute as pc

        empty = pa.scalar("", pa.string())
        self.names = pc.fill_null(pc.utf8_lower(names.cast(pa.string())), empty)
        self.name_lengths = pc.utf8_length(self.names).to_numpy(zero_copy_only=False)
        self.synonyms = None
        if synonyms is not None:
            lowered = pc.fill_null(pc.utf8_lower(synonyms.cast(pa.string())), empty)
            self.synonyms = pc.binary_join_element_wise("", lowered, "", "|")  # "|a|b|" → whole-synonym matches
        self.others = [pc.fill_null(pc.utf8_lower(o.cast(pa.string())), empty) for o in others or []]

    def __len__(self) -> int:
        return len(self.names)

    def score(self, text: str, limit: int | None = None, fuzzy: bool = True) -> np.ndarray:
        """The score of every term for ``text`` (float32, 0 = no match).

        With ``limit``, the word and fuzzy steps are skipped once ``limit`` terms match the
        whole query (their scores, at most 45, could not reach the top ``limit`` then).
        """
        import numpy as np

        query = " ".join(str(text).lower().split())
        scores = np.zeros(len(self), dtype=np.float32)
        if not query:
            return scores
        self._score_names(query, scores)
        if self.synonyms is not None:
            self._score_synonyms(query, scores)
        for other in self.others:
            _raise(scores, _contains(other, query), 50.0)
        if limit is not None and np.count_nonzero(scores >= 50) >= limit:
            return scores
        hits = self._score_tokens(query, scores)
        if fuzzy:
            self._score_fuzzy(query, scores, hits, limit or MAX_FUZZY)
        return scores

    def _score_names(self, query: str, scores: np.ndarray) -> None:
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        rows = np.flatnonzero(_contains(self.names, query))
        if not len(rows):
            return
        subset = pc.take(self.names, pa.array(rows))
        cover = len(query) / np.maximum(self.name_lengths[rows], 1)
        exact = _np(pc.equal(subset, query))
        prefix = _np(pc.starts_with(subset, query))
        words = _np(pc.match_substring_regex(subset, rf"(^|\W){re.escape(query)}(\W|$)"))
        value = np.where(exact, 100.0, np.where(prefix, 85 + 5 * cover, 65 + 5 * cover + 5 * words))
        scores[rows] = np.maximum(scores[rows], value)

    def _score_synonyms(self, query: str, scores: np.ndarray) -> None:
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        rows = np.flatnonzero(_contains(self.synonyms, query))
        if not len(rows):
            return
        subset = pc.take(self.synonyms, pa.array(rows))
        exact = _np(pc.match_substring(subset, f"|{query}|"))
        prefix = _np(pc.match_substring(subset, f"|{query}"))
        value = np.where(exact, 95.0, np.where(prefix, 80.0, 60.0))
        scores[rows] = np.maximum(scores[rows], value)

    def _score_tokens(self, query: str, scores: np.ndarray) -> np.ndarray | None:
        """Score the share of the query's words found in name or synonyms; returns hits per term."""
        import numpy as np

        tokens = list(dict.fromkeys(t for t in _WORD.findall(query) if len(t) > 1))
        if len(tokens) < 2:
            return None
        hits = np.zeros(len(self), dtype=np.float32)
        for token in tokens:
            found = _contains(self.names, token)
            if self.synonyms is not None:
                found |= _contains(self.synonyms, token)
            hits += found
        _raise(scores, hits > 0, 20 + 25 * hits / len(tokens))
        return hits

    def _score_fuzzy(self, query: str, scores: np.ndarray, hits: np.ndarray | None, wanted: int) -> None:
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        candidates = self._fuzzy_candidates(query, scores, hits, wanted)
        if not len(candidates):
            return
        names = pc.take(self.names, pa.array(candidates)).to_pylist()
        similarity = np.asarray(_similarities(query, names), dtype=np.float32)
        value = np.where(similarity >= 70, similarity * 0.45, 0)
        scores[candidates] = np.maximum(scores[candidates], value)

    def _fuzzy_candidates(self, query: str, scores: np.ndarray, hits: np.ndarray | None, wanted: int) -> np.ndarray:
        """Terms not matched well yet that share a word (or, failing enough, a word's first 3 letters)."""
        import numpy as np

        shared = np.zeros(len(self), dtype=np.float32) if hits is None else hits.copy()
        if np.count_nonzero(shared) < wanted:
            for stem in dict.fromkeys(t[:3] for t in _WORD.findall(query) if len(t) >= 3):
                shared += _contains(self.names, stem)
        candidates = np.flatnonzero((shared > 0) & (scores < 45))
        if len(candidates) > MAX_FUZZY:  # most shared words first, then the shortest names
            order = np.lexsort((self.name_lengths[candidates], -shared[candidates]))
            candidates = candidates[order[:MAX_FUZZY]]
        return candidates


def top(scores: np.ndarray, lengths: np.ndarray, limit: int | None) -> np.ndarray:
    """Row positions of the best-scoring terms, best first (ties: shorter name, then position)."""
    import numpy as np

    rows = np.flatnonzero(scores > 0)
    order = np.lexsort((rows, lengths[rows], -scores[rows]))
    rows = rows[order]
    return rows if limit is None else rows[:limit]


def _similarities(query: str, choices: list[str]) -> list[float]:
    try:
        from rapidfuzz import fuzz, process
        from rapidfuzz.utils import default_process
    except ModuleNotFoundError:  # difflib is much slower: keep the candidate set small
        from difflib import SequenceMatcher

        return [100 * SequenceMatcher(None, query, c).ratio() if i < 2000 else 0.0 for i, c in enumerate(choices)]
    return process.cdist([query], choices, scorer=fuzz.token_sort_ratio, processor=default_process, workers=1)[
        0
    ].tolist()


def _contains(column: pa.Array, text: str) -> np.ndarray:
    import pyarrow.compute as pc

    return _np(pc.match_substring(column, text))


def _np(mask: pa.Array) -> np.ndarray:
    import pyarrow.compute as pc

    return pc.fill_null(mask, False).to_numpy(zero_copy_only=False)


def _raise(scores: np.ndarray, mask: np.ndarray, value: float | np.ndarray) -> None:
    import numpy as np

    np.maximum(scores, np.where(mask, value, 0), out=scores)
