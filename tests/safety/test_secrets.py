"""Credentials never reach the database, a log, a printed line or a world-readable file.

Each scenario runs biolake in subprocesses with their own ``$BIOLAKE_HOME`` (so every file it
writes can be searched), then searches the database (SQLite file, or every PostgreSQL table),
the settings and cache folder, the stored objects of the bucket (run logs, environments) and
everything printed. The one place credentials may be is the ``storage_options`` of the
instance's own settings file, which is mode 0600, as every settings file is.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest
from instance_helpers import _pg_admin, _pg_template, server_url

import biolake

pytestmark = pytest.mark.s3

SECRET = "S3CR3T"  # every secret below contains it


def _bucket(endpoint: str) -> str:
    import boto3

    name = f"sec-{uuid.uuid4().hex[:10]}"
    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1").create_bucket(Bucket=name)
    return name


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A ``$BIOLAKE_HOME`` for subprocesses, with this session's migrated SQLite template in its
    cache (a new SQLite instance is then a copy instead of a run of every migration)."""
    from instance_helpers import drop_instance, make_instance

    from biolake.setup import schema_template

    template = schema_template.template_path()
    if not template.exists():
        inst, _ = make_instance("sqlite", tmp_path / "first")
        drop_instance(inst.name, None)
    target = tmp_path / "home" / "cache" / template.parent.name / template.name
    target.parent.mkdir(parents=True)
    target.write_bytes(template.read_bytes())
    return tmp_path / "home"


def _run(home: Path, *args: str, expect: int = 0, cwd: Path | None = None) -> str:
    src = str(Path(biolake.__file__).parents[1])  # this checkout, also from another working folder
    path = os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])
    env = {**os.environ, "BIOLAKE_HOME": str(home), "BIOLAKE_QUIET": "0", "COLUMNS": "200", "PYTHONPATH": path}
    result = subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True, cwd=cwd, timeout=120, check=False)
    output = result.stdout + result.stderr
    assert result.returncode == expect, output
    return output


def _bucket_objects(endpoint: str, bucket: str) -> dict[str, bytes]:
    import boto3

    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    keys = [o["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket) for o in page.get("Contents", [])]
    return {key: s3.get_object(Bucket=bucket, Key=key)["Body"].read() for key in keys}


def _pg_rows(dbname: str) -> list[str]:
    import psycopg

    url = server_url("BIOLAKE_TEST_PG_URL").rsplit("/", 1)[0] + "/" + dbname
    with psycopg.connect(url) as conn:
        tables = [r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        return [str(row[0]) for t in tables for row in conn.execute(f'SELECT t::text FROM "{t}" t')]


def _assert_settings_only(home: Path) -> None:
    """SECRET appears under $BIOLAKE_HOME only as storage options in 0600 settings files."""
    for path in home.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if path.parent.name == "instances":
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
            settings = json.loads(data)
            outside = {k: v for k, v in settings.items() if k != "storage_options"}
            assert SECRET not in json.dumps(outside), path
        else:
            assert SECRET.encode() not in data, path


_SCRIPT = """
import os, sys
import pandas as pd
import biolake as ln
from biolake.errors import CredentialsInURLError

os.environ["AWS_SECRET_ACCESS_KEY_FOR_DOCS"] = "S3CR3T-env"  # an environment assignment in the source
run = ln.track(params={"lr": 0.1, "api_token": "S3CR3T-param", "key": "tables/x.parquet"})
artifact = ln.Artifact.from_df(pd.DataFrame({"x": [1, 2]}), key="tables/x.parquet").save()
assert ln.Artifact.get(key="tables/x.parquet").load().shape == (2, 1)
for bad in ("s3://AKIAIOSFODNN7EXAMPLE:S3CR3T-url@other-bucket/x", "s3://other-bucket/x?secret=S3CR3T-query"):
    for attempt in (lambda: ln.Storage(root=bad).save(), lambda: setattr(ln.settings, "storage", bad)):
        try:
            attempt()
        except CredentialsInURLError as error:
            print(error)
            assert "--storage-option" in str(error) and "AWS_SECRET_ACCESS_KEY" in str(error)
        else:
            raise AssertionError("credentials accepted")
print(ln.Storage.df().to_string())
ln.finish()
stored = ln.Run.get(run.uid)
print("params", stored.params, "cli", stored.cli_args)
print(stored.transform.source_code)
"""


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_credentials_are_split_off_or_refused(backend, tmp_path, home):
    endpoint = server_url("BIOLAKE_TEST_S3_ENDPOINT")
    bucket = _bucket(endpoint)
    if backend == "sqlite":
        db_url, dbname = f"sqlite:///{tmp_path}/c.sqlite3", None
        # credentials in the user-info, as the reproduction
        storage = f"s3://AKIAIOSFODNN7EXAMPLE:S3CR3T-userinfo@{bucket}/lake?endpoint_url={endpoint}"
        extra: list[str] = []
    else:
        base = server_url("BIOLAKE_TEST_PG_URL")
        dbname = f"biolake_sec{uuid.uuid4().hex[:8]}"
        _pg_admin(f'CREATE DATABASE "{dbname}" TEMPLATE "{_pg_template(base)}"')
        db_url = base.rsplit("/", 1)[0] + "/" + dbname
        # credentials as query parameters (used to crash every save: join_root got key twice)
        storage = f"s3://{bucket}/lake?key=testing&secret=S3CR3T-query"
        extra = ["--storage-option", f"endpoint_url={endpoint}"]
    printed = _run(home, "-m", "biolake.cli", "init", "--storage", storage, "--db", db_url, "--name", "c2", *extra)
    printed += _run(home, "-m", "biolake.cli", "info")
    assert f"s3://{bucket}/lake" in printed
    script = tmp_path / "pipeline.py"
    script.write_text(textwrap.dedent(_SCRIPT))
    printed += _run(home, str(script), "--token", "S3CR3T-arg", "--lr", "0.1", cwd=tmp_path)
    assert "'api_token': '<redacted>'" in printed and "'key': 'tables/x.parquet'" in printed
    assert "--token <redacted> --lr 0.1" in printed
    assert "endpoint_url" in printed  # the public option is kept with the Storage record
    try:
        assert SECRET not in printed, printed
        _assert_settings_only(home)
        settings = json.loads((home / "instances" / "c2.json").read_text())
        assert settings["storage_root"] == f"s3://{bucket}/lake"
        assert SECRET in settings["storage_options"]["secret"] and settings["storage_options"]["endpoint_url"] == endpoint
        objects = _bucket_objects(endpoint, bucket)
        assert len(objects) >= 3  # the table, the run's log and its environment
        for key, data in objects.items():
            assert SECRET.encode() not in data, key
        if dbname is None:
            for path in tmp_path.glob("c.sqlite3*"):
                assert SECRET.encode() not in path.read_bytes(), path
        else:
            rows = _pg_rows(dbname)
            assert any("tables/x.parquet" in row for row in rows)
            assert not [row for row in rows if SECRET in row]
    finally:
        if dbname:
            _pg_admin(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


def test_storage_option_cli_and_settings_mode(tmp_path, home):
    printed = _run(
        home, "-m", "biolake.cli", "init", "--storage", str(tmp_path / "lake"), "--name", "opt",
        "--storage-option", "secret=S3CR3T-opt", "--storage-option", "anon=false",
    )
    assert SECRET not in printed
    path = home / "instances" / "opt.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE((home / "current").stat().st_mode) == 0o600
    assert json.loads(path.read_text())["storage_options"] == {"secret": "S3CR3T-opt", "anon": False}
    bad = _run(home, "-m", "biolake.cli", "init", "--storage", str(tmp_path / "l2"), "--storage-option", "novalue", expect=1)
    assert "NAME=VALUE" in bad and "Traceback" not in bad


def test_older_world_readable_settings_file_is_tightened(tmp_path, monkeypatch):
    from biolake.setup import store
    from biolake.setup.instance import InstanceSettings

    monkeypatch.setenv("BIOLAKE_HOME", str(tmp_path))
    (tmp_path / "instances").mkdir()
    path = tmp_path / "instances" / "old.json"
    path.write_text(json.dumps(InstanceSettings(name="old", storage_root="/x", db="sqlite:////x/db").to_dict()))
    path.chmod(0o644)
    assert store.load_instance("old").name == "old"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_split_and_refuse_credentials():
    from biolake.errors import CredentialsInURLError
    from biolake.storage.credentials import refuse_credentials, split_url
    from biolake.storage.paths import join_root, normalize_root

    split = split_url("s3://AK:S3CR3T%2Fx@b/lake?endpoint_url=http://h:9000&region=eu&token=S3CR3T-t&anon=true")
    assert split.url == "s3://b/lake"
    assert split.public == {"endpoint_url": "http://h:9000", "region": "eu", "anon": True}
    assert split.secret == {"key": "AK", "secret": "S3CR3T/x", "token": "S3CR3T-t"}
    assert split_url("/local/path?x").url == "/local/path?x"
    assert split_url("https://h/file.csv?sig=S3CR3T&v=1").url == "https://h/file.csv?v=1"
    with pytest.raises(CredentialsInURLError) as caught:
        normalize_root("s3://AK:S3CR3T@b/lake")
    assert SECRET not in str(caught.value) and caught.value.url == "s3://b/lake"
    with pytest.raises(CredentialsInURLError):
        refuse_credentials("gs://b/x?password=S3CR3T")
    assert refuse_credentials("s3://b/x?endpoint_url=http://h").public == {"endpoint_url": "http://h"}
    from biolake.setup.instance import InstanceSettings

    shown = repr(InstanceSettings("a", "s3://b", "postgresql://u:S3CR3T@h/x", storage_options={"secret": "S3CR3T", "region": "eu"}))
    assert SECRET not in shown and "'region': 'eu'" in shown
    # options named like join_root's parameters no longer collide with them
    assert str(join_root("memory://lake", "a.csv", key="K", secret="S")) == "memory://lake/a.csv"


def test_endpoint_is_kept_wherever_a_storage_is_created(ln):
    """Reproduction 3: the endpoint in a root's URL is kept in ``Storage.options``."""
    root = f"s3://b{uuid.uuid4().hex[:8]}/o3"
    record = ln.Storage(root=f"{root}?endpoint_url=http://127.0.0.1:9&region=eu-west-1").save()
    assert ln.Storage.get(root=root).options == {"endpoint_url": "http://127.0.0.1:9", "region": "eu-west-1"}
    assert record.location.options["endpoint_url"] == "http://127.0.0.1:9"
    record.delete()
    previous = ln.settings.storage
    try:
        ln.settings.storage = f"{root}x?endpoint_url=http://127.0.0.1:9"
        assert ln.settings.storage == f"{root}x" and ln.settings.storage_options == {"endpoint_url": "http://127.0.0.1:9"}
        from biolake.models.storage import default_storage

        assert default_storage().options == {"endpoint_url": "http://127.0.0.1:9"}
    finally:
        ln.settings.storage = previous
        ln.Storage.get(root=f"{root}x").delete()
