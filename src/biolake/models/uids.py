"""Record identifiers: random base62 strings and version suffixes."""

from __future__ import annotations

import hashlib
import secrets

# ASCII order, so a version suffix sorts like the number it encodes
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
VERSION_SUFFIX_LEN = 4


def _to_base62(number: int, n: int) -> str:
    """The ``n`` lowest base62 digits of ``number``, most significant first."""
    chars = []
    for _ in range(n):
        number, rest = divmod(number, 62)
        chars.append(BASE62[rest])
    return "".join(reversed(chars))


def random_base62(n: int) -> str:
    """A random base62 string of length ``n`` (from a cryptographic random number)."""
    return _to_base62(int.from_bytes(secrets.token_bytes(n), "big"), n)  # 256**n ≫ 62**n: negligible bias


def deterministic_base62(text: str, n: int) -> str:
    """A base62 string of length ``n`` derived from ``text`` (same text, same uid)."""
    return _to_base62(int.from_bytes(hashlib.sha256(text.encode()).digest(), "big"), n)


def encode_version(number: int) -> str:
    """Version number → 4-char base62 suffix (``0`` → ``0000``)."""
    if not 0 <= number < 62**VERSION_SUFFIX_LEN:
        raise ValueError(f"version number {number} out of range")
    return _to_base62(number, VERSION_SUFFIX_LEN)


def decode_version(suffix: str) -> int:
    """4-char base62 suffix → version number."""
    number = 0
    for char in suffix:
        number = number * 62 + BASE62.index(char)
    return number
