"""Validate storage keys: the user's relative name for a file inside a storage root.

A key is a relative POSIX path such as ``"raw/sample 1.fastq.gz"``. It must stay
inside its root, so absolute paths, ``..`` segments, backslashes and drive letters
are refused, and so is the managed area ``.biolake/`` where biolake keeps the
files it names itself.

Example:
    >>> validate_key("raw/sample_1.csv")
    'raw/sample_1.csv'
"""

from __future__ import annotations

import re

from biolake.errors import InvalidKeyError

__all__ = [
    "MAX_KEY_LENGTH",
    "RESERVED_PREFIX",
    "validate_key",
]

RESERVED_PREFIX = ".biolake"
"""The managed folder at the top of every storage root; user keys may not enter it."""

MAX_KEY_LENGTH = 1024
"""The longest key accepted (S3's limit, in characters)."""

_DRIVE = re.compile(r"^[A-Za-z]:")
_HINT = "Use a relative POSIX path inside the storage, like 'folder/file.csv'."


def validate_key(key: str, *, allow_reserved: bool = False) -> str:
    """Return ``key`` unchanged if it is a safe relative key, else raise.

    Args:
        key: The key to check, e.g. ``"raw/sample_1.csv"``.
        allow_reserved: Accept keys under ``.biolake/`` (for biolake's own managed keys).

    Returns:
        The key, unchanged.

    Raises:
        InvalidKeyError: The key is not a string, empty, too long, absolute, has
            backslashes, control characters, ``.``/``..``/empty segments, a trailing
            slash, or enters the reserved ``.biolake/`` area.

    Example:
        >>> validate_key("../../etc/passwd")
        Traceback (most recent call last):
        ...
        biolake.errors.InvalidKeyError: Invalid key '../../etc/passwd': ...
    """
    if not isinstance(key, str):
        raise InvalidKeyError(f"Invalid key {key!r}: a key must be a str, not {type(key).__name__}. {_HINT}", key=None)
    problem = _find_problem(key, allow_reserved=allow_reserved)
    if problem is not None:
        raise InvalidKeyError(f"Invalid key {key!r}: {problem}", key=key)
    return key


def _find_problem(key: str, *, allow_reserved: bool) -> str | None:
    """Return a message saying what is wrong with ``key`` and how to fix it, or None."""
    checks = (_check_shape, _check_characters, _check_segments)
    for check in checks:
        problem = check(key)
        if problem is not None:
            return problem
    if not allow_reserved and (key == RESERVED_PREFIX or key.startswith(RESERVED_PREFIX + "/")):
        return (
            f"keys under '{RESERVED_PREFIX}/' are reserved for files biolake manages. "
            "Choose a key outside that folder, e.g. drop the leading '.biolake/'."
        )
    return None


def _check_shape(key: str) -> str | None:
    if key == "":
        return f"a key cannot be empty. {_HINT}"
    if len(key) > MAX_KEY_LENGTH:
        return f"a key is at most {MAX_KEY_LENGTH} characters, this one has {len(key)}. Shorten it."
    if "://" in key:
        return "this looks like a URL; a key is a path relative to the storage root, e.g. 'folder/file.csv'."
    if key.startswith(("/", "\\")):
        return f"a key cannot be absolute (it starts with {key[0]!r}). Remove the leading slash."
    if _DRIVE.match(key):
        return f"a key cannot start with a drive letter ({key[:2]!r}). {_HINT}"
    if key.endswith("/"):
        return "a key cannot end with '/'. Remove the trailing slash; folders are keyed without it."
    return None


def _check_characters(key: str) -> str | None:
    if "\\" in key:
        return f"a key cannot contain backslashes. Use '/' to separate folders: {key.replace(chr(92), '/')!r}."
    bad = sorted({c for c in key if ord(c) < 32 or ord(c) == 127})
    if bad:
        shown = ", ".join(repr(c) for c in bad)
        return f"a key cannot contain control characters ({shown}). Remove them."
    return None


def _check_segments(key: str) -> str | None:
    for segment in key.split("/"):
        if segment == "":
            return "a key cannot contain empty segments ('//'). Use single slashes between folders."
        if segment == "..":
            return (
                "a '..' segment would point outside the storage root. "
                "Keys are relative paths inside the storage; name the file without '..'."
            )
        if segment == ".":
            return "a key cannot contain '.' segments. Remove the './' parts."
    return None
