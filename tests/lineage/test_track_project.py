"""``ln.track(project=..., space=...)`` labels what the run creates (LaminDB's track arguments)."""

from __future__ import annotations

import pandas as pd
import pytest


def test_project_labels_the_transform_and_what_the_run_creates(ln):
    project = ln.Project(name="Atlas 2026").save()
    before = ln.Artifact.from_df(pd.DataFrame({"a": [0]}), key="proj/before.parquet").save()
    run = ln.track(transform=ln.Transform(key="atlas-pipeline", type="pipeline"), project="Atlas 2026")
    try:
        artifact = ln.Artifact.from_df(pd.DataFrame({"a": [1]}), key="proj/out.parquet").save()
        collection = ln.Collection([artifact], key="proj/collection").save()
        record = ln.Record(name="sample-1").save()
        label = ln.ULabel(name="proj-label").save()  # a registry without projects: nothing to link
    finally:
        finished = ln.finish()
    assert list(run.transform.projects.all()) == [project]
    assert list(artifact.projects.all()) == [project]
    assert list(collection.projects.all()) == [project]
    assert list(record.projects.all()) == [project]
    assert label.pk is not None
    assert before.projects.count() == 0
    assert finished.report is None or finished.report.projects.count() == 0
    assert finished.environment.projects.count() == 0
    after = ln.Artifact.from_df(pd.DataFrame({"a": [2]}), key="proj/after.parquet").save()
    assert after.projects.count() == 0
    assert set(ln.Artifact.filter(projects__name="Atlas 2026").values_list("key", flat=True)) == {"proj/out.parquet"}


def test_project_by_uid_and_space_by_name(ln):
    project = ln.Project(name="By uid").save()
    space = ln.Space(name="lab-space").save()
    ln.track(transform=ln.Transform(key="uid-pipeline", type="pipeline"), project=project.uid, space="lab-space")
    try:
        artifact = ln.Artifact.from_df(pd.DataFrame({"b": [1]}), key="proj/space.parquet").save()
    finally:
        ln.finish()
    assert artifact.space == space and list(artifact.projects.all()) == [project]
    assert ln.Artifact.from_df(pd.DataFrame({"b": [2]}), key="proj/nospace.parquet").save().space.name == "all"


def test_unknown_project_is_refused_before_anything_is_created(ln):
    from biolake.errors import TrackingError

    runs = ln.Run.filter().count()
    with pytest.raises(TrackingError, match=r"Project 'no such project' not found: create it with ln.Project\(name="):
        ln.track(transform=ln.Transform(key="never", type="pipeline"), project="no such project")
    assert ln.Run.filter().count() == runs
    assert not ln.Transform.filter(key="never").exists()
    assert ln.context.run is None


def test_bulk_saved_records_are_labelled_too(ln):
    project = ln.Project(name="Bulk project").save()
    ln.track(transform=ln.Transform(key="bulk-pipeline", type="pipeline"), project=project)
    try:
        records = ln.save([ln.Record(name=f"bulk-{i}") for i in range(5)])
    finally:
        ln.finish()
    assert all(list(record.projects.all()) == [project] for record in records)
    assert project.records.count() == 5
