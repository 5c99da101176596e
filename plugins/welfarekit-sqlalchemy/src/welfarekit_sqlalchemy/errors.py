"""Database failures as welfarekit's errors, without the statement's parameters."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy.exc
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from welfarekit.errors import ConflictError, IntegrityError, StorageError
from welfarekit.storage import Entity, entity_key

__all__ = ["already_recorded", "duplicate_key", "reason", "retryable", "translated"]


def reason(error: BaseException) -> str:
    """The driver's own message, first line only: SQLAlchemy's full text would add the
    statement, and without ``hide_parameters`` its parameters."""
    cause = error.orig if isinstance(error, DBAPIError) and error.orig is not None else error
    args = cause.args
    # MySQL drivers give (error number, message): keep both
    if len(args) >= 2 and isinstance(args[0], int) and isinstance(args[1], str):
        text = f"({args[0]}) {args[1]}"
    else:
        text = str(args[0]) if args else ""
    lines = text.strip().splitlines()
    return f"{type(cause).__name__}: {lines[0]}" if lines else type(cause).__name__


_RETRY_STATES = ("40P01", "40001")
"""PostgreSQL's deadlock_detected and serialization_failure."""
_MYSQL_RETRY = (1213, 1205)
"""ER_LOCK_DEADLOCK and ER_LOCK_WAIT_TIMEOUT."""


def retryable(error: SQLAlchemyError) -> bool:
    """Whether the database gave up on the transaction for another one's sake (a deadlock,
    a serialization failure, a lock wait timeout): running it again is safe."""
    cause = error.orig if isinstance(error, DBAPIError) else None
    state = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    args = getattr(cause, "args", ())
    return state in _RETRY_STATES or bool(args and args[0] in _MYSQL_RETRY)


@contextmanager
def translated(doing: str, where: str) -> Iterator[None]:
    """Turn a database failure while ``doing`` into :class:`StorageError` naming ``where``;
    a deadlock or serialization failure into :class:`ConflictError` (retry it)."""
    try:
        yield
    except SQLAlchemyError as error:
        message = f"could not {doing} the database {where}: {reason(error)}"
        if retryable(error):
            raise ConflictError(f"{message}; another transaction came first: retry") from error
        raise StorageError(message) from error


def already_recorded(entity: Entity) -> IntegrityError:
    """The refusal to replace a register record (worded as the reference adapter's)."""
    return IntegrityError(
        f"{type(entity).__name__} {entity_key(entity)!r} is already recorded; "
        "register entries are never replaced"
    )


_DUPLICATE_KEY_MESSAGES = ("unique constraint failed", "duplicate key", "duplicate entry")
"""How SQLite, PostgreSQL and MySQL/MariaDB drivers word a primary key violation."""
_MYSQL_DUPLICATE_ENTRY = (1062, 1586)
"""ER_DUP_ENTRY and ER_DUP_ENTRY_WITH_KEY_NAME (MySQL's SQLSTATE 23000 is any constraint)."""


def duplicate_key(error: sqlalchemy.exc.IntegrityError) -> bool:
    """Whether the database refused a duplicate key (rather than, say, a foreign key)."""
    cause = error.orig
    state = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    if state == "23505":  # PostgreSQL's unique_violation
        return True
    args = getattr(cause, "args", ())
    if args and args[0] in _MYSQL_DUPLICATE_ENTRY:
        return True
    return any(message in str(cause).lower() for message in _DUPLICATE_KEY_MESSAGES)
