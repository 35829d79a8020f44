"""The one place that prints user messages: → info, ✓ success, ! warning."""

from __future__ import annotations

import os
from typing import Any

_console: Any = None


def _get_console() -> Any:
    global _console
    if _console is None:
        from rich.console import Console

        _console = Console(stderr=False, highlight=False, soft_wrap=True)
    return _console


def _escape(message: str) -> str:
    from rich.markup import escape

    return escape(message)


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


def warning(message: str) -> None:
    """Print a warning."""
    if not _quiet():
        _get_console().print(f"[yellow]![/yellow] {_escape(message)}", markup=True)


def print_renderable(obj: Any) -> None:
    """Print a rich renderable (tree, table) or plain text (never read as markup)."""
    if isinstance(obj, str):
        _get_console().print(obj, markup=False, highlight=False)
    else:
        _get_console().print(obj)


def reset_console() -> None:
    """Forget the cached console (tests capture stdout anew)."""
    global _console
    _console = None
