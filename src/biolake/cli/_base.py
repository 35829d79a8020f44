"""What every command shares: error reporting and connecting to the current instance.

Every command runs inside :meth:`BiolakeGroup.invoke`, so this is the only place that
decides how errors reach the terminal: expected failures become one ``Error: <message>``
line on stderr and exit code 1. Errors that describe a problem the user can fix
(the :class:`~biolake.errors.BiolakeError` tree, ``FileNotFoundError``, ``ValueError``, an
unreachable database) print one line on stderr without a traceback; anything else is a bug
and keeps its traceback. ``BIOLAKE_DEBUG=1`` shows the traceback of every error.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from biolake.errors import BiolakeError

F = TypeVar("F", bound=Callable[..., Any])

_USER_ERRORS: tuple[type[BaseException], ...] = (BiolakeError, FileNotFoundError, ValueError)


def _debug() -> bool:
    return os.environ.get("BIOLAKE_DEBUG", "") not in ("", "0")


def _is_database_unavailable(error: BaseException) -> bool:
    """Whether ``error`` is Django's OperationalError (server down, file locked), without importing Django."""
    db = sys.modules.get("django.db")
    return db is not None and isinstance(error, db.OperationalError)


def is_user_error(error: BaseException) -> bool:
    """Whether ``error`` is reported as one line instead of a traceback."""
    return isinstance(error, _USER_ERRORS) or _is_database_unavailable(error)


def one_line(error: BaseException) -> str:
    """The message of ``error`` on a single line (the class name if it has no message)."""
    message = " ".join(str(error).split())
    if _is_database_unavailable(error):
        message = f"database error: {message}"
    return message or type(error).__name__


class BiolakeGroup(click.Group):
    """A click group that reports expected failures of its commands as ``Error: <message>``."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except Exception as error:
            if not is_user_error(error) or _debug():
                raise
            raise click.ClickException(one_line(error)) from None


def needs_instance(command: F) -> F:
    """Connect to the current instance (setting up Django) before ``command`` runs.

    Put it right above the ``def`` (below the click decorators). Without a current instance
    the command fails with the error that names ``biolake init``.
    """

    @functools.wraps(command)
    def connected(*args: Any, **kwargs: Any) -> Any:
        from biolake.setup import ensure_ready

        ensure_ready()
        return command(*args, **kwargs)

    return connected  # type: ignore[return-value]
