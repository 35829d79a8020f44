from __future__ import annotations

import pytest

from biolake.errors import InvalidKeyError
from biolake.storage.keys import MAX_KEY_LENGTH, RESERVED_PREFIX, validate_key


@pytest.mark.parametrize(
    "key",
    [
        "a.csv",
        "folder/file.csv",
        "raw/sample 1.fastq.gz",
        "données/Übersicht ß.txt",
        "細胞/データ.h5ad",
        ".hidden/x",
        ".biolakefoo/x",
        "a..b/c...d",
        "x" * MAX_KEY_LENGTH,
        "ab:c/d",
    ],
)
def test_valid_keys_are_returned_unchanged(key: str) -> None:
    assert validate_key(key) == key


@pytest.mark.parametrize(
    ("key", "fragment"),
    [
        ("../../etc/passwd", "outside the storage root"),
        ("a/../b", "outside the storage root"),
        ("..", "outside the storage root"),
        ("a/./b", "'.' segments"),
        (".", "'.' segments"),
        ("a//b", "empty segments"),
        ("/etc/passwd", "absolute"),
        ("\\server\\share", "absolute"),
        ("a\\b", "backslashes"),
        ("C:/data/x.csv", "drive letter"),
        ("c:x.csv", "drive letter"),
        ("folder/", "end with '/'"),
        ("", "empty"),
        ("a\nb", "control characters"),
        ("a\tb", "control characters"),
        ("a\x7fb", "control characters"),
        ("x" * (MAX_KEY_LENGTH + 1), "at most 1024 characters"),
        (".biolake/abc.csv", "reserved"),
        (".biolake", "reserved"),
        ("s3://bucket/key", "URL"),
    ],
)
def test_unsafe_keys_are_refused_with_a_helpful_message(key: str, fragment: str) -> None:
    with pytest.raises(InvalidKeyError) as info:
        validate_key(key)
    message = str(info.value)
    assert fragment in message
    assert repr(key)[:60].rstrip("'") in message
    assert info.value.key == key


def test_parent_traversal_message_explains_the_fix() -> None:
    with pytest.raises(InvalidKeyError, match=r"Invalid key '\.\./\.\./etc/passwd'") as info:
        validate_key("../../etc/passwd")
    assert "relative paths inside the storage" in str(info.value)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("key", [None, b"a.csv", 3, ["a"]])
def test_non_strings_are_refused(key: object) -> None:
    with pytest.raises(InvalidKeyError, match="must be a str"):
        validate_key(key)  # type: ignore[arg-type]


def test_reserved_keys_are_allowed_on_request() -> None:
    key = f"{RESERVED_PREFIX}/3mAxR5zVnDyq0000.parquet"
    assert validate_key(key, allow_reserved=True) == key
    with pytest.raises(InvalidKeyError, match="'..' segment"):
        validate_key(".biolake/../x", allow_reserved=True)
