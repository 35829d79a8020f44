"""Credentials in storage URLs: split them off where a URL enters biolake, or refuse them.

A storage URL may carry credentials in its user-info (``s3://KEY:SECRET@bucket/x``) or in its
query (``?key=K&secret=S``). Those must never reach the database, a log line, an error
message or a world-readable file. :func:`split_url` separates a URL into its clean form,
its public options (``endpoint_url``, ``region``, ``profile``, ...: kept with the
``Storage`` record) and its secret options (kept only in the instance's settings file,
mode 0600, by ``biolake init``). Everywhere else :func:`refuse_credentials` raises
:class:`~biolake.errors.CredentialsInURLError`, which says where credentials belong.

Example:
    >>> split = split_url("s3://AKIA:S3CRET@bucket/lake?endpoint_url=http://h:9000")
    >>> split.url, split.public, sorted(split.secret)
    ('s3://bucket/lake', {'endpoint_url': 'http://h:9000'}, ['key', 'secret'])
"""

from __future__ import annotations

import dataclasses
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit, urlunsplit

from biolake._redact import is_secret_option, redact_text
from biolake.errors import CredentialsInURLError

__all__ = ["WHERE_CREDENTIALS_GO", "SplitURL", "public_options", "refuse_credentials", "split_url"]

WHERE_CREDENTIALS_GO = (
    "put them in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY), in an AWS profile "
    "(?profile=NAME in the URL, kept), or in the instance's settings file (mode 0600) with "
    "`biolake init --storage URL --storage-option key=VALUE --storage-option secret=VALUE`"
)
"""Where credentials for a storage location belong (the fix named by every refusal)."""

_S3_PROTOCOLS = ("s3", "s3a")
_BOOLEANS = {"true": True, "false": False}


@dataclasses.dataclass(frozen=True)
class SplitURL:
    """A storage URL taken apart: ``url`` has no user-info and no query."""

    url: str
    public: dict[str, Any]
    secret: dict[str, Any]


def split_url(url: str) -> SplitURL:
    """Separate the credentials (user-info, secret query parameters) of a storage URL from
    its public options. Local paths and http(s) URLs (whose query addresses the file) keep
    their query in ``url``."""
    parts = urlsplit(url) if "://" in url else None
    if parts is None or parts.scheme.lower() in ("", "file", "local"):
        return SplitURL(url, {}, {})
    secret: dict[str, Any] = {}
    if parts.username is not None or parts.password is not None:
        names = ("key", "secret") if parts.scheme.lower() in _S3_PROTOCOLS else ("username", "password")
        secret.update({n: unquote(v) for n, v in zip(names, (parts.username, parts.password), strict=True) if v})
        parts = parts._replace(netloc=parts.netloc.rsplit("@", 1)[1])
    public: dict[str, Any] = {}
    keep_query = parts.scheme.lower() in ("http", "https")
    kept = []
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        if is_secret_option(name):
            secret[name] = value
        elif keep_query:
            kept.append(f"{name}={value}")
        else:
            public[name] = _BOOLEANS.get(value.lower(), value)
    clean = urlunsplit(parts._replace(query="&".join(kept) if keep_query else "", fragment=""))
    return SplitURL(clean, public, secret)


def public_options(options: dict[str, Any] | None) -> dict[str, Any]:
    """Storage options without credentials: what may be stored in the database.

    Example:
        >>> public_options({"endpoint_url": "http://h:9000", "key": "K", "secret": "S"})
        {'endpoint_url': 'http://h:9000'}
    """
    return {k: v for k, v in (options or {}).items() if not is_secret_option(k)}


def refuse_credentials(url: str, where: str = "a storage URL") -> SplitURL:
    """The split ``url``, or :class:`~biolake.errors.CredentialsInURLError` when it carries
    credentials (the message names where they belong and shows the URL redacted)."""
    split = split_url(url)
    if split.secret:
        raise CredentialsInURLError(
            f"Credentials in {where} {redact_text(url)!r} are not accepted: biolake would store or print them. "
            f"Remove them from the URL and {WHERE_CREDENTIALS_GO}.",
            url=split.url,
        )
    return split
