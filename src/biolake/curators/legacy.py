"""LaminDB 1.x's curation flow without a schema: ``ln.Curator.from_df(df, categoricals=...)``.

The categorical columns name the registry field their values are validated against; a
feature per column (dtype ``cat[<registry>.<field>]``) and a schema of those features are
made (or found) on the fly, and the usual :class:`DataFrameCurator` / :class:`AnnDataCurator`
is returned: ``validate()``, ``add_new_from(...)``, ``standardize(...)``, ``save_artifact(...)``.
"""

from __future__ import annotations

from typing import Any

from biolake import _logging as log
from biolake.errors import ValidationError
from biolake.models import Feature, Schema, dtypes


def from_df(df: Any, categoricals: dict[str, Any] | None = None, columns: Any = None, organism: str | None = None) -> Any:
    """A DataFrame curator validating each categorical column against its registry field."""
    from biolake.curators.dataframe import DataFrameCurator

    return DataFrameCurator(df, _schema(categoricals or {}, "DataFrame", set(df.columns)))


def from_anndata(
    data: Any, var_index: Any, categoricals: dict[str, Any] | None = None, obs_columns: Any = None,
    organism: str | None = None,
) -> Any:
    """An AnnData curator: ``obs`` categoricals against their fields, the var index against ``var_index``."""
    from biolake.curators.anndata import AnnDataCurator

    obs = _schema(categoricals or {}, "DataFrame", set(data.obs.columns))
    var = Schema(itype=var_index).save()
    return AnnDataCurator(data, Schema(otype="AnnData", components={"obs": obs, "var": var}).save())


def _schema(categoricals: dict[str, Any], otype: str, present: set[Any]) -> Any:
    missing = sorted(set(categoricals) - present)
    if missing:
        raise ValidationError(f"categoricals name columns the dataset lacks: {', '.join(missing)}.")
    features = [_feature(column, field) for column, field in categoricals.items()]
    return Schema(features=features, otype=otype, minimal_set=True, maximal_set=False).save()


def _feature(column: str, field: Any) -> Any:
    dtype = dtypes.normalize(field)
    existing = Feature.filter(name=column).first()
    if existing is not None:
        if not _same_dtype(existing.dtype, dtype):
            raise ValidationError(
                f"Feature {column!r} exists with dtype {existing.dtype!r}, not {dtype!r}: rename the column "
                "or pass its registered field in categoricals."
            )
        return existing
    log.info(f"created feature {column!r} with dtype {dtype!r}")
    return Feature(name=column, dtype=dtype).save()


def _same_dtype(a: str | None, b: str) -> bool:
    """``cat[ULabel]`` and ``cat[ULabel.name]`` are one dtype: a registry's default field is its name field."""
    if a == b:
        return True
    if a is None:
        return False
    left, right = dtypes.parse(a), dtypes.parse(b)
    if left.registry != right.registry or left.base != right.base or left.registry is None:
        return False
    default = dtypes.registry_model(left.registry)._name_field
    return (left.field or default) == (right.field or default)
