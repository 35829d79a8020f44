"""What every command shares: error reporting and connecting to the current instance.

Every command runs inside :meth:`BiolakeGroup.invoke`, the only place that decides how
errors reach the terminal: every error prints one ``Error: <message>`` line on stderr and
exits with code 1. Errors that describe a problem the user can fix (the
:class:`~biolake.errors.BiolakeError` tree, ``FileNotFoundError``, ``ValueError``, an
unreachable database) carry their own hint; a damaged database names ``biolake verify`` and
snapshots; anything else (a bug) says how to see the traceback. ``biolake --debug <command>``
(or ``BIOLAKE_DEBUG=1``) shows every traceback.

Commands that read the database are decorated with :func:`needs_instance`, so importing
``biolake.cli`` (and ``--help``) never sets up Django.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from biolake._redact import redact_text
from biolake.errors import BiolakeError
from biolake.setup import connect

_F = TypeVar("_F", bound=Callable[..., Any])

_USER_ERRORS: tuple[type[BaseException], ...] = (BiolakeError, FileNotFoundError, ValueError)


def _debug(ctx: click.Context | None = None) -> bool:
    if ctx is not None and ctx.params.get("debug"):
        return True
    return os.environ.get("BIOLAKE_DEBUG", "") not in ("", "0")


def _is_database_unavailable(error: BaseException) -> bool:
    """Whether ``error`` is Django's OperationalError (server down, file locked), without importing Django."""
    db = sys.modules.get("django.db")
    return db is not None and isinstance(error, db.OperationalError)


def is_user_error(error: BaseException) -> bool:
    """Whether ``error`` is reported as one line instead of a traceback."""
    return isinstance(error, _USER_ERRORS) or _is_database_unavailable(error)


def _is_database_damaged(error: BaseException) -> bool:
    """Whether ``error`` is another error of the database (a damaged file: "disk image is malformed")."""
    db = sys.modules.get("django.db")
    return db is not None and isinstance(error, db.DatabaseError)


_DEBUG_HINT = "run `biolake --debug <command>` to see the traceback"


def one_line(error: BaseException) -> str:
    """The message of ``error`` on a single line (the class name if it has no message), with a hint,
    and anything that looks like a secret (a password in a URL, ``?secret=``) redacted."""
    message = redact_text(" ".join(str(error).split())) or type(error).__name__
    if _is_database_unavailable(error):
        return f"database error: {message}"
    if _is_database_damaged(error):
        return (
            f"database error: {message}; the database may be damaged: run `biolake verify --all`, "
            f"restore a snapshot (`biolake snapshot restore`) or a backup; {_DEBUG_HINT}"
        )
    if is_user_error(error):
        return message
    return f"unexpected {type(error).__name__}: {message} ({_DEBUG_HINT}; please report it)"


class BiolakeGroup(click.Group):
    """A click group that reports expected failures of its commands as ``Error: <message>``."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as error:
            if _debug(ctx):
                raise
            raise click.ClickException(one_line(error)) from None


def connect_current() -> None:
    """Connect to the current instance, setting up Django; the error names ``biolake init`` if there is none."""
    connect(None)


def needs_instance(command: _F) -> _F:
    """Run :func:`connect_current` before ``command`` (put it right above the ``def``)."""

    @functools.wraps(command)
    def connected(*args: Any, **kwargs: Any) -> Any:
        connect_current()
        return command(*args, **kwargs)

    return connected  # type: ignore[return-value]
