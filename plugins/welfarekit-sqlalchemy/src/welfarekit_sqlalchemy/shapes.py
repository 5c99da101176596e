"""What the storage needs to know about each kind of object: :class:`Shape`.

The shapes themselves are in :mod:`welfarekit_sqlalchemy.rows` (the directory) and
:mod:`welfarekit_sqlalchemy.register_rows` (the student welfare register).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs
from sqlalchemy import Table

from welfarekit.storage import FILTERS, Entity

__all__ = ["Children", "Row", "Shape", "from_utc", "same_names", "to_utc"]

Row = dict[str, Any]


@attrs.frozen
class Children:
    """A collection attribute kept in a child table, one row per element.

    A child row holds ``provider_id``, the parent's id in :attr:`parent` and one element in
    :attr:`columns`. An element is a plain value for a single column and a tuple of values
    (in the order of :attr:`columns`) for several.
    """

    table: Table
    parent: str
    """The child column holding the parent's id."""
    columns: tuple[str, ...]
    """The child columns holding one element."""
    field: str
    """The key under which the parent's ``from_row`` receives the elements, as a set."""
    elements: Callable[[Any], Iterable[Any]]
    """The elements of an object, as they are stored."""

    def rows(self, provider_id: str, parent_id: str, entity: Any) -> list[Row]:
        """The child rows of one object, in a stable order."""
        owner = {"provider_id": provider_id, self.parent: parent_id}
        single = len(self.columns) == 1
        return [
            {
                **owner,
                **({self.columns[0]: e} if single else dict(zip(self.columns, e, strict=True))),
            }
            for e in sorted(self.elements(entity))
        ]


@attrs.frozen
class Shape:
    """Where one kind lives: its table, which columns hold the tenant and the key, which
    column each filter compares, the conversions and the child tables."""

    table: Table
    tenant: str
    """The column naming the provider (``id`` for providers themselves)."""
    key: tuple[str, ...]
    """The columns of :func:`welfarekit.storage.entity_key`, in its order."""
    filters: Mapping[str, str]
    to_row: Callable[[Any], Row]
    """The row of the kind's own table (child rows come from :attr:`children`)."""
    from_row: Callable[[Mapping[Any, Any]], Entity]
    """Builds the object from its row and, under each child's ``field``, its elements."""
    children: tuple[Children, ...] = ()


def same_names(kind: type[Entity]) -> dict[str, str]:
    """Filters whose column has the filter's name."""
    return {name: name for name in FILTERS[kind]}


def to_utc(moment: dt.datetime) -> dt.datetime:
    """An aware moment for a ``DateTime(timezone=True)`` column, in UTC: SQLite and MariaDB
    keep no offset, so every database gets the same wall time for the same moment."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("a moment is stored only with its time zone")
    return moment.astimezone(dt.UTC)


def from_utc(moment: dt.datetime) -> dt.datetime:
    """A moment read back as aware UTC: databases that keep no offset return naive UTC (as
    :func:`to_utc` wrote it), PostgreSQL an aware time in the session's zone."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)
