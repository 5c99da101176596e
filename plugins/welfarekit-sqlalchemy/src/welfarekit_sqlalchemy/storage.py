"""The storage adapter: welfarekit's objects in any database SQLAlchemy speaks.

Only SQLAlchemy Core and portable SQL (select, then update or insert) so that the same
code serves SQLite, PostgreSQL and MariaDB. Every read is confined to one provider
(invariant 8). The register's records are only inserted: saving one whose key exists raises
:class:`~welfarekit.errors.IntegrityError`. :meth:`SQLAlchemyTransaction.insert` is
create-only for any kind, in a savepoint: a key taken already raises
:class:`~welfarekit.errors.ConflictError` and leaves the transaction usable. The audit trail is in
:mod:`welfarekit_sqlalchemy.audit_log`. A database failure surfaces as
:class:`~welfarekit.errors.StorageError` naming the database (password hidden) and the
driver's reason, never the statement's parameters, which may hold personal data
(:mod:`welfarekit_sqlalchemy.errors`).
"""

from __future__ import annotations

import builtins
import datetime as dt
import enum
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, TypeVar, cast

import sqlalchemy.exc
from alembic.util import CommandError
from sqlalchemy import (
    URL,
    Column,
    ColumnElement,
    Connection,
    Engine,
    MetaData,
    RootTransaction,
    Select,
    Table,
    and_,
    bindparam,
    create_engine,
    delete,
    event,
    insert,
    make_url,
    select,
    text,
    update,
)
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.schema import CreateTable

from welfarekit.audit_chain import ChainedEvent
from welfarekit.errors import (
    ConfigurationError,
    ConflictError,
    IntegrityError,
    NotFound,
    StorageError,
)
from welfarekit.model import EducationProvider
from welfarekit.storage import (
    REGISTER_TYPES,
    Entity,
    KeysetRewrap,
    SchemaStatus,
    check_filters,
    entity_key,
)
from welfarekit_sqlalchemy import audit_log, bulk, db, sealed_tables
from welfarekit_sqlalchemy.errors import (
    already_recorded,
    duplicate_key,
    reason,
    retryable,
    translated,
)
from welfarekit_sqlalchemy.rows import SHAPES
from welfarekit_sqlalchemy.shapes import Children, Row, Shape, to_utc
from welfarekit_sqlalchemy.tables import TABLE_PREFIX

__all__ = ["SQLAlchemyStorage", "SQLAlchemyTransaction"]

E = TypeVar("E", bound=Entity)


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
        it keep pointing at it, which a delete and insert would break. Objects of the
        register are only ever inserted, with their child rows."""
        shape = _shape(type(entity))
        row = shape.to_row(entity)
        doing = f"save {type(entity).__name__} {entity_key(entity)!r} in"
        register = isinstance(entity, REGISTER_TYPES)
        with translated(doing, self._where):
            if register:
                self._append(shape, row, entity)
            else:
                self._put(shape, row)
            self._write_children(shape, row, entity, replace=not register)

    def save_many(self, entities: Sequence[Entity], /) -> None:
        """Insert new register records: one executemany per table (a kind's own rows,
        then its child rows), with no look-up before; the primary key refuses a key taken
        already, as :class:`~welfarekit.errors.IntegrityError`."""
        if not entities:
            return
        not_register = [type(e).__name__ for e in entities if not isinstance(e, REGISTER_TYPES)]
        if not_register:
            raise TypeError(f"save_many takes objects of the register only, not {not_register}")
        by_kind: dict[type[Entity], builtins.list[Entity]] = defaultdict(builtins.list)
        for entity in entities:
            by_kind[type(entity)].append(entity)
        for kind, mine in by_kind.items():
            shape = _shape(kind)
            rows = [shape.to_row(entity) for entity in mine]
            doing = f"save {len(mine)} {kind.__name__} objects in"
            with translated(doing, self._where):
                try:
                    _insert_many(self._connection, shape.table, rows)
                    for children in shape.children:
                        owned = [
                            child
                            for row, entity in zip(rows, mine, strict=True)
                            for child in children.rows(row["provider_id"], row["id"], entity)
                        ]
                        _insert_many(self._connection, children.table, owned)
                except sqlalchemy.exc.IntegrityError as error:
                    if duplicate_key(error):
                        raise IntegrityError(
                            f"one of {len(mine)} {kind.__name__} objects is already "
                            "recorded; register entries are never replaced"
                        ) from error
                    raise

    def insert(self, entity: Entity) -> None:
        """Insert a new object (and its child rows), create-only: the primary key refuses a
        second object of the kind with the provider and key, then
        :class:`~welfarekit.errors.ConflictError` is raised and nothing is written.

        The insert runs in a savepoint, so the refusal leaves the transaction usable, on
        PostgreSQL too (which would otherwise abort the whole transaction), and an object
        whose child rows fail leaves no parent row behind. Of two transactions inserting the
        same key at once, the database lets one commit: the other waits for it and gets the
        conflict (or, where the database gives up waiting, :class:`StorageError`)."""
        shape = _shape(type(entity))
        row = shape.to_row(entity)
        name, key = type(entity).__name__, entity_key(entity)
        with translated(f"insert {name} {key!r} in", self._where):
            _begin_for_real(self._connection)
            try:
                with self._connection.begin_nested():
                    self._connection.execute(insert(shape.table).values(row))
                    self._write_children(shape, row, entity, replace=False)
            except sqlalchemy.exc.IntegrityError as error:
                if duplicate_key(error):
                    raise ConflictError(
                        f"{name} {key!r} exists already (another request made it first)"
                    ) from error
                raise

    def get(self, kind: type[E], provider_id: str, key: str) -> E | None:
        shape = _shape(kind)
        values = key.split("/")
        if len(values) != len(shape.key):
            return None
        where = dict(zip(shape.key, values, strict=True))
        if where.setdefault(shape.tenant, provider_id) != provider_id:
            return None  # a provider's key is its tenant column: found under its own id only
        with translated(f"read {kind.__name__} {key!r} from", self._where):
            found = self._select(shape, where)
        return cast(E, found[0]) if found else None

    def delete(self, kind: type[Entity], provider_id: str, key: str, /) -> bool:
        """Delete one object and its child rows; ``True`` if it existed."""
        shape = _shape(kind)
        values = key.split("/")
        if len(values) != len(shape.key):
            return False
        table = shape.table
        conditions = [
            table.c[shape.tenant] == provider_id,
            *(table.c[column] == value for column, value in zip(shape.key, values, strict=True)),
        ]
        with translated(f"delete {kind.__name__} {key!r} from", self._where):
            for children in shape.children:  # kinds with children are keyed by id
                child = children.table
                owned = (child.c.provider_id == provider_id, child.c[children.parent] == key)
                self._connection.execute(delete(child).where(*owned))
            deleted = self._connection.execute(delete(table).where(*conditions))
        return deleted.rowcount > 0

    def replace_ciphertext(
        self, kind: type[Entity], provider_id: str, key: str, ciphertext: bytes, /
    ) -> None:
        """One UPDATE of the sealed column, for data-key rotation."""
        shape = _shape(kind)
        table = shape.table
        column = "ciphertext" if "ciphertext" in table.c else "content"
        values = key.split("/")
        conditions = [
            table.c[shape.tenant] == provider_id,
            *(table.c[c] == v for c, v in zip(shape.key, values, strict=False)),
        ]
        with translated(f"re-encrypt {kind.__name__} {key!r} in", self._where):
            done = self._connection.execute(
                update(table).where(*conditions).values({column: ciphertext})
            )
        if done.rowcount == 0:
            raise NotFound(f"no {kind.__name__} {key!r} in provider {provider_id!r}")

    def append_audit(self, entry: ChainedEvent) -> None:
        """Raises :class:`~welfarekit.errors.ConflictError` when the sequence is taken."""
        with translated(f"append audit entry {entry.sequence} to", self._where):
            audit_log.append(self._connection, entry)

    def append_audit_many(self, entries: Sequence[ChainedEvent], /) -> None:
        """One executemany; :class:`~welfarekit.errors.ConflictError` when a sequence is
        taken."""
        if not entries:
            return
        doing = f"append audit entries {entries[0].sequence}..{entries[-1].sequence} to"
        with translated(doing, self._where):
            audit_log.append_many(self._connection, entries)

    def replace_keysets(
        self, provider_id: str, rewraps: Sequence[KeysetRewrap], updated_at: dt.datetime, /
    ) -> int:
        """One executemany of a conditional UPDATE (the stored blob must still be the old
        one), so a keyset another transaction changed meanwhile is left alone. On MariaDB
        and MySQL, whose drivers send an UPDATE's executemany a row at a time, one UPDATE
        joined with a temporary table of the rewraps instead (:func:`_rewrap_joined`)."""
        if not rewraps:
            return 0
        if self._connection.dialect.name in _MYSQL and _unique_students(rewraps):
            with translated(f"rewrap {len(rewraps)} keysets in", self._where):
                joined = _rewrap_joined(self._connection, provider_id, rewraps, updated_at)
            if joined is not None:
                return joined
        columns: dict[str, list[Any]] = {
            "student_id": [rewrap.student_id for rewrap in rewraps],
            "old_blob": [rewrap.old_blob for rewrap in rewraps],
            "kek_id": [rewrap.kek_id for rewrap in rewraps],
            "blob": [rewrap.blob for rewrap in rewraps],
        }
        shared = {"provider_id": provider_id, "updated_at": to_utc(updated_at)}
        with translated(f"rewrap {len(rewraps)} keysets in", self._where):
            return _REWRAP_KEYSETS.executemany(self._connection, columns, shared)

    def audit_head(self, provider_id: str) -> ChainedEvent | None:
        with translated("read the audit trail's head from", self._where):
            return audit_log.head(self._connection, provider_id)

    def audit_entries(
        self,
        provider_id: str,
        *,
        after: int = 0,
        limit: int | None = None,
        student_id: str | None = None,
    ) -> builtins.list[ChainedEvent]:
        with translated("read the audit trail from", self._where):
            return audit_log.entries(
                self._connection, provider_id, after=after, limit=limit, student_id=student_id
            )

    def _key_condition(self, shape: Shape, row: Row) -> ColumnElement[bool]:
        table = shape.table
        return and_(*(table.c[column] == row[column] for column in (shape.tenant, *shape.key)))

    def _exists(self, shape: Shape, row: Row) -> bool:
        found = select(shape.table.c[shape.tenant]).where(self._key_condition(shape, row))
        return self._connection.execute(found).first() is not None

    def _put(self, shape: Shape, row: Row) -> None:
        table = shape.table
        if not self._exists(shape, row):
            self._connection.execute(insert(table).values(row))
            return
        key = (shape.tenant, *shape.key)
        values = {column: value for column, value in row.items() if column not in key}
        if values:
            where = self._key_condition(shape, row)
            self._connection.execute(update(table).where(where).values(values))

    def _append(self, shape: Shape, row: Row, entity: Entity) -> None:
        """Insert a register record; one with its key is never replaced, and the refusal
        writes nothing, so the transaction may go on. If another transaction inserts the
        key between the check and the insert, the primary key refuses it with the same
        error (PostgreSQL has then aborted the transaction: only rolling back is left)."""
        if self._exists(shape, row):
            raise already_recorded(entity)
        try:
            self._connection.execute(insert(shape.table).values(row))
        except sqlalchemy.exc.IntegrityError as error:
            if duplicate_key(error):
                raise already_recorded(entity) from error
            raise

    def _write_children(self, shape: Shape, row: Row, entity: Entity, *, replace: bool) -> None:
        """Write the child rows of a new object, or replace those of a saved one."""
        if not shape.children:
            return
        provider_id, parent_id = row["provider_id"], row["id"]
        for children in shape.children:
            child = children.table
            if replace:
                self._connection.execute(
                    delete(child).where(
                        child.c.provider_id == provider_id, child.c[children.parent] == parent_id
                    )
                )
            rows = children.rows(provider_id, parent_id, entity)
            if rows:
                self._connection.execute(insert(child), rows)

    def _select(self, shape: Shape, where: Mapping[str, object]) -> builtins.list[Any]:
        """The objects whose columns have the values ``where`` gives, with their child rows
        (one more query per child table, whatever the number of objects)."""
        main, gathers = _queries(shape, tuple(where))
        params = {f"where_{column}": value for column, value in where.items()}
        rows = self._connection.execute(main, params).mappings().all()
        if not rows:
            return []
        if not shape.children:  # no child rows to merge: each row as the database gave it
            return [shape.from_row(row) for row in rows]
        gathered = [
            _gathered(self._connection.execute(query, params), children)
            for children, query in zip(shape.children, gathers, strict=True)
        ]
        return [
            shape.from_row(
                {
                    **row,
                    **{
                        children.field: elements[row["provider_id"], row["id"]]
                        for children, elements in zip(shape.children, gathered, strict=True)
                    },
                }
            )
            for row in rows
        ]

    def list(self, kind: type[E], provider_id: str | None, /, **filters: str) -> builtins.list[E]:
        """Ordered by :func:`~welfarekit.storage.entity_key` in Python, as the reference
        adapter does: SQL ordering would follow the database's collation.

        ``kind`` and ``provider_id`` are positional-only: Institution and WelfareGroup
        have a filter named ``kind``."""
        shape = _shape(kind)
        names = sorted(check_filters(kind, filters))
        where = {shape.filters[name]: _plain(filters[name]) for name in names}
        if provider_id is not None:
            where[shape.tenant] = provider_id
        elif kind is not EducationProvider:
            raise TypeError(f"listing {kind.__name__} needs a provider_id")
        with translated(f"list {kind.__name__} from", self._where):
            found = self._select(shape, where)
        return sorted(cast(builtins.list[E], found), key=entity_key)


_keysets = sealed_tables.keysets
_REWRAP_KEYSETS = bulk.BulkStatement(
    update(_keysets)
    .where(
        _keysets.c.provider_id == bindparam("provider_id"),
        _keysets.c.student_id == bindparam("student_id"),
        _keysets.c.blob == bindparam("old_blob"),
    )
    .values(kek_id=bindparam("kek_id"), blob=bindparam("blob"), updated_at=bindparam("updated_at"))
)
"""A keyset rewrapped under a new KEK, only while its blob is still the one rewrapped."""

_MYSQL = frozenset({"mysql", "mariadb"})

_rewraps = Table(
    f"{TABLE_PREFIX}keyset_rewraps",
    MetaData(),  # not the schema's: a connection's own table, never migrated
    Column("student_id", _keysets.c.student_id.type, primary_key=True),
    Column("old_blob", _keysets.c.blob.type, nullable=False),
    Column("kek_id", _keysets.c.kek_id.type, nullable=False),
    Column("blob", _keysets.c.blob.type, nullable=False),
    prefixes=["TEMPORARY"],
)
"""The rewraps of one :meth:`SQLAlchemyTransaction.replace_keysets` call on MariaDB and
MySQL, keyed by student; its columns have the keyset table's types (identifiers in their
binary collation, blobs as ``MEDIUMBLOB``), so the join compares them as the keyset table's
own UPDATE would, bytes with bytes."""

_FILL_REWRAPS = bulk.BulkStatement(
    insert(_rewraps).values({c.name: bindparam(c.name) for c in _rewraps.c})
)
_CREATE_REWRAPS = CreateTable(_rewraps)
_DROP_REWRAPS = f"DROP TEMPORARY TABLE IF EXISTS {_rewraps.name}"
# STRAIGHT_JOIN: from each rewrap to its keyset by the primary key, never a scan of the
# provider's keysets (which would lock every one of them). The names are the tables' own.
_APPLY_REWRAPS = text(
    f"UPDATE {_rewraps.name} AS r STRAIGHT_JOIN {_keysets.name} AS k"  # noqa: S608
    " ON k.provider_id = :provider_id AND k.student_id = r.student_id"
    " AND k.blob = r.old_blob"
    " SET k.kek_id = r.kek_id, k.blob = r.blob, k.updated_at = :updated_at"
).bindparams(
    bindparam("provider_id", type_=_keysets.c.provider_id.type),
    bindparam("updated_at", type_=_keysets.c.updated_at.type),
)


def _unique_students(rewraps: Sequence[KeysetRewrap]) -> bool:
    """Whether each rewrap is of a different student: the join applies each keyset's at
    most once, where the row-by-row UPDATE would apply a second over the first."""
    return len({rewrap.student_id for rewrap in rewraps}) == len(rewraps)


def _rewrap_joined(
    connection: Connection,
    provider_id: str,
    rewraps: Sequence[KeysetRewrap],
    updated_at: dt.datetime,
) -> int | None:
    """:data:`_REWRAP_KEYSETS` for MariaDB and MySQL: the rewraps go into a temporary table
    in one multi-row INSERT (which the drivers do batch), and one UPDATE joined with it
    rewrites each keyset whose blob is still the old one; the number of keysets it matched
    (the dialect asks for found rows, so a keyset rewritten with what it held counts too, as
    on the row-by-row path). A temporary table is the connection's own, and creating and
    dropping one (with ``TEMPORARY``) commits nothing: all of it is in the caller's
    transaction. One left by a failed call on a pooled connection is dropped first.

    ``None`` when the temporary table cannot be made (a user without the right to create
    temporary tables, a server that refuses them in a transaction): the failed statement
    left the transaction as it was, and the row-by-row UPDATE is still there."""
    try:
        connection.exec_driver_sql(_DROP_REWRAPS)
        connection.execute(_CREATE_REWRAPS)
    except sqlalchemy.exc.DBAPIError as error:
        if error.connection_invalidated:
            raise
        return None
    _FILL_REWRAPS.executemany(
        connection,
        {
            "student_id": [rewrap.student_id for rewrap in rewraps],
            "old_blob": [rewrap.old_blob for rewrap in rewraps],
            "kek_id": [rewrap.kek_id for rewrap in rewraps],
            "blob": [rewrap.blob for rewrap in rewraps],
        },
    )
    done = connection.execute(
        _APPLY_REWRAPS, {"provider_id": provider_id, "updated_at": to_utc(updated_at)}
    )
    connection.exec_driver_sql(_DROP_REWRAPS)
    return done.rowcount


_LEGACY_TRANSACTION_CONTROL = getattr(sqlite3, "LEGACY_TRANSACTION_CONTROL", -1)


_QUERIES: dict[tuple[str, tuple[str, ...]], tuple[Select[Any], tuple[Select[Any], ...]]] = {}


def _queries(shape: Shape, columns: tuple[str, ...]) -> tuple[Select[Any], tuple[Select[Any], ...]]:
    """The query for a kind's rows whose ``columns`` equal the bound parameters
    ``where_<column>``, and one for each child table's rows of those: built once per kind
    and set of columns, so that SQLAlchemy finds them compiled in its cache without
    building and keying a new statement for every look-up."""
    found = _QUERIES.get((shape.table.name, columns))
    if found is not None:
        return found
    parent = shape.table
    conditions = [parent.c[column] == bindparam(f"where_{column}") for column in columns]
    gathers = tuple(
        select(
            children.table.c.provider_id,
            children.table.c[children.parent],
            *(children.table.c[column] for column in children.columns),
        )
        .join(
            parent,
            and_(
                parent.c.provider_id == children.table.c.provider_id,
                parent.c.id == children.table.c[children.parent],
            ),
        )
        .where(*conditions)
        for children in shape.children
    )
    found = _QUERIES[shape.table.name, columns] = (select(parent).where(*conditions), gathers)
    return found


def _gathered(
    result: Iterable[Sequence[Any]], children: Children
) -> defaultdict[tuple[str, str], set[Any]]:
    """Child rows' elements by their parent's provider and id."""
    single = len(children.columns) == 1
    gathered: defaultdict[tuple[str, str], set[Any]] = defaultdict(set)
    for provider_id, parent_id, *element in result:
        gathered[provider_id, parent_id].add(element[0] if single else tuple(element))
    return gathered


_INSERTS: dict[tuple[str, tuple[str, ...]], bulk.BulkStatement] = {}


def _insert_many(connection: Connection, table: Table, rows: builtins.list[Row]) -> None:
    """Insert rows that all have the same columns in one driver call."""
    if not rows:
        return
    names = tuple(rows[0])
    statement = _INSERTS.get((table.name, names))
    if statement is None:
        values: dict[str, Any] = {name: bindparam(name) for name in names}
        statement = _INSERTS[table.name, names] = bulk.BulkStatement(insert(table).values(values))
    statement.executemany(connection, {name: [row[name] for row in rows] for name in names})


def _begin_for_real(connection: Connection) -> None:
    """Make sure SQLite has begun the transaction before a savepoint.

    Python's ``sqlite3`` (in its default, legacy transaction control) sends ``BEGIN`` only
    before the first INSERT, UPDATE or DELETE. A ``SAVEPOINT`` before that would open the
    outermost transaction itself, and releasing the savepoint would commit at once, out of
    the transaction's reach. Other databases and drivers need nothing."""
    if connection.dialect.name != "sqlite":
        return
    dbapi = connection.connection.dbapi_connection
    level = getattr(dbapi, "isolation_level", None)
    legacy = getattr(dbapi, "autocommit", _LEGACY_TRANSACTION_CONTROL)
    if level is None or legacy != _LEGACY_TRANSACTION_CONTROL:
        return  # the driver does not defer BEGIN: autocommit, or explicit control
    if getattr(dbapi, "in_transaction", True):
        return
    # The driver's own BEGIN ("", DEFERRED, IMMEDIATE or EXCLUSIVE; it checks the value).
    connection.exec_driver_sql(f"BEGIN {level}".rstrip())


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
        with translated("connect to", where):
            connection = self._engine.connect()
        try:
            with translated("begin a transaction in", where):
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
                message = f"could not commit to the database {where}: {reason(error)}; "
                if retryable(error):
                    raise ConflictError(
                        message + "another transaction came first: retry"
                    ) from error
                raise StorageError(message + "nothing was written") from error
        finally:
            with suppress(SQLAlchemyError):
                connection.close()

    def upgrade(self) -> None:
        where = self.describe()
        try:
            with translated("upgrade the schema of", where):
                db.upgrade(self._engine)
        except CommandError as error:
            raise StorageError(
                f"could not upgrade the schema of the database {where}: {error}"
            ) from error
        self._schema_checked = True

    def schema_status(self) -> SchemaStatus:
        with translated("read the schema version of", self.describe()):
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
