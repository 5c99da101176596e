"""The in-memory reference adapter passes the conformance suite that vendors run."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from welfarekit.builtin.memory import MemoryStorage
from welfarekit.storage import StorageAdapter
from welfarekit.testing.suite import Capabilities, SecurityContract, StorageContract


class TestMemoryStorage(StorageContract, SecurityContract):
    capabilities = Capabilities(concurrent_transactions=True)

    @pytest.fixture
    def conformance_storage(self) -> Iterator[StorageAdapter]:
        storage = MemoryStorage()
        storage.upgrade()
        yield storage
        storage.close()
