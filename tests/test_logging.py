"""Warnings reach the terminal once: a rich line by default, or Python's warning filters decide."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from biolake import _logging
from biolake.errors import AmbiguousValueWarning, BiolakeWarning, ValidationWarning

SRC = str(Path(__file__).resolve().parents[1] / "src")


def test_pytest_warns_catches_the_category() -> None:
    with pytest.warns(ValidationWarning, match="not validated"):
        _logging.warning("1 term is not validated: 'IFNJ'", ValidationWarning)


def test_a_subcategory_is_caught_by_its_parents() -> None:
    with pytest.warns(BiolakeWarning):
        _logging.warning("'CD4' matches 2 genes", AmbiguousValueWarning)


def test_an_error_filter_turns_it_into_an_exception() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", BiolakeWarning)
        with pytest.raises(ValidationWarning, match="IFNJ"):
            _logging.warning("1 term is not validated: 'IFNJ'", ValidationWarning)


def test_the_warning_points_at_the_callers_line() -> None:
    with pytest.warns(BiolakeWarning) as caught:
        _logging.warning("here")  # this line
    assert caught[0].filename == __file__
    assert "# this line" in Path(__file__).read_text().splitlines()[caught[0].lineno - 1]


def test_an_ignore_filter_silences_the_rich_line_too(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("BIOLAKE_QUIET", raising=False)
    _logging.reset_console()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ValidationWarning)
        _logging.warning("muted", ValidationWarning)
    captured = capsys.readouterr()
    _logging.reset_console()
    assert "muted" not in captured.out + captured.err


def _run(code: str, *python_args: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("BIOLAKE_QUIET", "PYTHONWARNINGS")}
    env["PYTHONPATH"] = SRC
    done = subprocess.run(
        [sys.executable, *python_args, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout + done.stderr


WARN = "from biolake import _logging, errors; _logging.warning('1 term is not validated', errors.ValidationWarning)"


def test_a_default_run_prints_the_message_once() -> None:
    output = _run(WARN)
    assert output.count("1 term is not validated") == 1
    assert "!" in output and "ValidationWarning" not in output  # the rich line, not Python's display


def test_a_python_filter_shows_it_once_in_pythons_format() -> None:
    output = _run(WARN, "-W", "always")
    assert output.count("1 term is not validated") == 1
    assert "ValidationWarning: 1 term is not validated" in output
