"""Curating a pandas DataFrame: one slot, ``columns``."""

from __future__ import annotations

from typing import Any

import pandas as pd

from biolake.curators.base import Curator
from biolake.curators.slot import SlotCurator
from biolake.errors import ValidationError
from biolake.models import Artifact


class DataFrameCurator(Curator):
    """Validate a DataFrame against a schema and save it as a curated artifact.

    Args:
        df: the DataFrame (standardizing and coercion change it in place).
        schema: a schema with ``features`` (one per column) or an ``itype`` (column names
            validated against a registry field).

    Example:
        >>> curator = ln.curators.DataFrameCurator(df, schema)  # doctest: +SKIP
        >>> curator.validate()  # doctest: +SKIP
        ValidationError: 1 term is not validated: 'IFNJ'
        → fix typos, remove non-existent values, or save terms via .add_new_from("perturbation")
        >>> curator.add_new_from("perturbation")  # doctest: +SKIP
        >>> artifact = curator.save_artifact(key="my_curated_dataset.parquet")  # doctest: +SKIP
    """

    def __init__(self, df: pd.DataFrame, schema: Any) -> None:
        if not isinstance(df, pd.DataFrame):
            raise TypeError(f"DataFrameCurator takes a pandas DataFrame, not {type(df).__name__}")
        if schema.otype not in (None, "DataFrame"):
            raise ValidationError(
                f"The schema is for {schema.otype} objects: use ln.curators.{schema.otype}Curator."
            )
        super().__init__(df, schema)

    def _make_slots(self) -> dict[str, SlotCurator]:
        return {"columns": SlotCurator(self._schema, "columns", lambda: self._data, main=True)}

    def _new_artifact(self, key: str | None, description: str | None, revises: Any) -> Any:
        return Artifact.from_df(self._data, key=key, description=description, revises=revises)
