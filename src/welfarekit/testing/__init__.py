"""The storage adapter conformance suite, for adapter authors and for hosts' own tests.

A storage adapter is trusted with children's welfare records only once it behaves as the
storage contract (:mod:`welfarekit.storage`) says and keeps the security contract: no
plaintext at rest, ciphertext bound to its row, shredded students unreadable, an audit trail
that is append-only and ordered, and data, audit event and notification written together or
not at all. :mod:`welfarekit.testing.suite` holds the tests as classes, in the manner of
SQLAlchemy's dialect suite; an adapter's own test file subclasses them and provides one
fixture, ``conformance_storage``, that yields an empty, upgraded adapter::

    # tests/test_conformance.py of an adapter distribution
    import pytest
    from welfarekit.testing.suite import Capabilities, SecurityContract, StorageContract

    class TestAcmeStorage(StorageContract, SecurityContract):
        capabilities = Capabilities(concurrent_transactions=True)

        @pytest.fixture
        def conformance_storage(self, tmp_path):
            storage = AcmeStorage(f"acme://{tmp_path}/db", {})
            storage.upgrade()
            yield storage
            storage.close()

Run it with ``pytest`` as usual. ``pytest_plugins = ["welfarekit.testing"]`` in a
``conftest.py`` adds the ``welfarekit_key_file`` fixture (a fresh key file) for the host's
own tests of code that seals.
"""

from __future__ import annotations

from pathlib import Path

import pytest

__all__ = ["welfarekit_key_file"]


@pytest.fixture
def welfarekit_key_file(tmp_path: Path) -> Path:
    """A new owner-only key file (the ``local`` keyring's), removed with ``tmp_path``."""
    from welfarekit.crypto import init_key_file

    path = tmp_path / "welfarekit-keys.json"
    init_key_file(path)
    return path
