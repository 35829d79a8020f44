"""Export runs as OpenLineage RunEvents (JSON), for Marquez, DataHub, OpenMetadata and the like.

A run becomes two events with the same ``runId`` (a UUID derived from the run's uid, so
exporting twice gives the same id): ``START`` at ``started_at`` and one event for its
status at ``finished_at`` (``completed`` → ``COMPLETE``, ``errored`` → ``FAIL``,
``aborted`` → ``ABORT``, still ``started`` → ``RUNNING``). The job is the transform
(namespace: the instance name); datasets are artifacts (namespace: their storage root;
name: their key, else their managed path) and collections. biolake's own fields travel
in custom facets named ``biolake``. The schema URLs are identifiers only; nothing is fetched.

Example:
    >>> events = ln.lineage.openlineage.export(run, "events.jsonl")  # doctest: +SKIP
    >>> [e["eventType"] for e in events]  # doctest: +SKIP
    ['START', 'COMPLETE']
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import uuid
from os import PathLike
from pathlib import Path
from typing import Any

from biolake import __version__
from biolake.errors import ValidationError
from biolake.models import Run
from biolake.models.constants import RUN_ARTIFACT_KIND
from biolake.setup.settings import settings
from biolake.storage.paths import managed_key

__all__ = ["PRODUCER", "SCHEMA_URL", "export", "run_events", "run_id"]

PRODUCER = f"https://github.com/biolake/biolake/tree/v{__version__}"
SCHEMA_URL = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"
_FACETS_URL = "https://github.com/biolake/biolake/blob/main/spec/openlineage"
_RUN_FACET_URL = f"{_FACETS_URL}/BiolakeRunFacet.json#/$defs/BiolakeRunFacet"
_JOB_FACET_URL = f"{_FACETS_URL}/BiolakeJobFacet.json#/$defs/BiolakeJobFacet"
_DATASET_FACET_URL = f"{_FACETS_URL}/BiolakeDatasetFacet.json#/$defs/BiolakeDatasetFacet"
_JOB_TYPE_URL = "https://openlineage.io/spec/facets/2-0-2/JobTypeJobFacet.json#/$defs/JobTypeJobFacet"
_SOURCE_CODE_URL = "https://openlineage.io/spec/facets/1-0-1/SourceCodeJobFacet.json#/$defs/SourceCodeJobFacet"
_PARENT_URL = "https://openlineage.io/spec/facets/1-0-1/ParentRunFacet.json#/$defs/ParentRunFacet"
_VERSION_URL = (
    "https://openlineage.io/spec/facets/1-0-1/DatasetVersionDatasetFacet.json#/$defs/DatasetVersionDatasetFacet"
)

# run ids: uuid5 of the run uid in this namespace (itself derived from the producer's URL)
_RUN_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/biolake/biolake#run")
_FINAL_EVENT = {"completed": "COMPLETE", "errored": "FAIL", "aborted": "ABORT", "started": "RUNNING"}
_LANGUAGES = {".py": "python", ".ipynb": "python", ".r": "r", ".rmd": "r", ".sh": "bash", ".sql": "sql"}


def run_id(run: Any) -> str:
    """The OpenLineage ``runId`` of a run: a UUID derived from its uid (the same on every export)."""
    return str(uuid.uuid5(_RUN_NAMESPACE, run.uid))


def run_events(run: Any) -> list[dict[str, Any]]:
    """The OpenLineage RunEvents of a run, oldest first.

    ``START`` at ``started_at`` with the inputs, then ``COMPLETE``/``FAIL``/``ABORT`` (or
    ``RUNNING`` while the run is still going, timed now) at ``finished_at`` with inputs and
    outputs. A run that is only ``scheduled`` gives a single ``OTHER`` event.

    Example:
        >>> [e["eventType"] for e in run_events(run)]  # doctest: +SKIP
        ['START', 'COMPLETE']
    """
    run = _fresh(run)
    base = {"run": _run(run), "job": _job(run)}
    inputs = _inputs(run)
    if run.status == "scheduled":
        return [_event("OTHER", run.started_at, base, inputs, [])]
    outputs = _outputs(run)
    final_type = _FINAL_EVENT.get(run.status, "OTHER")
    final_time = run.finished_at or (_now() if final_type == "RUNNING" else run.started_at)
    return [
        _event("START", run.started_at, base, inputs, []),
        _event(final_type, final_time, base, inputs, outputs),
    ]


def export(run: Any, path: str | PathLike[str] | None = None) -> list[dict[str, Any]]:
    """The RunEvents of a run; with ``path``, also written there as JSON lines (one event a line).

    Example:
        >>> export(run, "run-events.jsonl")  # doctest: +SKIP
    """
    events = run_events(run)
    if path is not None:
        Path(path).write_text("".join(to_json_line(e) + "\n" for e in events), encoding="utf-8")
    return events


def to_json_line(event: dict[str, Any]) -> str:
    """One event as a compact JSON line (keys in a fixed order)."""
    return json.dumps(event, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


# -- pieces -----------------------------------------------------------------------------------


def _fresh(run: Any) -> Any:
    """The run re-read with its transform and parent run in one query."""
    if run._state.adding or run.pk is None:
        raise ValidationError("Save the Run before exporting its OpenLineage events.")
    return Run.objects.using(run._state.db or "default").select_related("transform", "initiated_by_run__transform").get(
        pk=run.pk
    )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _time(value: dt.datetime) -> str:
    """RFC 3339 in UTC, e.g. ``2024-05-01T12:00:00.123456Z``."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z")


def _facet(schema_url: str, **fields: Any) -> dict[str, Any]:
    return {"_producer": PRODUCER, "_schemaURL": schema_url, **fields}


def _event(
    event_type: str, time: dt.datetime, base: dict[str, Any], inputs: list[Any], outputs: list[Any]
) -> dict[str, Any]:
    event: dict[str, Any] = {"eventType": event_type, "eventTime": _time(time), "producer": PRODUCER, "schemaURL": SCHEMA_URL}
    event.update(copy.deepcopy({**base, "inputs": inputs, "outputs": outputs}))  # events share no objects
    return event


def _namespace() -> str:
    """The job namespace: the instance's name (its storage root if it has none)."""
    instance = settings.instance
    return instance.name or instance.storage_root


def _run(run: Any) -> dict[str, Any]:
    facets: dict[str, Any] = {
        "biolake": _facet(
            _RUN_FACET_URL,
            uid=run.uid,
            name=run.name,
            status=run.status,
            params=run.params,
            startedAt=_time(run.started_at),
            finishedAt=_time(run.finished_at) if run.finished_at else None,
        )
    }
    parent = run.initiated_by_run
    if parent is not None:
        facets["parent"] = _facet(
            _PARENT_URL,
            run={"runId": run_id(parent)},
            job={"namespace": _namespace(), "name": _job_name(parent.transform)},
        )
    return {"runId": run_id(run), "facets": facets}


def _job_name(transform: Any) -> str:
    return transform.key or transform.uid


def _job(run: Any) -> dict[str, Any]:
    transform = run.transform
    facets: dict[str, Any] = {
        "jobType": _facet(_JOB_TYPE_URL, processingType="BATCH", integration="BIOLAKE", jobType=transform.type.upper()),
        "biolake": _facet(
            _JOB_FACET_URL,
            uid=transform.uid,
            type=transform.type,
            version=transform.version,
            hash=transform.hash,
            reference=transform.reference,
        ),
    }
    if transform.source_code:
        suffix = Path(transform.key or "").suffix.lower()
        facets["sourceCode"] = _facet(
            _SOURCE_CODE_URL, language=_LANGUAGES.get(suffix, "unknown"), sourceCode=transform.source_code
        )
    return {"namespace": _namespace(), "name": _job_name(transform), "facets": facets}


def _inputs(run: Any) -> list[dict[str, Any]]:
    artifacts = run.input_artifacts.exclude(kind=RUN_ARTIFACT_KIND).select_related("storage").order_by("id")
    collections = run.input_collections.order_by("id")
    return [*(_artifact_dataset(a) for a in artifacts), *(_collection_dataset(c) for c in collections)]


def _outputs(run: Any) -> list[dict[str, Any]]:
    artifacts = run.output_artifacts.exclude(kind=RUN_ARTIFACT_KIND).select_related("storage").order_by("id")
    collections = run.output_collections.order_by("id")
    return [*(_artifact_dataset(a) for a in artifacts), *(_collection_dataset(c) for c in collections)]


def _artifact_dataset(artifact: Any) -> dict[str, Any]:
    name = artifact.key if artifact.key else managed_key(artifact.uid, artifact.suffix)
    facets = {
        "version": _facet(_VERSION_URL, datasetVersion=artifact.uid),
        "biolake": _facet(
            _DATASET_FACET_URL,
            type="artifact",
            uid=artifact.uid,
            key=artifact.key,
            version=artifact.version,
            storageRoot=artifact.storage.root,
            path=str(artifact.path),
            suffix=artifact.suffix,
            size=artifact.size,
            hash=artifact.hash,
            hashType=artifact.hash_type,
        ),
    }
    return {"namespace": artifact.storage.root, "name": name, "facets": facets}


def _collection_dataset(collection: Any) -> dict[str, Any]:
    facets = {
        "version": _facet(_VERSION_URL, datasetVersion=collection.uid),
        "biolake": _facet(
            _DATASET_FACET_URL,
            type="collection",
            uid=collection.uid,
            key=collection.key,
            version=collection.version,
            hash=collection.hash,
        ),
    }
    return {"namespace": _namespace(), "name": collection.key or collection.uid, "facets": facets}
