"""The console entry point in real processes, and `--help` of every command."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from biolake.cli import main


def _run(args: list[str], home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BIOLAKE_HOME": str(home)}
    env.pop("BIOLAKE_DEBUG", None)
    return subprocess.run(args, capture_output=True, text=True, env=env, timeout=60, check=False)


def _biolake_script() -> str:
    beside_python = Path(sys.executable).with_name("biolake")
    found = str(beside_python) if beside_python.exists() else shutil.which("biolake")
    assert found, "the `biolake` console script is not installed (pip install -e .)"
    return found


def test_console_script_help(tmp_path):
    result = _run([_biolake_script(), "--help"], tmp_path)
    assert result.returncode == 0, result.stderr
    for name in ("init", "connect", "info", "save", "load", "artifact", "cache"):
        assert f"  {name} " in result.stdout


def test_python_m_reports_a_missing_instance_in_one_line(tmp_path):
    result = _run([sys.executable, "-m", "biolake.cli", "connect", "nosuchinstance"], tmp_path)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert "biolake init" in lines[0] and "nosuchinstance" in lines[0]
    assert "Traceback" not in result.stderr + result.stdout


def test_a_session_in_real_processes(tmp_path):
    """init → save → load → info → errors, each a new `biolake` process: quiet stderr, one-line errors."""
    biolake = _biolake_script()
    home = tmp_path / "home"
    data = tmp_path / "counts.csv"
    data.write_text("gene,count\nCD8A,3\n")

    def ok(*args: str) -> str:
        result = _run([biolake, *args], home)
        assert result.returncode == 0 and result.stderr == "", f"biolake {args}: {result.stderr}"
        return result.stdout

    def fails(*args: str) -> str:
        result = _run([biolake, *args], home)
        assert result.returncode == 1, result.stdout
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
        return lines[0]

    ok("init", "--storage", str(tmp_path / "lake"), "--name", "proc")
    saved = ok("save", str(data), "--key", "raw/counts.csv")
    assert "key: raw/counts.csv" in saved
    assert Path(ok("load", "raw/counts.csv").strip()).read_text() == data.read_text()
    assert "artifacts   1" in ok("info")
    assert "No artifact" in fails("load", "raw/missing.csv")
    assert "--force" in fails("delete", "proc")
    ok("delete", "proc", "--force")
    assert "biolake init" in fails("info")


def test_connect_in_a_real_process_is_quiet(tmp_path):
    home = tmp_path / "home"
    init = [_biolake_script(), "init", "--storage", str(tmp_path / "lake"), "--name", "quiet"]
    assert _run(init, home).returncode == 0
    result = _run([_biolake_script(), "connect", "quiet"], home)
    assert result.returncode == 0 and result.stderr == "", result.stderr


def test_debug_env_shows_the_traceback(tmp_path):
    env = {**os.environ, "BIOLAKE_HOME": str(tmp_path), "BIOLAKE_DEBUG": "1"}
    cmd = [sys.executable, "-m", "biolake.cli", "connect", "nosuchinstance"]
    result = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60, check=False)
    assert result.returncode == 1
    assert "Traceback" in result.stderr and "InstanceNotFoundError" in result.stderr


def test_importing_the_cli_does_not_set_up_django(tmp_path):
    code = "import sys, biolake.cli; print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    result = _run([sys.executable, "-c", code], tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def _command_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = [prefix]
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            paths += _command_paths(command, (*prefix, name))
        else:
            paths.append((*prefix, name))
    return paths


ALL_COMMANDS = _command_paths(main)


def test_every_expected_command_exists():
    expected = {
        ("init",), ("connect",), ("disconnect",), ("info",), ("delete",), ("migrate",), ("save",), ("load",),
        ("artifact",), ("artifact", "ls"), ("artifact", "get"), ("artifact", "describe"),
        ("cache",), ("cache", "clear"), ("cache", "location"),
    }
    assert expected <= set(ALL_COMMANDS)


@pytest.mark.parametrize("path", ALL_COMMANDS, ids=lambda p: " ".join(p) or "biolake")
def test_help_of_every_command(path):
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Usage: ")
    command = main
    for name in path:
        command = command.commands[name]
    summary = command.get_short_help_str(limit=200)
    assert summary and not summary.endswith("..."), f"{path}: one-line description missing"


def test_version():
    import biolake

    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0 and biolake.__version__ in result.output
