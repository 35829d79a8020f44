"""PyTorch Lightning: checkpoints saved as artifacts of the current run, annotated with metrics.

Needs ``pip install biolake[lightning]`` (``pytorch-lightning``). Each checkpoint file Lightning
writes becomes an artifact keyed by its path (``{dirpath}/{filename}.ckpt``); the same file
name written again (``last.ckpt``) is a new version of that key. The metrics Lightning logged
when the checkpoint was written are its feature values (float features, created on first use),
with ``epoch``, ``step`` and ``is_best_model`` (the callback's best by ``monitor``).

Example:
    >>> import biolake as ln
    >>> from biolake.integrations import lightning as ll
    >>> run = ln.track()  # doctest: +SKIP
    >>> checkpoint = ll.Checkpoint(dirpath="checkpoints", monitor="val_loss", save_top_k=-1)  # doctest: +SKIP
    >>> pl.Trainer(max_epochs=2, callbacks=[checkpoint]).fit(model, data)  # doctest: +SKIP
    >>> ln.Artifact.filter(run=run, suffix=".ckpt", is_best_model=True).one()  # doctest: +SKIP
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

from biolake import _logging as log
from biolake import _process
from biolake.errors import InvalidArgument
from biolake.models import Artifact, Feature

try:
    from pytorch_lightning.callbacks import ModelCheckpoint
except ImportError as error:
    raise ImportError("biolake.integrations.lightning needs PyTorch Lightning: pip install 'biolake[lightning]'") from error

__all__ = ["Checkpoint"]

BEST_FEATURE = "is_best_model"


class Checkpoint(ModelCheckpoint):
    """A ``ModelCheckpoint`` that saves every checkpoint it writes as an artifact of the current run.

    Args:
        dirpath: folder of the checkpoint files; also the prefix of their keys (a relative path
            as given, an absolute one relative to the working directory, else its last folder name).
        features: ``{"artifact": {...}, "run": {...}}``: further feature values for each checkpoint
            artifact and, once, for the run (the features must exist).
        **kwargs: everything ``ModelCheckpoint`` takes (``monitor``, ``mode``, ``save_top_k``,
            ``save_last``, ``filename``, ``every_n_epochs``, ...).
    """

    def __init__(self, dirpath: str | os.PathLike[str], *, features: dict[str, dict[str, Any]] | None = None, **kwargs: Any) -> None:
        unknown = set(features or {}) - {"artifact", "run"}
        if unknown:
            raise InvalidArgument(f"Checkpoint(features=...) takes the keys 'artifact' and 'run', not {sorted(unknown)}.")
        super().__init__(dirpath=Path(dirpath), **kwargs)
        self.features = {"artifact": {}, "run": {}, **(features or {})}
        self.checkpoint_key_prefix = _key_prefix(Path(dirpath))
        self.artifacts: dict[str, Any] = {}  # checkpoint file path → its latest artifact
        self.last_checkpoint_artifact: Any = None

    def setup(self, trainer: Any, pl_module: Any, stage: str) -> None:
        """Lightning's set-up, then the run-level feature values."""
        super().setup(trainer, pl_module, stage)
        run = _process.run.get()
        if run is not None and self.features["run"]:
            run.features.add_values(self.features["run"])

    def _save_checkpoint(self, trainer: Any, filepath: str) -> None:
        super()._save_checkpoint(trainer, filepath)
        if trainer.is_global_zero:
            self._save_artifact(trainer, Path(filepath))

    def _save_artifact(self, trainer: Any, path: Path) -> None:
        key = f"{self.checkpoint_key_prefix}/{path.name}" if self.checkpoint_key_prefix else path.name
        artifact = Artifact(path, key=key, kind="model", description=f"checkpoint {path.stem}").save()
        metrics = {"epoch": int(trainer.current_epoch), "step": int(trainer.global_step), **_metrics(trainer)}
        _ensure_features(metrics)
        artifact.features.add_values({**metrics, **self.features["artifact"]})
        self.artifacts[str(path)] = artifact
        self.last_checkpoint_artifact = artifact
        self._mark_best()
        log.info(f"saved checkpoint {key} as Artifact('{artifact.uid}')")

    def _mark_best(self) -> None:
        if not self.monitor:
            return
        _ensure_features({BEST_FEATURE: True})
        best = str(Path(self.best_model_path)) if self.best_model_path else None
        for path, artifact in self.artifacts.items():
            artifact.features.remove_values(BEST_FEATURE)
            artifact.features.add_values({BEST_FEATURE: path == best})


def _key_prefix(dirpath: Path) -> str:
    if not dirpath.is_absolute():
        return dirpath.as_posix().strip("/").removeprefix("./")
    try:
        return dirpath.resolve().relative_to(Path.cwd().resolve()).as_posix().strip(".")
    except ValueError:
        return dirpath.name


def _metrics(trainer: Any) -> dict[str, float]:
    values: dict[str, float] = {}
    for name, value in trainer.callback_metrics.items():
        number = float(value.item() if hasattr(value, "item") else value)
        if math.isfinite(number):
            values[str(name)] = number
    return values


def _ensure_features(values: dict[str, Any]) -> None:
    existing = set(Feature.filter(name__in=list(values)).values_list("name", flat=True))
    for name, value in values.items():
        if name not in existing:
            dtype = bool if isinstance(value, bool) else int if isinstance(value, int) else float
            Feature(name=name, dtype=dtype).save()
