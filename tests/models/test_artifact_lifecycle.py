"""Artifacts end to end: save, load, versions, dedup, folders, AnnData, trash — on SQLite and PostgreSQL."""

from __future__ import annotations

import pandas as pd
import pytest


def test_quickstart_flow(ln):
    df = ln.core.datasets.small_dataset1(with_typo=True)
    artifact = ln.Artifact.from_df(df, key="my_datasets/rnaseq1.parquet").save()
    assert len(artifact.uid) == 20 and artifact.uid.endswith("0000")
    assert artifact.otype == "DataFrame" and artifact.suffix == ".parquet"
    assert artifact.n_observations == 3 and artifact.size > 0 and artifact.hash_type == "blake3"
    fresh = ln.Artifact.get(artifact.uid)
    loaded = fresh.load()
    pd.testing.assert_frame_equal(loaded, df)
    assert isinstance(loaded["perturbation"].dtype, pd.CategoricalDtype)
    assert fresh.path.exists() and fresh.cache().exists()
    assert str(fresh.path).endswith(f".biolake/{artifact.uid}.parquet")

    df["perturbation"] = df["perturbation"].cat.rename_categories({"IFNJ": "IFNG"})
    v2 = ln.Artifact.from_df(df, key="my_datasets/rnaseq1.parquet").save()
    assert v2.uid[:16] == artifact.uid[:16] and v2.uid.endswith("0001")
    versions = v2.versions.df()
    assert list(versions["uid"]) == [artifact.uid, v2.uid]
    assert list(versions["is_latest"]) == [False, True]
    assert ln.Artifact.get(key="my_datasets/rnaseq1.parquet").uid == v2.uid
    assert ln.Artifact.get(artifact.uid[:16]).uid == v2.uid
    listed = ln.Artifact.filter(key__startswith="my_datasets/").df()
    assert set(listed["uid"]) == {artifact.uid, v2.uid}
    assert "IFNG" in list(ln.Artifact.get(v2.uid).load()["perturbation"])


def test_same_bytes_return_the_existing_artifact(ln):
    df = pd.DataFrame({"a": [1, 2, 3]})
    first = ln.Artifact.from_df(df, key="dedup/a.parquet").save()
    again = ln.Artifact.from_df(df, key="dedup/a.parquet")
    assert again._state.adding and again.hash is None  # the constructor reads nothing
    assert again.save() is again and not again._state.adding and again.pk == first.pk
    assert again._returned_existing and not first._returned_existing
    assert ln.Artifact.filter(key="dedup/a.parquet").count() == 1


def test_file_is_copied_into_storage(ln, tmp_path):
    src = tmp_path / "some" / "file.csv"
    src.parent.mkdir()
    src.write_text("a,b\n1,2\n3,4\n")
    artifact = ln.Artifact(src, description="raw").save()
    assert artifact.key is None and artifact.description == "raw" and artifact.managed
    assert artifact.path.read_text() == src.read_text()
    assert str(ln.settings.storage) in str(artifact.path)
    assert list(artifact.load()["b"]) == [2, 4]


def test_folder_is_one_artifact(ln, tmp_path):
    folder = tmp_path / "study0"
    (folder / "sub").mkdir(parents=True)
    for i in range(3):
        (folder / f"img{i}.png").write_bytes(bytes([i]) * 10)
    (folder / "sub" / "meta.json").write_text('{"a": 1}')
    artifact = ln.Artifact(folder, key="images/study0").save()
    assert artifact.n_files == 4 and artifact.size == 3 * 10 + 8
    assert artifact.hash_type == "blake3-dir" and artifact.suffix == ""
    stored = artifact.path
    assert sorted(p.name for p in stored.rglob("*") if p.is_file()) == ["img0.png", "img1.png", "img2.png", "meta.json"]


def test_anndata_h5ad_and_zarr(ln):
    adata = ln.core.datasets.small_dataset1(otype="AnnData")
    artifact = ln.Artifact.from_anndata(adata, key="x.h5ad").save()
    assert artifact.otype == "AnnData" and artifact.n_observations == 3
    loaded = ln.Artifact.get(artifact.uid).load()
    assert loaded.shape == adata.shape and list(loaded.obs_names) == list(adata.obs_names)
    backed = ln.Artifact.get(artifact.uid).open()
    assert backed.isbacked and backed.n_obs == 3
    backed.file.close()
    zarr_artifact = ln.Artifact.from_anndata(adata, key="x.zarr", format="zarr").save()
    assert zarr_artifact.suffix == ".zarr" and zarr_artifact.n_files and zarr_artifact.n_files > 1
    assert ln.Artifact.get(zarr_artifact.uid).load().shape == adata.shape


def test_parquet_open_is_a_pyarrow_dataset(ln):
    artifact = ln.Artifact.from_df(pd.DataFrame({"x": range(5)}), key="open/x.parquet").save()
    dataset = ln.Artifact.get(artifact.uid).open()
    assert dataset.to_table().num_rows == 5


def test_unknown_suffix_load_fails_clearly_but_cache_works(ln, tmp_path):
    src = tmp_path / "weights.xyz123"
    src.write_bytes(b"\x00\x01")
    artifact = ln.Artifact(src, key="models/weights.xyz123").save()
    with pytest.raises(ln.errors.UnknownFormatError, match=r"\.xyz123"):
        artifact.load()
    assert artifact.cache().read_bytes() == b"\x00\x01"


def test_path_inside_storage_is_registered_in_place(ln):
    root = ln.settings.storage
    from pathlib import Path

    target = Path(root) / "inplace" / "table.csv"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("x\n1\n")
    artifact = ln.Artifact(target).save()
    assert artifact.key == "inplace/table.csv" and not artifact.managed
    assert Path(str(artifact.path)) == target
    assert not (Path(root) / ".biolake" / f"{artifact.uid}.csv").exists()


def test_memory_filesystem_is_registered_in_place(ln):
    import fsspec

    fs = fsspec.filesystem("memory")
    fs.pipe("/bucket-x/data/file.txt", b"hello world")
    artifact = ln.Artifact("memory://bucket-x/data/file.txt").save()
    assert artifact.key == "data/file.txt" and not artifact.managed
    assert artifact.storage.root == "memory://bucket-x"
    assert artifact.load() == "hello world"


def test_replace_creates_a_new_version(ln):
    artifact = ln.Artifact.from_df(pd.DataFrame({"a": [1]}), key="replace/a.parquet").save()
    old_uid = artifact.uid
    artifact.replace(pd.DataFrame({"a": [2]}))
    artifact.save()
    assert artifact.uid[:16] == old_uid[:16] and artifact.uid != old_uid
    assert list(ln.Artifact.get(key="replace/a.parquet").load()["a"]) == [2]
    assert ln.Artifact.get(old_uid).is_latest is False


def test_revises_without_key(ln, tmp_path):
    first = ln.Artifact.from_df(pd.DataFrame({"r": [1]}), description="no key").save()
    second = ln.Artifact.from_df(pd.DataFrame({"r": [2]}), revises=first).save()
    assert second.stem_uid == first.stem_uid
    assert [a.uid for a in second.versions] == [first.uid, second.uid]


def test_trash_restore_and_permanent_delete(ln):
    v1 = ln.Artifact.from_df(pd.DataFrame({"t": [1]}), key="trash/t.parquet").save()
    v2 = ln.Artifact.from_df(pd.DataFrame({"t": [2]}), key="trash/t.parquet").save()
    v2.delete()
    assert ln.Artifact.filter(key="trash/t.parquet").count() == 1
    assert ln.Artifact.get(v1.uid).is_latest is True
    assert ln.Artifact.filter(key="trash/t.parquet", branch_id=-1).count() == 1
    v2.restore()
    assert ln.Artifact.get(key="trash/t.parquet").uid == v2.uid
    assert ln.Artifact.get(v1.uid).is_latest is False
    path = ln.Artifact.get(v2.uid).path
    assert path.exists()
    v2.delete(permanent=True)
    assert not path.exists()
    assert not ln.Artifact.filter(uid=v2.uid, branch_id__in=[1, -1]).exists()
    assert ln.Artifact.get(v1.uid).is_latest is True


def test_permanent_delete_refused_while_referenced(ln):
    artifact = ln.Artifact.from_df(pd.DataFrame({"c": [1]}), key="ref/c.parquet").save()
    collection = ln.Collection([artifact], key="ref-collection").save()
    with pytest.raises(ln.errors.RecordInUseError, match="Collection"):
        artifact.delete(permanent=True)
    assert ln.Artifact.get(artifact.uid).path.exists()
    collection.delete(permanent=True)
    artifact.delete(permanent=True)


def test_from_dir_makes_one_artifact_per_file(ln, tmp_path):
    folder = tmp_path / "batch"
    folder.mkdir()
    for name in ("a.txt", "b.txt"):
        (folder / name).write_text(name)
    artifacts = ln.Artifact.from_dir(folder)
    assert sorted(a.key for a in artifacts) == ["batch/a.txt", "batch/b.txt"]
    ln.save(artifacts)
    assert ln.Artifact.get(key="batch/b.txt").load() == "b.txt"


def test_describe_prints_a_tree(ln, capsys):
    from biolake import _logging

    _logging.reset_console()
    artifact = ln.Artifact.from_df(pd.DataFrame({"d": [1, 2]}), key="describe/d.parquet").save()
    artifact.describe()
    out = capsys.readouterr().out
    for text in (artifact.uid, "describe/d.parquet", "n_observations: 2", "hash:", "path:", "created_by:", "created_at:"):
        assert text in out


def test_mudata_round_trip(ln):
    mudata = pytest.importorskip("mudata")
    adata = ln.core.datasets.small_dataset1(otype="AnnData")
    mdata = mudata.MuData({"rna": adata})
    artifact = ln.Artifact.from_mudata(mdata, key="multi/x.h5mu").save()
    assert artifact.otype == "MuData" and artifact.suffix == ".h5mu"
    loaded = ln.Artifact.get(artifact.uid).load()
    assert list(loaded.mod) == ["rna"] and loaded["rna"].shape == adata.shape


def test_upath_view_tree_shows_counts_and_suffixes(ln, capsys):
    from biolake import _logging

    _logging.reset_console()
    ln.Artifact.from_df(pd.DataFrame({"v": [7, 8, 9]}), key="tree/v.parquet").save()
    ln.UPath(ln.settings.storage).view_tree()
    out = capsys.readouterr().out
    assert ".biolake" in out and ".parquet" in out and "files" in out


def test_compat_spellings(ln):
    artifact = ln.Artifact.from_dataframe(pd.DataFrame({"c": [5]}), key="compat/c.parquet").save()
    assert artifact.uid in set(ln.Artifact.filter(key="compat/c.parquet").to_dataframe()["uid"])


def test_constructor_reads_writes_and_queries_nothing(ln, tmp_path):
    """Artifact() only records what it was given; save() writes, hashes and queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from biolake.storage.cache import SAVING_DIR

    src = tmp_path / "pure.csv"
    src.write_text("a\n1\n")
    ln.Artifact.filter().count()  # connected, user cached
    saving = ln.settings.cache_dir / SAVING_DIR
    before = set(saving.iterdir()) if saving.exists() else set()
    with CaptureQueriesContext(connection) as queries:
        from_df = ln.Artifact.from_df(pd.DataFrame({"p": [1, 2]}), key="pure/df.parquet")
        from_path = ln.Artifact(src, key="pure/file.csv")
    assert len(queries) == 0
    assert (set(saving.iterdir()) if saving.exists() else set()) == before
    assert from_df.hash is None and from_df.n_observations == 2 and from_df.suffix == ".parquet"
    assert from_path.hash is None and from_path.path.path == str(src)
    assert from_df.save().hash and from_path.save().size == 4
