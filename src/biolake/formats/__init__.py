"""How each object type is written, loaded, opened (backed) and counted.

A registry maps suffixes to :class:`Format` entries whose handlers are imported
on first use, so importing this package loads neither pandas nor anndata.

Example:
    >>> import biolake.formats as formats
    >>> formats.default_suffix("DataFrame")
    '.parquet'
    >>> formats.otype_from_suffix(".h5mu")
    'MuData'
"""

from biolake.formats.registry import (
    Format,
    default_suffix,
    get_format,
    infer_otype,
    infer_suffix,
    is_tabular_suffix,
    known_suffixes,
    load,
    n_observations,
    open,
    otype_from_suffix,
    register,
    register_otype,
    write,
)

__all__ = [
    "Format",
    "default_suffix",
    "get_format",
    "infer_otype",
    "infer_suffix",
    "is_tabular_suffix",
    "known_suffixes",
    "load",
    "n_observations",
    "open",
    "otype_from_suffix",
    "register",
    "register_otype",
    "write",
]
