"""The texts of validation messages, in one place so registries and curators word them alike.

Example:
    >>> from biolake.models import validation_report
    >>> validation_report.not_validated(["IFNJ"])
    "1 term is not validated: 'IFNJ'"
    >>> validation_report.add_hint("perturbation")
    '→ fix typos, remove non-existent values, or save terms via .add_new_from("perturbation")'
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

MAX_SHOWN = 20  # terms shown in a message; errors carry all of them in ``non_validated``


@dataclasses.dataclass
class Issue:
    """One validation failure: the key it concerns, its message, and the offending values."""

    key: str
    message: str
    values: list[Any] | None = None  # for ``ValidationError.non_validated``


def show(value: Any) -> str:
    """One value as it appears in messages: strings quoted, numpy scalars as Python values."""
    if isinstance(value, str):
        return repr(str(value))  # str() drops numpy's np.str_(...) wrapper
    item = getattr(value, "item", None)
    if callable(item) and getattr(value, "ndim", None) == 0:
        value = item()
    return repr(value)


def listing(values: Iterable[Any], limit: int = MAX_SHOWN) -> str:
    """``'a', 'b', 'c'``; long lists end with ``... (+N more)``."""
    values = list(values)
    shown = ", ".join(show(v) for v in values[:limit])
    return shown + (f", ... (+{len(values) - limit} more)" if len(values) > limit else "")


def count(n: int, noun: str, plural: str | None = None) -> str:
    """``1 term``, ``2 terms``."""
    return f"{n} {noun if n == 1 else (plural or noun + 's')}"


def _is(n: int) -> str:
    return "is" if n == 1 else "are"


def validated(n: int) -> str:
    """``2 terms are validated``."""
    return f"{count(n, 'term')} {_is(n)} validated"


def not_validated(values: list[Any]) -> str:
    """``1 term is not validated: 'IFNJ'``."""
    return f"{count(len(values), 'term')} {_is(len(values))} not validated: {listing(values)}"


def mapping(mapper: Mapping[Any, Any]) -> str:
    """``"T-cell" → "T cell", "t cell" → "T cell"``; long mappings end with ``... (+N more)``."""
    pairs = [f'"{key}" → "{value}"' for key, value in list(mapper.items())[:MAX_SHOWN]]
    more = f", ... (+{len(mapper) - MAX_SHOWN} more)" if len(mapper) > MAX_SHOWN else ""
    return ", ".join(pairs) + more


def synonyms_found(mapper: Mapping[Any, Any], how: str = ".standardize()") -> str:
    """``1 synonym found: "T-cell" → "T cell"; standardize with .standardize()``."""
    return f"{count(len(mapper), 'synonym')} found: {mapping(mapper)}; standardize with {how}"


def add_hint(key: str) -> str:
    """The fix for terms that a curator can register."""
    return f'→ fix typos, remove non-existent values, or save terms via .add_new_from("{key}")'


def create_hint(registry: str) -> str:
    """The fix for terms of a registry whose records need more than a name (e.g. Feature: a dtype)."""
    return f"→ fix typos, remove non-existent values, or create the missing {registry} records"


def validated_against(key: str, registry: str) -> str:
    """``"perturbation" is validated against ULabel.name``."""
    return f'"{key}" is validated against {registry}'


def wrong_dtype(column: str, expected: str, bad: list[Any], coerce: bool, noun: str = "column") -> str:
    """A column whose values do not have the feature's dtype, with examples and the fix."""
    n = count(len(bad), "value")
    verb = "cannot be converted to" if coerce else ("is not" if len(bad) == 1 else "are not")
    text = f'{noun} "{column}" should have dtype {expected}: {n} {verb} {expected}: {listing(bad, 5)}'
    if not coerce:
        text += "\n→ fix the values, or set coerce=True on the feature (or coerce_dtype=True on the schema)"
    return text


def missing_values(column: str, n: int, noun: str = "column") -> str:
    """A non-nullable column with missing values."""
    return f'{noun} "{column}" is not nullable, but has {count(n, "missing value")}'


def missing_columns(names: list[str], what: str = "column") -> str:
    """Required columns that are not in the data."""
    quoted = ", ".join(f'"{n}"' for n in names)
    return (
        f"{count(len(names), 'required ' + what)} {_is(len(names))} missing: {quoted}\n"
        "→ add them to the data, or use a schema with minimal_set=False"
    )


def extra_columns(names: list[str], what: str = "column") -> str:
    """Columns that a ``maximal_set`` schema does not allow."""
    quoted = ", ".join(f'"{n}"' for n in names)
    return (
        f"{count(len(names), what)} {_is(len(names))} not in the schema: {quoted}\n"
        "→ remove them, or use a schema with maximal_set=False"
    )


def wrong_order(expected: list[str], noun: str = "column") -> str:
    """Columns of an ``ordered_set`` schema in another order."""
    return f"{noun}s are not in the schema's order: expected " + ", ".join(f'"{n}"' for n in expected)


def wrong_matrix_dtype(name: str, expected: str, actual: Any) -> str:
    """A data matrix (``X``) whose dtype is not the schema's."""
    return f"{name} should have dtype {expected}, but has {actual}"


def added(values: list[Any], registry: str) -> str:
    """``added 1 record to ULabel.name: 'IFNJ'``."""
    return f"added {count(len(values), 'record')} to {registry}: {listing(values)}"


def categorical(key: str, result: Any, registry: str, addable: bool) -> str:
    """The block for a categorical column with non-validated terms (``result``: an InspectResult).

    ``registry`` names the registry (``ULabel``, ``bio.Gene``) for terms that cannot be added.

    Example::

        1 term is not validated: 'IFNJ'
        → fix typos, remove non-existent values, or save terms via .add_new_from("perturbation")
    """
    lines = [not_validated(result.non_validated)]
    if result.synonyms_mapper:
        lines.append("→ " + synonyms_found(result.synonyms_mapper, f'.standardize("{key}")'))
    if result.unmapped:
        lines.append(add_hint(key) if addable else create_hint(registry))
    return "\n".join(lines)
