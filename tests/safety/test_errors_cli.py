"""The command line prints one line for every error; ``--debug`` (or BIOLAKE_DEBUG=1) the traceback."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pandas as pd
import pytest

from _safety_helpers import SRC
from instance_helpers import server_url


def _biolake(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "PYTHONPATH": SRC, **(env or {})}
    return subprocess.run([sys.executable, "-m", "biolake.cli", *args], env=full, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def damaged(tmp_path_factory):
    """An SQLite instance whose database header was overwritten; connected as the current one."""
    import biolake as ln
    from biolake.setup import store
    from biolake.setup.instance import sqlite_path

    storage = tmp_path_factory.mktemp("damaged")
    name = f"damaged{os.getpid()}"
    inst = ln.setup.init(storage=str(storage), name=name)
    ln.Artifact.from_df(pd.DataFrame({"a": [1]}), key="a.parquet").save()
    ln.setup.disconnect()
    with open(sqlite_path(inst.db), "r+b") as handle:
        handle.write(b"\xde\xad" * 50)
    store.set_current(name)  # the damaged instance is the current one of the commands below
    yield name
    ln.setup.delete(name, force=True)


@pytest.mark.parametrize("command", [["artifact", "ls"], ["verify", "--all"], ["storage", "gc"], ["run", "ls"]])
def test_a_damaged_database_is_one_line_with_a_hint(damaged, command):
    result = _biolake(*command)
    assert result.returncode == 1 and result.stdout == ""
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert result.stderr.startswith("Error: Cannot read the database") and "snapshot" in result.stderr


def test_debug_flag_and_env_show_the_traceback(damaged):
    for result in (_biolake("--debug", "artifact", "ls"), _biolake("artifact", "ls", env={"BIOLAKE_DEBUG": "1"})):
        assert result.returncode == 1 and "Traceback (most recent call last)" in result.stderr
        assert "DatabaseUnreadableError" in result.stderr


def test_python_connect_raises_database_unreadable(damaged):
    import biolake as ln
    from biolake.errors import DatabaseUnreadableError

    with pytest.raises(DatabaseUnreadableError, match="file is not a database"):
        ln.connect(damaged)


@pytest.mark.s3
@pytest.mark.slow  # s3fs retries a request that has no credentials for about 25 s
def test_storage_gc_on_s3_without_credentials_is_one_line(tmp_path):
    import boto3

    endpoint = server_url("BIOLAKE_TEST_S3_ENDPOINT")
    bucket = f"nocreds-{uuid.uuid4().hex[:10]}"
    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1").create_bucket(Bucket=bucket)
    storage = f"s3://{bucket}/lake?endpoint_url={endpoint}"
    home = {"BIOLAKE_HOME": str(tmp_path / "home")}
    init = _biolake("init", "--storage", storage, "--db", f"sqlite:///{tmp_path}/db.sqlite3", "--name", "nocreds", env=home)
    assert init.returncode == 0, init.stderr
    bare = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    result = subprocess.run(
        [sys.executable, "-m", "biolake.cli", "storage", "gc", "--min-age", "0"],
        env={**bare, **home, "PYTHONPATH": SRC, "HOME": str(tmp_path), "AWS_EC2_METADATA_DISABLED": "true"},
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 1 and len(result.stderr.splitlines()) == 1, result.stderr
    assert "credentials" in result.stderr and "AWS_ACCESS_KEY_ID" in result.stderr
    assert "testing" not in result.stderr  # no secret in the message
