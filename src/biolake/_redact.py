"""Redaction: what a secret looks like, and text, mappings and argument lists without them.

One place decides which names and values are secret, so the stored source of a script, a
run's parameters and command line, a log line and an error message are cleaned alike.

A *secret name* contains ``secret``, ``password``/``passwd``, ``token``, ``credential``,
``private_key``, ``api_key``, ``access_key`` or ``auth`` (any case, ``-``/``_``/``.`` ignored
between the parts). A bare ``key`` is *not* a secret name: in biolake it is an artifact's
key (``ln.Artifact(df, key="a/b.parquet")``). Among storage options (fsspec) it is the S3
access key id, so :func:`is_secret_option` counts it.

Example:
    >>> redact_text('os.environ["AWS_SECRET_ACCESS_KEY"] = "abc"')
    'os.environ["AWS_SECRET_ACCESS_KEY"] = "<redacted>"'
    >>> redact_text("s3://bucket/x?endpoint_url=http://h:9000&secret=abc")
    's3://bucket/x?endpoint_url=http://h:9000&secret=<redacted>'
    >>> redact_argv(["--token", "abc", "--key", "a/b.csv"])
    ['--token', '<redacted>', '--key', 'a/b.csv']
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["REDACTED", "is_secret_name", "is_secret_option", "redact_argv", "redact_mapping", "redact_text"]

REDACTED = "<redacted>"

_WORDS = r"(?:secret|password|passwd|pwd|token(?!iz)|credentials?|private[_-]?key|api[_-]?key|access[_-]?key|auth(?!or))"
_SECRET_NAME_SOURCE = rf"^[a-z0-9_]*{_WORDS}[a-z0-9_]*$"
_NAME = rf"(?:[A-Za-z_][A-Za-z0-9_]*?)?{_WORDS}[A-Za-z0-9_]*"
_FLAG_NAME = rf"(?:[A-Za-z][A-Za-z0-9_-]*?)?{_WORDS}[A-Za-z0-9_-]*"
# Storage options of fsspec backends that carry credentials although their names are plain.
_STORAGE_SECRETS = {"key", "username", "user", "session", "sas_token", "account_key", "connection_string", "sig"}
_SHELL_VALUE = r"""(?P<value>"[^"\n]*"|'[^'\n]*'|[^\s;&|"']+)"""


class _Patterns:
    """The compiled patterns, made on first use (compiling them costs milliseconds that
    ``import biolake`` should not pay)."""

    def __init__(self) -> None:
        self.secret_name = re.compile(_SECRET_NAME_SOURCE)
        # name = "value", name: str = "value", "name": "value", NAME="value"
        self.assignment = re.compile(
            rf"""(?P<lhs>\b{_NAME}\b["']?\s*(?::\s*[A-Za-z_][\w\[\]., |]*?\s*)?(?::|=|\+=)\s*)(?P<quote>[rbuRBU]?["'])(?P<value>[^"'\n]+)(?P=quote)""",
            re.IGNORECASE,
        )
        # os.environ["NAME"] = "value", os.environ.setdefault("NAME", "value"), os.putenv("NAME", "value")
        self.environ = re.compile(
            rf"""(?P<lhs>(?:environ\s*\[\s*|environ\.setdefault\s*\(\s*|putenv\s*\(\s*)(?P<q1>["']){_NAME}(?P=q1)\s*(?:\]\s*=|,)\s*)(?P<quote>[rbuRBU]?["'])(?P<value>[^"'\n]*)(?P=quote)""",
            re.IGNORECASE,
        )
        # export NAME=value; NAME=value opening a shell line (upper case, as environment variables are)
        self.export = re.compile(rf"(?P<lhs>\bexport\s+{_NAME}=){_SHELL_VALUE}", re.IGNORECASE)
        self.env_line = re.compile(
            rf"(?P<lhs>^[ \t]*(?:[A-Z][A-Z0-9_]*=\S*[ \t]+)*[A-Z_]*{_WORDS.upper()}[A-Z0-9_]*=){_SHELL_VALUE}", re.MULTILINE
        )
        # --name=value, --name value
        self.flag = re.compile(
            rf"""(?P<lhs>(?<![\w-])--?{_FLAG_NAME}(?:=|[ \t]+))(?P<value>"[^"\n]*"|'[^'\n]*'|[^\s"'-][^\s"']*)""", re.IGNORECASE
        )
        self.url_userinfo = re.compile(
            r"(?P<scheme>[a-z][a-z0-9+.\-]*://[^:/@\s\"'?#]+:)(?P<password>[^@/\s\"']+)(?P<at>@)", re.IGNORECASE
        )
        self.query = re.compile(
            rf"(?P<lhs>[?&;](?:{_FLAG_NAME}|key|sig|signature|x-amz-signature)=)(?P<value>[^&#\s\"']+)", re.IGNORECASE
        )
        self.tokens = [
            re.compile(r"\bAKIA[0-9A-Z]{16}\b"),  # AWS access key id
            re.compile(r"\bgh[pousr]_[A-Za-z0-9]{30,}\b"),  # GitHub tokens
            re.compile(r"\bsk-[A-Za-z0-9_\-]{20,}\b"),  # API secret keys
            re.compile(r"\bhf_[A-Za-z0-9]{30,}\b"),  # Hugging Face tokens
            re.compile(r"\bxox[abpr]-[A-Za-z0-9\-]{10,}\b"),  # Slack tokens
        ]


@functools.cache
def _patterns() -> _Patterns:
    return _Patterns()


def is_secret_name(name: str) -> bool:
    """Whether a parameter, variable or flag called ``name`` holds a secret.

    Example:
        >>> [is_secret_name(n) for n in ("AWS_SECRET_ACCESS_KEY", "api-key", "key", "lr")]
        [True, True, False, False]
    """
    return bool(_patterns().secret_name.match(re.sub(r"[-.\s]", "_", str(name).lower().lstrip("-"))))


def is_secret_option(name: str) -> bool:
    """Whether a storage option (fsspec keyword) carries a credential: a secret name or
    one of the plain credential names (``key``, ``username``, ...) of fsspec backends."""
    return is_secret_name(name) or str(name).lower() in _STORAGE_SECRETS


def _keep_quotes(match: re.Match[str]) -> str:
    value = match["value"]
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return f"{match['lhs']}{value[0]}{REDACTED}{value[0]}"
    return f"{match['lhs']}{REDACTED}"


def redact_text(text: str) -> str:
    """``text`` with values assigned to secret names (in code, environment assignments, shell
    lines and flags), passwords in URLs, secret URL query parameters and well-known token
    formats replaced by ``<redacted>``."""
    if not text:
        return text
    patterns = _patterns()
    text = patterns.environ.sub(lambda m: f"{m['lhs']}{m['quote']}{REDACTED}{m['quote'][-1]}", text)
    text = patterns.assignment.sub(lambda m: f"{m['lhs']}{m['quote']}{REDACTED}{m['quote'][-1]}", text)
    text = patterns.url_userinfo.sub(lambda m: f"{m['scheme']}{REDACTED}{m['at']}", text)
    text = patterns.query.sub(_keep_quotes, text)
    text = patterns.export.sub(_keep_quotes, text)
    text = patterns.env_line.sub(_keep_quotes, text)
    text = patterns.flag.sub(_keep_quotes, text)
    for pattern in patterns.tokens:
        text = pattern.sub(REDACTED, text)
    return text


def redact_mapping(data: Any) -> Any:
    """A copy of ``data`` (nested dicts and lists) with the values of secret names redacted
    and secrets inside strings removed; other values are returned as they are.

    Example:
        >>> redact_mapping({"lr": 0.1, "api_token": "abc", "key": "a/b.csv"})
        {'lr': 0.1, 'api_token': '<redacted>', 'key': 'a/b.csv'}
    """
    if isinstance(data, Mapping):
        return {k: REDACTED if is_secret_name(str(k)) and v not in (None, "") else redact_mapping(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return type(data)(redact_mapping(v) for v in data)
    if isinstance(data, str):
        return redact_text(data)
    return data


def redact_argv(args: Sequence[str]) -> list[str]:
    """Command-line arguments with the values of secret-looking flags redacted
    (``--token X``, ``--password=X``) and secrets inside other arguments removed."""
    out: list[str] = []
    hide_next = False
    for arg in args:
        if hide_next and not arg.startswith("-"):
            out.append(REDACTED)
            hide_next = False
            continue
        hide_next = False
        if arg.startswith("-"):
            name, eq, _ = arg.partition("=")
            if is_secret_name(name):
                out.append(f"{name}={REDACTED}" if eq else arg)
                hide_next = not eq
                continue
        out.append(redact_text(arg))
    return out
