"""docs/lamindb.md, the LaminDB compatibility page: every name marked "same" exists in biolake.

Names resolve as the page says: ``ln.X`` on ``biolake``, ``bt.X`` on ``biolake.bio``,
``QuerySet.X`` on biolake's QuerySet, ``artifact.features.X`` / ``artifact.labels.X`` on the
record managers, ``curator.X`` on the curators' base, ``Registry(param=)`` in the registry's
constructor, and ``lamin X`` as a ``biolake`` CLI command.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import Any

import pytest
from instance_helpers import drop_instance, make_instance

PAGE = Path(__file__).parents[1] / "docs" / "lamindb.md"
_ROW = re.compile(r"^\| `(?P<name>[^`]+)` \| (?P<status>same|differs|not planned) \|(?P<notes>.*)\|$")
STATUSES = ("same", "differs", "not planned")


def rows() -> list[tuple[str, str, str]]:
    """(name, status, notes) of every table row of the page."""
    found = []
    for line in PAGE.read_text().splitlines():
        match = _ROW.match(line.strip())
        if match:
            found.append((match["name"], match["status"], match["notes"].strip()))
    return found


SAME = [name for name, status, _ in rows() if status == "same"]


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Any:
    inst, dbname = make_instance("sqlite", tmp_path_factory.mktemp("page"), modules=["bio"])
    import biolake

    biolake.connect(inst.name)
    yield biolake
    drop_instance(inst.name, dbname)


def _roots() -> dict[str, Any]:
    import biolake
    from biolake import bio
    from biolake.curators.base import Curator
    from biolake.models.features import FeatureManager, LabelManager
    from biolake.models.query import QuerySet

    return {
        "ln": biolake, "bt": bio, "QuerySet": QuerySet, "artifact.features": FeatureManager,
        "artifact.labels": LabelManager, "curator": Curator,
    }


def resolve(name: str) -> Any:
    """The object ``name`` denotes in biolake; raises if it does not exist."""
    if name.startswith("lamin "):
        from biolake.cli import main

        command = name.split()[1]
        assert command in main.commands, f"no `biolake {command}` command"
        return main.commands[command]
    call = re.fullmatch(r"(\w+)\((\w+)=\)", name)
    if call:
        import biolake

        registry, param = call.groups()
        assert param in inspect.signature(getattr(biolake, registry).__init__).parameters, name
        return param
    roots = _roots()
    prefix = max((p for p in roots if name == p or name.startswith(p + ".")), key=len)
    value = roots[prefix]
    for part in name[len(prefix) + 1 :].split(".") if name != prefix else []:
        value = getattr(value, part)
    return value


def test_the_page_lists_both_eras_and_every_row_has_a_status():
    names = [name for name, _, _ in rows()]
    assert len(names) == len(set(names)), "a name is listed twice"
    assert len(names) > 150
    for expected in ("ln.flow", "QuerySet.to_dataframe", "ln.tracked", "ln.FeatureSet", "ln.DB", "lamin init"):
        assert expected in names
    for name, status, notes in rows():
        if status != "same":
            assert notes, f"{name} is marked {status!r} without saying how or why"


def test_the_readme_links_the_page():
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    assert "docs/lamindb.md" in readme


@pytest.mark.parametrize("name", SAME)
def test_names_marked_same_exist(lake: Any, name: str) -> None:
    resolve(name)
