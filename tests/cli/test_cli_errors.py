"""The one place errors are reported: every failure is one line; --debug shows the traceback."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from biolake.cli._base import BiolakeGroup
from biolake.errors import InstanceSetupError


def _group(error: BaseException) -> click.Group:
    @click.group(cls=BiolakeGroup)
    def root() -> None:
        """A test root."""

    @root.group()
    def sub() -> None:
        """A nested group."""

    @sub.command()
    def fail() -> None:
        """Raise the error."""
        raise error

    return root


@pytest.mark.parametrize(
    "error",
    [InstanceSetupError("refused:\n  two lines"), FileNotFoundError("no such file"), ValueError("bad   value")],
    ids=["biolake", "filenotfound", "value"],
)
def test_expected_errors_are_one_line(error):
    result = CliRunner().invoke(_group(error), ["sub", "fail"])
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.splitlines() == ["Error: " + " ".join(str(error).split())]


def test_bugs_are_one_line_that_names_debug():
    result = CliRunner().invoke(_group(RuntimeError("a bug")), ["sub", "fail"])
    assert result.exit_code == 1 and len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("Error: unexpected RuntimeError: a bug") and "--debug" in result.stderr


def test_debug_flag_reraises():
    @click.group(cls=BiolakeGroup)
    @click.option("--debug", is_flag=True)
    def root(debug: bool) -> None:
        """A test root with the flag."""

    @root.command()
    def fail() -> None:
        """Raise a bug."""
        raise RuntimeError("a bug")

    assert isinstance(CliRunner().invoke(root, ["--debug", "fail"]).exception, RuntimeError)
    assert CliRunner().invoke(root, ["fail"]).stderr.startswith("Error: unexpected RuntimeError")


def test_debug_env_reraises_expected_errors():
    result = CliRunner(env={"BIOLAKE_DEBUG": "1"}).invoke(_group(ValueError("x")), ["sub", "fail"])
    assert isinstance(result.exception, ValueError)
