"""Curating a MuData: the global ``obs`` and the ``obs`` / ``var`` of each modality."""

from __future__ import annotations

import warnings
from typing import Any

from biolake.curators.anndata import SLOTS, anndata_slots
from biolake.curators.base import Curator
from biolake.curators.slot import SlotCurator
from biolake.errors import ValidationError
from biolake.models import Artifact


class MuDataCurator(Curator):
    """Validate a MuData against a composite schema and save it as a curated artifact.

    Components of the schema (``otype="MuData"``), by slot name:

    - ``"obs"``: the global ``mdata.obs``, validated like a DataFrame (keys: column names);
    - ``"<modality>:obs"`` / ``"<modality>:var"``: a modality's ``obs`` / ``var``, as in
      :class:`~biolake.curators.AnnDataCurator` (keys ``"rna:obs:<column>"``,
      ``"rna:var:<column>"``, ``"rna:var_index"``);
    - ``"<modality>"``: a composite AnnData schema whose ``obs``/``var`` components apply to
      that modality (the same as listing ``"<modality>:obs"`` and ``"<modality>:var"``).

    Schemas are linked to the artifact per slot (``"obs"``, ``"rna:obs"``, ``"rna:var"``, ...).

    Example:
        >>> schema = ln.Schema(otype="MuData", components={"obs": obs, "rna:var": genes}).save()  # doctest: +SKIP
        >>> ln.curators.MuDataCurator(mdata, schema).validate()  # doctest: +SKIP
    """

    def __init__(self, mdata: Any, schema: Any) -> None:
        try:
            from mudata import MuData
        except ImportError:  # pragma: no cover - an extra
            raise ImportError("MuDataCurator needs mudata: pip install 'biolake[mudata]'") from None
        if not isinstance(mdata, MuData):
            raise TypeError(f"MuDataCurator takes a MuData object, not {type(mdata).__name__}")
        if schema.otype not in (None, "MuData"):
            raise ValidationError(f"The schema is for {schema.otype} objects, not MuData.")
        super().__init__(mdata, schema)

    def _make_slots(self) -> dict[str, SlotCurator]:
        components = self._schema.slots
        if not components:
            raise ValidationError('MuDataCurator needs a schema with components, e.g. {"obs": ..., "rna:var": ...}')
        slots: dict[str, SlotCurator] = {}
        for name, component in components.items():
            if name == "obs":
                slots["obs"] = SlotCurator(component, "obs", lambda: self._data.obs, main=True)
                continue
            modality, _, part = name.partition(":")
            if modality not in self._data.mod:
                raise ValidationError(
                    f"The schema has a slot {name!r}, but the MuData has no modality {modality!r} "
                    f"(modalities: {', '.join(self._data.mod)})."
                )
            if part and part not in SLOTS:
                raise ValidationError(f"Unsupported slot {name!r}: use '<modality>:obs' or '<modality>:var'.")
            parts = {part: component} if part else component.slots
            slots.update(anndata_slots(lambda m=modality: self._data.mod[m], parts, modality))
        return slots

    def standardize(self, key: str = "all") -> None:
        """Replace synonyms and case variants (in place), then refresh the MuData's global tables."""
        super().standardize(key)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            self._data.update()

    def _new_artifact(self, key: str | None, description: str | None, revises: Any) -> Any:
        return Artifact.from_mudata(self._data, key=key, description=description, revises=revises)
