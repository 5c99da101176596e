"""The storage adapter: welfarekit's objects in any database SQLAlchemy speaks.

Only SQLAlchemy Core and portable SQL (select, then update or insert) so that the same
code serves SQLite, PostgreSQL and MariaDB. Every read is confined to one provider
(invariant 8). A database failure surfaces as :class:`~welfarekit.errors.StorageError`
naming the database (password hidden) and the driver's reason, never the statement's
parameters, which may hold personal data.
"""

from __future__ import annotations

import builtins
import enum
from collections import defaultdict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, TypeVar, cast

from alembic.util import CommandError
from sqlalchemy import (
    URL,
    ColumnElement,
    Connection,
    Engine,
    RootTransaction,
    Table,
    and_,
    create_engine,
    delete,
    event,
    insert,
    make_url,
    select,
    update,
)
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError

from welfarekit.errors import ConfigurationError, StorageError
from welfarekit.model import EducationProvider, StaffMember
from welfarekit.storage import Entity, SchemaStatus, check_filters, entity_key
from welfarekit_sqlalchemy import db, tables
from welfarekit_sqlalchemy.rows import SHAPES, Row, Shape

__all__ = ["SQLAlchemyStorage", "SQLAlchemyTransaction"]

E = TypeVar("E", bound=Entity)


def _reason(error: BaseException) -> str:
    """The driver's own message, first line only: SQLAlchemy's full text would add the
    statement, and without ``hide_parameters`` its parameters."""
    cause = error.orig if isinstance(error, DBAPIError) and error.orig is not None else error
    text = str(cause.args[0]) if cause.args else ""
    lines = text.strip().splitlines()
    return f"{type(cause).__name__}: {lines[0]}" if lines else type(cause).__name__


@contextmanager
def _translated(doing: str, where: str) -> Iterator[None]:
    try:
        yield
    except SQLAlchemyError as error:
        raise StorageError(f"could not {doing} the database {where}: {_reason(error)}") from error


def _shape(kind: type[object]) -> Shape:
    shape = SHAPES.get(kind)
    if shape is None:
        raise TypeError(f"{kind!r} is not a kind of object welfarekit stores")
    return shape


def _plain(value: object) -> object:
    """Filter values may be enum members, as the objects' attributes are."""
    return value.value if isinstance(value, enum.Enum) else value


class SQLAlchemyTransaction:
    """One database transaction (:class:`welfarekit.storage.StorageTransaction`)."""

    def __init__(self, connection: Connection, where: str) -> None:
        self._connection = connection
        self._where = where

    def save(self, entity: Entity) -> None:
        """Insert the object, or update the one with its key in place: rows that refer to
        it keep pointing at it, which a delete and insert would break."""
        shape = _shape(type(entity))
        row = shape.to_row(entity)
        doing = f"save {type(entity).__name__} {entity_key(entity)!r} in"
        with _translated(doing, self._where):
            self._put(shape, row)
            if isinstance(entity, StaffMember):
                self._replace_staff_children(entity)

    def get(self, kind: type[E], provider_id: str, key: str) -> E | None:
        shape = _shape(kind)
        values = key.split("/")
        if len(values) != len(shape.key):
            return None
        table = shape.table
        conditions = [
            table.c[shape.tenant] == provider_id,
            *(table.c[column] == value for column, value in zip(shape.key, values, strict=True)),
        ]
        with _translated(f"read {kind.__name__} {key!r} from", self._where):
            found = self._select(shape, conditions)
        return cast(E, found[0]) if found else None

    def _put(self, shape: Shape, row: Row) -> None:
        table = shape.table
        key = {column: row[column] for column in (shape.tenant, *shape.key)}
        where = and_(*(table.c[column] == value for column, value in key.items()))
        if self._connection.execute(select(table.c[shape.tenant]).where(where)).first() is None:
            self._connection.execute(insert(table).values(row))
            return
        values = {column: value for column, value in row.items() if column not in key}
        if values:
            self._connection.execute(update(table).where(where).values(values))

    def _replace_staff_children(self, member: StaffMember) -> None:
        for child, column, values in (
            (tables.staff_roles, "role", sorted(role.value for role in member.roles)),
            (tables.staff_institutions, "institution_id", sorted(member.institution_ids)),
        ):
            self._connection.execute(
                delete(child).where(
                    child.c.provider_id == member.provider_id, child.c.staff_id == member.id
                )
            )
            if values:
                self._connection.execute(
                    insert(child),
                    [
                        {"provider_id": member.provider_id, "staff_id": member.id, column: v}
                        for v in values
                    ],
                )

    def _select(
        self, shape: Shape, conditions: builtins.list[ColumnElement[bool]]
    ) -> builtins.list[Any]:
        rows = self._connection.execute(select(shape.table).where(*conditions)).mappings().all()
        if shape.table is not tables.staff:
            return [shape.from_row(row) for row in rows]
        roles = self._staff_children(tables.staff_roles, "role", conditions)
        places = self._staff_children(tables.staff_institutions, "institution_id", conditions)
        return [
            shape.from_row(
                {
                    **row,
                    "roles": roles[row["provider_id"], row["id"]],
                    "institution_ids": places[row["provider_id"], row["id"]],
                }
            )
            for row in rows
        ]

    def _staff_children(
        self,
        child: Table,
        column: str,
        conditions: builtins.list[ColumnElement[bool]],
    ) -> defaultdict[tuple[str, str], set[str]]:
        """A child column of the staff rows the conditions select, in one query."""
        staff = tables.staff
        query = (
            select(child.c.provider_id, child.c.staff_id, child.c[column])
            .join(
                staff,
                and_(staff.c.provider_id == child.c.provider_id, staff.c.id == child.c.staff_id),
            )
            .where(*conditions)
        )
        gathered: defaultdict[tuple[str, str], set[str]] = defaultdict(set)
        for provider_id, staff_id, value in self._connection.execute(query):
            gathered[provider_id, staff_id].add(value)
        return gathered

    def list(self, kind: type[E], provider_id: str | None, /, **filters: str) -> builtins.list[E]:
        """Ordered by :func:`~welfarekit.storage.entity_key` in Python, as the reference
        adapter does: SQL ordering would follow the database's collation.

        ``kind`` and ``provider_id`` are positional-only: Institution and WelfareGroup
        have a filter named ``kind``."""
        shape = _shape(kind)
        names = builtins.list(check_filters(kind, filters))
        table = shape.table
        conditions = [table.c[shape.filters[name]] == _plain(filters[name]) for name in names]
        if provider_id is not None:
            conditions.append(table.c[shape.tenant] == provider_id)
        elif kind is not EducationProvider:
            raise TypeError(f"listing {kind.__name__} needs a provider_id")
        with _translated(f"list {kind.__name__} from", self._where):
            found = self._select(shape, conditions)
        return sorted(cast(builtins.list[E], found), key=entity_key)


def _enable_sqlite_foreign_keys(dbapi_connection: Any, _record: object) -> None:
    """SQLite leaves foreign keys unchecked unless each connection asks."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


class SQLAlchemyStorage:
    """welfarekit's :class:`~welfarekit.storage.StorageAdapter` on SQLAlchemy.

    ``options`` may hold ``engine_options``, keyword arguments for
    :func:`sqlalchemy.create_engine` (``hide_parameters`` is on unless set).
    """

    def __init__(self, url: str | URL, options: Mapping[str, Any] | None = None) -> None:
        options = dict(options or {})
        engine_options = dict(options.pop("engine_options", None) or {})
        if options:
            raise ConfigurationError(
                f"unknown sqlalchemy storage options: {', '.join(sorted(options))} "
                "(known: engine_options)"
            )
        engine_options.setdefault("hide_parameters", True)
        try:
            parsed = make_url(url)
        except (ArgumentError, ValueError):
            # Not echoed: a URL that cannot be read might still hold a password.
            raise ConfigurationError(
                "cannot read the database URL for sqlalchemy storage"
            ) from None
        try:
            self._engine = create_engine(parsed, **engine_options)
        except (ArgumentError, ImportError, TypeError) as error:
            missing = isinstance(error, ImportError | NoSuchModuleError)
            raise ConfigurationError(
                f"cannot use {parsed.render_as_string()} for sqlalchemy storage: {error}"
                + (" (is its database driver installed?)" if missing else "")
            ) from None
        if parsed.get_backend_name() == "sqlite":
            event.listen(self._engine, "connect", _enable_sqlite_foreign_keys)
            self._create_sqlite_directory(parsed)
        self._schema_checked = False

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine, for a host that wants to share it."""
        return self._engine

    def _create_sqlite_directory(self, url: URL) -> None:
        database = url.database
        if not database or database == ":memory:" or url.query.get("uri"):
            return
        try:
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StorageError(
                f"cannot create the directory for {self.describe()}: {error.strerror}"
            ) from error

    def describe(self) -> str:
        return self._engine.url.render_as_string(hide_password=True)

    def __repr__(self) -> str:
        return f"SQLAlchemyStorage({self.describe()!r})"

    @contextmanager
    def transaction(self) -> Iterator[SQLAlchemyTransaction]:
        """Commit when the block ends normally, roll back when it raises. Database errors
        become :class:`StorageError`; the caller's own exceptions propagate unchanged."""
        self._require_current_schema()
        where = self.describe()
        with _translated("connect to", where):
            connection = self._engine.connect()
        try:
            with _translated("begin a transaction in", where):
                transaction = connection.begin()
            try:
                yield SQLAlchemyTransaction(connection, where)
            except BaseException:
                _roll_back(transaction)
                raise
            try:
                transaction.commit()
            except SQLAlchemyError as error:
                _roll_back(transaction)
                raise StorageError(
                    f"could not commit to the database {where}: {_reason(error)}; "
                    "nothing was written"
                ) from error
        finally:
            with suppress(SQLAlchemyError):
                connection.close()

    def upgrade(self) -> None:
        where = self.describe()
        try:
            with _translated("upgrade the schema of", where):
                db.upgrade(self._engine)
        except CommandError as error:
            raise StorageError(
                f"could not upgrade the schema of the database {where}: {error}"
            ) from error
        self._schema_checked = True

    def schema_status(self) -> SchemaStatus:
        with _translated("read the schema version of", self.describe()):
            return SchemaStatus(current=db.current(self._engine), head=db.head())

    def close(self) -> None:
        self._engine.dispose()

    def _require_current_schema(self) -> None:
        """Checked once per instance: a schema does not go back by itself."""
        if self._schema_checked:
            return
        status = self.schema_status()
        if not status.up_to_date:
            raise StorageError(self._schema_problem(status))
        self._schema_checked = True

    def _schema_problem(self, status: SchemaStatus) -> str:
        where = self.describe()
        url = where if self._engine.url.password is None else "<database URL>"
        command = f"run `welfarekit db upgrade --db {url}` (or welfarekit_sqlalchemy.upgrade())"
        if status.current is None:
            return f"the database {where} has no welfarekit tables yet; {command} first"
        if not db.known(status.current):
            return (
                f"the database {where} is at welfarekit schema {status.current!r}, newer than "
                f"this welfarekit-sqlalchemy knows (its newest is {status.head!r}); upgrade "
                "the welfarekit-sqlalchemy package"
            )
        return (
            f"the database {where} is at welfarekit schema {status.current!r}, but this "
            f"welfarekit-sqlalchemy needs {status.head!r}; {command}"
        )


def _roll_back(transaction: RootTransaction) -> None:
    """Roll back, keeping the original error: if the connection is broken, the database
    discards the transaction itself when the connection closes."""
    with suppress(SQLAlchemyError):
        transaction.rollback()
