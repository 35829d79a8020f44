"""The record base every registry derives from: uids, timestamps, class-level queries, repr."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError, models
from django.db.models import Q
from django.db.models.base import ModelBase

from biolake import _logging, _process, errors
from biolake.models import compiled_sql, registries, run_project, trash
from biolake.models.constants import ALL_SPACE, MAIN_BRANCH, TRASH_BRANCH  # noqa: F401 (TRASH_BRANCH: re-exported)
from biolake.models.current import current_branch_id, current_user_id, visible_branch_ids
from biolake.models.query import Manager, PlainManager, QuerySet
from biolake.models.uids import random_base62
from biolake.setup import database_alias, ensure_ready



class RecordMeta(ModelBase):
    """Gives each registry ``DoesNotExist`` / ``MultipleObjectsReturned`` from biolake's error tree."""

    def __new__(mcs, name: str, bases: tuple[type, ...], attrs: dict[str, Any], **kwargs: Any) -> Any:
        cls = super().__new__(mcs, name, bases, attrs, **kwargs)
        if not cls._meta.abstract:
            registries.register(cls)
            cls.DoesNotExist = _subclass("DoesNotExist", errors.DoesNotExist, cls.DoesNotExist, cls)
            cls.MultipleObjectsReturned = _subclass(
                "MultipleObjectsReturned", errors.MultipleResultsFound, cls.MultipleObjectsReturned, cls
            )
        return cls


def _subclass(name: str, ours: type, django_error: type, model: type) -> type:
    return type(name, (ours, django_error), {"__module__": model.__module__, "__qualname__": f"{model.__name__}.{name}"})


class Record(models.Model, metaclass=RecordMeta):
    """Base of all registries (LaminDB 1.x's ``ln.models.Record``, 2.x's ``ln.models.SQLRecord``).

    Class-level queries hand off to the QuerySet, so ``Artifact.filter(...)``,
    ``Artifact.get(...)`` and ``Artifact.df()`` work like Django's ``objects`` manager,
    showing the records of ``main`` and of the current branch (hiding trashed, archived and
    other branches' records) unless a ``branch`` filter is given.
    """

    _uid_length: ClassVar[int] = 16
    _stem_len: ClassVar[int] = 16
    _name_field: ClassVar[str] = "name"
    _search_fields: ClassVar[tuple[str, ...]] = ("name", "description")
    _repr_fields: ClassVar[tuple[str, ...]] = ()
    _trash_by_default: ClassVar[bool] = False  # delete() without permanent= moves to the trash
    _positional: ClassVar[tuple[str, ...]] = ()  # fields positional constructor arguments fill (Run: transform)
    uid: str  # each registry declares its uid field (its length differs)

    objects = Manager()
    _plain = PlainManager()  # for internal queries

    class Meta:
        abstract = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if args and len(args) != len(self._meta.concrete_fields):  # all values: Django's own form
            kwargs = _positional_to_keywords(type(self), args, kwargs)
            args = ()
        _check_fields(type(self), kwargs)
        try:
            super().__init__(*args, **kwargs)
        except errors.BiolakeError:
            raise
        except (ValueError, TypeError) as error:  # e.g. a foreign key given something that is no record
            message = " ".join(str(error).split()).strip('"').rstrip(".")
            raise errors.ArgumentTypeError(f"{type(self).__name__}(): {message}.") from error
        _fill_provenance(self)
        if not args and "branch" not in kwargs and "branch_id" not in kwargs and type(self)._has_branch():
            self.branch_id = current_branch_id()  # new records land on the current branch

    # -- construction from the database bypasses our constructors -------------------------
    @classmethod
    def from_db(cls, db: str | None, field_names: Any, values: Any) -> Record:
        concrete = cls._meta.concrete_fields
        if len(values) != len(concrete):
            it = iter(values)
            values = [next(it) if f.attname in field_names else models.DEFERRED for f in concrete]
        new = cls.__new__(cls)
        models.Model.__init__(new, *values)
        new._state.adding = False
        new._state.db = db
        return new

    # -- class-level queries ----------------------------------------------------------------
    @classmethod
    def _visible(cls, kwargs: dict[str, Any] | None = None) -> QuerySet:
        ensure_ready()  # after ln.disconnect(), fail clearly instead of reading the old database
        conditions = cls._default_conditions(kwargs or {})
        return cls.objects.filter(*conditions) if conditions else cls.objects.all()

    @classmethod
    def _default_conditions(cls, kwargs: dict[str, Any]) -> list[Q]:
        """Conditions that hide records unless the query names the field (``branch``: main and the current branch)."""
        branches = cls._shown_branches(kwargs)
        return [_on_branches(branches)] if branches else []

    @classmethod
    def _shown_branches(cls, kwargs: dict[str, Any]) -> list[int]:
        """The branches a query shows unless it names the field (none: no condition)."""
        if cls._has_branch() and not any(k.startswith("branch") for k in kwargs):
            visible = visible_branch_ids()
            return [MAIN_BRANCH] if len(visible) == 1 else list(visible)
        return []

    @classmethod
    def _has_branch(cls) -> bool:
        flag = cls.__dict__.get("_has_branch_field")
        if flag is None:
            flag = any(f.attname == "branch_id" for f in cls._meta.concrete_fields)
            cls._has_branch_field = flag
        return flag

    @classmethod
    def filter(cls, *queries: Any, **expressions: Any) -> QuerySet:
        """Records matching Django-style lookups, e.g. ``Artifact.filter(key__startswith="raw/")``."""
        ensure_ready()
        return cls.objects.filter(*cls._default_conditions(expressions), *queries, **expressions)

    @classmethod
    def exclude(cls, *queries: Any, **expressions: Any) -> QuerySet:
        """Records not matching the lookups."""
        return cls._visible().exclude(*queries, **expressions)

    @classmethod
    def get(cls, idlike: Any = None, *queries: Any, **expressions: Any) -> Any:
        """One record by uid, uid stem, id or lookups; raises ``DoesNotExist`` / ``MultipleObjectsReturned``."""
        ensure_ready()
        by_id = isinstance(idlike, (str, int))  # an id finds trashed and hidden records too
        conditions = [] if by_id else cls._default_conditions(expressions)
        found = None if queries else cls._get_by_fields(idlike, expressions)
        if found is not None:
            return found
        return cls.objects.all().get(idlike, *queries, _hidden=conditions, **expressions)

    @classmethod
    def _get_by_fields(cls, idlike: Any, expressions: dict[str, Any]) -> Any:
        """The one record whose plain fields equal ``expressions`` (or whose full uid or id is
        ``idlike``), through a cached SELECT; ``None`` when the lookup is not that simple or
        does not find exactly one record (``get`` then takes the general way)."""
        if idlike is not None:
            if expressions or type(idlike) not in (str, int):
                return None
            if type(idlike) is str and len(idlike) != cls._meta.get_field("uid").max_length:
                return None  # a uid stem: the latest version of a family
            expressions, hidden = {"uid" if type(idlike) is str else "id": idlike}, []
        else:
            hidden = cls._shown_branches(expressions)
        names = tuple(expressions)
        if not names or not all(_plain_field(cls, name) for name in names):
            return None

        def build(values: list[Any]) -> QuerySet:  # the branches' values first, as Django orders them
            branches, values = values[: len(hidden)], values[len(hidden) :]
            shown = [_on_branches(branches)] if branches else []
            return cls.objects.filter(*shown, **dict(zip(names, values)))[:2]

        shape = ("get", names, len(hidden))
        found = compiled_sql.records(cls, shape, build, [*hidden, *expressions.values()], cls.objects.db)
        return found[0] if found is not None and len(found) == 1 else None

    @classmethod
    def using(cls, instance: str) -> QuerySet:
        """Records of another instance (read it; ``.save()`` a record to transfer it here)."""
        alias = database_alias(instance)
        return cls.objects.using(alias).filter(*cls._default_conditions({}))

    @classmethod
    def all(cls) -> QuerySet:
        """All (non-trashed) records."""
        return cls._visible()

    @classmethod
    def df(cls, include: list[str] | str | None = None, features: bool | list[str] | str = False,
           limit: int | None = None) -> Any:
        """All (non-trashed) records as a pandas DataFrame (LaminDB 1.x name of :meth:`to_dataframe`)."""
        return cls._visible().df(include=include, features=features, limit=limit)

    @classmethod
    def to_dataframe(cls, include: list[str] | str | None = None, features: bool | list[str] | str = False,
                     limit: int | None = 100) -> Any:
        """The latest (non-trashed) records as a pandas DataFrame, at most ``limit`` rows (LaminDB 2.x)."""
        return cls._visible().to_dataframe(include=include, features=features, limit=limit)

    @classmethod
    def to_list(cls, field: str | None = None) -> list[Any]:
        """All (non-trashed) records as a list, or the values of one ``field``."""
        return cls._visible().to_list(field)

    @classmethod
    def search(cls, string: str, field: str | list[str] | None = None, limit: int | None = 20) -> QuerySet:
        """Records ranked by how well ``string`` matches their name/key/description."""
        return cls._visible().search(string, field=field, limit=limit)

    @classmethod
    def lookup(cls, field: str | None = None) -> Any:
        """Attribute-style access to records by name."""
        return cls._visible().lookup(field=field)

    # -- instance behaviour -----------------------------------------------------------------
    @property
    def branch(self) -> Any:
        """The :class:`~biolake.Branch` the record is on (``main``, ``trash``, ``archive``, a contribution branch)."""
        branch_id = getattr(self, "branch_id", None)
        if branch_id is None:
            return None
        return registries.registry_model("Branch")._plain.using(self._state.db or "default").get(pk=branch_id)

    @branch.setter
    def branch(self, value: Any) -> None:
        if not type(self)._has_branch():
            raise errors.InvalidArgument(f"{type(self).__name__} records are not on branches.")
        self.branch_id = value if isinstance(value, int) else value.pk

    def _become(self, other: Record) -> None:
        """Take over another instance's field values and database state (e.g. an existing duplicate)."""
        models.Model.__init__(self, *[getattr(other, f.attname) for f in type(other)._meta.concrete_fields])
        self._state.adding = other._state.adding
        self._state.db = other._state.db

    def _new_uid(self) -> str:
        return random_base62(self._uid_length)

    def save(self, *args: Any, **kwargs: Any) -> Record:  # type: ignore[override]
        """Write the record to the database; returns ``self`` so calls chain."""
        if not self.uid:
            self.uid = self._new_uid()
        adding = self._state.adding
        try:
            super().save(*args, **kwargs)
        except errors.BiolakeError:
            raise
        except (IntegrityError, DataError, DjangoValidationError, ValueError, TypeError) as error:
            raise _constraint_error(self, error) from error
        if adding and _process.run_project.get() is not None:
            run_project.label([self])
        return self

    def delete(self, permanent: bool | None = None) -> None:  # type: ignore[override]
        """Delete the record: ``permanent=True`` for good, ``permanent=False`` into the trash.

        ``None`` (the default) keeps each registry's LaminDB 1.x behaviour: artifacts and
        collections go to the trash first (and are deleted for good from there), other records
        are deleted for good. Registries without a trash (e.g. ``Storage``, ``User``) always
        delete for good. A record others still reference is refused (``RecordInUseError``).

        Example:
            >>> ln.ULabel.get(name="obsolete").delete(permanent=True)  # doctest: +SKIP
        """
        self._delete(permanent, lambda: lambda record: None)

    def _delete(self, permanent: bool | None, after: Callable[[], Callable[[Any], None]]) -> None:
        """Trash or delete for good; ``after()`` is asked before a permanent deletion (it may refuse)
        for what to run once the deletion committed (e.g. removing managed bytes)."""
        if permanent is None:
            in_trash = self._has_branch() and self.branch_id == TRASH_BRANCH  # type: ignore[attr-defined]
            permanent = in_trash or not (self._has_branch() and self._trash_by_default)
        if permanent or not self._has_branch():
            trash.delete_permanently(self, on_deleted=after())
        else:
            trash.move_to_trash(self)

    def restore(self) -> Record:
        """Bring a trashed record back."""
        if not self._has_branch():
            raise errors.InvalidArgument(f"{type(self).__name__} records have no trash: there is nothing to restore.")
        trash.restore(self)
        return self

    def describe(self, return_str: bool = False) -> str | None:
        """Print the record as a tree of its fields and relations, or return that text.

        Args:
            return_str: return the text instead of printing it.

        Example:
            >>> text = artifact.describe(return_str=True)  # doctest: +SKIP
        """
        from biolake.models.describe import describe_tree  # the tree view: loaded when used

        tree = describe_tree(self)
        if return_str:
            return _logging.render_text(tree)
        _logging.print_renderable(tree)
        return None

    def __repr__(self) -> str:
        names = self._repr_fields or tuple(f.attname for f in self._meta.concrete_fields if f.attname != "id")
        shown = []
        for name in names:
            value = getattr(self, name, None)
            if value is not None and value != "":
                shown.append(f"{name}={value!r}" if not hasattr(value, "isoformat") else f"{name}={value:%Y-%m-%d %H:%M:%S}")
        return f"{type(self).__name__}({', '.join(shown)})"

    __str__ = __repr__


# per registry: the keyword arguments its constructor accepts (fields, their ``_id`` columns, properties)
_VALID_KEYWORDS: dict[type, frozenset[str]] = {}


class ConstraintViolation(errors.RecordConstraintError, IntegrityError):
    """A failed database constraint: biolake's :class:`~biolake.errors.RecordConstraintError` that is
    also Django's ``IntegrityError``, so ``except IntegrityError`` (a version race retried) keeps working."""


def _constraint_error(record: Record, error: BaseException) -> errors.RecordConstraintError:
    """Django's or the database's refusal to save ``record``, as one line that says what to fix."""
    name = type(record).__name__
    reason = " ".join(str(getattr(error, "messages", None) or error).split()).strip("[]'\"").rstrip(".")
    missing = [f.name for f in type(record)._meta.concrete_fields if not f.null and getattr(record, f.attname) is None and not f.primary_key]
    hint = f" Missing required value(s): {', '.join(missing)}." if missing else ""
    kind = ConstraintViolation if isinstance(error, IntegrityError) else errors.RecordConstraintError
    return kind(f"Cannot save {name}: {reason}.{hint}", model=name)


def _on_branches(branches: list[int]) -> Q:
    return Q(branch_id=branches[0]) if len(branches) == 1 else Q(branch_id__in=branches)


def _plain_field(cls: type[Record], name: str) -> bool:
    """Whether ``name`` is a column of ``cls`` itself (a field, or a foreign key's ``_id``)."""
    try:
        field = cls._meta.get_field(name)
    except Exception:  # noqa: BLE001 - FieldDoesNotExist: a lookup, an alias, a relation
        return False
    return bool(field.concrete) and (not field.is_relation or name == field.attname)


def _field_names(cls: type[Record]) -> list[str]:
    return [f.name for f in cls._meta.concrete_fields if f.name != "id"]


def _check_fields(cls: type[Record], kwargs: dict[str, Any]) -> None:
    """Unknown constructor fields raise :class:`~biolake.errors.FieldValidationError` naming the valid ones."""
    valid = _VALID_KEYWORDS.get(cls)
    if valid is None:
        fields = cls._meta.concrete_fields
        valid = _VALID_KEYWORDS[cls] = frozenset(
            [f.name for f in fields] + [f.attname for f in fields] + list(cls._meta._property_names)
        )
    unknown = [k for k in kwargs if k not in valid]
    if unknown:
        names = _field_names(cls)
        raise errors.FieldValidationError(
            f"{', '.join(map(repr, unknown))} {'is not a field' if len(unknown) == 1 else 'are not fields'} of "
            f"{cls.__name__}; valid fields: {', '.join(names)}",
            invalid_fields=unknown, valid_fields=names,
        )


def _positional_to_keywords(cls: type[Record], args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
    """Positional constructor arguments as keywords: only the registry's ``_positional`` fields take them."""
    if len(args) > len(cls._positional):
        example = cls._positional or (cls._name_field,)
        raise errors.FieldValidationError(
            f"{cls.__name__}() takes keyword arguments, e.g. {cls.__name__}({example[0]}=...); "
            f"valid fields: {', '.join(_field_names(cls))}",
            valid_fields=_field_names(cls),
        )
    named = dict(zip(cls._positional, args))
    twice = sorted(set(named) & set(kwargs))
    if twice:
        raise errors.InvalidArgument(f"{cls.__name__}() got {', '.join(twice)} both by position and by keyword.")
    return {**named, **kwargs}


# per registry: its User model (if it has ``created_by``), whether it has ``run``, whether it has ``space``
_PROVENANCE_FIELDS: dict[type, tuple[Any, bool, bool]] = {}


def _fill_provenance(record: Record) -> None:
    """New records default to the current user, the tracked run (if any) and the run's space."""
    cls = type(record)
    flags = _PROVENANCE_FIELDS.get(cls)
    if flags is None:
        fields = {f.name: f for f in cls._meta.concrete_fields}
        user_field = fields.get("created_by")
        user_model = user_field.related_model if user_field else None
        flags = _PROVENANCE_FIELDS[cls] = (user_model, "run" in fields, "space" in fields)
    user_model, has_run, has_space = flags
    if user_model is not None and record.created_by_id is None:
        record.created_by_id = current_user_id(user_model)
    if has_run and record.run_id is None:
        record.run_id = _process.current_run_id()
    space = _process.run_space.get() if has_space else None
    if space is not None and record.space_id == ALL_SPACE:  # type: ignore[attr-defined]
        record.space_id = space.pk  # type: ignore[attr-defined]


class TracksCreator(Record):
    """Records that remember who created them (``created_by``) and in which run (``run``)."""

    created_by = models.ForeignKey(
        "biolake.User", models.PROTECT, related_name="+", editable=False
    )
    run = models.ForeignKey(
        "biolake.Run", models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        abstract = True
