"""The environment text of a run: every installed distribution as ``name==version``."""

from __future__ import annotations

import importlib.metadata
import platform

from biolake.lineage import environment


def test_pip_freeze_lists_what_importlib_metadata_parses():
    expected = {}
    for dist in importlib.metadata.distributions():
        name = dist.metadata["Name"]
        if name:
            expected.setdefault(environment._normalize(name), f"{name}=={dist.version}")
    lines = environment.pip_freeze().splitlines()
    assert lines[0] == f"# python {platform.python_version()}"
    assert lines[1:] == sorted(expected.values(), key=str.lower) and len(lines) > 10


def test_metadata_without_a_name_or_with_a_long_description(tmp_path, monkeypatch):
    good = tmp_path / "good_pkg-1.2.dist-info"
    good.mkdir()
    (good / "METADATA").write_text("Metadata-Version: 2.1\nName: good-pkg\nVersion: 1.2\n\n" + "Name: not-a-header\n" * 1000)
    nameless = tmp_path / "nameless-0.1.dist-info"
    nameless.mkdir()
    (nameless / "METADATA").write_text("Metadata-Version: 2.1\nVersion: 0.1\n\nName: in-the-description\n")
    dists = [importlib.metadata.PathDistribution(good), importlib.metadata.PathDistribution(nameless)]
    monkeypatch.setattr(importlib.metadata, "distributions", lambda: iter(dists))
    assert environment.pip_freeze().splitlines()[1:] == ["good-pkg==1.2"]
