"""Pages show what queries show: main plus the current branch; only the trash is "trashed"."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from instance_helpers import drop_instance, make_instance


@pytest.fixture
def on_branch(tmp_path: Path) -> Any:
    import biolake as ln

    inst, dbname = make_instance("sqlite", tmp_path / "storage")
    ln.setup.switch("feature-x", create=True)
    yield ln
    ln.setup.switch("main")
    drop_instance(inst.name, dbname)


def test_artifact_on_the_current_branch_is_linked_and_not_trashed(on_branch: Any, tmp_path: Path) -> None:
    from django.test import Client

    from biolake.web.app import configure
    from biolake.web.config import WebConfig

    ln = on_branch
    path = tmp_path / "notes.txt"
    path.write_text("on a branch")
    label = ln.ULabel(name="branch-label").save()
    artifact = ln.Artifact(path, key="notes.txt").save()
    artifact.ulabels.add(label)
    ln.Collection([artifact], key="branch-collection").save()
    configure(WebConfig())
    client = Client()

    page = client.get(f"/artifacts/{artifact.uid}/").content.decode()
    assert "trashed" not in page.lower()
    assert "branch-collection" in page

    label_page = client.get(f"/registries/ULabel/{label.uid}/").content.decode()
    assert "notes.txt" in label_page

    artifact.delete()
    assert "trashed" in client.get(f"/artifacts/{artifact.uid}/").content.decode().lower()
