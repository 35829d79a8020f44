"""LaminDB 2.x names (and 1.3 names added with them): each behaves as LaminDB documents it."""

from __future__ import annotations

import pandas as pd
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext


def _artifact(ln, tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text)
    return ln.Artifact(path, key=f"names2x/{name}").save()


def test_to_dataframe_include_features_and_limit(ln, tmp_path):
    ln.Feature(name="n2_temperature", dtype=float).save()
    ln.Feature(name="n2_study", dtype=ln.ULabel).save()
    ln.ULabel(name="n2 study A").save()
    artifacts = [_artifact(ln, tmp_path, f"td{i}.txt", f"to_dataframe {i}") for i in range(4)]
    for i, artifact in enumerate(artifacts):
        artifact.features.add_values({"n2_temperature": 20.0 + i, "n2_study": "n2 study A"})
    qs = ln.Artifact.filter(key__startswith="names2x/td")
    df = qs.to_dataframe(include=["ulabels__name"], features=True)
    assert list(df["n2_temperature"].sort_values()) == [20.0, 21.0, 22.0, 23.0]
    assert set(df["n2_study"]) == {"n2 study A"}
    assert all(names == ["n2 study A"] for names in df["ulabels__name"])
    assert "n2_study" in qs.to_dataframe(include="features").columns  # 1.x spelling of features=True
    only = qs.to_dataframe(features=["n2_temperature"])
    assert "n2_temperature" in only.columns and "n2_study" not in only.columns
    assert len(qs.to_dataframe(limit=2)) == 2 and len(qs.df()) == 4  # df(): the 1.x name, no limit


def test_to_dataframe_features_take_a_constant_number_of_queries(ln, tmp_path):
    ln.Feature(name="n2_q1", dtype=int).save()
    ln.Feature(name="n2_q2", dtype=str).save()

    def count_queries(n: int) -> int:
        for i in range(n):
            _artifact(ln, tmp_path, f"q{n}_{i}.txt", f"queries {n} {i}").features.add_values({"n2_q1": i, "n2_q2": f"v{i}"})
        with CaptureQueriesContext(connection) as queries:
            df = ln.Artifact.filter(key__startswith=f"names2x/q{n}_").to_dataframe(features=True)
        assert len(df) == n and df["n2_q2"].notna().all()
        return len(queries.captured_queries)

    assert count_queries(2) == count_queries(7)


def test_to_list(ln):
    for name in ("n2 list b", "n2 list a"):
        ln.ULabel(name=name).save()
    qs = ln.ULabel.filter(name__startswith="n2 list").order_by("name")
    assert qs.to_list("name") == ["n2 list a", "n2 list b"]
    assert [r.name for r in qs.to_list()] == ["n2 list a", "n2 list b"]


def test_flow_and_step(ln):
    @ln.step()
    def double(x: int) -> int:
        return 2 * x

    @ln.flow()
    def pipeline(x: int) -> int:
        assert ln.context.run is not None
        return double(x) + 1

    assert pipeline(3) == 7
    assert ln.context.run is None  # global_run="clear"
    outer = ln.Run.filter(transform__key__endswith="pipeline").order_by("-id").first()
    inner = ln.Run.filter(transform__key__endswith="double").order_by("-id").first()
    assert inner.initiated_by_run == outer and outer.params == {"x": 3}
    with pytest.raises(ln.errors.TrackingError, match="initiating run"):
        double(1)


def test_flow_memorize_keeps_the_global_run(ln):
    @ln.flow(global_run="memorize")
    def remembered() -> None:
        pass

    import contextvars

    def call() -> object:
        remembered()
        return ln.context.run

    run = contextvars.copy_context().run(call)  # keep the memorized run out of the other tests
    assert run is not None and run.transform.key.endswith("remembered")


def test_transform_kind_and_version_tag(ln):
    transform = ln.Transform(key="n2-kind", kind="pipeline", version_tag="1.2").save()
    assert transform.type == "pipeline" and transform.kind == "pipeline" and transform.version == "1.2"
    assert ln.Transform.get(key="n2-kind").version_tag == "1.2"
    assert ln.Transform.filter(kind="pipeline", version_tag="1.2").count() == 1
    with pytest.raises(ln.errors.ValidationError, match="pass one of them"):
        ln.Transform(key="n2-kind2", kind="script", type="pipeline")


def test_artifact_version_tag(ln, tmp_path):
    (tmp_path / "v.txt").write_text("version tag")
    artifact = ln.Artifact(tmp_path / "v.txt", key="names2x/v.txt", version_tag="0.1").save()
    assert artifact.version == "0.1" and ln.Artifact.filter(version_tag="0.1").count() == 1


def test_delete_permanent_on_every_registry(ln, tmp_path):
    label = ln.ULabel(name="n2 trash me").save()
    label.delete(permanent=False)
    assert ln.ULabel.filter(name="n2 trash me").count() == 0
    label.restore()
    assert ln.ULabel.filter(name="n2 trash me").count() == 1
    label.delete()  # 1.x: a label is deleted for good
    assert not ln.ULabel.filter(name="n2 trash me", branch_id__in=[-1, 1]).exists()
    feature = ln.Feature(name="n2_gone", dtype=int).save()
    feature.delete(permanent=True)
    assert not ln.Feature.filter(name="n2_gone").exists()
    artifact = _artifact(ln, tmp_path, "del.txt", "delete me")
    artifact.delete()  # to the trash
    assert ln.Artifact.filter(key="names2x/del.txt").count() == 0
    artifact.delete()  # from the trash: for good
    assert not ln.Artifact.filter(uid=artifact.uid, branch_id__in=[-1, 1]).exists()


def test_artifact_skip_hash_lookup_and_get_by_path(ln, tmp_path):
    first = _artifact(ln, tmp_path, "same.txt", "same bytes")
    again = ln.Artifact(tmp_path / "same.txt", key="names2x/same-again.txt").save()
    assert again.uid == first.uid
    forced = ln.Artifact(tmp_path / "same.txt", key="names2x/same-forced.txt", skip_hash_lookup=True).save()
    assert forced.uid != first.uid and forced.hash == first.hash
    assert ln.Artifact.get(path=str(forced.path)) == forced  # a managed path


def test_artifact_key_is_virtual_false_stores_at_the_key(ln, tmp_path):
    path = tmp_path / "real.csv"
    path.write_text("a\n1\n")
    artifact = ln.Artifact(path, key="names2x/real/real.csv", key_is_virtual=False).save()
    assert str(artifact.path).endswith("names2x/real/real.csv") and not artifact._key_is_virtual
    assert artifact.path.read_text() == "a\n1\n"
    assert ln.Artifact.get(path=str(artifact.path)) == artifact
    path.write_text("a\n2\n")
    with pytest.raises(ln.errors.PathExistsError, match="overwrite_versions=True"):
        ln.Artifact(path, key="names2x/real/real.csv", key_is_virtual=False).save()
    new = ln.Artifact(path, key="names2x/real/real.csv", key_is_virtual=False, overwrite_versions=True).save()
    assert new.is_latest and new.stem_uid == artifact.stem_uid and new.path.read_text() == "a\n2\n"


def test_features_set_values_replaces_them(ln, tmp_path):
    ln.Feature(name="n2_a", dtype=int).save()
    ln.Feature(name="n2_b", dtype=str).save()
    artifact = _artifact(ln, tmp_path, "set.txt", "set values")
    artifact.features.add_values({"n2_a": 1, "n2_b": "x"})
    artifact.features.set_values({"n2_a": 2})
    assert artifact.features.get_values() == {"n2_a": 2}
    with pytest.raises(ln.errors.ValidationError):
        artifact.features.set_values({"n2_unknown": 1})
    assert artifact.features.get_values() == {"n2_a": 2}  # nothing removed


def test_feature_from_dataframe_and_types(ln):
    df = pd.DataFrame({"n2_count": [1, 2], "n2_ratio": [0.5, 1.5], "n2_label": pd.Categorical(["a", "b"]), "n2_note": ["x", "y"]})
    features = ln.Feature.from_dataframe(df).save()
    assert {f.name: f.dtype for f in features} == {"n2_count": "int", "n2_ratio": "float", "n2_label": "cat", "n2_note": "str"}
    assert [f.id for f in ln.Feature.from_df(df)] == [f.id for f in features]
    assay = ln.Feature(name="N2AssayFeatures", is_type=True).save()
    typed = ln.Feature(name="n2_reads", dtype=int, type=assay).save()
    assert list(assay.features.all()) == [typed] and ln.Feature.filter(type=assay).count() == 1
    with pytest.raises(ln.errors.ValidationError, match="needs a dtype"):
        ln.Feature(name="n2_no_dtype")
    perturbation = ln.ULabel(name="N2Perturbation", is_type=True).save()
    feature = ln.Feature(name="n2_perturbation", dtype=ln.ULabel, cat_filters={"type": perturbation}).save()
    assert feature.cat_filters == {"type__uid": perturbation.uid}
    ln.ULabel(name="N2DMSO", type=perturbation).save()
    ln.ULabel(name="n2 untyped").save()
    artifact = ln.Artifact(pd.DataFrame({"a": [1]}), key="names2x/cat_filters.parquet").save()
    artifact.features.add_values({"n2_perturbation": "N2DMSO"})
    with pytest.raises(ln.errors.ValidationError, match="n2 untyped"):
        artifact.features.add_values({"n2_perturbation": "n2 untyped"})
    with pytest.raises(ln.errors.ValidationError, match="cat_filters"):
        artifact.features.add_values({"n2_perturbation": ln.ULabel.get(name="n2 untyped")})
    assert artifact.features.get_values() == {"n2_perturbation": "N2DMSO"}
    curator = ln.curators.DataFrameCurator(pd.DataFrame({"n2_perturbation": ["N2DMSO", "n2 untyped"]}), ln.Schema([feature]).save())
    assert curator.cat.non_validated == {"n2_perturbation": ["n2 untyped"]}  # the untyped label does not count
    curator.add_new_from("n2_perturbation")  # made with the filters' field values: of type N2Perturbation
    assert curator.validate() is None and ln.ULabel.get(name="n2 untyped", type=perturbation).type == perturbation


def test_examples_and_datasets(ln, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert ln.examples.datasets.mini_immuno.get_dataset1().shape == (3, 11)
    csv = ln.core.datasets.file_mini_csv()
    assert pd.read_csv(csv)["test"].tolist() == [1, 2, 3]
    adata = __import__("anndata").read_h5ad(ln.core.datasets.anndata_file_pbmc68k_test())
    assert adata.n_obs == 30 and "cell_type" in adata.obs
    in_root = ln.core.datasets.file_mini_csv(in_storage_root=True)
    artifact = ln.Artifact(in_root).save()  # registered in place, keyed relative to the root
    assert artifact.key == "mini.csv" and not artifact._key_is_virtual


def test_db_queries_another_instance(ln, tmp_path):
    from instance_helpers import drop_instance, make_instance

    current = ln.settings.instance.name
    backend = "postgres" if connection.vendor == "postgresql" else "sqlite"
    other, dbname = make_instance(backend, tmp_path / "other", name=f"{current}db")
    try:
        ln.ULabel(name="n2 in other").save()
        ln.connect(current)
        db = ln.DB(other.name)
        assert db.ULabel.filter(name="n2 in other").count() == 1
        assert ln.ULabel.filter(name="n2 in other").count() == 0
        assert db.ULabel.get(name="n2 in other").name == "n2 in other"
        assert ln.DB(f"someone/{other.name}").ULabel.filter(name="n2 in other").to_list("name") == ["n2 in other"]
    finally:
        ln.connect(current)
        drop_instance(other.name, dbname)


def test_a_path_in_storage_keeps_its_own_key(ln, tmp_path):
    root = __import__("pathlib").Path(ln.settings.storage)
    folder = root / "n2_inplace"
    (folder / "sub").mkdir(parents=True, exist_ok=True)
    (folder / "a.txt").write_text("in place a")
    (folder / "sub" / "b.txt").write_text("in place b")
    artifact = ln.Artifact(folder, key="n2_inplace").save()  # its own key: fine
    assert artifact.key == "n2_inplace" and artifact.n_files == 2 and not artifact._key_is_virtual
    with pytest.raises(ln.errors.InvalidArgument, match="already in registered storage") as info:
        ln.Artifact(folder / "a.txt", key="elsewhere/a.txt").save()
    assert info.value.inferred_key == "n2_inplace/a.txt"
    with pytest.raises(ln.errors.InvalidArgument):
        ln.Artifact.from_dir(folder, key="elsewhere")
    saved = ln.save(ln.Artifact.from_dir(folder))
    assert sorted(a.key for a in saved) == ["n2_inplace/a.txt", "n2_inplace/sub/b.txt"]


def test_records_without_a_trash_are_deleted_for_good(ln, tmp_path):
    storage = ln.Storage(root=str(tmp_path / "n2_unused_root"), type="local").save()
    with pytest.raises(ln.errors.InvalidArgument, match="no trash"):
        storage.restore()
    storage.delete(permanent=False)  # no trash: for good
    assert not ln.Storage.filter(root=str(tmp_path / "n2_unused_root")).exists()
