"""FdCapture: what reaches file descriptors 1 and 2 (C's stdio included) lands in the log and still shows."""

from __future__ import annotations

import ctypes
import os

from biolake.lineage.fd_capture import FdCapture


def test_fd_capture_logs_c_level_writes_and_passes_them_through(tmp_path, capfd):
    capture = FdCapture(tmp_path / "run.log")
    capture.start()
    os.write(1, b"to fd 1\n")
    os.write(2, b"to fd 2\n")
    ctypes.CDLL(None).printf(b"printf from C\n")  # buffered in C's stdio until stop() flushes it
    log = capture.stop().read_text()
    os.write(1, b"after stop\n")
    assert "to fd 1" in log and "to fd 2" in log and "printf from C" in log
    assert "after stop" not in log
    out, err = capfd.readouterr()
    assert "to fd 1" in out and "printf from C" in out and "after stop" in out and "to fd 2" in err
