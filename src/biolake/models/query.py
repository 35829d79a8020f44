"""QuerySet and Manager shared by every registry: df(), one(), get() by uid, search(), lookup()."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import FieldError
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, ProgrammingError, connections, models
from django.db.models import Case, IntegerField, Q, Value, When
from django.db.models.expressions import RawSQL

from biolake.models import cell_queries, search_index, search_topk, trash
from biolake.errors import BiolakeError, InvalidLookupError
from biolake.models.feature_query import split_feature_lookups
from biolake.models.lookup import Lookup
from biolake.models.search_index import search_terms, search_words
from biolake.models.search_rank import rank_expression
from biolake.setup import ensure_ready

if TYPE_CHECKING:
    import pandas as pd

_MAX_GET = 21


def _describe_query(args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    parts = [repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()]
    return ", ".join(parts) or "<no filter>"


# older names of relations, still accepted in lookups (LaminDB's FeatureSet is our Schema)
_LOOKUP_ALIASES = {"feature_sets": "schemas"}


def _resolve_aliases(kwargs: dict[str, Any], model: Any = None) -> dict[str, Any]:
    """``feature_sets__in=...`` → ``schemas__in=...``; an unsaved record with a public id
    (e.g. a gene from ``lookup()``) is matched by that id: ``genes=g`` → ``genes__ensembl_gene_id=...``."""
    renamed = {}
    aliases = {**_LOOKUP_ALIASES, **getattr(model, "_lookup_aliases", {})}
    for key, value in kwargs.items():
        head, sep, rest = key.partition("__")
        key = aliases.get(head, head) + sep + rest
        id_field = getattr(value, "_id_field", None)
        if id_field and getattr(getattr(value, "_state", None), "adding", False) and not rest:
            key, value = f"{key}__{id_field}", getattr(value, id_field)
        renamed[key] = value
    return renamed


def _branch_lookups(model: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
    """``branch=<Branch>`` / ``branch__in=[...]`` → ``branch_id`` lookups (``branch`` is a property, not a field)."""
    if "branch" not in kwargs and "branch__in" not in kwargs:
        return kwargs
    if not any(f.attname == "branch_id" and f.name == "branch_id" for f in model._meta.concrete_fields):
        return kwargs
    renamed = dict(kwargs)
    if "branch" in renamed:
        branch = renamed.pop("branch")
        renamed["branch_id"] = branch.pk if hasattr(branch, "_meta") else branch
    if "branch__in" in renamed:
        renamed["branch_id__in"] = [getattr(b, "pk", b) for b in renamed.pop("branch__in")]
    return renamed


def _without(kwargs: dict[str, Any], drop: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in kwargs.items() if k not in drop}


# fields whose prefix queries run as index range scans on SQLite (where LIKE never uses an index)
_PREFIX_FIELDS = frozenset({"key", "uid"})


def _prefix_as_range(vendor: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """Rewrite ``key__startswith="p"`` as ``key >= "p" AND key < "q"`` on SQLite.

    Prefix matching thereby is case-sensitive on SQLite too, as it is on PostgreSQL.
    """
    if vendor != "sqlite":
        return args, kwargs
    ranges = []
    for name in [k for k in kwargs if k.endswith("__startswith")]:
        field = name[: -len("__startswith")]
        prefix = kwargs[name]
        if field in _PREFIX_FIELDS and isinstance(prefix, str) and prefix and ord(prefix[-1]) < 0x10FFFF:
            upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
            ranges.append(Q(**{f"{field}__gte": prefix, f"{field}__lt": upper}))
            del kwargs[name]
    return (*args, *ranges), kwargs


_T = TypeVar("_T")
# what Django raises for a lookup no field has, or a value its field cannot take
_BUILD_ERRORS = (FieldError, DjangoValidationError, ValueError, TypeError, IndexError)
# what the database (driver) raises for a value it cannot store or compare (psycopg: a NUL in a string)
# and for a value of a type a lookup cannot compare (PostgreSQL: upper(boolean); SQLite: a list)
_RUN_ERRORS = (DataError, ProgrammingError, OverflowError, ValueError, TypeError, IndexError)
_REGEX_LOOKUPS = ("__regex", "__iregex")


def _bad_lookup(model: Any, args: tuple[Any, ...], kwargs: dict[str, Any], error: BaseException, build: Callable[..., Any]) -> InvalidLookupError:
    """A one-line error naming the lookup (of ``kwargs``) that ``build`` refuses."""
    culprit = next((k for k, v in kwargs.items() if _refuses(build, k, v)), None)
    reason = " ".join(str(getattr(error, "messages", None) or error).split()).strip("[]'\"").rstrip(".")
    shown = f"{culprit}={kwargs[culprit]!r}" if culprit else _describe_query(args, kwargs)
    return InvalidLookupError(
        f"Cannot query {model.__name__} with {shown}: {reason}. A lookup is <field>[__<relation field>][__<operator>] "
        "(operators: exact, iexact, in, gt, gte, lt, lte, startswith, contains, isnull, ...) and its value must fit the field.",
        lookup=culprit, value=kwargs.get(culprit) if culprit else None,
    )


def _refuses(build: Callable[..., Any], key: str, value: Any) -> bool:
    try:
        build(**{key: value})
    except _BUILD_ERRORS:
        return True
    return False


def _check_patterns(model: Any, kwargs: dict[str, Any]) -> None:
    """A regular expression lookup needs a valid pattern (SQLite would fail inside its REGEXP function)."""
    import re

    for key, value in kwargs.items():
        if not key.endswith(_REGEX_LOOKUPS):
            continue
        try:
            re.compile(value)
        except (re.error, TypeError) as error:
            raise InvalidLookupError(
                f"Cannot query {model.__name__} with {key}={value!r}: not a regular expression ({error}).",
                lookup=key, value=value,
            ) from error


@contextmanager
def _query_errors(model: Any, what: str) -> Iterator[None]:
    """Errors of the database for values it cannot take, as :class:`InvalidLookupError`."""
    try:
        yield
    except BiolakeError:
        raise
    except _RUN_ERRORS as error:
        raise InvalidLookupError(
            f"The database cannot run this {model.__name__} query ({what}): "
            f"{' '.join(str(error).split())}. Check the types and ranges of the values in filter()."
        ) from error


class QuerySet(models.QuerySet):
    """Django QuerySet with biolake conveniences, shared by ``Artifact.filter(...)`` and ``Artifact``."""

    def filter(self, *args: Any, **kwargs: Any) -> QuerySet:
        """Django's ``filter``, with feature lookups and index-friendly prefix queries on SQLite."""
        kwargs = _resolve_aliases(_branch_lookups(self.model, kwargs), self.model)
        annotated = {k: v for k, v in kwargs.items() if k.split("__", 1)[0] in self.query.annotations}
        with _query_errors(self.model, "looking up features"):
            kwargs, feature_conditions = split_feature_lookups(self.model, _without(kwargs, annotated), self.db)
        kwargs = {**kwargs, **annotated}  # lookups on annotations (search_rank) are neither fields nor features
        args, kwargs = _prefix_as_range(connections[self.db].vendor, args, kwargs)
        qs = self._build(super().filter, args, kwargs)
        for condition in feature_conditions:  # one join per feature: each must match on its own
            qs = models.QuerySet.filter(qs, condition)
        return qs.distinct() if feature_conditions else qs

    def exclude(self, *args: Any, **kwargs: Any) -> QuerySet:
        """Django's ``exclude``, with index-friendly prefix queries on SQLite."""
        args, kwargs = _prefix_as_range(connections[self.db].vendor, args, dict(kwargs))
        return self._build(super().exclude, args, kwargs)

    def _build(self, build: Callable[..., _T], args: tuple[Any, ...], kwargs: dict[str, Any]) -> _T:
        _check_patterns(self.model, kwargs)
        try:
            return build(*args, **kwargs)
        except BiolakeError:
            raise
        except _BUILD_ERRORS as error:
            raise _bad_lookup(self.model, args, kwargs, error, build) from error

    def _fetch_all(self) -> None:
        with _query_errors(self.model, "fetching records"):
            super()._fetch_all()

    def count(self) -> int:
        """The number of records."""
        with _query_errors(self.model, "counting"):
            return super().count()

    def delete(self, permanent: bool | None = None) -> Any:  # type: ignore[override]
        """Delete the records as each one's ``delete(permanent=...)`` does: artifacts and collections
        go to the trash (``permanent=True``: for good, with their managed bytes); records of other
        registries are deleted for good in one statement, unless ``permanent=False`` asks for the trash.

        Example:
            >>> ln.Artifact.filter(key__startswith="scratch/").delete()  # doctest: +SKIP
        """
        model = self.model
        one_by_one = model._has_branch() and (permanent is False or model._trash_by_default)
        if not one_by_one:
            trash.cascade_everywhere()
            with _query_errors(model, "deleting"):
                return super().delete()
        records = list(self)
        for record in records:
            record.delete(permanent=permanent)
        return len(records), {model._meta.label: len(records)}

    def exists(self) -> bool:
        """Whether the query matches any record."""
        with _query_errors(self.model, "checking existence"):
            return super().exists()

    def df(self, include: list[str] | str | None = None, features: bool | list[str] | str = False,
           limit: int | None = None) -> pd.DataFrame:
        """The records as a pandas DataFrame indexed by ``id`` (LaminDB 1.x name of :meth:`to_dataframe`).

        Args:
            include: related lookups to add as columns, e.g. ``["created_by__handle"]``;
                many-valued lookups become lists. ``"features"`` is the same as ``features=True``.
            features: add one column per feature with values (``True`` or ``"queryset"``), or
                only the named features (a list of names); a constant number of queries.
            limit: at most this many rows (``None``: all).
        """
        from biolake.models.frames import queryset_to_df  # pandas: loads on the first df()

        lookups = [include] if isinstance(include, str) else list(include or [])
        if "features" in lookups:
            lookups.remove("features")
            features = features or True
        qs = self[:limit] if limit is not None and not self.query.is_sliced else self
        return queryset_to_df(qs, lookups, features=features)

    def to_dataframe(self, include: list[str] | str | None = None, features: bool | list[str] | str = False,
                     limit: int | None = 100) -> pd.DataFrame:
        """The records as a pandas DataFrame indexed by ``id`` (LaminDB 2.x; ``df()`` is the 1.x name).

        Args:
            include: related lookups as columns, e.g. ``["ulabels__name", "created_by__handle"]``.
            features: ``True`` (or ``"queryset"``) adds a column per feature the records have
                values for; a list of names adds only those.
            limit: at most this many rows (default 100, as in LaminDB; ``None``: all).

        Example:
            >>> ln.Artifact.filter(suffix=".parquet").to_dataframe(include="ulabels__name", features=True)  # doctest: +SKIP
        """
        return self.df(include=include, features=features, limit=limit)

    def to_list(self, field: str | None = None) -> list[Any]:
        """The records as a list, or the values of one ``field`` (ordered only if the query is).

        Example:
            >>> ln.ULabel.filter().order_by("name").to_list("name")  # doctest: +SKIP
        """
        if field is None:
            return list(self)
        return list(self.values_list(field, flat=True))

    def cells(self, where: str | None = None, include_children: bool = False, **filters: Any) -> Any:
        """The cells of these (AnnData/MuData) artifacts matching obs filters, read from their obs index.

        Filters take registry lookups (``cell_type="T cell"``, ``tissue__in=[...]``,
        ``n_genes__gt=200``); ``where`` adds a SQL condition; ``include_children=True`` also
        matches descendants of ontology terms. See :class:`biolake.cells.CellQuery`.

        Example:
            >>> ln.Artifact.filter(suffix=".h5ad").cells(cell_type="T cell").count_by("tissue")  # doctest: +SKIP
        """
        return cell_queries.cells(self, where=where, include_children=include_children, **filters)

    def one(self) -> Any:
        """Exactly one record; raise if there are none or several."""
        records = list(self[:2])
        if not records:
            raise self.model.DoesNotExist(f"No {self.model.__name__} record in this query.")
        if len(records) > 1:
            raise self.model.MultipleObjectsReturned(
                f"More than one {self.model.__name__} record in this query; use .first() or refine the filter."
            )
        return records[0]

    def one_or_none(self) -> Any:
        """One record or ``None``; raise if there are several."""
        records = list(self[:2])
        if len(records) > 1:
            raise self.model.MultipleObjectsReturned(
                f"More than one {self.model.__name__} record in this query; refine the filter."
            )
        return records[0] if records else None

    def get(self, idlike: Any = None, *args: Any, _hidden: list[Q] | None = None, **kwargs: Any) -> Any:
        """One record by uid, uid prefix (e.g. the 16-char stem of a versioned uid), id or lookups.

        When several versions of one family match, the latest is returned. ``_hidden``: extra
        conditions (e.g. "not in the trash") left out of error messages.
        """
        if isinstance(idlike, Q):
            args, idlike = (idlike, *args), None
        if idlike is not None:
            kwargs.update(self._id_lookup(idlike))
        records = list(self.filter(*(_hidden or ()), *args, **kwargs)[:_MAX_GET])
        if len(records) == 1:
            return records[0]
        query = _describe_query(args, {**({"idlike": idlike} if idlike is not None else {}), **kwargs})
        if not records:
            raise self.model.DoesNotExist(
                f"No {self.model.__name__} record matches {query}.", query=query
            )
        latest = _single_latest(records)
        if latest is not None:
            return latest
        count = "more than 20" if len(records) == _MAX_GET else str(len(records))
        raise self.model.MultipleObjectsReturned(
            f"{count} {self.model.__name__} records match {query}; use .filter(...) to get all of them.",
            query=query,
        )

    def _id_lookup(self, idlike: Any) -> dict[str, Any]:
        if isinstance(idlike, int) and not isinstance(idlike, bool):
            return {"id": idlike}
        if not isinstance(idlike, str) or isinstance(idlike, bool):
            raise InvalidLookupError(f"get() takes a uid string or an integer id, not {type(idlike).__name__}", lookup="idlike", value=idlike)
        full = self.model._meta.get_field("uid").max_length
        return {"uid": idlike} if len(idlike) == full else {"uid__startswith": idlike}

    def search(self, string: str, field: str | list[str] | None = None, limit: int | None = 20) -> QuerySet:
        """Records ranked by how well ``string`` matches their name/key/description fields.

        Exact matches rank first, then prefix matches, then substring and word matches.
        """
        fields = [field] if isinstance(field, str) else list(field or self.model._search_fields)
        if any("__" in f for f in fields):  # a related field: Django resolves the join
            rank: Any = sum((_field_rank(f, string) for f in fields), Value(0))
        else:
            rank = rank_expression(self.model, connections[self.db], fields, string)
        if limit and "__" not in "".join(fields):
            top = search_topk.top_ids(self, fields, string, limit, rank)
            if top is not None:
                return self._ranked(self.filter(pk__in=top), rank)[:limit]
        qs = self._ranked(self._candidates(search_terms(string), fields), rank)
        if limit and 0 < len(search_words(string)) * len(fields) < 10:
            # a row with the whole phrase scores >= 10, a row with only some words < 10: when the
            # phrase fills the page, its rows are the page (and its index hits are few)
            top = list(self._ranked(self._candidates([string], fields), rank).values_list("pk", flat=True)[:limit])
            if len(top) == limit:
                return qs.filter(pk__in=top)[:limit]
        return qs[:limit] if limit else qs

    def _ranked(self, candidates: QuerySet, rank: Any) -> QuerySet:
        return candidates.annotate(search_rank=rank).filter(search_rank__gt=0).order_by("-search_rank", "id")

    def containing(self, terms: list[str], fields: list[str]) -> QuerySet:
        """The records with one of ``terms`` (case-insensitive substrings) in one of ``fields``,
        answered by the registry's search index when it has one (:mod:`biolake.models.search_index`)."""
        indexed = self._fts_filter(terms, fields)
        return indexed if indexed is not None else self.filter(_contains_any(terms, fields))

    def _candidates(self, terms: list[str], fields: list[str]) -> QuerySet:
        """A superset of the records ``search()`` ranks above 0: the index's hits, else every record
        on SQLite (the ranking filters them; on PostgreSQL the GIN indexes answer ``icontains``)."""
        indexed = self._fts_filter(terms, fields)
        if indexed is not None:
            return indexed
        return self if connections[self.db].vendor == "sqlite" else self.filter(_contains_any(terms, fields))

    def _fts_filter(self, terms: list[str], fields: list[str]) -> QuerySet | None:
        connection = connections[self.db]
        table = self.model._meta.db_table
        if connection.vendor != "sqlite":
            return None
        found = search_index.fts_query(table, fields, terms)
        if found is None or not search_index.has_fts(connection, table):
            return None
        return self.filter(pk__in=RawSQL(*found))

    def lookup(self, field: str | None = None) -> Lookup:
        """Attribute-style access to records by name: ``ln.Storage.lookup().<name>``."""
        field = field or self.model._name_field
        fallback = getattr(self.model, "_lookup_fallback", None)
        return Lookup(self.model.__name__, field, list(self), fallback=(lambda name: fallback(name, field)) if fallback else None)

    def latest_version(self) -> QuerySet:
        """Only the latest version of each family."""
        return self.filter(is_latest=True)

    list = to_list  # LaminDB 1.x name (``ln.ULabel.filter().list("name")``)


def _single_latest(records: list[Any]) -> Any:
    if not hasattr(records[0], "is_latest") or len(records) == _MAX_GET:
        return None
    stem = records[0]._stem_len
    if len({r.uid[:stem] for r in records}) != 1:
        return None
    latest = [r for r in records if r.is_latest]
    return latest[0] if len(latest) == 1 else None


def _contains_any(terms: list[str], fields: list[str]) -> Q:
    condition = Q(pk__in=[])
    for term in terms:
        for name in fields:
            condition |= Q(**{f"{name}__icontains": term})
    return condition


def _field_rank(field: str, string: str) -> Any:
    words = search_words(string)
    whens = [
        When(**{f"{field}__iexact": string}, then=Value(100)),
        When(**{f"{field}__istartswith": string}, then=Value(20)),
        When(**{f"{field}__icontains": string}, then=Value(10)),
    ]
    rank: Any = Case(*whens, default=Value(0), output_field=IntegerField())
    for word in words:
        rank = rank + Case(
            When(**{f"{field}__icontains": word}, then=Value(1)), default=Value(0), output_field=IntegerField()
        )
    return rank


class Manager(models.Manager.from_queryset(QuerySet)):  # type: ignore[misc]
    """The user-facing manager (``Artifact.objects``): biolake's QuerySet, on a ready instance."""

    def get_queryset(self) -> QuerySet:
        """A QuerySet of the registry; the first one of a process connects to the current instance."""
        ensure_ready()
        return super().get_queryset()


class PlainManager(models.Manager):  # type: ignore[type-arg]
    """Internal queries (``Artifact._plain``): Django's own QuerySet, without the user-facing
    rewriting of lookups (aliases, feature lookups, prefix ranges), on a ready instance."""

    def get_queryset(self) -> models.QuerySet:  # type: ignore[type-arg]
        """A plain QuerySet of the registry."""
        ensure_ready()
        return super().get_queryset()
