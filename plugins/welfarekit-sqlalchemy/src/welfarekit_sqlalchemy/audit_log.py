"""The chained audit trail in ``welfarekit_audit_events``: append, head, entries.

Entries are only inserted. The primary key ``(provider_id, sequence)`` refuses a second
entry at a sequence, which is what two transactions that read the same head and chained
after it run into: the later one gets :class:`~welfarekit.errors.ConflictError` and is
retried as a whole (on PostgreSQL the refused insert has aborted its transaction, so
rolling back is all that is left to it anyway). On a database server that is only a last
line: an appender locks its provider's chain before reading the head (:func:`head`), so
concurrent appenders wait their turn rather than collide. The same key serves the head (the highest
sequence, one row from the index) and reading the chain in order.

Every field is stored as it is hashed, so what is read back verifies: the moment in UTC with
its microseconds, the outcome by its value, the strings unchanged.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy.exc
from sqlalchemy import Connection, Engine, bindparam, insert, select

from welfarekit.audit import AuditEvent, AuditOutcome
from welfarekit.audit_chain import ChainedEvent
from welfarekit.errors import ConflictError
from welfarekit_sqlalchemy.bulk import BulkStatement
from welfarekit_sqlalchemy.chain_tables import audit_chain_locks
from welfarekit_sqlalchemy.errors import duplicate_key, retryable
from welfarekit_sqlalchemy.sealed_tables import audit_events
from welfarekit_sqlalchemy.shapes import Row, from_utc, to_utc

__all__ = ["append", "append_many", "entries", "head"]


def _row(entry: ChainedEvent) -> Row:
    event = entry.event
    return {
        "provider_id": event.provider_id,
        "sequence": entry.sequence,
        "previous_hash": entry.previous_hash,
        "entry_hash": entry.entry_hash,
        "event_id": event.id,
        "occurred_at": to_utc(event.occurred_at),
        "actor": event.actor,
        "action": event.action,
        "resource_type": event.resource_type,
        "resource_id": event.resource_id,
        "student_id": event.student_id,
        "outcome": event.outcome.value,
        "reason": event.reason,
    }


def _entry(r: Mapping[Any, Any]) -> ChainedEvent:
    event = AuditEvent(
        id=r["event_id"],
        provider_id=r["provider_id"],
        occurred_at=from_utc(r["occurred_at"]),
        actor=r["actor"],
        action=r["action"],
        resource_type=r["resource_type"],
        resource_id=r["resource_id"],
        student_id=r["student_id"],
        outcome=AuditOutcome(r["outcome"]),
        reason=r["reason"],
    )
    return ChainedEvent(
        sequence=int(r["sequence"]),
        event=event,
        previous_hash=r["previous_hash"],
        entry_hash=r["entry_hash"],
    )


def append(connection: Connection, entry: ChainedEvent) -> None:
    """Insert one entry; :class:`ConflictError` when its sequence is taken."""
    try:
        connection.execute(insert(audit_events).values(_row(entry)))
    except sqlalchemy.exc.IntegrityError as error:
        if duplicate_key(error):
            raise ConflictError(
                f"audit entry {entry.sequence} of provider {entry.event.provider_id!r} exists "
                "already: another transaction appended first; retry the operation"
            ) from error
        raise


_APPEND_MANY = BulkStatement(
    insert(audit_events).values({column.name: bindparam(column.name) for column in audit_events.c})
)


def append_many(connection: Connection, chained: Sequence[ChainedEvent]) -> None:
    """Insert entries in one driver call; :class:`ConflictError` when a sequence is taken."""
    if not chained:
        return
    rows = [_row(entry) for entry in chained]
    columns = {column.name: [row[column.name] for row in rows] for column in audit_events.c}
    try:
        _APPEND_MANY.executemany(connection, columns)
    except sqlalchemy.exc.IntegrityError as error:
        if duplicate_key(error):
            first, last = chained[0], chained[-1]
            raise ConflictError(
                f"audit entries {first.sequence}..{last.sequence} of provider "
                f"{first.event.provider_id!r}: one exists already: another transaction "
                "appended first; retry the operation"
            ) from error
        raise


_HEAD = (
    select(audit_events)
    .where(audit_events.c.provider_id == bindparam("provider_id"))
    .order_by(audit_events.c.sequence.desc())
    .limit(1)
)
_LOCK_CHAIN = (
    select(audit_chain_locks.c.provider_id)
    .where(audit_chain_locks.c.provider_id == bindparam("provider_id"))
    .with_for_update()
)


def head(connection: Connection, provider_id: str) -> ChainedEvent | None:
    """The entry with the highest sequence, read backwards from the primary key's index.

    On a database server the provider's chain is locked first, until the transaction ends
    (:data:`~welfarekit_sqlalchemy.chain_tables.audit_chain_locks`): a transaction that
    appends while another is about to wait for it to end, then read the head it left, so
    concurrent operations queue for the moment of their append instead of chaining after
    the same head and all but one failing with :class:`ConflictError`. (SQLite lets one
    writer in at a time of itself.) On MariaDB the head is read with a locking read, which
    sees what was committed meanwhile where its repeatable read would not."""
    params = {"provider_id": provider_id}
    query = _HEAD
    dialect = connection.dialect.name
    if dialect != "sqlite":
        _lock_chain(connection, params)
        if dialect in ("mysql", "mariadb"):
            query = _HEAD.with_for_update(read=True)
    found = connection.execute(query, params).mappings().first()
    return None if found is None else _entry(found)


_CHAIN_ROW = select(audit_chain_locks.c.provider_id).where(
    audit_chain_locks.c.provider_id == bindparam("provider_id")
)
_HAVE_ROWS: weakref.WeakKeyDictionary[Engine, set[str]] = weakref.WeakKeyDictionary()
"""Providers whose chain row each database is known to have (rows are never deleted)."""


def _lock_chain(connection: Connection, params: dict[str, str]) -> None:
    """Lock the provider's chain row, making it first on the provider's first append.

    Only a row known to exist is locked at once: a locking read of a missing row would, on
    MariaDB, lock the gap where it goes, and the insert making it would wait on that."""
    engine, provider_id = connection.engine, params["provider_id"]
    known = _HAVE_ROWS.setdefault(engine, set())
    if provider_id not in known and connection.execute(_CHAIN_ROW, params).first() is None:
        _make_lock_row(engine, params)
    if connection.execute(_LOCK_CHAIN, params).first() is not None:
        known.add(provider_id)
    else:  # the row is gone (tables emptied behind the storage): the primary key still guards
        known.discard(provider_id)


def _make_lock_row(engine: Engine, params: dict[str, str]) -> None:
    """Make a provider's chain row in a transaction of its own, committed at once, so that
    the operation's transaction takes no lock on it but the one it asks for: several first
    appenders inserting it inside their own transactions would deadlock on MariaDB. Another
    transaction making it meanwhile is as good."""
    for attempt in range(3):
        try:
            with engine.begin() as own:
                own.execute(insert(audit_chain_locks).values(params))
            return
        except sqlalchemy.exc.IntegrityError as error:
            if duplicate_key(error):
                return
            raise
        except sqlalchemy.exc.OperationalError as error:
            if not retryable(error) or attempt == 2:
                raise


def entries(
    connection: Connection,
    provider_id: str,
    *,
    after: int = 0,
    limit: int | None = None,
    student_id: str | None = None,
) -> list[ChainedEvent]:
    """The entries above sequence ``after``, in order, at most ``limit`` of them; only
    those concerning ``student_id`` when it is given."""
    if limit is not None and limit < 0:
        raise ValueError(f"limit must be zero or more, not {limit}")
    query = (
        select(audit_events)
        .where(audit_events.c.provider_id == provider_id, audit_events.c.sequence > after)
        .order_by(audit_events.c.sequence)
    )
    if student_id is not None:
        query = query.where(audit_events.c.student_id == student_id)
    if limit is not None:
        query = query.limit(limit)
    return [_entry(row) for row in connection.execute(query).mappings()]
