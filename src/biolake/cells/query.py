"""A cell query: obs filters over the obs indexes of a set of artifacts, answered with DuckDB.

``count``/``count_by``/``to_dataframe`` read only the sidecars; ``to_anndata`` then reads the
matching rows of ``X`` (and only the asked genes) from each artifact that has any;
``mapped`` gives a (torch) dataset over exactly the matching cells.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from biolake.cells import engine, filters, index, ontology
from biolake.errors import InvalidArgument, UnknownFormatError, ValidationError
from biolake.formats import obs_sidecar

if TYPE_CHECKING:
    import pandas as pd
    from anndata import AnnData

    from biolake.models import Artifact
    from biolake.models.obs_index import ObsIndex


class CellQuery:
    """The cells of some AnnData/MuData artifacts that match obs filters.

    Made by ``Artifact.filter(...).cells(...)`` or ``collection.cells(...)``; nothing is read
    until a method asks. Artifacts without an obs index get one first.

    Args:
        artifacts: a queryset (or list) of artifacts; those that are not AnnData/MuData are skipped.
        where: an extra SQL condition over obs columns (DuckDB syntax), e.g. ``"n_genes > 200"``.
        include_children: match descendants of ontology terms too (``cell_type="T cell"`` also
            matches ``"CD8-positive, alpha-beta T cell"``), through the registry's hierarchy.
        **filters: obs column lookups: ``cell_type="T cell"``, ``tissue__in=[...]``,
            ``n_genes__gt=200``, ``donor__startswith="D"``, ``cell_type__isnull=False``, ...
    """

    def __init__(self, artifacts: Any, where: str | None = None, include_children: bool = False, **filters_: Any) -> None:
        self._artifacts_source = artifacts
        self._conditions = filters.parse(filters_)
        self.where = where
        self.include_children = include_children
        self._resolved: tuple[list[Artifact], list[ObsIndex]] | None = None

    def __repr__(self) -> str:
        conditions = ", ".join(f"{c.column}__{c.lookup}={c.value!r}" for c in self._conditions)
        return f"CellQuery({conditions}{', where=' + repr(self.where) if self.where else ''})"

    # -- the artifacts and their indexes --------------------------------------------------------
    def _indexes(self) -> tuple[list[Artifact], list[ObsIndex]]:
        if self._resolved is None:
            artifacts = index.indexable(self._artifacts_source)
            self._resolved = (artifacts, index.ensure(artifacts))
        return self._resolved

    def _columns(self) -> set[str]:
        return {c for idx in self._indexes()[1] for c in idx.columns} | set(obs_sidecar.RESERVED)

    def _conditions_and_where(self) -> tuple[list[filters.Condition], str, list[Any]]:
        available = self._columns()
        unknown = sorted({c.column for c in self._conditions} - available)
        if unknown:
            raise ValidationError(
                f"No obs column {', '.join(repr(u) for u in unknown)} in these artifacts; "
                f"their obs columns: {', '.join(sorted(available - set(obs_sidecar.RESERVED)))}",
                non_validated={"obs columns": unknown},
            )
        conditions = ontology.with_children(self._conditions) if self.include_children else self._conditions
        return conditions, *filters.where_sql(conditions, self.where)

    def _run(self, columns: list[str] | None = None, group_by: list[str] | None = None) -> pd.DataFrame:
        import pandas as pd

        conditions, where, params = self._conditions_and_where() if self._indexes()[1] else ([], "", [])
        indexes = [idx for idx in self._indexes()[1] if filters.can_match(idx.columns, idx.categories, idx.artifact.uid, conditions)]
        if not indexes:
            empty = [*group_by, "count"] if group_by is not None else (columns or sorted(self._columns()))
            return pd.DataFrame({name: pd.Series(dtype="int64" if name in ("count", "obs_row") else object) for name in empty})
        urls, filesystems = engine.sidecar_sources(indexes)
        con = engine.connect(filesystems)
        try:
            sql = engine.select_sql(engine.source_sql(urls), columns, where, group_by)
            table = engine.run(con, sql, params)
        finally:
            con.close()
        # strings come back as categoricals (as in AnnData's obs), cell names as plain strings
        labels = [f.name for f in table.schema if f.name != "obs_name" and str(f.type) in ("string", "large_string")]
        return table.to_pandas(categories=labels)

    # -- answers from the obs index ------------------------------------------------------------
    def count(self) -> int:
        """The number of matching cells (reads only the obs index)."""
        counts = self._run(group_by=[])["count"]
        return int(counts.iloc[0]) if len(counts) else 0

    def count_by(self, *keys: str) -> pd.DataFrame:
        """Matching cells per combination of ``keys`` (obs columns, or ``artifact_uid``): a DataFrame
        with the keys and ``count``, largest first."""
        if not keys:
            raise InvalidArgument("count_by() needs at least one obs column, e.g. count_by('cell_type')")
        self._check_columns(keys)
        return self._run(group_by=list(keys))

    def to_dataframe(self, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """The matching cells' obs rows with ``artifact_uid``, ``obs_name`` and ``obs_row`` (their row in ``X``),
        artifact by artifact in the order of the query; text columns are categoricals."""
        import pandas as pd

        if columns is not None:
            columns = list(dict.fromkeys([*obs_sidecar.RESERVED, *columns]))
            self._check_columns(columns)
        frame = self._run(columns=columns)
        uids = [a.uid for a in self._indexes()[0]]
        codes = pd.Categorical(frame["artifact_uid"], categories=uids).codes.astype(np.int64)
        order = np.argsort(codes * (1 << 40) + frame["obs_row"].to_numpy(), kind="stable")
        frame = frame.iloc[order].reset_index(drop=True)
        frame["artifact_uid"] = frame["artifact_uid"].astype(pd.CategoricalDtype(uids))
        return frame

    df = to_dataframe

    def _check_columns(self, columns: Sequence[str]) -> None:
        unknown = sorted(set(columns) - self._columns())
        if unknown:
            raise ValidationError(
                f"No obs column {', '.join(repr(u) for u in unknown)} in these artifacts", non_validated={"obs columns": unknown}
            )

    # -- reading matrices ------------------------------------------------------------------------
    def to_anndata(
        self,
        genes: Sequence[str] | None = None,
        gene_field: str | None = None,
        layer: str = "X",
        on_missing: Literal["raise", "fill"] = "raise",
    ) -> AnnData:
        """The matching cells as one AnnData, reading only their rows (and only ``genes``) of each file.

        Args:
            genes: gene symbols or Ensembl ids (default: the genes every artifact has).
            gene_field: ``"symbol"`` or ``"ensembl_gene_id"`` (default: guessed from the values);
                synonyms are standardized through the Gene registry.
            layer: ``"X"`` or the name of a layer.
            on_missing: ``"raise"`` (default) names each gene some artifact lacks and where;
                ``"fill"`` returns zeros for it there.

        Raises:
            GeneNotFoundError: a gene is missing from some artifacts (with ``on_missing="raise"``).
        """
        from biolake.cells import assemble

        if on_missing not in ("raise", "fill"):
            raise InvalidArgument(f"on_missing must be 'raise' or 'fill', not {on_missing!r}")
        obs = self.to_dataframe()
        artifacts = {a.uid: a for a in self._indexes()[0]}
        indexes = {idx.artifact_id: idx for idx in self._indexes()[1]}
        chosen = [artifacts[str(uid)] for uid in obs["artifact_uid"].unique()]
        for artifact in chosen:
            if artifact.otype != "AnnData":
                raise UnknownFormatError(f"to_anndata() reads AnnData artifacts; {artifact.uid} is a {artifact.otype}")
        asked = [str(g) for g in genes] if genes is not None else None
        return assemble.anndata(obs, chosen, {a.uid: indexes[a.pk] for a in chosen}, asked, gene_field, layer, on_missing)

    def mapped(self, obs_keys: Sequence[str] | str | None = None, **kwargs: Any) -> Any:
        """A map-style dataset (a torch ``Dataset`` when torch is installed) over exactly the matching cells.

        Keyword arguments go to :func:`biolake.formats.mapped.mapped` (``join``, ``layers_keys``, ...).
        """
        from biolake.formats.mapped import mapped as make_mapped

        obs = self.to_dataframe(columns=[])
        artifacts = {a.uid: a for a in self._indexes()[0]}
        uids = [str(uid) for uid in obs["artifact_uid"].unique()]
        if not uids:
            raise ValidationError("No cell matches this query: there is nothing to map")
        groups = obs.groupby("artifact_uid", observed=True, sort=False).indices
        rows = [obs["obs_row"].to_numpy()[groups[uid]] for uid in uids]
        return make_mapped([artifacts[uid].cache() for uid in uids], obs_keys=obs_keys, rows=rows, **kwargs)
