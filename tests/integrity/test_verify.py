"""`artifact.verify()`, `biolake verify` and `biolake storage gc`, on SQLite and PostgreSQL.

Tests that break bytes delete their artifacts at the end, so `verify --all` of the
module's instance only sees the artifacts of the test that runs it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner, Result

from biolake.cli import main


def cli(*args: str, expect: int = 0) -> Result:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == expect, f"biolake {' '.join(args)} → {result.exit_code}\n{result.output}"
    return result


@pytest.fixture
def made(ln) -> Iterator[list]:
    """Artifacts a test creates; deleted for good (bytes too) afterwards."""
    artifacts: list = []
    yield artifacts
    for artifact in artifacts:
        if ln.Artifact.objects.filter(pk=artifact.pk).exists():
            artifact.delete(permanent=True)


def _df_artifact(ln, made, key: str, value: int):
    artifact = ln.Artifact.from_df(pd.DataFrame({"v": [value, value + 1]}), key=key).save()
    made.append(artifact)
    return artifact


def _folder_artifact(ln, made, tmp_path: Path, key: str):
    folder = tmp_path / key
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text("a")
    (folder / "sub" / "b.txt").write_text("b")
    artifact = ln.Artifact(folder, key=key).save()
    made.append(artifact)
    return artifact


def _stored(artifact) -> Path:
    return Path(artifact.path.path)


def _snapshot(ln, artifact) -> tuple:
    return ln.Artifact.objects.filter(pk=artifact.pk).values_list("hash", "hash_type", "size", "updated_at").get()


def test_verify_ok(ln, made):
    artifact = _df_artifact(ln, made, "verify/ok.parquet", 1)
    report = artifact.verify()
    assert report.ok and report.status == "ok" and not report.missing
    assert report.expected_hash == report.actual_hash == artifact.hash
    assert report.hash_type == "blake3" and report.uid == artifact.uid
    assert report.path == str(artifact.path)


def test_corrupt_bytes_raise_integrity_error_and_change_nothing(ln, made):
    artifact = _df_artifact(ln, made, "verify/corrupt.parquet", 2)
    before = _snapshot(ln, artifact)
    _stored(artifact).write_bytes(b"not a parquet file any more")
    with pytest.raises(ln.errors.HashMismatchError) as info:
        ln.Artifact.get(artifact.uid).verify()
    error = info.value
    assert isinstance(error, ValueError)
    assert error.expected == artifact.hash
    assert error.actual and error.actual != artifact.hash
    assert error.expected in str(error) and error.actual in str(error) and artifact.uid in str(error)
    assert _snapshot(ln, artifact) == before  # the record is untouched
    assert _stored(artifact).read_bytes() == b"not a parquet file any more"  # and the bytes too


def test_missing_file(ln, made):
    from biolake.models import integrity

    artifact = _df_artifact(ln, made, "verify/missing.parquet", 3)
    _stored(artifact).unlink()
    report = integrity.verify(artifact)
    assert report.missing and not report.ok and report.status == "missing"
    assert report.actual_hash is None and report.expected_hash == artifact.hash
    with pytest.raises(ln.errors.HashMismatchError, match="no bytes at") as info:
        artifact.verify()
    assert info.value.expected == artifact.hash and info.value.actual is None
    assert not _stored(artifact).exists()  # verify does not recreate anything


def test_folders(ln, made, tmp_path):
    from biolake.models import integrity

    artifact = _folder_artifact(ln, made, tmp_path, "verify_folder")
    assert artifact.hash_type == "blake3-dir"
    assert artifact.verify().ok
    stored = _stored(artifact)

    (stored / "sub" / "b.txt").write_text("B")  # an edited file
    report = integrity.verify(artifact)
    assert report.status == "mismatch" and report.actual_hash != artifact.hash
    (stored / "sub" / "b.txt").write_text("b")
    assert artifact.verify().ok

    (stored / "extra.txt").write_text("x")  # an added file
    with pytest.raises(ln.errors.HashMismatchError):
        artifact.verify()
    (stored / "extra.txt").unlink()
    (stored / "a.txt").rename(stored / "renamed.txt")  # a renamed file
    assert integrity.verify(artifact).status == "mismatch"
    (stored / "renamed.txt").rename(stored / "a.txt")
    assert artifact.verify().ok

    shutil.rmtree(stored)
    stored.write_bytes(b"a file where a folder was")
    report = integrity.verify(artifact)
    assert report.status == "mismatch" and "file where a folder was saved" in report.detail
    stored.unlink()
    assert integrity.verify(artifact).missing


def test_unknown_hash_type_is_reported_not_guessed(ln, made):
    from biolake.models import integrity

    artifact = _df_artifact(ln, made, "verify/sha.parquet", 4)
    ln.Artifact.objects.filter(pk=artifact.pk).update(hash_type="sha1-from-somewhere")
    artifact = ln.Artifact.get(artifact.uid)
    report = artifact.verify()  # no error: nothing is known to be wrong
    assert not report.ok and report.status == "unverifiable" and not report.problem
    assert "sha1-from-somewhere" in report.detail and report.actual_hash is None
    _stored(artifact).unlink()
    assert integrity.verify(artifact).status == "missing"  # a missing file is still found


def test_verify_all_and_unsaved(ln, made):
    from biolake.models import storage_audit

    good = _df_artifact(ln, made, "verify/all-good.parquet", 5)
    bad = _df_artifact(ln, made, "verify/all-bad.parquet", 6)
    _stored(bad).write_bytes(b"x")
    reports = {r.uid: r for r in storage_audit.verify_all(ln.Artifact.filter(key__startswith="verify/all-"))}
    assert set(reports) == {good.uid, bad.uid}
    assert reports[good.uid].ok and reports[bad.uid].status == "mismatch"
    assert {r.uid for r in storage_audit.verify_all()} >= {good.uid, bad.uid}
    with pytest.raises(ln.errors.ValidationError, match="Save the artifact"):
        ln.Artifact.from_df(pd.DataFrame({"unsaved": [7]})).verify()


def test_cli_verify(ln, made, tmp_path):
    good = _df_artifact(ln, made, "cli/good.parquet", 10)
    folder = _folder_artifact(ln, made, tmp_path, "cli_folder")
    result = cli("verify", "cli/good.parquet")
    assert result.stdout.split() == ["ok", good.uid, "cli/good.parquet"]
    result = cli("verify", "--all")
    lines = result.stdout.splitlines()
    assert all(line.startswith("ok ") for line in lines) and len(lines) == ln.Artifact.objects.count()
    assert any(good.uid in line for line in lines) and any(folder.uid in line for line in lines)

    bad = _df_artifact(ln, made, "cli/bad.parquet", 11)
    _stored(bad).write_bytes(b"corrupt")
    gone = _df_artifact(ln, made, "cli/gone.parquet", 12)
    _stored(gone).unlink()
    result = cli("verify", "--all", expect=1)
    by_uid = {line.split()[1]: line for line in result.stdout.splitlines()}
    assert by_uid[good.uid].startswith("ok ") and by_uid[folder.uid].startswith("ok ")
    assert by_uid[bad.uid].startswith("MISMATCH ") and bad.hash in by_uid[bad.uid]
    assert by_uid[gone.uid].startswith("MISSING ") and str(gone.path) in by_uid[gone.uid]
    assert "1 mismatch, 1 missing" in result.stderr
    assert cli("verify", bad.uid, expect=1).stdout.startswith("MISMATCH ")
    assert _stored(bad).read_bytes() == b"corrupt" and not _stored(gone).exists()  # nothing changed

    refused = CliRunner().invoke(main, ["verify"])
    assert refused.exit_code == 1 and "--all" in refused.stderr
    unknown = CliRunner().invoke(main, ["verify", "no/such/key.parquet"])
    assert unknown.exit_code == 1 and "no/such/key.parquet" in unknown.stderr


def test_cli_storage_gc(ln, made, tmp_path):
    kept = _df_artifact(ln, made, "gc/kept.parquet", 20)
    folder = _folder_artifact(ln, made, tmp_path, "gc_folder")
    managed = Path(ln.settings.storage) / ".biolake"
    orphan = managed / "AbCdEfGhIjKlMnOp0000.parquet"  # bytes of a save whose record never came
    orphan.write_bytes(b"orphan bytes")
    orphan_dir = managed / "ZyXwVuTsRqPoNmLk0003.zarr"
    (orphan_dir / "X").mkdir(parents=True)
    (orphan_dir / "X" / "0").write_bytes(b"chunk")
    temp = managed / f".{kept.uid[:16]}0001.parquet.0badc0de.biolake-tmp"  # an interrupted write
    temp.write_bytes(b"half")
    stranger = managed / "notes.txt"  # not named like a managed file: never touched
    stranger.write_text("mine")
    referenced = sorted(p.name for p in managed.iterdir() if p.name.startswith((kept.uid, folder.uid)))
    assert len(referenced) == 2

    listed = cli("storage", "gc")  # default --min-age 1h: everything is too recent
    assert listed.stdout == "" and "younger than --min-age" in listed.stderr

    listed = cli("storage", "gc", "--min-age", "0")
    paths = sorted(line.split()[1] for line in listed.stdout.splitlines())
    assert paths == sorted(str(p) for p in (orphan, orphan_dir, temp))
    assert "pass --remove" in listed.stderr
    assert orphan.exists() and orphan_dir.exists() and temp.exists()  # listing removes nothing

    removed = cli("storage", "gc", "--min-age", "0", "--remove")
    assert sorted(line.split()[1] for line in removed.stdout.splitlines() if line.startswith("removed")) == paths
    assert not orphan.exists() and not orphan_dir.exists() and not temp.exists()
    assert stranger.read_text() == "mine"
    assert sorted(p.name for p in managed.iterdir() if p.name.startswith((kept.uid, folder.uid))) == referenced
    assert kept.verify().ok and folder.verify().ok
    assert cli("storage", "gc", "--min-age", "0").stdout == ""
    stranger.unlink()


def test_remove_orphans_refuses_other_paths_and_rechecks(ln, made):
    from biolake.models import storage_audit

    kept = _df_artifact(ln, made, "gc/api.parquet", 30)
    storage = kept.storage
    with pytest.raises(ln.errors.InvalidKeyError, match="not a managed file"):
        storage_audit.remove_orphans(storage, [str(Path(ln.settings.storage) / "outside.csv")])
    # a path whose artifact exists (listed by a stale scan) is kept
    assert storage_audit.remove_orphans(storage, [str(kept.path)]) == []
    assert kept.verify().ok
    old = Path(ln.settings.storage) / ".biolake" / "OldOldOldOldOldO0000.csv"
    old.write_text("old")
    two_hours_ago = os.stat(old).st_mtime - 7200
    os.utime(old, (two_hours_ago, two_hours_ago))
    # ctime cannot be set back: the file still counts as recently changed
    assert str(old) not in storage_audit.find_orphans(storage)
    assert storage_audit.find_orphans(storage, min_age=0) == [str(old)]
    assert storage_audit.remove_orphans(storage.root, [str(old)]) == [str(old)]
    assert not old.exists()


def test_gc_leaves_other_instances_files_alone(ln, instance, tmp_path):
    from instance_helpers import drop_instance, make_instance

    other, dbname = make_instance("postgres" if instance.dialect == "postgresql" else "sqlite", tmp_path / "atlas")
    try:
        shared = ln.Artifact.from_df(pd.DataFrame({"atlas": [1]}), key="atlas/shared.parquet").save()
        private = _stored(ln.Artifact.from_df(pd.DataFrame({"atlas": [2]}), key="atlas/private.parquet").save())
        ln.connect(instance.name)
        ln.Artifact.using(other.name).get(key="atlas/shared.parquet").save()  # zero-copy: the atlas root is registered here
        here = ln.Artifact.get(shared.uid)
        assert here.storage.root == other.storage_root and here.verify().ok

        result = cli("storage", "gc", "--min-age", "0", "--remove")
        assert "not scanned" in result.stderr and other.storage_root in result.stderr
        assert private.exists()  # not in this instance's database, yet not this instance's to remove
        refused = CliRunner().invoke(main, ["storage", "gc", "--min-age", "0", "--storage", other.storage_root])
        assert refused.exit_code == 1 and repr(other.name) in refused.stderr
        assert private.exists() and here.verify().ok
        here.delete(permanent=True)
    finally:
        drop_instance(other.name, dbname)
        ln.connect(instance.name)


@pytest.mark.s3
def test_verify_and_gc_on_s3(tmp_path):
    import uuid

    import s3fs
    from instance_helpers import server_url

    import biolake

    endpoint = server_url("BIOLAKE_TEST_S3_ENDPOINT")
    fs = s3fs.S3FileSystem(endpoint_url=endpoint, key="testing", secret="testing")
    bucket = f"verify-{uuid.uuid4().hex[:10]}"
    fs.mkdir(bucket)
    inst = biolake.setup.init(
        storage=f"s3://{bucket}/lake?endpoint_url={endpoint}", db=f"sqlite:///{tmp_path}/biolake.sqlite3", name=f"s3verify{os.getpid()}"
    )
    try:
        from biolake.models import integrity

        ln = biolake
        table = ln.Artifact.from_df(pd.DataFrame({"s3": [1, 2]}), key="s3/table.parquet").save()
        folder = tmp_path / "images"
        folder.mkdir()
        for i in range(3):
            (folder / f"img{i}.png").write_bytes(bytes([i]) * 50)
        images = ln.Artifact(folder, key="s3/images").save()
        fs.pipe(f"{bucket}/raw/in_place.txt", b"registered where it is")
        in_place = ln.Artifact(f"s3://{bucket}/raw/in_place.txt").save()
        assert in_place.hash_type == "md5-etag"
        for artifact in (table, images, in_place):
            report = artifact.verify()
            assert report.ok and report.actual_hash == artifact.hash, report

        fs.pipe(table.path.path, b"overwritten")
        fs.pipe(f"{bucket}/raw/in_place.txt", b"changed in place")
        with pytest.raises(ln.errors.HashMismatchError) as info:
            ln.Artifact.get(table.uid).verify()
        assert info.value.expected == table.hash and info.value.actual
        assert integrity.verify(in_place).status == "mismatch"
        fs.rm(f"{images.path.path}/img1.png")
        assert integrity.verify(images).status == "mismatch"
        fs.rm(table.path.path)
        assert integrity.verify(ln.Artifact.get(table.uid)).missing

        orphan = f"{bucket}/lake/.biolake/S3orphanS3orphan0000.parquet"
        fs.pipe(orphan, b"no record")
        listed = cli("storage", "gc", "--min-age", "0")
        assert listed.stdout.split()[:2] == ["orphan", f"s3://{orphan}"] and len(listed.stdout.splitlines()) == 1
        assert fs.exists(orphan)
        cli("storage", "gc", "--min-age", "0", "--remove")
        assert not fs.exists(orphan) and fs.exists(f"{images.path.path}/img0.png")
    finally:
        biolake.setup.delete(inst.name, force=True)
        fs.rm(bucket, recursive=True)
