"""Attribute-style access to records by name, for auto-completion in notebooks.

:func:`to_identifier` is the one rule that turns a name into an attribute, for registries
(``ln.ULabel.lookup()``) and public sources (``bt.CellType.public().lookup()``) alike.
"""

from __future__ import annotations

import difflib
import keyword
import re
import unicodedata
from collections.abc import Callable
from typing import Any

_SEPARATORS = re.compile(r"[\W_]+")


def to_identifier(name: object) -> str:
    """The attribute name of a name, or ``""`` for a name without letters or digits.

    1. Accents are dropped (``"naïve"`` → ``"naive"``); other letters that Python allows in
       identifiers are kept (``"TNF-α"`` → ``"tnf_α"``).
    2. Lower case; each run of other characters than letters and digits becomes one ``_``,
       none at either end.
    3. A leading digit gets a ``_`` in front (``"1st"`` → ``"_1st"``), a Python keyword one
       behind, as PEP 8 suggests (``"class"`` → ``"class_"``).

    Example:
        >>> to_identifier("CD8-positive, alpha-beta T cell")
        'cd8_positive_alpha_beta_t_cell'
        >>> to_identifier("naïve T cell"), to_identifier("class"), to_identifier("1st")
        ('naive_t_cell', 'class_', '_1st')
    """
    text = str(name)
    if not text.isascii():
        text = _fold(text)
    ident = _SEPARATORS.sub("_", text.lower()).strip("_")
    if ident.isidentifier():
        return f"{ident}_" if keyword.iskeyword(ident) else ident
    return f"_{ident}" if ident else ident  # starts with a digit (or a mark only allowed inside)


def _fold(text: str) -> str:
    """Accents dropped (NFKD, then combining marks removed); characters no identifier may hold → space."""
    return "".join(
        char if f"_{char}".isidentifier() else " "
        for char in unicodedata.normalize("NFKD", text)
        if not unicodedata.combining(char)
    )


class Lookup:
    """Records reachable as attributes named after a field (``lookup.t_cell``)."""

    def __init__(
        self, model_name: str, field: str, records: list[Any], fallback: Callable[[str], Any] | None = None
    ) -> None:
        self._model_name = model_name
        self._field = field
        self._fallback = fallback  # finds names not in the records (e.g. in a public ontology)
        self._by_name: dict[str, Any] = {}
        for record in records:
            value = getattr(record, field)
            ident = to_identifier(value) if value is not None else ""
            if not ident:  # no name, or one without letters or digits: no attribute
                continue
            existing = self._by_name.get(ident)
            if existing is None:
                self._by_name[ident] = record
            else:
                self._by_name[ident] = [*existing, record] if isinstance(existing, list) else [existing, record]

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            return self._by_name[name]
        except KeyError:
            found = self._fallback(name) if self._fallback is not None else None
            if found is not None:
                return found
            close = difflib.get_close_matches(name, self._by_name, n=3)
            hint = f" Did you mean: {', '.join(close)}?" if close else ""
            raise AttributeError(f"No {self._model_name} with {self._field} matching {name!r}.{hint}") from None

    def __getitem__(self, name: str) -> Any:
        return self.__getattr__(to_identifier(name))

    def __dir__(self) -> list[str]:
        return sorted(self._by_name)

    def dict(self) -> dict[str, Any]:
        """Identifier → record."""
        return dict(self._by_name)

    def __len__(self) -> int:
        return len(self._by_name)

    def __repr__(self) -> str:
        names = ", ".join(sorted(self._by_name)[:10])
        more = "" if len(self._by_name) <= 10 else f", ... ({len(self._by_name)} in all)"
        return f"Lookup({self._model_name}.{self._field}: {names}{more})"
