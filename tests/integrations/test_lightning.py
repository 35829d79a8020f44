"""ln.integrations.lightning.Checkpoint: a 2-epoch training whose checkpoints become artifacts with metrics."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow

pl = pytest.importorskip("pytorch_lightning")
torch = pytest.importorskip("torch")


class TinyModel(pl.LightningModule):
    def __init__(self) -> None:
        super().__init__()
        self.layer = torch.nn.Linear(2, 1)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = torch.nn.functional.mse_loss(self.layer(x), y)
        self.log("train_loss", loss, on_epoch=True, on_step=False)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        # a schedule that makes the second epoch the best one, whatever the weights do
        self.log("val_loss", torch.nn.functional.mse_loss(self.layer(x), y) * 0 + 1.0 / (self.current_epoch + 1))

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.1)


def loader():
    torch.manual_seed(0)
    x = torch.randn(16, 2)
    data = torch.utils.data.TensorDataset(x, x.sum(dim=1, keepdim=True))
    return torch.utils.data.DataLoader(data, batch_size=8)


def train(tmp_path, **kwargs):
    from biolake.integrations import lightning as ll

    checkpoint = ll.Checkpoint(dirpath=tmp_path / "checkpoints", monitor="val_loss", mode="min", **kwargs)
    trainer = pl.Trainer(
        max_epochs=2, accelerator="cpu", callbacks=[checkpoint], logger=False, enable_progress_bar=False,
        enable_model_summary=False, default_root_dir=tmp_path,
    )
    trainer.fit(TinyModel(), train_dataloaders=loader(), val_dataloaders=loader())
    return checkpoint


def test_two_epochs_save_checkpoints_as_artifacts_of_the_run_with_metrics(ln, tmp_path):
    ln.Feature(name="model_name", dtype=str).save()
    run = ln.track(transform=ln.Transform(key="train-tiny", type="pipeline", version="1"))
    try:
        checkpoint = train(tmp_path, save_top_k=-1, features={"run": {"model_name": "tiny"}})
    finally:
        ln.finish()
    checkpoints = ln.Artifact.filter(run=run, suffix=".ckpt")
    assert checkpoints.count() == 2
    assert sorted(a.key for a in checkpoints) == ["checkpoints/epoch=0-step=2.ckpt", "checkpoints/epoch=1-step=4.ckpt"]
    values = {a.key: a.features.get_values() for a in checkpoints}
    first = values["checkpoints/epoch=0-step=2.ckpt"]
    assert first["epoch"] == 0 and first["step"] == 2 and first["val_loss"] == pytest.approx(1.0)
    assert "train_loss" in first and first["is_best_model"] is False
    best = ln.Artifact.filter(run=run, suffix=".ckpt", is_best_model=True).one()
    assert best.key == "checkpoints/epoch=1-step=4.ckpt"
    assert ln.Artifact.filter(run=run, suffix=".ckpt", val_loss__lt=0.75).one() == best  # queryable by metric
    assert best.kind == "model" and checkpoint.last_checkpoint_artifact == best
    state = torch.load(best.cache(), map_location="cpu", weights_only=False)
    assert state["epoch"] == 1 and "layer.weight" in state["state_dict"]
    assert run.features.get_values()["model_name"] == "tiny"


def test_a_checkpoint_file_written_again_is_a_new_version_of_its_key(ln, tmp_path):
    run = ln.track(transform=ln.Transform(key="train-tiny-model", type="pipeline", version="1"))
    try:
        train(tmp_path, save_top_k=-1, filename="model", enable_version_counter=False)
    finally:
        ln.finish()
    latest = ln.Artifact.get(key="checkpoints/model.ckpt")
    versions = latest.versions.order_by("uid")
    assert versions.count() == 2
    assert [v.is_latest for v in versions] == [False, True]
    assert {v.run_id for v in versions} == {run.id}
