"""Fault injection for crash tests: ``BIOLAKE_FAULT=<phase>`` makes the process kill itself there.

A save calls :func:`point` at each phase (``write``, ``before-upload``, ``mid-upload``,
``after-upload``, ``after-commit``); when the environment variable names that phase, the
process sends itself SIGKILL, as a power cut or the OOM killer would. Unset (always, outside
tests), a call costs one dictionary lookup.

A leaf module: it imports nothing from biolake.
"""

from __future__ import annotations

import os
import signal

__all__ = ["PHASES", "point"]

PHASES = ("write", "before-upload", "mid-upload", "after-upload", "after-commit")
"""The phases of a save, in order."""


def point(phase: str) -> None:
    """Kill this process with SIGKILL if ``BIOLAKE_FAULT`` names ``phase``."""
    if os.environ.get("BIOLAKE_FAULT") == phase:
        os.kill(os.getpid(), signal.SIGKILL)
