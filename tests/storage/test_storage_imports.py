"""``import biolake.storage`` stays cheap, and the storage modules stay free of Django and pandas."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SRC = str(Path(__file__).resolve().parents[2] / "src")


def _loaded_after(statement: str, names: list[str]) -> list[str]:
    code = f"import sys, json; {statement}; print(json.dumps([n for n in {names!r} if n in sys.modules]))"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([SRC, os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_importing_the_package_loads_no_heavy_library() -> None:
    heavy = ["fsspec", "upath", "blake3", "rich", "django", "pandas", "s3fs"]
    assert _loaded_after("import biolake.storage", heavy) == []


def test_storage_modules_do_not_import_django_or_pandas() -> None:
    modules = ["keys", "paths", "hashing", "transfer", "cache", "tree", "upath"]
    statement = "; ".join(f"import biolake.storage.{name}" for name in modules)
    assert _loaded_after(statement, ["django", "pandas", "anndata", "biolake.models"]) == []


def test_upath_module_is_not_needed_for_the_others() -> None:
    statement = "import biolake.storage.transfer, biolake.storage.cache, biolake.storage.tree"
    assert _loaded_after(statement, ["biolake.storage.upath"]) == []


def _public_top_level_names(module_file: Path) -> set[str]:
    import ast

    names: set[str] = set()
    for node in ast.parse(module_file.read_text(encoding="utf-8")).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(target.id for target in node.targets if isinstance(target, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return {name for name in names if not name.startswith("_")}


def test_all_lists_exactly_the_public_names() -> None:
    import importlib

    for name in ["keys", "paths", "hashing", "transfer", "cache", "tree", "upath"]:
        module = importlib.import_module(f"biolake.storage.{name}")
        assert sorted(module.__all__) == sorted(_public_top_level_names(Path(module.__file__))), name
