"""Schema migrations: the host API behind ``welfarekit db upgrade``.

The migrations ship inside this package and run with a programmatic Alembic configuration,
so a host needs no ``alembic.ini``. They keep their own version table
(``welfarekit_alembic_version``) and consider only ``welfarekit_*`` tables, so they never
touch a host's tables or its own Alembic history.

A host that runs its own Alembic has two ways to take welfarekit along:

* **Separately (simplest):** call :func:`upgrade` in the deployment next to
  ``alembic upgrade head``. In the host's ``env.py``, keep welfarekit's tables out of
  autogenerate: ``context.configure(..., include_name=lambda name, type_, parents:
  type_ != "table" or not name.startswith("welfarekit_"))``.
* **As a branch of the host's history:** add :data:`VERSIONS_DIR` to the host's
  ``version_locations`` and run ``alembic upgrade heads``. welfarekit's revisions carry the
  branch label ``welfarekit`` and are then recorded in the host's version table instead;
  include :data:`welfarekit_sqlalchemy.tables.metadata` in the host's ``target_metadata``.
  Do not mix the two ways on one database.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import URL, Connection, Engine, create_engine

from welfarekit_sqlalchemy.tables import VERSION_TABLE

__all__ = [
    "MIGRATIONS_DIR",
    "VERSIONS_DIR",
    "VERSION_TABLE",
    "Bind",
    "alembic_config",
    "current",
    "downgrade",
    "head",
    "known",
    "upgrade",
]

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
"""The Alembic environment shipped with the package (``env.py``, ``versions/``)."""
VERSIONS_DIR = MIGRATIONS_DIR / "versions"
"""welfarekit's revision files, for a host's ``version_locations``."""

Bind = Engine | Connection | URL | str
"""Where to migrate: an engine, a connection (the caller commits), or a database URL."""


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic configuration for welfarekit's migrations, built without an ini file.

    ``env.py`` runs on ``connection``; pass one to use ``alembic.command`` directly.
    """
    config = Config()
    # Config values go through configparser interpolation, where % is special.
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    config.set_main_option("path_separator", "os")
    config.attributes["connection"] = connection
    return config


@contextmanager
def _connection(bind: Bind) -> Iterator[Connection]:
    """A connection inside a transaction that commits on success: Alembic's own
    ``begin_transaction`` then joins it instead of leaving the commit to chance."""
    if isinstance(bind, Connection):
        yield bind
        return
    engine = bind if isinstance(bind, Engine) else create_engine(bind)
    try:
        with engine.begin() as connection:
            yield connection
    finally:
        if engine is not bind:
            engine.dispose()


def upgrade(bind: Bind, revision: str = "head") -> None:
    """Bring welfarekit's tables to ``revision`` (the newest by default)."""
    with _connection(bind) as connection:
        command.upgrade(alembic_config(connection), revision)


def downgrade(bind: Bind, revision: str) -> None:
    """Take welfarekit's tables back to ``revision``; ``"base"`` drops them all (and their
    data): there is no default, on purpose."""
    with _connection(bind) as connection:
        command.downgrade(alembic_config(connection), revision)


def current(bind: Bind) -> str | None:
    """The revision the database is at, or ``None`` if welfarekit's tables were never
    created."""
    with _connection(bind) as connection:
        context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
        return context.get_current_revision()


def head() -> str:
    """The newest revision this version of the package ships."""
    revision = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if revision is None:  # pragma: no cover - the package always ships a revision
        raise RuntimeError(f"no migrations found in {MIGRATIONS_DIR}")
    return revision


def known(revision: str) -> bool:
    """Whether this package ships ``revision`` (a database may be ahead of old code)."""
    script = ScriptDirectory.from_config(alembic_config())
    return any(r.revision == revision for r in script.walk_revisions())
