"""Jupyter notebooks: find the running notebook's path, check cell order, render an HTML report."""

from __future__ import annotations

import json
import os
from pathlib import Path


from biolake._jupyter import in_kernel
from biolake._jupyter import ipython_shell as _ipython

__all__ = ["html_report", "in_kernel", "notebook_path", "out_of_order_cells"]


def notebook_path() -> Path | None:
    """The path of the notebook this kernel runs, if it can be found.

    Looks at ``JPY_SESSION_NAME`` (set by Jupyter Server for its kernels), VS Code's
    ``__vsc_ipynb_file__``, then asks the running Jupyter servers' sessions API.
    """
    candidates = [os.environ.get("JPY_SESSION_NAME"), _vscode_path(), _from_sessions_api()]
    for candidate in candidates:
        if candidate and candidate.endswith(".ipynb"):
            path = Path(candidate)
            if path.exists():
                return path.resolve()
    return None


def _vscode_path() -> str | None:
    shell = _ipython()
    return shell.user_ns.get("__vsc_ipynb_file__") if shell is not None else None


def _from_sessions_api() -> str | None:
    try:
        from ipykernel.connect import get_connection_file
        from jupyter_server.serverapp import list_running_servers
    except ImportError:
        return None
    import urllib.request

    try:
        kernel_id = Path(get_connection_file()).stem.removeprefix("kernel-")
    except RuntimeError:
        return None
    for server in list_running_servers():
        url = f"{server['url'].rstrip('/')}/api/sessions?token={server.get('token', '')}"
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (a local server)
                sessions = json.load(response)
        except OSError:
            continue
        for session in sessions:
            if session.get("kernel", {}).get("id") == kernel_id:
                return str(Path(server.get("root_dir") or server.get("notebook_dir", ".")) / session["path"])
    return None


def out_of_order_cells(text: str) -> list[int]:
    """Execution counts that break the order in which code cells appear (empty if in order)."""
    counts = [c.get("execution_count") for c in json.loads(text).get("cells", []) if c.get("cell_type") == "code"]
    counts = [c for c in counts if c is not None]
    return [later for earlier, later in zip(counts, counts[1:]) if later <= earlier]


def html_report(path: Path, destination: Path) -> Path:
    """Render the notebook (with its outputs) to a self-contained HTML file."""
    import nbformat
    from nbconvert import HTMLExporter

    notebook = nbformat.read(path, as_version=4)
    body, _ = HTMLExporter().from_notebook_node(notebook)
    destination.parent.mkdir(parents=True, exist_ok=True)
    destination.write_text(body, encoding="utf-8")
    return destination
