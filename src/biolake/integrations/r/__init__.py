"""The Python half of the R package ``biolaker`` (``r/biolaker``).

R talks to biolake through :func:`call`: arguments arrive as plain specs (lists, dicts and
scalars that reticulate converts without numpy), results leave as specs R rebuilds into
data.frames, factors, ``Matrix`` objects and AnnData lists. Values are sent column by column
through plain Python lists because Debian's reticulate cannot convert numpy 2 arrays.

Example:
    >>> from biolake.integrations.r import to_r
    >>> to_r([1, 2, None])["t"]
    'vector'
"""

from __future__ import annotations

from biolake.integrations.r.bridge import call, get_attr
from biolake.integrations.r.decode import from_r
from biolake.integrations.r.encode import to_r

__all__ = ["call", "from_r", "get_attr", "to_r"]
