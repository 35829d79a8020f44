"""LaminDB 2.x's registries: Record (sheets with feature values), Project, Reference, Space, Branch.

Each test runs on SQLite and PostgreSQL (the module's ``instance``); names are unique per
test so the tests do not depend on their order.
"""

from __future__ import annotations

import datetime
import uuid

import pandas as pd
import pytest


def _name(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:6]}"


@pytest.fixture
def on_main(ln):
    """Leave the instance on ``main`` whatever the test did."""
    yield ln
    if ln.setup.info()["branch"] != "main":
        ln.setup.switch("main")


# -- Record: types, feature values, sheets ----------------------------------------------------------


def test_record_types_and_feature_values(ln):
    sheet = ln.Record(name=_name("Sample"), is_type=True).save()
    ln.Feature(name="temperature_2x", dtype=float).save()
    ln.Feature(name="donor_2x", dtype=str).save()
    record = ln.Record(name="S1", type=sheet).save()
    record.features.add_values({"temperature_2x": 21.6, "donor_2x": "D1"})
    assert record.features.get_values() == {"temperature_2x": 21.6, "donor_2x": "D1"}
    other = ln.Record(name="S2", type=sheet, features={"temperature_2x": 4.0}).save()  # values saved with the record
    assert other.features.get_values() == {"temperature_2x": 4.0}
    assert set(ln.Record.filter(type=sheet).values_list("name", flat=True)) == {"S1", "S2"}
    assert list(sheet.records.order_by("id")) == [record, other]
    assert ln.Record.filter(temperature_2x__gt=10, type=sheet).one() == record  # feature lookups on records
    record.features.remove_values("donor_2x")
    assert record.features.get_values() == {"temperature_2x": 21.6}


def test_records_with_features_save_in_bulk(ln):
    sheet = ln.Record(name=_name("Batch"), is_type=True).save()
    ln.Feature(name="batch_size_2x", dtype=int).save()
    records = [ln.Record(name=f"B{i}", type=sheet, features={"batch_size_2x": i}) for i in range(3)]
    ln.save(records)
    assert [r.features.get_values()["batch_size_2x"] for r in ln.Record.filter(type=sheet).order_by("id")] == [0, 1, 2]


def test_sheet_from_dataframe_round_trip(ln):
    sheet = ln.Record(name=_name("Donor"), is_type=True).save()
    df = pd.DataFrame({
        "name": ["D1", "D2", "D3"],
        "age_2x": [31, 45, 52],
        "bmi_2x": [21.5, 30.25, 24.0],
        "sex_2x": ["female", "male", "female"],
        "smoker_2x": [True, False, False],
    })
    records = ln.Record.from_dataframe(df, type=sheet)
    assert all(r._state.adding for r in records)  # nothing saved before .save()
    records.save()
    out = ln.Record.filter(type=sheet).to_dataframe()
    assert len(out) == 3
    table = out.set_index("name")[["age_2x", "bmi_2x", "sex_2x", "smoker_2x"]].sort_index()
    pd.testing.assert_frame_equal(table, df.set_index("name"), check_dtype=False)
    assert ln.Feature.get(name="age_2x").dtype == "int" and ln.Feature.get(name="smoker_2x").dtype == "bool"
    assert "bmi_2x" in ln.Record.filter(type=sheet).df().columns  # the 1.x name
    assert "bmi_2x" not in ln.Record.filter(type=sheet).df(features=False).columns
    assert ln.Record.from_df is not None and len(ln.Record.from_df(df.head(1), type=sheet)) == 1


def test_sheet_with_missing_values(ln):
    sheet = ln.Record(name=_name("Sparse"), is_type=True).save()
    df = pd.DataFrame({"name": ["A", "B"], "score_2x": [1.5, None]})
    ln.Record.from_dataframe(df, type=sheet).save()
    assert ln.Record.get(name="B", type=sheet).features.get_values() == {}
    out = ln.Record.filter(type=sheet).to_dataframe().set_index("name")
    assert out.loc["A", "score_2x"] == 1.5 and pd.isna(out.loc["B", "score_2x"])


def test_record_unknown_feature_is_refused(ln):
    with pytest.raises(ln.errors.ValidationError, match="Unknown feature"):
        ln.Record(name=_name("X"), features={"no_such_feature_2x": 1}).save()
    assert not ln.Record.filter(name__startswith="X_").exists()  # no half record


def test_record_parents_and_search(ln):
    parent = ln.Record(name=_name("Lab")).save()
    child = ln.Record(name=_name("Bench")).save()
    child.parents.add(parent)
    assert list(parent.children.all()) == [child]
    assert ln.Record.search(child.name).first() == child


# -- links to artifacts ------------------------------------------------------------------------------


@pytest.fixture
def artifact(ln):
    df = pd.DataFrame({"gene": ["CD8A"], "count": [uuid.uuid4().int % 1000]})
    return ln.Artifact.from_df(df, key=f"registries_2x/{uuid.uuid4().hex[:8]}.parquet").save()


def test_records_projects_references_link_to_artifacts(ln, artifact):
    record = ln.Record(name=_name("S")).save()
    project = ln.Project(name=_name("Atlas"), abbr="ATL", url="https://example.com/atlas").save()
    reference = ln.Reference(name="A lung atlas", doi="10.1038/s41586-020-2922-4", pubmed_id=33208946).save()
    artifact.records.add(record)
    artifact.projects.add(project)
    artifact.references.add(reference)
    assert ln.Artifact.filter(projects=project).one() == artifact
    assert ln.Artifact.filter(records__name=record.name).one() == artifact
    assert ln.Artifact.filter(references__doi="10.1038/s41586-020-2922-4").one() == artifact
    assert list(record.artifacts.all()) == [artifact] and list(project.artifacts.all()) == [artifact]
    text = artifact.describe(return_str=True)
    assert ".projects" in text and project.name in text and ".records" in text and ".references" in text
    assert record.features.get_values() == {}  # a linked artifact is not a feature value of the record


def test_artifact_feature_with_records_of_a_type(ln, artifact):
    sheet_name = _name("Specimen")
    sheet = ln.Record(name=sheet_name, is_type=True).save()
    specimen = ln.Record(name="SP1", type=sheet).save()
    feature = ln.Feature(name=_name("specimen"), dtype=f"cat[Record[{sheet_name}]]").save()
    artifact.features.add_values({feature.name: "SP1"})
    assert list(artifact.records.all()) == [specimen]
    assert artifact.features.get_values() == {feature.name: "SP1"}
    assert ln.Artifact.filter(**{feature.name: "SP1"}).one() == artifact
    with pytest.raises(ln.errors.ValidationError, match="not in Record"):
        artifact.features.add_values({feature.name: "SP-unknown"})


def test_project_fields_types_and_links(ln):
    program = ln.Project(name=_name("Program"), is_type=True).save()
    project = ln.Project(
        name=_name("Project"), type=program, abbr="P1", start_date=datetime.date(2025, 1, 1), end_date=datetime.date(2025, 12, 31)
    ).save()
    assert list(program.projects.all()) == [project]
    transform = ln.Transform(key=_name("pipeline"), type="pipeline").save()
    transform.projects.add(project)
    record = ln.Record(name=_name("R")).save()
    record.projects.add(project)
    assert ln.Transform.filter(projects=project).one() == transform
    assert ln.Record.filter(projects__abbr="P1").one() == record
    assert ln.Project.get(project.uid).end_date == datetime.date(2025, 12, 31)
    with pytest.raises(ln.errors.FieldValidationError, match="valid fields"):
        ln.Project(name="x", budget=3)


def test_reference_rejects_a_malformed_doi(ln):
    with pytest.raises(ln.errors.ValidationError, match="is not a DOI"):
        ln.Reference(name="bad", doi="doi:nope").save()
    assert not ln.Reference.filter(name="bad").exists()


# -- describe ------------------------------------------------------------------------------------------


def test_describe_each_registry(ln):
    sheet = ln.Record(name=_name("Cohort"), is_type=True).save()
    ln.Feature(name="weight_2x", dtype=float).save()
    record = ln.Record(name="P1", type=sheet, features={"weight_2x": 70.5}).save()
    text = record.describe(return_str=True)
    assert text.startswith("Record") and "name: P1" in text and f"type: {sheet.name}" in text
    assert "Features" in text and "weight_2x  70.5" in text
    project = ln.Project(name="Describe me", abbr="DM", url="https://example.com/dm", start_date=datetime.date(2024, 5, 1)).save()
    text = project.describe(return_str=True)
    assert "name: Describe me" in text and "abbr: DM" in text and "start_date: 2024-05-01" in text
    text = ln.Reference(name="Paper", doi="10.1000/xyz123", pubmed_id=123).save().describe(return_str=True)
    assert "doi: 10.1000/xyz123" in text and "pubmed_id: 123" in text
    assert "name: main" in ln.Branch.get(name="main").describe(return_str=True)
    assert "name: all" in ln.Space.get(name="all").describe(return_str=True)


# -- spaces --------------------------------------------------------------------------------------------


def test_records_live_in_the_space_all_unless_placed(ln, artifact):
    assert artifact.space.name == "all" and ln.ULabel(name=_name("l")).save().space_id == 1
    space = ln.Space(name=_name("Our space"), description="restricted").save()
    label = ln.ULabel(name=_name("secret"), space=space).save()
    assert ln.ULabel.filter(space=space).one() == label
    record = ln.Record(name=_name("r")).save()
    record.space = space
    record.save()
    assert ln.Record.filter(space__name=space.name).one() == record
    assert f"space: {space.name}" in record.describe(return_str=True)


# -- branches ------------------------------------------------------------------------------------------


def test_branch_switch_create_merge(on_main):
    ln = on_main
    name = _name("contrib")
    branch = ln.setup.switch(name, create=True)
    assert branch.pk > 1 and ln.setup.info()["branch"] == name
    df = pd.DataFrame({"x": [uuid.uuid4().int % 10_000]})
    artifact = ln.Artifact.from_df(df, key=f"branches/{name}.parquet").save()
    label = ln.ULabel(name=_name("draft")).save()
    assert artifact.branch_id == branch.pk and artifact.branch == branch and label.branch_id == branch.pk
    assert ln.Artifact.filter(key=artifact.key).one() == artifact  # the current branch is visible
    assert ln.Artifact.filter(branch=branch).one() == artifact
    ln.connect(ln.setup.info()["name"])  # the choice is persisted in the instance's settings
    assert ln.setup.info()["branch"] == name
    ln.setup.switch("main")
    assert not ln.Artifact.filter(key=artifact.key).exists()  # hidden from main
    assert not ln.ULabel.filter(name=label.name).exists()
    assert ln.Artifact.get(artifact.uid) == artifact  # an id still finds it
    assert ln.setup.merge(name) == 2
    assert ln.Artifact.filter(key=artifact.key).one().branch.name == "main"
    assert ln.ULabel.filter(name=label.name).exists()


def test_merge_conflict_moves_nothing(on_main):
    ln = on_main
    name, key = _name("clash"), f"branches/{uuid.uuid4().hex[:8]}.parquet"
    ln.setup.switch(name, create=True)
    on_branch = ln.Artifact.from_df(pd.DataFrame({"v": [key, "1"]}), key=key).save()
    ln.setup.switch("main")
    ln.Artifact.from_df(pd.DataFrame({"v": [key, "2"]}), key=key).save()  # the same key, made on main meanwhile
    with pytest.raises(ln.errors.InvalidArgument, match="clash"):
        ln.setup.merge(name)
    assert ln.Artifact.get(on_branch.uid).branch_id == ln.Branch.get(name=name).pk


def test_versions_on_a_branch(on_main):
    ln = on_main
    ln.setup.switch(_name("versions"), create=True)
    key = f"branches/{uuid.uuid4().hex[:8]}.parquet"
    first = ln.Artifact.from_df(pd.DataFrame({"v": [key, "1"]}), key=key).save()
    second = ln.Artifact.from_df(pd.DataFrame({"v": [key, "2"]}), key=key).save()
    assert second.stem_uid == first.stem_uid and list(second.versions.order_by("uid")) == [ln.Artifact.get(first.uid), second]


def test_branch_errors(on_main):
    ln = on_main
    with pytest.raises(ln.errors.DoesNotExist, match="biolake switch -c nope_2x"):
        ln.setup.switch("nope_2x")
    with pytest.raises(ln.errors.InvalidArgument, match="built-in branch"):
        ln.setup.merge("trash")
    with pytest.raises(ln.errors.InvalidArgument, match="exists already"):
        ln.Branch(name="MAIN").save()
    with pytest.raises(ln.errors.InvalidArgument, match="cannot be deleted"):
        ln.Branch.get(name="main").delete()
    name = _name("self")
    branch = ln.setup.switch(name, create=True)
    with pytest.raises(ln.errors.InvalidArgument, match="switch to the branch to merge into"):
        ln.setup.merge(name)
    with pytest.raises(ln.errors.InvalidArgument, match="is the current branch"):
        branch.delete()
    ln.setup.switch("main")
    branch.delete()
    assert not ln.Branch.filter(name=name).exists()


def test_trash_keeps_working_with_branches(ln, artifact):
    artifact.delete()
    assert artifact.branch.name == "trash"
    assert not ln.Artifact.filter(key=artifact.key).exists()
    assert ln.Artifact.filter(branch=ln.Branch.get(name="trash"), key=artifact.key).one() == artifact
    artifact.restore()
    assert ln.Artifact.filter(key=artifact.key).one().branch.name == "main"


def test_sqlrecord_is_the_base_and_record_the_registry(ln):
    import biolake.models

    assert ln.models.SQLRecord is biolake.models.Record  # LaminDB 1.x's name of the base wins in ln.models
    assert issubclass(ln.Record, ln.models.SQLRecord) and ln.Record is not ln.models.Record
    assert ln.Record._meta.db_table == "biolake_record" and ln.models.Record._meta.abstract


# -- migration of an instance made before these registries ------------------------------------------------


def _instance_at_0002(backend: str, root, name: str) -> tuple[object, str | None]:
    """An instance whose core schema is at migration 0002 (today's main), holding a label.

    Made from a fresh instance by reversing 0003 (fast on both backends); the archive test in
    tests/setup migrates an instance written at 0001 forward through 0003 on SQLite.
    """
    from django.core.management import call_command
    from django.db import connection
    from instance_helpers import make_instance

    from biolake.setup import django_boot

    instance, dbname = make_instance(backend, root, name=name)
    call_command("migrate", "biolake", "0002_features_labels_schemas", verbosity=0)
    assert "biolake_record" not in connection.introspection.table_names()
    now = datetime.datetime.now(datetime.timezone.utc)
    with connection.cursor() as cursor:  # a label as 0002's schema stores it (no space column)
        cursor.execute("SELECT id FROM biolake_user")
        user_id = cursor.fetchone()[0]
        cursor.execute(
            "INSERT INTO biolake_ulabel (uid, name, is_type, branch_id, created_at, updated_at, created_by_id) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s)",
            ["oldLab01", "old label", False, 1, now, now, user_id],
        )
    django_boot.deactivate()
    return instance, dbname


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_instance_at_0002_migrates(backend, tmp_path):
    import biolake as ln
    from instance_helpers import drop_instance

    name = f"at0002x{uuid.uuid4().hex[:6]}"
    instance, dbname = _instance_at_0002(backend, tmp_path / "lake", name)
    try:
        with pytest.raises(ln.errors.MigrationRequiredError, match="0005_registries"):
            ln.connect(name)
        assert "biolake.0005_registries" in ln.setup.migrate(name)
        ln.connect(name)
        label = ln.ULabel.get(name="old label")
        assert label.space.name == "all" and label.branch.name == "main"
        assert sorted(ln.Branch.filter().values_list("name", flat=True)) == ["archive", "main", "trash"]
        assert ln.Record(name="new", features=None).save().space_id == 1
        assert ln.setup.switch("after_migration", create=True).pk >= 2  # ids continue after the built-ins
        assert ln.Space(name="new space").save().pk >= 2
    finally:
        drop_instance(name, dbname)
