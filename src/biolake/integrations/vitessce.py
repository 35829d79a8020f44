"""Vitessce view configs over biolake artifacts: validate, save as an artifact, keep lineage.

``save_vitessce_config`` takes a ``vitessce.VitessceConfig`` (``pip install biolake[vitessce]``)
or its dict form (``config.to_dict(base_url=...)``); every file URL in it must be the path of a
saved artifact. The config is stored as a ``.vitessce.json`` artifact, the output of a run of
the transform ``save_vitessce_config`` whose inputs are the artifacts it shows.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any
from urllib.parse import unquote, urlsplit

from django.utils import timezone

from biolake import _process
from biolake.errors import InvalidArgument
from biolake.models import Artifact, Run, Transform
from biolake.setup.settings import settings
from biolake.models.uids import random_base62

CONFIG_SUFFIX = ".vitessce.json"
CONFIG_KIND = "__biolake_config__"
TRANSFORM_KEY = "save_vitessce_config"
_UID_IN_NAME = re.compile(r"^([0-9A-Za-z]{20})(\.[\w.]+)?$")

__all__ = ["CONFIG_KIND", "CONFIG_SUFFIX", "config_artifacts", "save_vitessce_config"]


def save_vitessce_config(
    vitessce_config: Any, key: str | None = None, description: str | None = None
) -> Any:
    """Validate a Vitessce config over artifacts and save it as a ``.vitessce.json`` artifact.

    Args:
        vitessce_config: a ``vitessce.VitessceConfig`` or its dict form.
        key: the key of the config artifact (default: none; ``description`` names it).
        description: a description of the view.

    Returns:
        The saved config artifact; ``artifact.load()`` gives the config dict back, and
        ``artifact.run.input_artifacts`` are the datasets it shows.

    Example:
        >>> vc = VitessceConfig(schema_version="1.0.15", name="blood")  # doctest: +SKIP
        >>> vc.add_dataset(name="blood").add_file(url=str(artifact.path), file_type="anndata.h5ad")  # doctest: +SKIP
        >>> ln.integrations.save_vitessce_config(vc, description="blood atlas view")  # doctest: +SKIP
    """
    config = _as_dict(vitessce_config)
    artifacts = config_artifacts(config)
    if key is not None and not key.endswith(CONFIG_SUFFIX):
        raise InvalidArgument(f"The key of a Vitessce config must end in {CONFIG_SUFFIX!r}, got {key!r}.")
    run = _config_run(artifacts)
    path = settings.cache_dir / "vitessce" / f"{random_base62(16)}{CONFIG_SUFFIX}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(config, indent=2, sort_keys=True), encoding="utf-8")
    artifact = Artifact(path, key=key, description=description or config.get("name") or None, kind=CONFIG_KIND)
    if artifact._state.adding:
        artifact.run = run
    artifact.save()
    path.unlink(missing_ok=True)
    return artifact


def _as_dict(config: Any) -> dict[str, Any]:
    if hasattr(config, "to_dict") and not isinstance(config, dict):
        config = config.to_dict(base_url=None)
    if not isinstance(config, dict):
        raise InvalidArgument(
            f"save_vitessce_config() takes a vitessce.VitessceConfig or its dict form, got {type(config).__name__}."
        )
    if not isinstance(config.get("datasets"), list) or "version" not in config:
        raise InvalidArgument("This is not a Vitessce config: it needs a 'version' and a list of 'datasets'.")
    return copy.deepcopy(config)


def _file_urls(config: dict[str, Any]) -> list[str]:
    urls: list[str] = []
    for dataset in config["datasets"]:
        for file in dataset.get("files") or []:
            urls += [str(v) for v in _url_values(file)]
    return urls


def _url_values(node: Any) -> list[Any]:
    """Values of ``url`` entries (``url``, ``offsetsUrl``, ``refSpecUrl``, ...) anywhere in a file entry."""
    if isinstance(node, dict):
        found = [v for k, v in node.items() if k.lower().endswith("url") and isinstance(v, str)]
        return found + [u for k, v in node.items() if not (k.lower().endswith("url") and isinstance(v, str)) for u in _url_values(v)]
    if isinstance(node, list):
        return [u for item in node for u in _url_values(item)]
    return []


def config_artifacts(config: dict[str, Any]) -> list[Any]:
    """The artifacts a Vitessce config (dict form) shows, in order; refuses a URL that is no artifact."""
    urls = _file_urls(config)
    if not urls:
        raise InvalidArgument("The Vitessce config shows no file: add artifacts with add_file(url=str(artifact.path), ...).")
    found: dict[str, Any] = {}
    for url in urls:
        artifact = _artifact_at(url)
        if artifact is None:
            raise InvalidArgument(
                f"The Vitessce config refers to {url!r}, which is not a saved artifact: save the data with "
                "ln.Artifact(...).save() and use str(artifact.path) as the file's URL."
            )
        found.setdefault(artifact.uid, artifact)
    return list(found.values())


def _normalize(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme in ("", "file"):
        return unquote(parts.path if parts.scheme else url).rstrip("/")
    return f"{parts.scheme}://{parts.netloc}{unquote(parts.path)}".rstrip("/")


def _artifact_at(url: str) -> Any:
    target = _normalize(url)
    for segment in reversed(target.split("/")):
        match = _UID_IN_NAME.match(segment)
        if match is None:
            continue
        artifact = Artifact.filter(uid=match.group(1)).first()
        if artifact is not None and _same_place(artifact, target):
            return artifact
    suffix = "." + target.rsplit("/", 1)[-1].split(".", 1)[-1] if "." in target.rsplit("/", 1)[-1] else ""
    for artifact in Artifact.filter(suffix__iexact=suffix, managed=False) if suffix else []:
        if _same_place(artifact, target):
            return artifact
    return None


def _same_place(artifact: Any, target: str) -> bool:
    place = _normalize(str(artifact.path))
    return target == place or target.startswith(place + "/")


def _config_run(artifacts: list[Any]) -> Any:
    transform = Transform.filter(key=TRANSFORM_KEY, type="function").order_by("-uid").first()
    if transform is None:
        transform = Transform(key=TRANSFORM_KEY, type="function", description="Save a Vitessce config").save()
    now = timezone.now()
    run = Run(transform=transform, started_at=now, initiated_by_run=_process.run.get()).save()
    run.input_artifacts.add(*artifacts)
    run.finished_at, run.status = timezone.now(), "completed"
    return run.save()
