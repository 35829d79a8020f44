"""The error and warning trees of ``biolake.errors``: drawn in the docstring, no Django names reused."""

from __future__ import annotations

import inspect

import django.core.exceptions
import django.db

from biolake import errors


def _classes() -> list[type]:
    return [c for _, c in inspect.getmembers(errors, inspect.isclass) if c.__module__ == errors.__name__]


def test_every_class_is_drawn_in_the_docstring() -> None:
    for cls in _classes():
        assert f"── {cls.__name__}" in errors.__doc__ or f"    {cls.__name__}(" in errors.__doc__, cls


def test_errors_and_warnings_have_one_root_each() -> None:
    for cls in _classes():
        if issubclass(cls, Warning):
            assert issubclass(cls, errors.BiolakeWarning) and issubclass(cls, UserWarning)
        else:
            assert issubclass(cls, errors.BiolakeError)


def test_no_django_exception_name_is_reused_for_something_else() -> None:
    django_names = {n for n in dir(django.core.exceptions) + dir(django.db) if n[:1].isupper()}
    same_meaning = {"DoesNotExist", "ValidationError"}  # see the errors module docstring
    assert {c.__name__ for c in _classes()} & django_names <= same_meaning
    assert not hasattr(errors, "IntegrityError")


def test_hash_mismatch_carries_both_hashes() -> None:
    error = errors.HashMismatchError("differs", expected="a", actual="b")
    assert isinstance(error, ValueError) and (error.expected, error.actual) == ("a", "b")
