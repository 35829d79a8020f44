"""OpenLineage export of runs, validated against the RunEvent schema, on SQLite and PostgreSQL.

The schema (``openlineage_run_event_schema.json`` beside this file) is written for these
tests from the spec's required fields; nothing is downloaded.
"""

from __future__ import annotations

import datetime as dt
import json
import types
import uuid
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pandas as pd
import pytest
from click.testing import CliRunner

from biolake.lineage.openlineage import PRODUCER, SCHEMA_URL, export, run_events, run_id

PREFIX = "lineage-ol/"
SCHEMA = json.loads((Path(__file__).parent / "openlineage_run_event_schema.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
T0 = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.timezone.utc)


def _artifact(ln, name, run=None, key=True, kind="dataset"):
    df = pd.DataFrame({"name": [f"{PREFIX}{name}"]})
    artifact = ln.Artifact.from_df(df, key=f"{PREFIX}{name}.parquet" if key else None, description=name, kind=kind)
    artifact.run = run
    return artifact.save()


@pytest.fixture(scope="module")
def lab(instance) -> Iterator[types.SimpleNamespace]:
    import biolake as ln

    ln.connect(instance.name)
    x = types.SimpleNamespace()
    x.transform = ln.Transform(key=f"{PREFIX}clean.py", type="script", source_code="print('clean')\n").save()
    x.raw = _artifact(ln, "raw")
    x.unkeyed = _artifact(ln, "unkeyed", key=False)
    x.member = _artifact(ln, "member")
    x.inputs = ln.Collection([x.member], key=f"{PREFIX}inputs").save()
    x.run = ln.Run(
        transform=x.transform, params={"lr": 0.1, "layers": [2, 3]}, status="completed",
        started_at=T0, finished_at=T0 + dt.timedelta(minutes=5),
    ).save()
    x.run.input_artifacts.add(x.raw, x.unkeyed)
    x.run.input_collections.add(x.inputs)
    x.out = _artifact(ln, "out", x.run)
    x.env = _artifact(ln, "env", x.run, kind="__biolake_run__")
    x.run.environment = x.env
    x.run.save()
    x.child = ln.Run(transform=x.transform, status="errored", initiated_by_run=x.run, started_at=T0).save()
    yield x


def validate(event: dict) -> None:
    errors = sorted(VALIDATOR.iter_errors(event), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)
    assert uuid.UUID(event["run"]["runId"]).version == 5
    dt.datetime.fromisoformat(event["eventTime"].replace("Z", "+00:00"))


def test_the_test_schema_is_valid_and_strict():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    good = {
        "eventType": "START", "eventTime": "2024-05-01T12:00:00Z", "producer": PRODUCER, "schemaURL": SCHEMA_URL,
        "run": {"runId": str(uuid.uuid4()), "facets": {"x": {"_producer": PRODUCER, "_schemaURL": SCHEMA_URL}}},
        "job": {"namespace": "ns", "name": "job"},
        "inputs": [{"namespace": "file", "name": "a"}],
    }
    assert VALIDATOR.is_valid(good)
    bad_variants = [
        {**good, "eventType": "DONE"},
        {**good, "eventTime": "yesterday"},
        {**good, "run": {"runId": "not-a-uuid"}},
        {**good, "run": {"runId": str(uuid.uuid4()), "facets": {"x": {"_producer": PRODUCER}}}},
        {**good, "job": {"namespace": "ns"}},
        {**good, "inputs": [{"name": "a"}]},
        {k: v for k, v in good.items() if k != "schemaURL"},
    ]
    for bad in bad_variants:
        assert not VALIDATOR.is_valid(bad), bad


def test_completed_run_gives_start_and_complete(ln, lab):
    events = run_events(lab.run)
    assert [e["eventType"] for e in events] == ["START", "COMPLETE"]
    for event in events:
        validate(event)
    start, complete = events
    assert start["eventTime"] == "2024-05-01T12:00:00Z" and complete["eventTime"] == "2024-05-01T12:05:00Z"
    assert start["run"]["runId"] == complete["run"]["runId"] == run_id(lab.run)
    assert start["producer"] == PRODUCER and start["schemaURL"] == SCHEMA_URL
    assert start["schemaURL"] == "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"


def test_run_id_is_a_stable_uuid_of_the_uid(ln, lab):
    first, again = run_id(lab.run), run_id(ln.Run.get(lab.run.uid))
    assert first == again and first != run_id(lab.child)
    assert str(uuid.UUID(first)) == first


def test_run_and_job_facets(ln, lab, instance):
    complete = run_events(lab.run)[-1]
    facet = complete["run"]["facets"]["biolake"]
    assert facet["uid"] == lab.run.uid and facet["status"] == "completed"
    assert facet["params"] == {"lr": 0.1, "layers": [2, 3]}
    assert facet["_producer"] == PRODUCER and facet["_schemaURL"].startswith("https://")
    job = complete["job"]
    assert job["namespace"] == instance.name and job["name"] == f"{PREFIX}clean.py"
    assert job["facets"]["jobType"]["jobType"] == "SCRIPT" and job["facets"]["jobType"]["processingType"] == "BATCH"
    assert job["facets"]["sourceCode"] == {
        "_producer": PRODUCER,
        "_schemaURL": job["facets"]["sourceCode"]["_schemaURL"],
        "language": "python",
        "sourceCode": "print('clean')\n",
    }


def test_datasets(ln, lab):
    start, complete = run_events(lab.run)
    root = ln.settings.storage
    names = [(d["namespace"], d["name"]) for d in complete["inputs"]]
    assert names == [
        (root, f"{PREFIX}raw.parquet"),
        (root, f".biolake/{lab.unkeyed.uid}.parquet"),  # no key: its managed path
        (ln.settings.instance.name, f"{PREFIX}inputs"),
    ]
    assert start["inputs"] == complete["inputs"] and start["outputs"] == []
    assert [d["name"] for d in complete["outputs"]] == [f"{PREFIX}out.parquet"]  # not the environment
    facet = complete["outputs"][0]["facets"]["biolake"]
    assert facet["uid"] == lab.out.uid and facet["hash"] == lab.out.hash and facet["hashType"] == "blake3"
    assert facet["size"] == lab.out.size and facet["storageRoot"] == root and facet["suffix"] == ".parquet"
    assert facet["path"] == str(lab.out.path)
    assert complete["outputs"][0]["facets"]["version"]["datasetVersion"] == lab.out.uid
    assert complete["inputs"][2]["facets"]["biolake"]["type"] == "collection"


def test_statuses_map_to_event_types(ln, lab):
    child = run_events(lab.child)
    assert [e["eventType"] for e in child] == ["START", "FAIL"]
    assert child[0]["inputs"] == [] and child[1]["outputs"] == []
    parent = child[0]["run"]["facets"]["parent"]
    assert parent["run"]["runId"] == run_id(lab.run)
    assert parent["job"] == {"namespace": ln.settings.instance.name, "name": f"{PREFIX}clean.py"}
    expected_types = {"started": ["START", "RUNNING"], "aborted": ["START", "ABORT"], "scheduled": ["OTHER"]}
    for status, expected in expected_types.items():
        run = ln.Run(transform=lab.transform, status=status).save()
        events = run_events(run)
        assert [e["eventType"] for e in events] == expected
        for event in events:
            validate(event)


def test_unsaved_run_fails_clearly(ln, lab):
    with pytest.raises(ln.errors.ValidationError, match="Save the Run"):
        run_events(ln.Run(transform=lab.transform))


def test_export_writes_json_lines(ln, lab, tmp_path):
    target = tmp_path / "events.jsonl"
    events = export(lab.run, target)
    lines = target.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == events and len(lines) == 2
    assert export(lab.run) == events  # no path: nothing written, same events


def test_tracked_pipeline_exports_valid_events(ln):
    source = _artifact(ln, "tracked-source")
    run = ln.track(transform=ln.Transform(key=f"{PREFIX}pipeline", type="pipeline", version="1"), params={"k": 1})
    try:
        source.load()
        _artifact(ln, "tracked-out", run)
    finally:
        finished = ln.finish()
    assert finished.environment is not None
    events = run_events(finished)
    for event in events:
        validate(event)
    assert [e["eventType"] for e in events] == ["START", "COMPLETE"]
    assert [d["name"] for d in events[-1]["inputs"]] == [f"{PREFIX}tracked-source.parquet"]
    assert [d["name"] for d in events[-1]["outputs"]] == [f"{PREFIX}tracked-out.parquet"]
    assert events[-1]["job"]["facets"]["jobType"]["jobType"] == "PIPELINE"


# -- the command line ------------------------------------------------------------------------------


def _cli(*args: str):
    from biolake.cli import main

    return CliRunner().invoke(main, list(args))


def test_cli_export_prints_json_lines(ln, lab):
    result = _cli("lineage", "export", "--format", "openlineage", lab.run.uid)
    assert result.exit_code == 0, result.output
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert events == run_events(lab.run)
    prefix = _cli("lineage", "export", lab.run.uid[:10])  # a unique prefix; openlineage is the default
    assert prefix.exit_code == 0 and prefix.stdout == result.stdout


def test_cli_export_to_a_file(ln, lab, tmp_path):
    target = tmp_path / "out" / "run.jsonl"
    target.parent.mkdir()
    result = _cli("lineage", "export", lab.run.uid, "-o", str(target))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert [json.loads(line)["eventType"] for line in target.read_text().splitlines()] == ["START", "COMPLETE"]


def test_cli_unknown_run_is_a_one_line_error(ln):
    result = _cli("lineage", "export", "--format", "openlineage", "noSuchRunUid0000")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines == ["Error: No run with uid 'noSuchRunUid0000'."], result.stderr
    assert "Traceback" not in result.output
    bad_format = _cli("lineage", "export", "--format", "csv", "noSuchRunUid0000")
    assert bad_format.exit_code == 2 and "openlineage" in bad_format.stderr
