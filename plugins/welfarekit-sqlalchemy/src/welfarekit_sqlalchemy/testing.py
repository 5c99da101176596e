"""Test databases on real servers, for welfarekit's tests and a host's own.

A test asks for a backend by name (``sqlite``, ``postgresql``, ``mariadb``) and gets the URL
of a database of its own, created empty and dropped afterwards. The servers come from
environment variables; when one is unset the test is skipped with the variable's name as the
reason, unless ``WELFAREKIT_TEST_REQUIRE_SERVERS`` is set (CI sets it), when it fails:

    WELFAREKIT_TEST_POSTGRESQL_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test
    WELFAREKIT_TEST_MARIADB_URL=mysql+pymysql://root@127.0.0.1:3306/test

The URL names a database the tests may connect to (``test``); each test's own database is
created beside it (``wk_<random>``), so nothing of the named database is touched.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

__all__ = [
    "BACKENDS",
    "ENV",
    "REQUIRE_SERVERS",
    "SharedDatabases",
    "backend_url",
    "fresh_database",
    "server_url",
]

ENV = {
    "postgresql": "WELFAREKIT_TEST_POSTGRESQL_URL",
    "mariadb": "WELFAREKIT_TEST_MARIADB_URL",
}
REQUIRE_SERVERS = "WELFAREKIT_TEST_REQUIRE_SERVERS"
BACKENDS = ("sqlite", *ENV)


@contextmanager
def fresh_database(server_url: str) -> Iterator[str]:
    """Create an empty database on the server of ``server_url``, yield its URL, drop it."""
    url = make_url(server_url)
    name = f"wk_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    mysql = url.get_backend_name() in ("mysql", "mariadb")
    with admin.connect() as connection:
        if mysql:
            connection.execute(text(f"CREATE DATABASE {name} CHARACTER SET utf8mb4 "
                                    "COLLATE utf8mb4_unicode_ci"))  # fmt: skip
        else:
            connection.execute(text(f"CREATE DATABASE {name}"))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            if mysql:
                connection.execute(text(f"DROP DATABASE IF EXISTS {name}"))
            else:
                connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


def server_url(backend: str) -> str:
    """The server URL for ``backend`` from the environment; skips (or fails, under
    ``WELFAREKIT_TEST_REQUIRE_SERVERS``) the calling test when it is unset."""
    server = os.environ.get(ENV[backend])
    if not server:
        import pytest

        message = f"{backend}: set {ENV[backend]} to run this test against a server"
        if os.environ.get(REQUIRE_SERVERS):
            pytest.fail(f"{message} ({REQUIRE_SERVERS} is set: the servers are required)")
        pytest.skip(message)
    return server


class SharedDatabases:
    """One upgraded database per server for a whole test session, emptied before each test
    that uses it: creating and migrating a database per test would take most of the run."""

    def __init__(self) -> None:
        self._stack = ExitStack()
        self._urls: dict[str, str] = {}

    def clean(self, backend: str) -> str:
        """The URL of the session's database on ``backend``, with every welfarekit table
        emptied (the schema stays)."""
        from welfarekit_sqlalchemy.storage import SQLAlchemyStorage
        from welfarekit_sqlalchemy.tables import metadata

        if backend not in self._urls:
            url = self._stack.enter_context(fresh_database(server_url(backend)))
            storage = SQLAlchemyStorage(url, {})
            storage.upgrade()
            storage.close()
            self._urls[backend] = url
            return url
        url = self._urls[backend]
        engine = create_engine(url)
        # DELETE, children first, is much faster than TRUNCATE on tables this small
        with engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                connection.execute(text("SET LOCAL lock_timeout = '10s'"))
            for table in reversed(metadata.sorted_tables):
                connection.execute(table.delete())
        engine.dispose()
        return url

    def close(self) -> None:
        self._stack.close()


@contextmanager
def backend_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A fresh database of ``backend`` for one test: a SQLite file in ``tmp_path``, or a
    new database on the server its environment variable names (skipped, or failed under
    ``WELFAREKIT_TEST_REQUIRE_SERVERS``, when it is unset)."""
    if backend == "sqlite":
        (tmp_path / "data").mkdir(exist_ok=True)
        yield f"sqlite:///{tmp_path / 'data' / 'welfarekit.sqlite3'}"
        return
    with fresh_database(server_url(backend)) as url:
        yield url
