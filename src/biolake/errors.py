"""The one error tree of biolake.

Every error raised on purpose by biolake derives from :class:`BiolakeError` and
also from the builtin exception that fits it, so ``except ValueError`` keeps
working for callers that do not know biolake::

    BiolakeError(Exception)
    ├── InstanceNotFoundError(BiolakeError, LookupError)   no instance / unknown name
    ├── InstanceSetupError(BiolakeError, RuntimeError)     init/connect/delete refused
    │   ├── MigrationRequiredError                         database schema behind the package
    │   ├── DatabaseUnreadableError                        the database file is damaged or not a database
    │   ├── InstanceGoneError                              the connected database was deleted or replaced
    │   └── ReadOnlyInstanceError                          a write to an instance opened read-only
    ├── InvalidKeyError(BiolakeError, ValueError)          a storage key that is unsafe
    ├── CredentialsInURLError(BiolakeError, ValueError)    credentials where they would be stored or printed
    ├── StorageError(BiolakeError, OSError)                reading or writing bytes failed
    │   ├── PathNotFoundError(StorageError, FileNotFoundError)  a path that does not exist
    │   │   └── MissingBytesError                          a saved artifact's bytes are gone (``.uid``)
    │   ├── PathExistsError(StorageError, FileExistsError)  a file that would be overwritten
    │   └── UploadError                                    an upload failed; nothing recorded
    ├── HashMismatchError(BiolakeError, ValueError)        stored bytes missing or not matching their hash
    │   └── CorruptBytesError                              a saved artifact's bytes differ in size or hash (``.uid``)
    ├── UnknownFormatError(BiolakeError, ValueError)       no loader for a suffix / object type
    ├── DoesNotExist(BiolakeError, LookupError)            a query matched nothing
    ├── MultipleResultsFound(BiolakeError, LookupError)    a query matched more than one record
    ├── RecordInUseError(BiolakeError, RuntimeError)       a delete that would orphan references
    │   └── BytesInUseError                                another instance still uses the bytes
    ├── ValidationError(BiolakeError, ValueError)          values that do not validate
    │   ├── FieldValidationError                           a record constructor got unknown fields
    │   └── GeneNotFoundError                              genes not in the var of some artifacts
    ├── InvalidArgument(BiolakeError, ValueError)          a function or method got a wrong argument
    │   ├── ConflictingKeyError(InvalidKeyError, InvalidArgument)  a key= for a path already in storage
    │   ├── ArgumentTypeError(InvalidArgument, TypeError)  an argument of a type the function cannot take
    │   └── InvalidLookupError                             filter()/get() got an unknown lookup or a wrong value type
    ├── RecordConstraintError(BiolakeError, ValueError)    a record misses a required value or breaks a constraint
    ├── TrackingError(BiolakeError, RuntimeError)          track()/finish() cannot tell what to record
    ├── SnapshotError(BiolakeError, RuntimeError)          a snapshot cannot be written or restored
    │   ├── SnapshotCorruptError(SnapshotError, ValueError)  snapshot files that do not match their manifest
    │   └── DatabaseCopyError                              a copied database whose counts or hashes differ
    └── CLIUsageError(BiolakeError, ValueError)            wrong command-line usage

Errors carry the offending values as attributes (e.g. ``InvalidKeyError.key``). No class
reuses the name of a Django exception for something else: a hash mismatch is
``HashMismatchError``, never ``IntegrityError`` (Django's: a database constraint failed).
``DoesNotExist`` and ``ValidationError`` keep their names on purpose: the first is the base of
every registry's Django ``DoesNotExist`` (the same meaning), the second is LaminDB's name for
values that do not validate.

Warnings have their own tree, so callers can filter them with :mod:`warnings`
(``warnings.simplefilter("error", biolake.errors.ValidationWarning)``)::

    BiolakeWarning(UserWarning)
    └── ValidationWarning                                  values that do not validate
        └── AmbiguousValueWarning                          values that match several records

How a warning reaches the terminal (once) is described in :mod:`biolake._logging`.
"""

from __future__ import annotations

from typing import Any


class BiolakeError(Exception):
    """Root of all biolake errors."""


class InstanceNotFoundError(BiolakeError, LookupError):
    """No current instance, or no instance with the given name."""

    def __init__(self, message: str, name: str | None = None) -> None:
        super().__init__(message)
        self.name = name


class InstanceSetupError(BiolakeError, RuntimeError):
    """An instance could not be created, connected or deleted."""


class MigrationRequiredError(InstanceSetupError):
    """The instance's database schema is behind the installed package."""

    def __init__(self, message: str, pending: list[str] | None = None) -> None:
        super().__init__(message)
        self.pending = pending or []


class DatabaseUnreadableError(InstanceSetupError):
    """The instance's database cannot be read: the file is damaged, replaced, or not a database."""

    def __init__(self, message: str, db: str | None = None) -> None:
        super().__init__(message)
        self.db = db


class InvalidKeyError(BiolakeError, ValueError):
    """A storage key that is absolute, escapes its root or has bad characters."""

    def __init__(self, message: str, key: str | None = None) -> None:
        super().__init__(message)
        self.key = key


class CredentialsInURLError(BiolakeError, ValueError):
    """Credentials (user-info, ``?secret=``) in a storage URL where biolake would store or print
    them; ``url`` is the URL without them."""

    def __init__(self, message: str, url: str | None = None) -> None:
        super().__init__(message)
        self.url = url


class InstanceGoneError(InstanceSetupError):
    """The database this process is connected to was deleted or replaced by another one."""


class ReadOnlyInstanceError(InstanceSetupError):
    """A write to an instance whose database this process may only read."""


class StorageError(BiolakeError, OSError):
    """Reading, writing or listing bytes in a storage location failed."""

    def __init__(self, message: str, path: str | None = None) -> None:
        super().__init__(message)
        self.path = path


class PathNotFoundError(StorageError, FileNotFoundError):
    """A file or folder that does not exist."""


class MissingBytesError(PathNotFoundError):
    """The stored bytes of a saved artifact are gone; ``path`` is where they were, ``uid`` the artifact."""

    def __init__(self, message: str, path: str | None = None, uid: str | None = None) -> None:
        super().__init__(message, path=path)
        self.uid = uid


class PathExistsError(StorageError, FileExistsError):
    """A file that would be overwritten."""


class UploadError(StorageError):
    """Bytes could not be written to their storage location; nothing was recorded."""


class HashMismatchError(BiolakeError, ValueError):
    """Stored bytes are missing or do not match the hash recorded for them."""

    def __init__(self, message: str, expected: str | None = None, actual: str | None = None) -> None:
        super().__init__(message)
        self.expected = expected
        self.actual = actual


class CorruptBytesError(HashMismatchError):
    """The stored bytes of a saved artifact differ from the record (size or hash), or cannot be read
    as their format: ``path``, ``uid``."""

    def __init__(
        self,
        message: str,
        path: str | None = None,
        uid: str | None = None,
        expected: str | None = None,
        actual: str | None = None,
    ) -> None:
        super().__init__(message, expected=expected, actual=actual)
        self.path = path
        self.uid = uid


class UnknownFormatError(BiolakeError, ValueError):
    """No writer or loader is registered for a suffix or an object type."""

    def __init__(self, message: str, suffix: str | None = None) -> None:
        super().__init__(message)
        self.suffix = suffix


class DoesNotExist(BiolakeError, LookupError):
    """A query that should match one record matched none."""

    def __init__(self, message: str, query: Any = None) -> None:
        super().__init__(message)
        self.query = query


class MultipleResultsFound(BiolakeError, LookupError):
    """A query that should match one record matched several."""

    def __init__(self, message: str, query: Any = None) -> None:
        super().__init__(message)
        self.query = query


class RecordInUseError(BiolakeError, RuntimeError):
    """A permanent delete refused because other records still reference the bytes."""


class BytesInUseError(RecordInUseError):
    """A permanent delete refused because other instances registered the same bytes;
    ``instances`` names them."""

    def __init__(self, message: str, instances: list[str] | None = None) -> None:
        super().__init__(message)
        self.instances = list(instances or [])


class ValidationError(BiolakeError, ValueError):
    """Values that do not validate; ``non_validated`` maps a field to its bad values."""

    def __init__(self, message: str, non_validated: dict[str, list[Any]] | None = None) -> None:
        super().__init__(message)
        self.non_validated = non_validated or {}


class FieldValidationError(ValidationError):
    """A record constructor got fields its registry does not have; ``valid_fields`` lists the ones it has."""

    def __init__(self, message: str, invalid_fields: list[str] | None = None, valid_fields: list[str] | None = None) -> None:
        super().__init__(message, non_validated={"fields": list(invalid_fields or [])})
        self.invalid_fields = list(invalid_fields or [])
        self.valid_fields = list(valid_fields or [])


class GeneNotFoundError(ValidationError):
    """Genes asked for are not in the var of some artifacts (``.missing``: gene → artifact uids)."""

    def __init__(self, message: str, missing: dict[str, list[str]] | None = None) -> None:
        super().__init__(message, non_validated={"genes": list(missing or {})})
        self.missing = missing or {}


class InvalidArgument(BiolakeError, ValueError):
    """A function or method got an argument it cannot use (LaminDB's name)."""


class ConflictingKeyError(InvalidKeyError, InvalidArgument):
    """A path inside a registered storage location was given a key other than its own (LaminDB
    raises ``InvalidArgument`` here); ``.key`` is the key passed, ``.inferred_key`` its own."""

    def __init__(self, message: str, key: str | None = None, inferred_key: str | None = None) -> None:
        super().__init__(message, key=key)
        self.inferred_key = inferred_key


class ArgumentTypeError(InvalidArgument, TypeError):
    """An argument of a type the function cannot take (also a ``TypeError``)."""


class InvalidLookupError(InvalidArgument):
    """A query got a lookup no field has (``key__foo``) or a value of the wrong type (``size__gt="abc"``)."""

    def __init__(self, message: str, lookup: str | None = None, value: Any = None) -> None:
        super().__init__(message)
        self.lookup = lookup
        self.value = value


class RecordConstraintError(BiolakeError, ValueError):
    """A record could not be saved: a required value is missing or a database constraint failed."""

    def __init__(self, message: str, model: str | None = None) -> None:
        super().__init__(message)
        self.model = model


class TrackingError(BiolakeError, RuntimeError):
    """``track()`` could not tell what to track, or ``finish()`` ran without ``track()``."""


class SnapshotError(BiolakeError, RuntimeError):
    """A snapshot could not be written or restored, or a database could not be moved."""


class SnapshotCorruptError(SnapshotError, ValueError):
    """A snapshot whose files do not match its manifest (edited, truncated or incomplete)."""

    def __init__(self, message: str, table: str | None = None, expected: str | None = None, actual: str | None = None) -> None:
        super().__init__(message)
        self.table = table
        self.expected = expected
        self.actual = actual


class DatabaseCopyError(SnapshotError):
    """A copied database whose row counts or content hashes differ from the source; nothing was kept.

    ``mismatches`` maps a table to ``(expected, actual)`` descriptions.
    """

    def __init__(self, message: str, mismatches: dict[str, tuple[str, str]] | None = None) -> None:
        super().__init__(message)
        self.mismatches = mismatches or {}


class CLIUsageError(BiolakeError, ValueError):
    """Wrong command-line usage."""


class BiolakeWarning(UserWarning):
    """Root of all biolake warnings."""


class ValidationWarning(BiolakeWarning):
    """Values that do not validate against a registry or a public source (nothing was raised)."""


class AmbiguousValueWarning(ValidationWarning):
    """Values that match several records, so none was picked for them."""
