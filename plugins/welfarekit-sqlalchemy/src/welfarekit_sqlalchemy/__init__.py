"""welfarekit storage on SQLAlchemy: SQLite, PostgreSQL and MariaDB.

Install it and name it in welfarekit's settings (plugin ``sqlalchemy``), or give a database
URL it accepts. Create and upgrade the tables with ``welfarekit db upgrade --db URL`` or
:func:`upgrade`; :mod:`welfarekit_sqlalchemy.db` explains how to combine welfarekit's
migrations with a host's own Alembic.
"""

from welfarekit_sqlalchemy.db import (
    MIGRATIONS_DIR,
    VERSION_TABLE,
    VERSIONS_DIR,
    alembic_config,
    current,
    downgrade,
    head,
    upgrade,
)
from welfarekit_sqlalchemy.storage import SQLAlchemyStorage, SQLAlchemyTransaction
from welfarekit_sqlalchemy.tables import metadata

__all__ = [
    "MIGRATIONS_DIR",
    "VERSIONS_DIR",
    "VERSION_TABLE",
    "SQLAlchemyStorage",
    "SQLAlchemyTransaction",
    "alembic_config",
    "current",
    "downgrade",
    "head",
    "metadata",
    "upgrade",
]

__version__ = "0.1.0"
