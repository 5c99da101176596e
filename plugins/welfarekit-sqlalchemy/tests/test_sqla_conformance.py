"""The SQLAlchemy adapter passes the conformance suite on SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from welfarekit.storage import StorageAdapter
from welfarekit.testing.suite import Capabilities, SecurityContract, StorageContract
from welfarekit_sqlalchemy import SQLAlchemyStorage


class TestSQLAlchemyStorage(StorageContract, SecurityContract):
    capabilities = Capabilities(concurrent_transactions=True)

    @pytest.fixture
    def conformance_storage(self, db_url: str) -> Iterator[StorageAdapter]:
        storage = SQLAlchemyStorage(db_url, {})
        storage.upgrade()
        yield storage
        storage.close()
