"""A list of values as ONE query parameter, for the right-hand side of ``__in``.

Django binds each value of an ``__in`` list separately: SQLite caps the parameters of a
statement (999 on builds before 3.32), and preparing each value costs a millisecond per
thousand. One JSON array (read with ``json_each`` on SQLite) or one PostgreSQL array
keeps a lookup of any number of values to one statement with one parameter.
"""

from __future__ import annotations

import json
from typing import Any

from django.db.models.expressions import RawSQL


def in_values(vendor: str, values: list[Any], pg_type: str = "text") -> Any:
    """``values`` as the right-hand side of ``__in`` on a database of ``vendor``."""
    if vendor == "sqlite":
        return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(values)])
    if vendor == "postgresql":
        return RawSQL(f"SELECT unnest(%s::{pg_type}[])", [values])
    return values
