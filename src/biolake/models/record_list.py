"""``RecordList``: the list ``from_values()`` returns, with ``save()`` and ``df()``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable

from biolake.models.save import save as save_records

if TYPE_CHECKING:  # pandas loads on the first df(): importing the registries stays cheap
    import pandas as pd


class RecordList(list):  # type: ignore[type-arg]
    """A plain list of records that can save them all at once and show them as a table.

    Example:
        >>> labels = ln.ULabel.from_values(["DMSO", "IFNG"])  # doctest: +SKIP
        >>> labels.save()  # doctest: +SKIP
        >>> labels.df()  # doctest: +SKIP
    """

    def __init__(self, records: Iterable[Any] = ()) -> None:
        super().__init__(records)

    def save(self) -> RecordList:
        """Save every record (bulk inserts, as :func:`biolake.save`); returns the list."""
        save_records(self)
        return self

    def df(self) -> pd.DataFrame:
        """The records' fields as a DataFrame, one row per record (unsaved records too)."""
        import pandas as pd  # not at import: pandas is heavy

        if not self:
            return pd.DataFrame()
        fields = [f for f in type(self[0])._meta.concrete_fields if f.attname != "id"]
        rows = [{f.attname: getattr(record, f.attname) for f in fields} for record in self]
        return pd.DataFrame(rows, index=pd.Index([r.pk for r in self], name="id"))

    to_dataframe = df
