"""Capture a script's stdout and stderr into a log file while still printing them."""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Any, TextIO


class _Tee(io.TextIOBase):
    """A text stream that writes to the original stream and to a log file."""

    def __init__(self, original: TextIO, log: TextIO) -> None:
        self._original = original
        self._log = log

    def write(self, text: str) -> int:
        self._original.write(text)
        if not self._log.closed:
            self._log.write(text)
        return len(text)

    def flush(self) -> None:
        self._original.flush()
        if not self._log.closed:
            self._log.flush()

    def isatty(self) -> bool:
        return self._original.isatty()

    def fileno(self) -> int:
        return self._original.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self._original, "encoding", "utf-8")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._original, name)


class OutputCapture:
    """Tee ``sys.stdout`` and ``sys.stderr`` into ``path`` between ``start()`` and ``stop()``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._log: TextIO | None = None
        self._saved: tuple[TextIO, TextIO] | None = None

    def start(self) -> None:
        """Begin capturing."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(self.path, "w", encoding="utf-8")  # noqa: SIM115 (closed in stop)
        self._saved = (sys.stdout, sys.stderr)
        sys.stdout = _Tee(sys.stdout, self._log)  # type: ignore[assignment]
        sys.stderr = _Tee(sys.stderr, self._log)  # type: ignore[assignment]

    def stop(self) -> Path:
        """Stop capturing and return the log file."""
        if self._saved is not None:
            sys.stdout, sys.stderr = self._saved
            self._saved = None
        if self._log is not None:
            self._log.close()
        return self.path
