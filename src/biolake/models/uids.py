"""Record identifiers: random base62 strings and version suffixes."""

from __future__ import annotations

import hashlib
import secrets

# ASCII order, so a version suffix sorts like the number it encodes
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
VERSION_SUFFIX_LEN = 4


def random_base62(n: int) -> str:
    """A random base62 string of length ``n``."""
    return "".join(secrets.choice(BASE62) for _ in range(n))


def deterministic_base62(text: str, n: int) -> str:
    """A base62 string of length ``n`` derived from ``text`` (same text, same uid)."""
    number = int.from_bytes(hashlib.sha256(text.encode()).digest(), "big")
    chars = []
    for _ in range(n):
        number, rest = divmod(number, 62)
        chars.append(BASE62[rest])
    return "".join(chars)


def encode_version(number: int) -> str:
    """Version number → 4-char base62 suffix (``0`` → ``0000``)."""
    if not 0 <= number < 62**VERSION_SUFFIX_LEN:
        raise ValueError(f"version number {number} out of range")
    chars = []
    for _ in range(VERSION_SUFFIX_LEN):
        number, rest = divmod(number, 62)
        chars.append(BASE62[rest])
    return "".join(reversed(chars))


def decode_version(suffix: str) -> int:
    """4-char base62 suffix → version number."""
    number = 0
    for char in suffix:
        number = number * 62 + BASE62.index(char)
    return number
