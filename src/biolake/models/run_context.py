"""The run this process is currently tracking, set by ``biolake.lineage`` (``ln.track()``).

Models read it to fill ``run`` on new records and to link loaded artifacts as inputs;
lineage writes it. Keeping it here lets imports flow one way (lineage → models).
"""

from __future__ import annotations

from typing import Any

current_run: Any = None


def current_run_id() -> int | None:
    """Primary key of the tracked run, or ``None`` when nothing is tracked."""
    return current_run.pk if current_run is not None else None
