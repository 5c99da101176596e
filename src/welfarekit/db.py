"""Schema management for hosts: the API behind ``welfarekit db``.

    import welfarekit.db
    welfarekit.db.upgrade("postgresql+psycopg://app@db/school")

Each function opens welfarekit with the given database (or settings), acts on the storage
adapter that serves it and closes it again. welfarekit's migrations touch only its own
``welfarekit_*`` tables. A host that runs Alembic itself can instead take welfarekit's
migrations as a branch: see :mod:`welfarekit_sqlalchemy.db`.
"""

from __future__ import annotations

from welfarekit.kit import WelfareKit
from welfarekit.settings import Settings
from welfarekit.storage import SchemaStatus

__all__ = ["status", "upgrade"]


def _settings(database: str | Settings | None) -> Settings:
    if isinstance(database, Settings):
        return database
    return Settings.from_env(database=database)


def upgrade(database: str | Settings | None = None) -> SchemaStatus:
    """Create or migrate welfarekit's tables to the newest version; returns the status.

    ``database`` is a URL, a SQLite path or full :class:`~welfarekit.Settings`; ``None``
    reads ``WELFAREKIT_DB`` and falls back to the embedded default.
    """
    with WelfareKit.open(_settings(database)) as kit:
        kit.upgrade_schema()
        return kit.schema_status()


def status(database: str | Settings | None = None) -> SchemaStatus:
    """The schema's current and newest version, without changing anything."""
    with WelfareKit.open(_settings(database)) as kit:
        return kit.schema_status()
