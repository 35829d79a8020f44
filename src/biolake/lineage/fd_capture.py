"""Capture what a process writes to its stdout and stderr file descriptors, e.g. R's console.

Python-level capture (:mod:`biolake.lineage.capture`) sees only what goes through ``sys.stdout``;
an R session that embeds Python prints through C's stdio. Here file descriptors 1 and 2 are
pointed at pipes; one thread per pipe copies what arrives to the original descriptor (the
terminal still shows it) and to the log file.
"""

from __future__ import annotations

import ctypes
import os
import sys
import threading
from pathlib import Path
from typing import BinaryIO

_STREAMS = (1, 2)


def _flush_all() -> None:
    """Flush Python's streams and C's stdio buffers (R's console output waits in the latter)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (AttributeError, OSError, ValueError):
            pass
    try:
        ctypes.CDLL(None).fflush(None)
    except (OSError, AttributeError):  # no C library to ask (not on Linux/macOS)
        pass


def _line_buffer_c_stdout(line: bool) -> None:
    """Line-buffer C's ``stdout`` while it is a pipe to us, so R's printed lines keep their order
    with its (unbuffered) messages; afterwards back to what C picks for the restored descriptor."""
    try:
        libc = ctypes.CDLL(None)
        stream = ctypes.c_void_p.in_dll(libc, "stdout")
    except (OSError, ValueError, AttributeError):  # no C library to ask
        return
    line_buffered, fully_buffered = 1, 0  # glibc's _IOLBF, _IOFBF
    mode = line_buffered if line or os.isatty(1) else fully_buffered
    libc.setvbuf(stream, None, mode, 8192)


class FdCapture:
    """Tee file descriptors 1 and 2 into ``path`` between ``start()`` and ``stop()``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._log: BinaryIO | None = None
        self._lock = threading.Lock()
        self._saved: dict[int, int] = {}
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        """Begin capturing."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(self.path, "wb")  # noqa: SIM115 (closed in stop)
        _flush_all()
        for fd in _STREAMS:
            read_end, write_end = os.pipe()
            self._saved[fd] = os.dup(fd)
            os.dup2(write_end, fd)
            os.close(write_end)
            thread = threading.Thread(target=self._copy, args=(read_end, self._saved[fd]), daemon=True)
            thread.start()
            self._threads.append(thread)
        _line_buffer_c_stdout(True)

    def _copy(self, read_end: int, original: int) -> None:
        with os.fdopen(read_end, "rb", buffering=0) as pipe:
            while chunk := pipe.read(65536):
                os.write(original, chunk)
                with self._lock:
                    if self._log is not None:
                        self._log.write(chunk)

    def stop(self) -> Path:
        """Stop capturing (after flushing what is buffered) and return the log file."""
        if self._saved:
            _flush_all()
            for fd, original in self._saved.items():
                os.dup2(original, fd)  # closes the pipe's last write end: its thread reads EOF
            _line_buffer_c_stdout(False)
            for thread in self._threads:
                thread.join(timeout=10)
            for original in self._saved.values():
                os.close(original)
            self._saved, self._threads = {}, []
        with self._lock:
            if self._log is not None:
                self._log.close()
                self._log = None
        return self.path
