"""Failures of a storage location as biolake errors: one line that names the path and what to do.

Object-store clients raise their own exceptions (botocore's ``NoCredentialsError``,
``ClientError`` for "AccessDenied"); :func:`storage_error` turns any of them into a
:class:`~biolake.errors.StorageError` whose message says whether credentials are missing or
refused and where to put them. The credentials themselves never appear in the message.
"""

from __future__ import annotations

from biolake.errors import StorageError

__all__ = ["CREDENTIALS_HINT", "is_credentials_error", "storage_error"]

CREDENTIALS_HINT = (
    "set credentials in the environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), "
    "a profile (AWS_PROFILE), or `biolake init --storage-option key=value`"
)
_CREDENTIAL_NAMES = ("NoCredentials", "PartialCredentials", "CredentialRetrieval", "Unauthorized", "DefaultCredentials")
_CREDENTIAL_CODES = ("AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "403")


def is_credentials_error(error: BaseException) -> bool:
    """Whether ``error`` says that credentials are missing, wrong or not allowed."""
    name = type(error).__name__
    if isinstance(error, PermissionError) or any(part in name for part in _CREDENTIAL_NAMES):
        return True
    text = str(error)
    return any(code in text for code in _CREDENTIAL_CODES)


def storage_error(error: BaseException, path: str, action: str) -> StorageError:
    """A :class:`StorageError` for ``error`` raised while ``action`` (e.g. "list") at ``path``."""
    reason = " ".join(str(error).split()) or type(error).__name__
    hint = f"; {CREDENTIALS_HINT}" if is_credentials_error(error) else ""
    return StorageError(f"Cannot {action} {path} ({type(error).__name__}: {reason}){hint}.", path=path)
