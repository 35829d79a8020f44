"""Attribute-style access to records by name, for auto-completion in notebooks."""

from __future__ import annotations

import difflib
import keyword
import re
from collections.abc import Callable
from typing import Any


def to_identifier(name: str) -> str:
    """``"CD8-positive, alpha-beta T cell"`` → ``"cd8_positive_alpha_beta_t_cell"``."""
    ident = re.sub(r"\W+", "_", str(name).strip().lower()).strip("_")
    if not ident or ident[0].isdigit() or keyword.iskeyword(ident):
        ident = f"_{ident}"
    return ident


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
            if value is None:
                continue
            ident = to_identifier(value)
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
