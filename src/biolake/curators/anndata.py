"""Curating an AnnData: slots ``obs`` (a table of observations) and ``var`` (of variables)."""

from __future__ import annotations

from typing import Any

from biolake.curators.base import Curator
from biolake.curators.slot import SlotCurator
from biolake.errors import ValidationError
from biolake.models import Artifact

SLOTS = ("obs", "var")


class AnnDataCurator(Curator):
    """Validate an AnnData against a composite schema and save it as a curated artifact.

    The schema has ``otype="AnnData"`` and ``components={"obs": ..., "var": ...}`` (either
    may be left out). ``obs`` is validated like a DataFrame. ``var``: with an ``itype``
    (``ln.Feature.name``, ``bio.Gene.ensembl_gene_id``, ...) the var index is validated
    against that registry field (key ``"var_index"``) and ``dtype`` fixes the dtype of ``X``;
    with features, var columns are validated like DataFrame columns (keys ``"var:<column>"``).

    Example:
        >>> schema = ln.Schema(otype="AnnData", components={"obs": obs_schema, "var": var_schema}).save()  # doctest: +SKIP
        >>> ln.curators.AnnDataCurator(adata, schema).save_artifact(key="curated.h5ad")  # doctest: +SKIP
    """

    def __init__(self, adata: Any, schema: Any) -> None:
        from anndata import AnnData

        if not isinstance(adata, AnnData):
            raise TypeError(f"AnnDataCurator takes an AnnData object, not {type(adata).__name__}")
        if schema.otype not in (None, "AnnData"):
            raise ValidationError(f"The schema is for {schema.otype} objects, not AnnData.")
        super().__init__(adata, schema)

    def _make_slots(self) -> dict[str, SlotCurator]:
        components = self._schema.slots
        unknown = sorted(set(components) - set(SLOTS))
        if not components or unknown:
            raise ValidationError(
                'AnnDataCurator needs a schema with components={"obs": ..., "var": ...}'
                + (f"; unsupported slots: {', '.join(unknown)}" if unknown else "")
            )
        return anndata_slots(lambda: self._data, components)

    def _new_artifact(self, key: str | None, description: str | None, revises: Any) -> Any:
        return Artifact.from_anndata(self._data, key=key, description=description, revises=revises)


def anndata_slots(adata: Any, components: dict[str, Any], modality: str | None = None) -> dict[str, SlotCurator]:
    """Slot curators for the ``obs`` / ``var`` components of an AnnData (``adata()`` returns it).

    Within a MuData, ``modality`` names the AnnData: slots become ``"<modality>:obs"``, ...
    """
    prefix = f"{modality}:" if modality else ""
    slots = {}
    if "obs" in components:
        slots[f"{prefix}obs"] = SlotCurator(
            components["obs"], f"{prefix}obs", lambda: adata().obs, main=modality is None
        )
    if "var" in components:
        def set_var_names(names: Any) -> None:
            adata().var_names = names

        slots[f"{prefix}var"] = SlotCurator(
            components["var"], f"{prefix}var", lambda: adata().var, itype_on="index",
            set_index=set_var_names, matrix=lambda: adata().X,
        )
    return slots
