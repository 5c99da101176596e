"""The welfarekit plugin (entry point ``sqlalchemy``): offers the ``sqlalchemy`` storage."""

from __future__ import annotations

from typing import TYPE_CHECKING

from welfarekit.hookspecs import hookimpl
from welfarekit_sqlalchemy.storage import SQLAlchemyStorage

if TYPE_CHECKING:
    from welfarekit.plugins import AdapterRegistry

__all__ = ["BACKENDS", "WELFAREKIT_HOOK_API", "accepts", "welfarekit_register_adapters"]

WELFAREKIT_HOOK_API = ">=1.0,<2"

BACKENDS = frozenset({"sqlite", "postgresql", "mysql", "mariadb"})
"""The databases this adapter is built and tested for (a URL may add ``+driver``)."""


def accepts(url: str) -> bool:
    """Whether ``url`` names a database this adapter serves, judged by its scheme alone
    (registering must not connect anywhere).

    >>> accepts("sqlite:///welfare.db"), accepts("mariadb+pymysql://h/db"), accepts("mongodb://h")
    (True, True, False)
    """
    scheme, separator, _ = url.partition("://")
    return bool(separator) and scheme.partition("+")[0].lower() in BACKENDS


@hookimpl
def welfarekit_register_adapters(registry: AdapterRegistry) -> None:
    registry.add_storage(
        "sqlalchemy",
        # SQLAlchemyTransaction.list takes kind and provider_id positional-only, so that
        # the filter named ``kind`` can be passed; the core protocol does not say so yet.
        SQLAlchemyStorage,
        accepts=accepts,
        description="SQL databases through SQLAlchemy: SQLite, PostgreSQL, MySQL/MariaDB",
    )
