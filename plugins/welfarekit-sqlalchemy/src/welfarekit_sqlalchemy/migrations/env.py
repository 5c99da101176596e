"""Alembic environment for welfarekit's tables, run by :mod:`welfarekit_sqlalchemy.db`.

It works on the connection the caller passes in ``config.attributes["connection"]`` (so
the caller decides the transaction), records versions in ``welfarekit_alembic_version``
and sees only ``welfarekit_*`` tables: a host's tables in the same database are neither
touched nor reported by autogenerate.

On SQLite, ``render_as_batch`` makes autogenerate write table-rebuilding operations; a
migration that rebuilds a table other rows point at must run with foreign keys off.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from welfarekit_sqlalchemy import tables

config = context.config
connection = config.attributes.get("connection")
if not isinstance(connection, Connection):
    raise RuntimeError(
        "welfarekit's migrations run on a connection given by the caller; use "
        "`welfarekit db upgrade`, welfarekit_sqlalchemy.upgrade(engine), or pass "
        "welfarekit_sqlalchemy.alembic_config(connection) to alembic.command"
    )

context.configure(
    connection=connection,
    target_metadata=tables.metadata,
    version_table=tables.VERSION_TABLE,
    include_name=tables.include_name,
    include_object=tables.include_object,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)

with context.begin_transaction():
    context.run_migrations()
