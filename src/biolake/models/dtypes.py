"""Feature data types: ``int``, ``float``, ``num``, ``str``, ``bool``, ``date``, ``datetime``, ``dict``,
``path``, ``url``, ``cat``, ``cat[ULabel]``, ``cat[ULabel[Perturbation]]``, ``cat[bio.CellType]``,
``cat[bio.Gene.ensembl_gene_id]`` and ``list[...]`` of those.

``normalize`` turns what users pass (``int``, ``ln.ULabel``, ``bt.Gene.ensembl_gene_id``, a label
type record, a string) into the canonical string; ``parse`` reads the string back.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from typing import Any, get_args, get_origin

from biolake.errors import ValidationError
from biolake.models.registries import registry_model, registry_name  # noqa: F401 (dtypes name registries)

SIMPLE = ("int", "float", "num", "str", "bool", "date", "datetime", "dict", "path", "url")
_PYTHON = {int: "int", float: "float", str: "str", bool: "bool", dict: "dict",
           datetime.date: "date", datetime.datetime: "datetime"}
_CAT = re.compile(r"^cat(?:\[(?P<registry>[A-Za-z_][\w.]*?)(?:\[(?P<type>[^\[\]]+)\])?\])?$")


@dataclasses.dataclass(frozen=True)
class Dtype:
    """A parsed dtype: its base kind, whether it is a list, and for categoricals the registry."""

    base: str  # one of SIMPLE or "cat"
    is_list: bool = False
    registry: str | None = None  # "ULabel", "bio.CellType"
    field: str | None = None  # "name", "ensembl_gene_id"
    type_name: str | None = None  # "Perturbation" in cat[ULabel[Perturbation]]

    @property
    def is_categorical(self) -> bool:
        """Values are records of a registry (labels), not plain values."""
        return self.base == "cat"

    @property
    def is_numeric(self) -> bool:
        """Values are numbers."""
        return self.base in ("int", "float", "num")


def parse(dtype: str) -> Dtype:
    """Read a canonical dtype string; a clear error names what is accepted."""
    text = dtype.strip()
    if text.startswith("list[") and text.endswith("]"):
        return dataclasses.replace(parse(text[5:-1]), is_list=True)
    if text in SIMPLE:
        return Dtype(base=text)
    match = _CAT.match(text)
    if match is None:
        raise ValidationError(
            f"Unknown dtype {dtype!r}: use one of {', '.join(SIMPLE)}, 'cat', 'cat[ULabel]', "
            "'cat[ULabel[<type>]]', 'cat[bio.CellType]', 'cat[bio.Gene.ensembl_gene_id]' or 'list[...]' of those."
        )
    registry = match["registry"] or "ULabel"
    field = None
    parts = registry.split(".")
    if len(parts) == 3 or (len(parts) == 2 and parts[0][0].isupper()):
        registry, field = ".".join(parts[:-1]), parts[-1]
    return Dtype(base="cat", registry=registry, field=field, type_name=match["type"])


def normalize(dtype: Any) -> str:
    """The canonical string of ``dtype`` (a Python type, registry, field, label type, or string)."""
    if isinstance(dtype, str):
        parse(dtype)
        return dtype.strip()
    if dtype in _PYTHON:
        return _PYTHON[dtype]
    if get_origin(dtype) is list:
        (inner,) = get_args(dtype) or (None,)
        return f"list[{normalize(inner)}]"
    if isinstance(dtype, type) and hasattr(dtype, "_meta"):
        return f"cat[{registry_name(dtype)}]"
    field = getattr(dtype, "field", None)
    if field is not None and hasattr(field, "model"):  # a field descriptor: bt.Gene.ensembl_gene_id
        return f"cat[{registry_name(field.model)}.{field.name}]"
    if hasattr(dtype, "_meta") and getattr(dtype, "is_type", False):  # a label type record
        return f"cat[{registry_name(type(dtype))}[{dtype.name}]]"
    raise ValidationError(f"Cannot use {dtype!r} as a feature dtype.")


def comparable_column(dtype: Dtype) -> str:
    """The FeatureValue column that queries on a feature of this dtype compare."""
    if dtype.base in ("int", "float", "num", "bool"):
        return "value_num"
    if dtype.base in ("str", "path", "url", "date", "datetime"):
        return "value_str"
    return "value"


def query_value(dtype: Dtype, value: Any) -> Any:
    """A query value in the form stored in the comparable column."""
    if isinstance(value, (list, tuple, set)):
        return [query_value(dtype, v) for v in value]
    column = comparable_column(dtype)
    if column == "value_num" and isinstance(value, (int, float)):
        return float(value)
    if column == "value_str" and hasattr(value, "isoformat"):
        return value.isoformat()
    return value
