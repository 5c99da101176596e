"""The example adapter runs welfarekit's conformance suite against itself, as a vendor's
adapter would in its own repository."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from welfarekit_example_adapter import ExampleStorage

from welfarekit.storage import StorageAdapter
from welfarekit.testing.suite import Capabilities, SecurityContract, StorageContract


class TestExampleStorage(StorageContract, SecurityContract):
    capabilities = Capabilities(concurrent_transactions=True)

    @pytest.fixture
    def conformance_storage(self) -> Iterator[StorageAdapter]:
        storage = ExampleStorage("example://conformance", {})
        storage.upgrade()
        yield storage
        storage.close()
