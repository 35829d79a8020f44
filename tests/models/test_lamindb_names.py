"""LaminDB public names that scripts use: each behaves as LaminDB documents it."""

from __future__ import annotations

import pytest



def test_errors_invalid_argument_is_a_value_error(ln):
    assert issubclass(ln.errors.InvalidArgument, ln.errors.BiolakeError)
    assert issubclass(ln.errors.InvalidArgument, ValueError)
    assert issubclass(ln.errors.FieldValidationError, ValueError)


def test_run_takes_its_transform_by_position(ln):
    transform = ln.Transform(key="positional-pipeline", type="pipeline").save()
    run = ln.Run(transform, params={"lr": 0.1}).save()
    assert run.transform == transform and run.params == {"lr": 0.1}
    with pytest.raises(ln.errors.InvalidArgument, match="transform"):
        ln.Run(transform, transform=transform)


def test_positional_args_where_the_registry_has_none_raise(ln):
    with pytest.raises(ln.errors.FieldValidationError, match=r"ULabel\(name=\.\.\.\)"):
        ln.ULabel("IFNG")


def test_unknown_constructor_fields_name_the_valid_ones(ln):
    with pytest.raises(ln.errors.FieldValidationError, match="'colour' is not a field of ULabel") as info:
        ln.ULabel(name="IFNG", colour="red")
    assert "description" in info.value.valid_fields and info.value.invalid_fields == ["colour"]
    transform = ln.Transform(key="field-check", type="pipeline").save()
    assert ln.Run(transform_id=transform.id).transform == transform  # the _id column is a valid keyword


def test_describe_returns_the_text_when_asked(ln, capsys):
    transform = ln.Transform(key="described-pipeline", type="pipeline").save()
    capsys.readouterr()
    text = transform.describe(return_str=True)
    assert "Transform" in text and transform.uid in text and "described-pipeline" in text
    assert capsys.readouterr().out == ""  # returned, not printed


def test_feature_dtype_url(ln):
    feature = ln.Feature(name="homepage", dtype="url").save()
    assert feature.dtype == "url" and feature.parsed_dtype.base == "url"
    transform = ln.Transform(key="url-pipeline", type="pipeline").save()
    run = ln.Run(transform).save()
    run.features.add_values({"homepage": "https://lamin.ai"})
    assert ln.Run.filter(homepage="https://lamin.ai").one() == run


def test_from_values_returns_a_list_with_save_and_df(ln):
    ln.ULabel(name="DMSO-fv").save()
    ln.ULabel(name="IFNG-fv").save()
    labels = ln.ULabel.from_values(["DMSO-fv", "IFNG-fv", "unknown-fv"])
    assert isinstance(labels, list) and [r.name for r in labels] == ["DMSO-fv", "IFNG-fv"]
    assert labels.save() is labels
    df = labels.df()
    assert list(df["name"]) == ["DMSO-fv", "IFNG-fv"] and "uid" in df.columns
    assert ln.ULabel.from_values([]).df().empty


def test_settings_creation_search_names(ln):
    import django.db

    first = ln.ULabel(name="search-names-label").save()
    assert ln.settings.creation.search_names is True
    assert ln.ULabel(name="search-names-label").save().pk == first.pk  # became the existing record
    ln.settings.creation.search_names = False
    try:
        with pytest.raises(django.db.IntegrityError):  # no lookup: the database's constraint decides
            ln.ULabel(name="search-names-label").save()
        assert ln.ULabel(name="search-names-other").save().pk != first.pk
    finally:
        ln.settings.creation.search_names = True


def test_context_holds_the_current_run(ln, tmp_path):
    assert ln.context.run is None and ln.context.transform is None
    transform = ln.Transform(key="context-pipeline", type="pipeline")
    run = ln.context.track(transform)
    try:
        assert ln.context.run == run and ln.context.transform == run.transform
        assert ln.context.transform.key == "context-pipeline"
    finally:
        ln.context.finish()
    assert ln.context.run is None


def test_ulabel_parents_children_and_view_parents(ln):
    project = ln.ULabel(name="Project-h").save()
    sub = ln.ULabel(name="Subproject-h").save()
    leaf = ln.ULabel(name="Leaf-h").save()
    sub.parents.add(project)
    leaf.parents.add(sub)
    assert {r.name for r in leaf.query_parents()} == {"Subproject-h", "Project-h"}
    assert {r.name for r in project.query_children()} == {"Subproject-h", "Leaf-h"}
    assert leaf.query_children().count() == 0
    text = leaf.view_parents()
    assert "Project-h" in text and "Subproject-h" in text
    assert "Leaf-h" in sub.view_parents(with_children=True) and "Leaf-h" not in sub.view_parents()
    assert sub.view_parents(format="dot").startswith("digraph")
    with pytest.raises(ln.errors.InvalidArgument, match="mermaid"):
        sub.view_parents(format="png")



def test_bio_settings_organism_is_the_default_organism(bt):
    assert bt.settings.organism is None
    assert bt.Gene.from_source(symbol="CD4").organism.name == "human"  # the source's own default
    bt.settings.organism = "mouse"
    assert bt.settings.organism.name == "mouse" and bt.settings.organism.ontology_id == "NCBITaxon:10090"
    assert bt.Gene.public().organism == "mouse"
    gene = bt.Gene.from_source(symbol="Cd4")
    assert gene.organism.name == "mouse"
    assert [g.symbol for g in bt.Gene.from_values(["Cd8a"], field="symbol")] == ["Cd8a"]
    assert bt.Gene.from_source(symbol="CD4", organism="human").organism.name == "human"  # an explicit organism wins


def test_view_prints_the_latest_records_of_each_registry(ln, capsys):
    ln.ULabel(name="viewed-label").save()
    ln.Transform(key="viewed-pipeline", type="pipeline").save()
    capsys.readouterr()
    ln.view(limit=2)
    out = capsys.readouterr().out
    assert "ULabel" in out and "viewed-label" in out and "Transform" in out
    ln.view(registries=["ULabel"])
    out = capsys.readouterr().out
    assert "ULabel" in out and "Transform" not in out
    with pytest.raises(ln.errors.InvalidArgument, match="not enabled"):
        ln.view(modules="bio")


def test_collection_append_returns_a_new_version(ln, tmp_path):
    import pandas as pd

    artifacts = [
        ln.Artifact.from_df(pd.DataFrame({"x": [i]}), key=f"append/part{i}.parquet").save() for i in range(3)
    ]
    v1 = ln.Collection(artifacts[:2], key="append-collection").save()
    v2 = v1.append(artifacts[2]).save()
    assert v2.pk != v1.pk and v2.key == v1.key and v2.is_latest
    assert [a.pk for a in v2.ordered_artifacts] == [a.pk for a in artifacts]
    v1.refresh_from_db()
    assert not v1.is_latest and v1.artifacts.count() == 2  # the old version is unchanged
    assert v2.uid[:16] == v1.uid[:16]  # the same version family


def test_curator_is_the_base_of_the_dataset_curators(ln):
    assert ln.Curator is ln.curators.Curator
    assert issubclass(ln.curators.DataFrameCurator, ln.Curator)
    assert issubclass(ln.curators.AnnDataCurator, ln.Curator)
