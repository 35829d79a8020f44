"""The R script or R Markdown document that runs this (embedded) Python, when R drives biolake.

R's ``Rscript analysis.R`` runs ``R --file=analysis.R``; the R package ``biolaker`` also names
the document it runs in (an ``.Rmd``/``.qmd`` being knitted) in ``$BIOLAKE_R_SOURCE``.
"""

from __future__ import annotations

import os
from pathlib import Path

R_SOURCE_ENV = "BIOLAKE_R_SOURCE"
R_SUFFIXES = (".r", ".rmd", ".qmd")
R_NOTEBOOK_SUFFIXES = (".rmd", ".qmd")


def is_r_code(path: Path) -> bool:
    """Whether ``path`` is an R script or an R Markdown / Quarto document."""
    return path.suffix.lower() in R_SUFFIXES


def r_source(cmdline: list[str] | None = None) -> Path | None:
    """The R file this process runs: ``$BIOLAKE_R_SOURCE``, else Rscript's ``--file=`` argument.

    Example:
        >>> r_source(["/usr/lib/R/bin/exec/R", "--no-echo", "--file=/nonexistent/x.R"]) is None
        True
    """
    declared = os.environ.get(R_SOURCE_ENV)
    candidates = [declared] if declared else []
    args = cmdline if cmdline is not None else _own_cmdline()
    candidates += [arg.removeprefix("--file=") for arg in args if arg.startswith("--file=")]
    for candidate in candidates:
        path = Path(candidate).expanduser()
        if is_r_code(path) and path.is_file():
            return path.resolve()
    return None


def _own_cmdline() -> list[str]:
    try:
        raw = Path("/proc/self/cmdline").read_bytes()
    except OSError:
        return []
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]
