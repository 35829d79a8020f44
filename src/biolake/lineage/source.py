"""Source code of a transform: read, redact secrets, hash, describe, locate in git.

No Django here: plain functions over files and text.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

from biolake._redact import redact_text
from biolake.storage.hashing import hash_bytes


def redact_secrets(text: str) -> str:
    """Replace secrets in source code (see :mod:`biolake._redact`): values assigned to
    password/token/api-key names, environment assignments, passwords and secret parameters
    inside URLs, and well-known token formats.

    Example:
        >>> redact_secrets('api_key = "abc123"')
        'api_key = "<redacted>"'
    """
    return redact_text(text)


def notebook_code(notebook_text: str) -> str:
    """The code cells of an ``.ipynb`` document, joined: what a notebook's hash is taken over."""
    notebook = json.loads(notebook_text)
    cells = [c for c in notebook.get("cells", []) if c.get("cell_type") == "code"]
    return "\n\n".join("".join(c.get("source", "")) if isinstance(c.get("source"), list) else c.get("source", "") for c in cells)


def source_hash(path: Path, text: str) -> str:
    """Hash of a transform's source: the code (cells) only, so notebook outputs don't count."""
    code = notebook_code(text) if path.suffix == ".ipynb" else text
    return hash_bytes(code.encode())


def description_of(path: Path, text: str) -> str | None:
    """A script's module docstring (first line) or a notebook's first markdown heading."""
    if path.suffix == ".ipynb":
        for cell in json.loads(text).get("cells", []):
            if cell.get("cell_type") == "markdown":
                source = "".join(cell.get("source", ""))
                for line in source.splitlines():
                    if line.startswith("#"):
                        return line.lstrip("#").strip() or None
        return None
    try:
        docstring = ast.get_docstring(ast.parse(text))
    except SyntaxError:
        return None
    return docstring.strip().splitlines()[0] if docstring and docstring.strip() else None


def git_root(path: Path) -> Path | None:
    """The work tree root of the git repository holding ``path``, if any."""
    for folder in [path.parent, *path.parent.parents]:
        if (folder / ".git").exists():
            return folder
    return None


def _git_dir(root: Path) -> Path:
    dot_git = root / ".git"
    if dot_git.is_file():  # worktrees and submodules: "gitdir: <path>"
        target = dot_git.read_text().strip().removeprefix("gitdir:").strip()
        return (root / target).resolve()
    return dot_git


def _head_commit(git_dir: Path) -> str | None:
    head = (git_dir / "HEAD").read_text().strip() if (git_dir / "HEAD").exists() else ""
    if not head.startswith("ref:"):
        return head or None
    ref = head.split(":", 1)[1].strip()
    ref_file = git_dir / ref
    if ref_file.exists():
        return ref_file.read_text().strip()
    packed = git_dir / "packed-refs"
    if packed.exists():
        for line in packed.read_text().splitlines():
            if line.endswith(" " + ref):
                return line.split(" ", 1)[0]
    return None  # a repository without commits


def _remote_url(git_dir: Path) -> str | None:
    config = git_dir / "config"
    if not config.exists():
        return None
    section = None
    for raw in config.read_text().splitlines():
        line = raw.strip()
        if line.startswith("["):
            section = line
        elif section == '[remote "origin"]' and line.startswith("url"):
            return line.split("=", 1)[1].strip()
    return None


def git_reference(path: Path) -> tuple[str, str] | None:
    """``("<remote or repo path>@<commit>", "git")`` for a file in a git work tree with commits."""
    root = git_root(path)
    if root is None:
        return None
    git_dir = _git_dir(root)
    commit = _head_commit(git_dir)
    if commit is None:
        return None
    remote = _remote_url(git_dir) or str(root)
    remote = redact_text(remote)
    return f"{remote}@{commit}", "git"


def transform_key(path: Path) -> str:
    """The key of a script or notebook: its path relative to the git root, else its file name."""
    path = path.resolve()
    root = git_root(path)
    return path.relative_to(root).as_posix() if root is not None else path.name
