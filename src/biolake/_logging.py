"""The one place that prints user messages: → info, ✓ success, ! warning.

Warnings are also Python warnings, with a category from :mod:`biolake.errors`
(:class:`~biolake.errors.BiolakeWarning` and its subclasses), attributed to the line of the
caller's code that called into biolake. Each warning is shown once, by one channel:

- No warnings filter applies to it (the default): the rich ``!`` line is printed, and Python's
  own display stays quiet. This behaves like a lowest-priority ``ignore`` filter for
  ``BiolakeWarning``, without changing ``warnings.filters`` at import.
- A filter applies (``warnings.simplefilter("error", ValidationWarning)``, ``pytest.warns``,
  ``python -W error``, ``-X dev``): the warning goes through :func:`warnings.warn` and the
  filter decides (raise, record, print in Python's format, or ignore); the rich line is not
  printed, so nothing appears twice, and an ``ignore`` filter silences it completely.

``BIOLAKE_QUIET=1`` silences the rich lines (info, success and warning), not the filters.
"""

from __future__ import annotations

import os
import sys
import warnings
from types import FrameType
from typing import Any

from biolake import _process
from biolake._redact import redact_text
from biolake.errors import BiolakeWarning


def _get_console() -> Any:
    console = _process.console.get()
    if console is None:
        from rich.console import Console

        console = Console(stderr=False, highlight=False, soft_wrap=True)
        _process.console.set_process(console)
    return console


def _escape(message: str) -> str:
    from rich.markup import escape

    return escape(redact_text(message))


def _quiet() -> bool:
    return os.environ.get("BIOLAKE_QUIET", "") not in ("", "0")


def info(message: str) -> None:
    """Print an informational message."""
    if not _quiet():
        _get_console().print(f"[blue]→[/blue] {_escape(message)}", markup=True)


def success(message: str) -> None:
    """Print a success message."""
    if not _quiet():
        _get_console().print(f"[green]✓[/green] {_escape(message)}", markup=True)


def warning(message: str, category: type[Warning] = BiolakeWarning) -> None:
    """Warn: a rich ``!`` line, or a Python warning of ``category`` when a filter applies to it.

    Args:
        message: What went wrong and, where there is one, the fix.
        category: A subclass of :class:`~biolake.errors.BiolakeWarning`.

    Example:
        >>> import warnings
        >>> from biolake.errors import ValidationWarning
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always", ValidationWarning)
        ...     warning("1 term is not validated: 'IFNJ'", ValidationWarning)
        >>> caught[0].category.__name__
        'ValidationWarning'
    """
    message = redact_text(message)
    stacklevel, frame = _callers_frame()
    if _filter_action(message, category, frame) is None:
        if not _quiet():
            _get_console().print(f"[yellow]![/yellow] {_escape(message)}", markup=True)
        return
    warnings.warn(message, category, stacklevel=stacklevel)


def _callers_frame() -> tuple[int, FrameType]:
    """The first frame outside biolake, and its ``stacklevel`` as seen from :func:`warning`."""
    start = sys._getframe(2)  # the caller of warning()
    frame: FrameType | None = start
    stacklevel = 2
    while frame is not None and _in_biolake(frame):
        frame, stacklevel = frame.f_back, stacklevel + 1
    return (stacklevel, frame) if frame is not None else (2, start)


def _in_biolake(frame: FrameType) -> bool:
    module = str(frame.f_globals.get("__name__", ""))
    return module == "biolake" or module.startswith("biolake.")


def _filter_action(message: str, category: type[Warning], frame: FrameType) -> str | None:
    """The action of the first entry of ``warnings.filters`` that matches, else ``None``.

    Matches the way :func:`warnings.warn_explicit` does: message regex, category, module
    regex and line number of the code the warning is attributed to.
    """
    module = frame.f_globals.get("__name__", "<string>")
    lineno = frame.f_lineno
    for action, text, filter_category, filter_module, filter_lineno in warnings.filters:
        if (
            (text is None or text.match(message))
            and issubclass(category, filter_category)
            and (filter_module is None or filter_module.match(module))
            and (filter_lineno == 0 or filter_lineno == lineno)
        ):
            return str(action)
    return None


def print_renderable(obj: Any) -> None:
    """Print a rich renderable (tree, table) or plain text (never read as markup)."""
    if isinstance(obj, str):
        _get_console().print(obj, markup=False, highlight=False)
    else:
        _get_console().print(obj)


def render_text(obj: Any, width: int = 100) -> str:
    """The plain text a rich renderable (tree, table) prints as, without colours.

    Example:
        >>> from rich.tree import Tree
        >>> render_text(Tree("Artifact")).strip()
        'Artifact'
    """
    from io import StringIO

    from rich.console import Console

    buffer = StringIO()
    Console(file=buffer, width=width, color_system=None, highlight=False, soft_wrap=True).print(obj)
    return buffer.getvalue()


def reset_console() -> None:
    """Forget the cached console (tests capture stdout anew)."""
    _process.console.set_process(None)


def human_size(size: int | None) -> str:
    """``1234567`` → ``"1.2 MB"``."""
    if size is None:
        return "?"
    value = float(size)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{size} B"
