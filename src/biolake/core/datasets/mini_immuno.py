"""The "mini immuno" datasets of LaminDB's guides: :func:`small_dataset1` / ``small_dataset2`` by their 2.x names.

Example:
    >>> df = ln.examples.datasets.mini_immuno.get_dataset1(otype="DataFrame")  # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import pandas as pd
    from anndata import AnnData


def get_dataset1(
    otype: Literal["DataFrame", "AnnData"] = "DataFrame", gene_symbols_in_index: bool = False, with_typo: bool = False
) -> pd.DataFrame | AnnData:
    """Three samples measuring three genes, with sample annotations (``small_dataset1``)."""
    from biolake.core.datasets import small_dataset1

    return small_dataset1(otype=otype, with_typo=with_typo, gene_symbols_in_index=gene_symbols_in_index)


def get_dataset2(
    otype: Literal["DataFrame", "AnnData"] = "DataFrame", gene_symbols_in_index: bool = False
) -> pd.DataFrame | AnnData:
    """Three more samples (``small_dataset2``)."""
    from biolake.core.datasets import small_dataset2

    return small_dataset2(otype=otype, gene_symbols_in_index=gene_symbols_in_index)
