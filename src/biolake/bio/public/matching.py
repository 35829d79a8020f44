"""Validate, inspect and standardize values against one column of a source.

A value is matched in tiers, and only its best tier counts:

0. exactly equal to a value of the field (this is what ``validate`` checks);
1. equal ignoring case;
2. equal, ignoring case, to a synonym of a term (only for the source's name field);
3. an obsolete id whose term was replaced (only for the id field).

The terms a value matches are its *candidates*. A value whose candidates are several
records (several Ensembl ids for one symbol) is **ambiguous**: ``inspect`` reports it, and
``standardize`` maps it only if all candidates agree on the returned field; otherwise it
keeps the value as given and warns, never picking one silently.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import pyarrow as pa


class Matcher:
    """Candidates of values in the columns of one Arrow table (lower-cased columns are kept).

    Args:
        table: The terms (not deprecated).
        id_field: The column that identifies a record.
        name_field: The column that synonyms stand for.
        replacements: Obsolete id → the id that replaced it.
    """

    def __init__(
        self, table: pa.Table, id_field: str, name_field: str, replacements: dict[str, str] | None = None
    ) -> None:
        self.table = table
        self.id_field = id_field
        self.name_field = name_field
        self.replacements = replacements or {}
        self._columns: dict[str, pa.Array] = {}
        self._lowered: dict[str, pa.Array] = {}
        self._synonyms: tuple[pa.Array, np.ndarray] | None = None

    def column(self, field: str) -> pa.Array:
        """One column as a single Arrow array (cached)."""
        import pyarrow as pa

        if field not in self._columns:
            if field not in self.table.column_names:
                raise ValueError(f"No field {field!r}; fields: {', '.join(self.table.column_names)}")
            column = self.table[field]
            self._columns[field] = column.combine_chunks() if len(column.chunks) != 1 else column.chunk(0)
            if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
                self._columns[field] = self._columns[field].cast(pa.string())
        return self._columns[field]

    def validate(self, values: list[str], field: str) -> np.ndarray:
        """Whether each value occurs in ``field`` as it is."""
        import pyarrow as pa
        import pyarrow.compute as pc

        mask = pc.is_in(pa.array(values, pa.string()), value_set=self.column(field))
        return pc.fill_null(mask, False).to_numpy(zero_copy_only=False)

    def candidates(self, values: list[str], field: str) -> pd.DataFrame:
        """One row per (value, matched record) in the value's best tier: ``value, tier, row``."""
        import numpy as np
        import pandas as pd

        if not values:
            return pd.DataFrame({"value": [], "tier": [], "row": []})
        frames = [self._exact(values, field)]
        lowered = pd.DataFrame({"value": values, "key": [v.lower() for v in values]})
        frames.append(self._by_key(lowered, self._lower(field), tier=1))
        if field == self.name_field and "synonyms" in self.table.column_names:
            keys, rows = self._synonym_keys()
            frames.append(self._by_key(lowered, keys, tier=2, rows=rows))
        if field == self.id_field and self.replacements:
            frames.append(self._replaced(values))
        found = pd.concat(frames, ignore_index=True)
        if found.empty:
            return found
        best = found.groupby("value")["tier"].transform("min")
        found = found[found["tier"] == best].drop_duplicates(["value", "row"])
        return found.astype({"row": np.int64})

    def resolve(self, values: list[str], field: str, return_field: str) -> pd.DataFrame:
        """Per distinct value that matched: its ``tier``, ``n_ids`` (records), ``n_targets``
        (distinct ``return_field`` values), ``target`` (the target when there is one) and, for
        values with several records or targets only, the sorted lists ``ids`` and ``targets``.
        """
        import pandas as pd
        import pyarrow as pa
        import pyarrow.compute as pc

        columns = ["tier", "n_ids", "n_targets", "target", "ids", "targets"]
        found = self.candidates(values, field)
        if found.empty:
            return pd.DataFrame(columns=columns, index=pd.Index([], name="value"))
        rows = pa.array(found["row"].to_numpy())
        found["id"] = pc.take(self.column(self.id_field), rows).to_numpy(zero_copy_only=False)
        found["target"] = pc.take(self.column(return_field), rows).to_numpy(zero_copy_only=False)
        grouped = found.groupby("value", sort=False)
        summary = pd.DataFrame(
            {
                "tier": grouped["tier"].first(),
                "n_ids": grouped["id"].nunique(),
                "n_targets": grouped["target"].nunique(),
                "target": grouped["target"].first(),
            }
        )
        several = summary.index[(summary["n_ids"] > 1) | (summary["n_targets"] > 1)]
        subset = found[found["value"].isin(several)].groupby("value", sort=False)
        summary["ids"] = subset["id"].agg(lambda s: sorted(set(s)))
        summary["targets"] = subset["target"].agg(lambda s: sorted({t for t in s if t is not None}))
        return summary[columns]

    def _exact(self, values: list[str], field: str) -> pd.DataFrame:
        import numpy as np
        import pandas as pd
        import pyarrow as pa
        import pyarrow.compute as pc

        column = self.column(field)
        rows = np.flatnonzero(
            pc.fill_null(pc.is_in(column, value_set=pa.array(values, pa.string())), False).to_numpy(
                zero_copy_only=False
            )
        )
        return pd.DataFrame({"value": pc.take(column, pa.array(rows)).to_pylist(), "tier": 0, "row": rows})

    def _by_key(self, lowered: pd.DataFrame, keys: pa.Array, tier: int, rows: np.ndarray | None = None) -> pd.DataFrame:
        import numpy as np
        import pandas as pd
        import pyarrow as pa
        import pyarrow.compute as pc

        hits = np.flatnonzero(
            pc.fill_null(
                pc.is_in(keys, value_set=pa.array(lowered["key"].unique().tolist(), pa.string())), False
            ).to_numpy(zero_copy_only=False)
        )
        matched = pd.DataFrame(
            {"key": pc.take(keys, pa.array(hits)).to_pylist(), "row": hits if rows is None else rows[hits]}
        )
        merged = lowered.merge(matched, on="key")[["value", "row"]]
        merged["tier"] = tier
        return merged

    def _replaced(self, values: Iterable[str]) -> pd.DataFrame:
        import pandas as pd

        obsolete = {v: self.replacements[v] for v in values if v in self.replacements}
        exact = self._exact(sorted(set(obsolete.values())), self.id_field)
        position = dict(zip(exact["value"], exact["row"]))
        pairs = [(v, position[new]) for v, new in obsolete.items() if new in position]
        return pd.DataFrame({"value": [p[0] for p in pairs], "tier": 3, "row": [p[1] for p in pairs]})

    def _lower(self, field: str) -> pa.Array:
        import pyarrow.compute as pc

        if field not in self._lowered:
            self._lowered[field] = pc.utf8_lower(self.column(field))
        return self._lowered[field]

    def _synonym_keys(self) -> tuple[pa.Array, np.ndarray]:
        """Every synonym, lower-cased, and the row of its term."""
        import pyarrow.compute as pc

        if self._synonyms is None:
            split = pc.split_pattern(pc.utf8_lower(self.column("synonyms")), "|")
            self._synonyms = (pc.list_flatten(split), pc.list_parent_indices(split).to_numpy())
        return self._synonyms


def as_list(values: Any) -> tuple[list[str], bool]:
    """Values as a list of strings, and whether a single string was given."""
    if isinstance(values, str):
        return [values], True
    return [str(v) for v in values], False
