"""Curating one table (a DataFrame, or AnnData's ``obs`` / ``var``) against one schema.

A :class:`SlotCurator` checks, in one pass, everything a schema says about a table:
required and extra columns, column order, each feature column's dtype and missing values
(coercing when the feature or schema asks for it), and the values of categorical columns
against their registries. With an ``itype`` the column names (or, for ``var``, the index)
are validated against that registry field. It collects :class:`~biolake.models.validation_report.Issue`
objects instead of raising, so the curator can report every slot at once.

Keys name what can be validated, standardized and added to: a column of the main table by
its name (``"perturbation"``), a column of another slot with the slot as prefix
(``"var:gene_type"``), an index validated against an ``itype`` as ``"<slot>_index"``
(``"var_index"``), and column names validated against an ``itype`` as ``"columns"``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from biolake import _logging as log
from biolake.curators import additions, checks, public
from biolake.errors import ValidationWarning
from biolake.models import Feature, dtypes, validation, validation_report, value_matching
from biolake.models.validation_report import Issue

_MATRIX_KINDS = {"int": "iu", "float": "f", "num": "iuf", "bool": "b"}


@dataclasses.dataclass
class CatTarget:
    """Values validated against a registry field: a column, an index, or the column names."""

    key: str
    source: str  # "column", "index" or "columns"
    model: Any
    field: str
    column: str | None = None
    feature: Any = None
    type_name: value_matching.TypeFilter = None  # a label type name, or a feature's cat_filters
    is_list: bool = False

    @property
    def registry(self) -> str:
        """``ULabel.name``, ``ULabel[Perturbation].name``."""
        return value_matching.registry_label(self.model, self.field, self.type_name)


def parse_itype(itype: str) -> tuple[Any, str]:
    """The registry model and field of an ``itype`` (``"Feature.name"``, ``"bio.Gene.ensembl_gene_id"``)."""
    dtype = dtypes.parse(f"cat[{itype}]")
    assert dtype.registry is not None  # parse() names the registry of every categorical dtype
    model = dtypes.registry_model(dtype.registry)
    return model, dtype.field or model._name_field


class SlotCurator:
    """Validates one table against one (non-composite) schema.

    Args:
        schema: the slot's schema.
        slot: ``"columns"`` (a DataFrame), ``"obs"``, ``"var"``, ``"rna:obs"``, ...
        frame: returns the table (called anew, so replaced tables are seen).
        main: whether keys of this slot's columns go without a slot prefix.
        itype_on: what an ``itype`` validates: ``"columns"`` (names) or ``"index"`` (``var``).
        set_index: replaces the index (``var_names``) when standardizing it.
        matrix: returns the data matrix whose dtype ``schema.dtype`` fixes (``X`` for ``var``).
    """

    def __init__(
        self,
        schema: Any,
        slot: str,
        frame: Callable[[], pd.DataFrame],
        *,
        main: bool = False,
        itype_on: str = "columns",
        set_index: Callable[[Any], None] | None = None,
        matrix: Callable[[], Any] | None = None,
    ) -> None:
        self.schema = schema
        self.slot = slot
        self._frame = frame
        self.prefix = "" if main else f"{slot}:"
        self.noun = "column" if slot == "columns" else f"{slot} column"
        self.itype_on = itype_on
        self._set_index = set_index
        self._matrix = matrix
        self.features = list(schema.ordered_features) if schema.n else []
        self._dtypes = {f.name: dtypes.parse(f.dtype) for f in self.features}
        self.itype = parse_itype(schema.itype) if schema.itype else None
        self.index_feature = schema.index if schema.index_id else None
        self.targets: dict[str, CatTarget] = {}
        self.results: dict[str, validation.InspectResult] = {}
        self.from_public: dict[str, list[Any]] = {}  # key → values validated via the public source

    @property
    def frame(self) -> pd.DataFrame:
        """The table."""
        return self._frame()

    def key(self, column: str) -> str:
        """The curator-wide key of a column of this slot."""
        return f"{self.prefix}{column}"

    @property
    def itype_key(self) -> str:
        """The key of the values an ``itype`` validates."""
        return f"{self.slot}_index" if self.itype_on == "index" else self.key("columns")

    # -- validation ---------------------------------------------------------------------------
    def check(self, mute: bool = False) -> list[Issue]:
        """Every issue of this table (nothing raised); prints what validates unless ``mute``."""
        frame = self.frame
        columns = [str(c) for c in frame.columns]
        self.targets, self.results, self.from_public = {}, {}, {}
        issues = self._check_columns(columns)
        features = [(f.name, f) for f in self.features]
        if self.itype is not None:
            target = self._itype_target()
            issue = self._check_target(target, mute)
            issues += [issue] if issue else []
            if self.itype_on == "columns":
                features += self._itype_features(target)
            elif self.schema.dtype:
                issues += self._check_matrix()
        present = set(columns)
        for column, feature in dict(features).items():  # a column named twice is checked once
            if column in present:
                issues += self._check_column(column, feature, frame)
        if self.index_feature is not None:
            issues += self._check_index(frame)
        for target in list(self.targets.values()):
            if target.key not in self.results:
                issue = self._check_target(target, mute)
                issues += [issue] if issue else []
        return issues

    def _check_columns(self, columns: list[str]) -> list[Issue]:
        names = [f.name for f in self.features]
        present = set(columns)
        issues = []
        missing = [n for n in names if n not in present]
        if self.schema.minimal_set and missing:
            issues.append(Issue(self.key("columns"), validation_report.missing_columns(missing, self.noun)))
        allowed = set(names)
        extra = [c for c in columns if c not in allowed]
        if self.schema.maximal_set and self.features and extra:
            issues.append(Issue(self.key("columns"), validation_report.extra_columns(extra, self.noun)))
        if self.schema.ordered_set and [c for c in columns if c in allowed] != [n for n in names if n in present]:
            order = validation_report.wrong_order([n for n in names if n in present], self.noun)
            issues.append(Issue(self.key("columns"), order))
        return issues

    def _check_column(self, column: str, feature: Any, frame: pd.DataFrame) -> list[Issue]:
        dtype = self._dtypes.get(feature.name) or dtypes.parse(feature.dtype)
        series = frame[column]
        key = self.key(column)
        issues = []
        if not feature.nullable:
            n_missing = int(series.isna().sum())
            if n_missing:
                issues.append(Issue(key, validation_report.missing_values(column, n_missing, self.noun)))
        if dtype.is_categorical:
            self.targets[key] = self._cat_target(key, column, feature, dtype)
            if not dtype.is_list:
                return issues
        bad = checks.offending(series, dtype)
        coerce = bool(feature.coerce or self.schema.coerce_dtype)
        if bad and coerce:
            converted, bad = checks.convert(series, dtype)
            if not bad:
                frame[column] = converted
                log.info(f'coerced {self.noun} "{column}" to {feature.dtype}')
        if bad:
            issues.append(Issue(key, validation_report.wrong_dtype(column, feature.dtype, bad, coerce, self.noun), bad))
        return issues

    def _check_index(self, frame: pd.DataFrame) -> list[Issue]:
        feature = self.index_feature
        assert feature is not None  # called only when the schema has an index feature
        dtype = dtypes.parse(feature.dtype)
        key = self.key("index")
        if dtype.is_categorical:
            self.targets[key] = dataclasses.replace(self._cat_target(key, None, feature, dtype), source="index")
            return []
        bad = checks.offending(pd.Series(frame.index), dtype)
        if not bad:
            return []
        return [Issue(key, validation_report.wrong_dtype("index", feature.dtype, bad, False, self.noun), bad)]

    def _check_matrix(self) -> list[Issue]:
        matrix = self._matrix() if self._matrix is not None else None
        kinds = _MATRIX_KINDS.get(self.schema.dtype or "")
        if matrix is None or kinds is None or not hasattr(matrix, "dtype"):
            return []
        if np.dtype(matrix.dtype).kind in kinds:
            return []
        name = self.slot.replace("var", "X")
        return [Issue(name, validation_report.wrong_matrix_dtype(name, self.schema.dtype, matrix.dtype))]

    def _check_target(self, target: CatTarget, mute: bool) -> Issue | None:
        result = validation.validate_values(target.model, target.field, self.values(target), target.type_name)
        via_public: list[Any] = []
        if not isinstance(target.type_name, dict):  # cat_filters: only the registry's matching records count
            result, via_public = public.extend(target.model, target.field, result)
        self.results[target.key] = result
        if via_public:
            self.from_public[target.key] = via_public
        if not result.non_validated:
            if not mute:
                log.success(validation_report.validated_against(target.key, target.registry))
                if via_public:
                    log.info(public.report(target.key, target.model, via_public))
            return None
        if via_public and not mute:
            log.info(public.report(target.key, target.model, via_public))
        addable = additions.addable(target.model, target.field)
        message = validation_report.categorical(target.key, result, dtypes.registry_name(target.model), addable)
        if not mute:
            first, *hints = message.split("\n")
            log.warning(first, ValidationWarning)
            for hint in hints:
                log.info(hint.removeprefix("→ "))
        return Issue(target.key, message, list(result.non_validated))

    # -- categorical targets ------------------------------------------------------------------
    def _cat_target(self, key: str, column: str | None, feature: Any, dtype: dtypes.Dtype) -> CatTarget:
        assert dtype.registry is not None  # called only with categorical dtypes, which name their registry
        model = dtypes.registry_model(dtype.registry)
        return CatTarget(
            key=key, source="column", model=model, field=dtype.field or model._name_field,
            column=column, feature=feature, type_name=_type_filter(feature, dtype), is_list=dtype.is_list,
        )

    def _itype_target(self) -> CatTarget:
        assert self.itype is not None  # called only when the schema has an itype
        model, field = self.itype
        target = CatTarget(key=self.itype_key, source=self.itype_on, model=model, field=field)
        self.targets[target.key] = target
        return target

    def _itype_features(self, target: CatTarget) -> list[tuple[str, Any]]:
        """(column, feature) for columns named after features (``itype`` Feature); else none."""
        validated = self.results[target.key].validated
        if target.model is not Feature or not validated:
            return []
        features = validation.from_values(Feature, validated, field=target.field)
        return [(str(getattr(f, target.field)), f) for f in features]

    def values(self, target: CatTarget) -> Any:
        """The values of a target: a column (categories used, list cells flattened), index or names."""
        frame = self.frame
        if target.source == "index":
            return frame.index
        if target.source == "columns":
            return [str(c) for c in frame.columns]
        series = frame[target.column]
        if target.is_list:
            return [v for cell in series.to_numpy() if isinstance(cell, (list, tuple, np.ndarray)) for v in cell]
        if isinstance(series.dtype, pd.CategoricalDtype):
            codes = np.unique(series.cat.codes.to_numpy())
            return series.cat.categories[codes[codes >= 0]]
        return series

    # -- standardize --------------------------------------------------------------------------
    def standardize(self, target: CatTarget) -> dict[Any, Any]:
        """Replace synonyms and case variants by canonical values; returns the mapping used."""
        if hasattr(target.model, "public"):  # the registry's own standardize knows its public source's synonyms
            mapper = target.model.standardize(self.values(target), field=target.field, return_mapper=True, mute=True)
        else:
            mapper = validation.standardize(
                target.model, self.values(target), field=target.field, return_mapper=True, mute=True,
                type_filter=target.type_name,
            )
        if not mapper:
            return mapper
        if target.source == "index":
            new_index = pd.Index(_mapped(pd.Series(self.frame.index, dtype=object), mapper))
            if self._set_index is not None:
                self._set_index(new_index)
            else:
                self.frame.index = new_index
        elif target.source == "columns":
            self.frame.rename(columns=mapper, inplace=True)
        else:
            frame = self.frame
            frame[target.column] = _mapped(frame[target.column], mapper, target.is_list)
        return mapper


def _mapped(series: pd.Series, mapper: dict[Any, Any], is_list: bool = False) -> pd.Series:
    """``series`` with values replaced through ``mapper`` (categories, list elements or values)."""
    if is_list:
        return series.map(
            lambda cell: [mapper.get(v, v) for v in cell] if isinstance(cell, (list, tuple, np.ndarray)) else cell
        )
    if isinstance(series.dtype, pd.CategoricalDtype):
        categories = [mapper.get(c, c) for c in series.cat.categories]
        if len(set(categories)) == len(categories):
            return series.cat.rename_categories(categories)
        series = series.astype(object)
        return pd.Series(pd.Categorical(_mapped(series, mapper)), index=series.index, name=series.name)
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    if not len(uniques):
        return series
    replaced = np.empty(len(uniques), dtype=object)
    replaced[:] = [mapper.get(u, u) for u in uniques]
    result = pd.Series(replaced[np.maximum(codes, 0)], index=series.index, name=series.name)
    return result.where(codes >= 0, series)  # missing values stay as they were


def _type_filter(feature: Any, dtype: dtypes.Dtype) -> value_matching.TypeFilter:
    """The label type of the dtype, or the feature's ``cat_filters`` (lookups), or both."""
    filters = dict(getattr(feature, "cat_filters", None) or {})
    if not filters:
        return dtype.type_name
    if dtype.type_name:
        filters["type__name"] = dtype.type_name
    return filters
