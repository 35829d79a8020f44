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
