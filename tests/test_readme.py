"""The README is tested: every ``bash`` and ``python`` block of README.md runs, in order, on a fresh instance.

The first two blocks are the set-up commands (``bash scripts/quickstart.sh``, ``bash scripts/test.sh``);
the second one is what runs this test, so both are skipped. Every other shell block runs with
``bash -e``; the Python blocks run one after the other in one Python process that shares a single
namespace, as in a notebook. Everything runs in a temporary folder with a fresh ``$BIOLAKE_HOME``.

The cloud parts run against the servers of scripts/test.sh: the README's ``S3_ENDPOINT`` is the moto
server (its buckets ``lab-bucket`` and ``other-bucket`` are made empty here) and ``DATABASE_URL`` a
fresh database on the PostgreSQL server, dropped afterwards.
"""

from __future__ import annotations

import json
import os
import re
import select
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from instance_helpers import server_url

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
SETUP_COMMANDS = ["bash scripts/quickstart.sh", "bash scripts/test.sh"]
BUCKETS = ["lab-bucket", "other-bucket"]
TIMEOUT = 400  # seconds for the whole README (it grows with each section; a busy 2-core machine)

_FENCE = re.compile(r"^```(\w*)\s*$")
_LANGUAGES = {"bash": "bash", "sh": "bash", "shell": "bash", "python": "python"}

# Runs in the child: executes each block file named on stdin in one namespace, answers on fd STATUS_FD.
_DRIVER = r"""
import json, os, sys, traceback
status = os.fdopen(int(sys.argv[1]), "w")
namespace = {"__name__": "__main__"}
for line in sys.stdin:
    block = json.loads(line)
    source = "\n" * (block["line"] - 1) + block["code"]  # tracebacks show README.md's line numbers
    try:
        exec(compile(source, "README.md", "exec"), namespace)
        answer = {"ok": True}
    except BaseException:
        answer = {"ok": False, "error": traceback.format_exc()}
    sys.stdout.flush(); sys.stderr.flush()
    status.write(json.dumps(answer) + "\n"); status.flush()
"""


@dataclass
class Block:
    language: str  # "bash" or "python"
    line: int  # README line of the block's first code line
    code: str

    @property
    def name(self) -> str:
        first = next((text for text in self.code.splitlines() if text.strip()), "")
        return f"README.md line {self.line} ({self.language}): {first.strip()}"


def readme_blocks(text: str) -> list[Block]:
    """The README's fenced blocks in order; ``bash``/``sh``/``shell`` and ``python`` only."""
    blocks, language, start, lines = [], None, 0, []
    for number, line in enumerate(text.splitlines(), start=1):
        match = _FENCE.match(line)
        if language is None:
            if match:
                language, start, lines = match.group(1), number + 1, []
        elif line.strip() == "```":
            if language in _LANGUAGES:
                blocks.append(Block(_LANGUAGES[language], start, "\n".join(lines) + "\n"))
            language = None
        else:
            lines.append(line)
    assert language is None, "README.md has an unclosed code fence"
    return blocks


def test_readme_parses_into_blocks() -> None:
    blocks = readme_blocks(README.read_text())
    assert [b.code.strip() for b in blocks[:2]] == SETUP_COMMANDS, (
        "README.md must start with exactly the two set-up commands: " + ", ".join(SETUP_COMMANDS)
    )
    assert all(b.language == "bash" for b in blocks[:2])
    assert {b.language for b in blocks[2:]} == {"bash", "python"}


@pytest.fixture
def servers() -> Iterator[tuple[str, str]]:
    """The moto endpoint with empty README buckets, and a fresh PostgreSQL database (dropped after)."""
    endpoint = server_url("BIOLAKE_TEST_S3_ENDPOINT")
    admin_url = server_url("BIOLAKE_TEST_PG_URL")
    import boto3
    import psycopg

    s3 = boto3.resource("s3", endpoint_url=endpoint, region_name="us-east-1")
    for name in BUCKETS:
        bucket = s3.Bucket(name)
        if bucket.creation_date is None:
            bucket.create()
        else:
            bucket.objects.all().delete()
    dbname = f"biolake_readme_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{dbname}"')
    yield endpoint, admin_url.rsplit("/", 1)[0] + "/" + dbname
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


def _environment(tmp_path: Path, endpoint: str, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("BIOLAKE_QUIET", "BIOLAKE_RUN_UID")}
    env["BIOLAKE_HOME"] = str(tmp_path / "home")
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), *filter(None, [env.get("PYTHONPATH")])])
    # `python` and `biolake` in the shell blocks: this interpreter and its console script
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env["S3_ENDPOINT"] = endpoint
    env["DATABASE_URL"] = database_url
    return env


@pytest.mark.s3
@pytest.mark.postgres
def test_readme_runs(tmp_path: Path, servers: tuple[str, str]) -> None:
    blocks = readme_blocks(README.read_text())
    assert [b.code.strip() for b in blocks[:2]] == SETUP_COMMANDS
    work = tmp_path / "work"
    work.mkdir()
    env = _environment(tmp_path, *servers)
    deadline = time.monotonic() + TIMEOUT
    read_status, write_status = os.pipe()
    python = subprocess.Popen(
        [sys.executable, "-u", "-c", _DRIVER, str(write_status)],
        cwd=work, env=env, stdin=subprocess.PIPE, text=True, pass_fds=(write_status,),
    )
    os.close(write_status)
    status = os.fdopen(read_status)
    try:
        for block in blocks[2:]:
            print(f"\n===== {block.name}", flush=True)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                pytest.fail(f"the README took more than {TIMEOUT}s; not run: {block.name}")
            if block.language == "bash":
                try:
                    result = subprocess.run(["bash", "-e", "-c", block.code], cwd=work, env=env, timeout=remaining)
                except subprocess.TimeoutExpired:
                    pytest.fail(f"{block.name} did not finish within {TIMEOUT}s for the README")
                if result.returncode != 0:
                    pytest.fail(f"{block.name} failed with exit status {result.returncode}", pytrace=False)
                continue
            python.stdin.write(json.dumps({"line": block.line, "code": block.code}) + "\n")
            python.stdin.flush()
            ready, _, _ = select.select([status], [], [], remaining)
            if not ready:
                pytest.fail(f"{block.name} did not finish within {TIMEOUT}s for the README")
            answer = status.readline()
            if not answer:
                pytest.fail(f"{block.name}: the Python process ended (exit status {python.wait()})")
            answer = json.loads(answer)
            if not answer["ok"]:
                pytest.fail(f"{block.name} failed:\n{answer['error']}", pytrace=False)
    finally:
        python.stdin.close()
        try:
            python.wait(timeout=30)
        except subprocess.TimeoutExpired:
            python.kill()
            python.wait()
        status.close()
