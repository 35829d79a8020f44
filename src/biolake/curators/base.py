"""What every curator does, over the slots (tables) its dataset has.

Subclasses say which slots a dataset has (:meth:`Curator._make_slots`) and how it becomes an
artifact (:meth:`Curator._new_artifact`); validation, standardization, adding missing
labels and saving with links are shared.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from biolake import _logging as log
from biolake.curators import additions, legacy, linking, public
from biolake.curators.slot import CatTarget, SlotCurator
from biolake.errors import ValidationError, ValidationWarning
from biolake.models import validation, validation_report
from biolake.models.validation_report import Issue


class Curator(ABC):
    """Validate a dataset against a schema, fix what can be fixed, save it with its metadata.

    ``validate()`` checks every slot and column at once and raises one
    :class:`~biolake.errors.ValidationError` listing every failure; its ``non_validated``
    maps each failing key to the offending values.

    Categorical keys: a column of the main table by name (``"perturbation"``), a column of
    another slot as ``"<slot>:<column>"`` (``"var:gene_type"``), an index validated against
    an ``itype`` as ``"<slot>_index"`` (``"var_index"``).

    Standardizing and coercing change the curator's dataset in place (the object passed in).
    """

    def __init__(self, data: Any, schema: Any) -> None:
        self._data = data
        self._schema = schema
        self._slots = self._make_slots()
        self._issues: list[Issue] | None = None

    # -- LaminDB 1.x constructors (no schema: categoricals name registry fields) ------------
    @staticmethod
    def from_df(df: Any, categoricals: dict[str, Any] | None = None, columns: Any = None, organism: str | None = None) -> Any:
        """A DataFrame curator for LaminDB 1.x's flow, e.g. ``categoricals={"cell_type": bt.CellType.name}``.

        Example:
            >>> curator = ln.Curator.from_df(df, categoricals={"perturbation": ln.ULabel.name})  # doctest: +SKIP
            >>> curator.validate()  # doctest: +SKIP
        """
        return legacy.from_df(df, categoricals=categoricals, columns=columns, organism=organism)

    @staticmethod
    def from_anndata(
        data: Any, var_index: Any, categoricals: dict[str, Any] | None = None, obs_columns: Any = None,
        organism: str | None = None,
    ) -> Any:
        """An AnnData curator for LaminDB 1.x's flow: ``var_index`` is e.g. ``bt.Gene.ensembl_gene_id``."""
        return legacy.from_anndata(data, var_index, categoricals=categoricals, obs_columns=obs_columns, organism=organism)

    # -- subclass hooks ---------------------------------------------------------------------------
    @abstractmethod
    def _make_slots(self) -> dict[str, SlotCurator]:
        """The slots (tables) of the dataset and the schema each is checked against."""

    @abstractmethod
    def _new_artifact(self, key: str | None, description: str | None, revises: Any) -> Any:
        """An unsaved artifact holding the dataset."""

    # -- public API ---------------------------------------------------------------------------
    @property
    def data(self) -> Any:
        """The dataset being curated (changed in place by ``standardize()`` and coercion)."""
        return self._data

    @property
    def cat(self) -> CatAccessor:
        """The categorical part of the curator (``curator.cat.add_new_from(...)``), as in LaminDB."""
        return CatAccessor(self)

    @property
    def schema(self) -> Any:
        """The schema the dataset is validated against."""
        return self._schema

    @property
    def slots(self) -> dict[str, SlotCurator]:
        """The slot curators by slot name (``columns``; ``obs``, ``var``; ``rna:obs``, ...)."""
        return dict(self._slots)

    def validate(self) -> None:
        """Check the dataset; raise one ValidationError listing every failure, or return None."""
        issues = self._check(mute=False)
        if issues:
            raise ValidationError("\n".join(i.message for i in issues), non_validated=self.non_validated)

    @property
    def non_validated(self) -> dict[str, list[Any]]:
        """The offending values by key: non-validated terms, and values of the wrong dtype."""
        issues = self._issues if self._issues is not None else self._check(mute=True)
        result: dict[str, list[Any]] = {}
        for issue in issues:
            if not issue.values:
                continue
            if issue.key in result:  # rare: a list column with wrong cells and unknown terms
                result[issue.key] += [v for v in issue.values if v not in result[issue.key]]
            else:
                result[issue.key] = list(issue.values)
        return result

    def standardize(self, key: str = "all") -> None:
        """Replace synonyms and case variants by canonical values in categorical columns (in place)."""
        for slot, target in self._targets(key):
            mapper = slot.standardize(target)
            if mapper:
                n = validation_report.count(len(mapper), "term")
                log.info(f'standardized {n} in "{target.key}": {validation_report.mapping(mapper)}')
        self._issues = None

    def add_new_from(self, key: str) -> None:
        """Register the non-validated terms of a categorical key (``"all"``: of every key).

        Synonyms and case variants of existing terms are not added: standardize them instead.
        ULabels of a typed dtype (``cat[ULabel[Perturbation]]``) get that label type.
        """
        for slot, target in self._targets(key):
            result = validation.validate_values(target.model, target.field, slot.values(target), target.type_name)
            if result.synonyms_mapper:
                log.warning(
                    f"not adding {validation_report.count(len(result.synonyms_mapper), 'synonym')}: "
                    f"{validation_report.listing(list(result.synonyms_mapper))}; "
                    f"standardize with .standardize(\"{target.key}\")",
                    ValidationWarning,
                )
            new = result.unmapped
            if new:
                additions.add(target.model, target.field, new, target.type_name)
                log.success(validation_report.added(new, target.registry))
        self._issues = None

    def save_artifact(self, key: str | None = None, description: str | None = None, revises: Any = None) -> Any:
        """Validate, save the dataset as an artifact, and link its schemas (per slot) and labels.

        Values validated via a registry's public source are saved to the registry first (one
        transaction), so that the schemas and labels can link them.

        Raises:
            ValidationError: the dataset does not validate (nothing is saved).
        """
        self.validate()
        public.save_records(self._pending_public())
        artifact = self._new_artifact(key, description, revises).save()
        n_schemas, n_labels = linking.link(artifact, self._slots)
        schemas, labels = validation_report.count(n_schemas, "schema"), validation_report.count(n_labels, "label")
        log.info(f"linked {schemas} and {labels} to the artifact")
        return artifact

    # -- internals ----------------------------------------------------------------------------
    def _check(self, mute: bool) -> list[Issue]:
        issues: list[Issue] = []
        for slot in self._slots.values():
            issues += slot.check(mute=mute)
        self._issues = issues
        return issues

    def _pending_public(self) -> list[tuple[str, Any, str, list[Any]]]:
        """(key, registry, field, values) for the values validated via public sources."""
        return [
            (key, slot.targets[key].model, slot.targets[key].field, values)
            for slot in self._slots.values()
            for key, values in slot.from_public.items()
        ]

    def _targets(self, key: str) -> list[tuple[SlotCurator, CatTarget]]:
        """The categorical targets for ``key`` (``"all"``: every one), validating first if needed."""
        if self._issues is None:
            self._check(mute=True)
        pairs = [(slot, target) for slot in self._slots.values() for target in slot.targets.values()]
        if key == "all":
            return pairs
        chosen = [(slot, target) for slot, target in pairs if target.key == key]
        if not chosen:
            keys = ", ".join(f'"{t.key}"' for _, t in pairs) or "none"
            raise ValidationError(f'No categorical key "{key}" in this dataset; categorical keys: {keys}.')
        return chosen


class CatAccessor:
    """``curator.cat``: the categorical part of a curator (``add_new_from``, ``standardize``, ...)."""

    def __init__(self, curator: Curator) -> None:
        self._curator = curator

    @property
    def keys(self) -> list[str]:
        """The categorical keys of the dataset."""
        return [target.key for _, target in self._curator._targets("all")]

    def add_new_from(self, key: str) -> None:
        """Register the non-validated terms of ``key`` (``"all"``: every key)."""
        self._curator.add_new_from(key)

    def standardize(self, key: str = "all") -> None:
        """Replace synonyms and case variants in ``key`` (``"all"``: every key)."""
        self._curator.standardize(key)

    @property
    def non_validated(self) -> dict[str, list[Any]]:
        """Non-validated terms by categorical key."""
        keys = set(self.keys)
        return {k: v for k, v in self._curator.non_validated.items() if k in keys}
