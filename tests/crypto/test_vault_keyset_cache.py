"""The vault keeps unwrapped keysets only while storage holds the bytes they came from."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import attrs
import pytest

from welfarekit.builtin.memory import MemoryStorage
from welfarekit.crypto import (
    LocalKeyFileKeyring,
    WrappedKey,
    add_key,
    init_key_file,
    keyset_associated_data,
)
from welfarekit.keys import rewrap_keysets
from welfarekit.model import EducationProvider
from welfarekit.sealed import StoredKeyset
from welfarekit.vault import KEYSET_CACHE_SIZE, Vault

P = "provider-1"
NOW = dt.datetime(2026, 11, 23, 9, tzinfo=dt.UTC)


class CountingKeyring:
    """A keyring that counts its unwraps."""

    def __init__(self, inner: LocalKeyFileKeyring) -> None:
        self.inner = inner
        self.unwraps = 0

    @property
    def key_id(self) -> str:
        return self.inner.key_id

    def wrap(self, plaintext: bytes, *, associated_data: bytes) -> WrappedKey:
        return self.inner.wrap(plaintext, associated_data=associated_data)

    def unwrap(self, wrapped: WrappedKey, *, associated_data: bytes) -> bytes:
        self.unwraps += 1
        return self.inner.unwrap(wrapped, associated_data=associated_data)

    def key_ids(self) -> frozenset[str]:
        return self.inner.key_ids()


@pytest.fixture
def keyring(tmp_path: Path) -> CountingKeyring:
    return CountingKeyring(init_key_file(tmp_path / "keys.json"))


@pytest.fixture
def storage() -> MemoryStorage:
    storage = MemoryStorage()
    with storage.transaction() as tx:
        tx.save(EducationProvider(id=P, name="Provider"))
    return storage


def vault_of(keyring: CountingKeyring, **options: int) -> Vault:
    return Vault(lambda: keyring, lambda: NOW, **options)


def test_a_keyset_is_unwrapped_once_while_storage_holds_the_same_bytes(
    storage: MemoryStorage, keyring: CountingKeyring
) -> None:
    vault = vault_of(keyring)
    with storage.transaction() as tx:
        created = vault.keyset(tx, P, "aino", create=True)
    assert created is not None

    for _ in range(3):
        with storage.transaction() as tx:
            keyset = vault.keyset(tx, P, "aino", create=False)
        assert keyset is not None
        assert keyset.to_bytes() == created.to_bytes()
    assert keyring.unwraps == 1


def test_a_keyset_rotated_elsewhere_is_unwrapped_again(
    storage: MemoryStorage, keyring: CountingKeyring
) -> None:
    vault = vault_of(keyring)
    with storage.transaction() as tx:
        old = vault.keyset(tx, P, "aino", create=True)
    with storage.transaction() as tx:
        assert vault.keyset(tx, P, "aino", create=False) is not None
    assert old is not None
    rotated = old.rotate()
    wrapped = rotated.wrap(keyring, keyset_associated_data(P, "aino"))
    with storage.transaction() as tx:  # another process rotates the data keys
        stored = tx.get(StoredKeyset, P, "aino")
        assert stored is not None
        tx.save(attrs.evolve(stored, kek_id=wrapped.kek_id, blob=wrapped.blob))

    with storage.transaction() as tx:
        seen = vault.keyset(tx, P, "aino", create=False)

    assert seen is not None
    assert seen.primary == rotated.primary
    assert keyring.unwraps == 2


def test_a_shredded_keyset_is_never_served_and_is_dropped(
    storage: MemoryStorage, keyring: CountingKeyring
) -> None:
    vault = vault_of(keyring)
    with storage.transaction() as tx:
        vault.keyset(tx, P, "aino", create=True)
    with storage.transaction() as tx:
        assert vault.keyset(tx, P, "aino", create=False) is not None
        assert Vault.shred(tx, P, "aino")
    with storage.transaction() as tx:
        assert vault.keyset(tx, P, "aino", create=False) is None
    assert (P, "aino") not in vault._keysets


def test_a_keyset_rewrapped_under_a_new_kek_is_unwrapped_again(
    storage: MemoryStorage, keyring: CountingKeyring, tmp_path: Path
) -> None:
    vault = vault_of(keyring)
    with storage.transaction() as tx:
        vault.keyset(tx, P, "aino", create=True)
    with storage.transaction() as tx:
        vault.keyset(tx, P, "aino", create=False)
    add_key(tmp_path / "keys.json")
    keyring.inner = LocalKeyFileKeyring.load(tmp_path / "keys.json")
    rewrap_keysets(storage, keyring.inner)
    unwraps = keyring.unwraps

    with storage.transaction() as tx:
        assert vault.keyset(tx, P, "aino", create=False) is not None
    assert keyring.unwraps == unwraps + 1


def test_reloading_the_keyring_empties_the_cache(
    storage: MemoryStorage, keyring: CountingKeyring
) -> None:
    vault = vault_of(keyring)
    with storage.transaction() as tx:
        vault.keyset(tx, P, "aino", create=True)
    with storage.transaction() as tx:
        vault.keyset(tx, P, "aino", create=False)

    vault.reload_keyring()
    with storage.transaction() as tx:
        vault.keyset(tx, P, "aino", create=False)

    assert keyring.unwraps == 2


def test_the_least_recently_used_keyset_goes_first_and_zero_keeps_none(
    storage: MemoryStorage, keyring: CountingKeyring
) -> None:
    assert KEYSET_CACHE_SIZE >= 100
    vault = vault_of(keyring, keyset_cache=2)
    with storage.transaction() as tx:
        for student in ("aino", "eero", "liisa"):
            vault.keyset(tx, P, student, create=True)
    for student in ("aino", "eero", "aino", "liisa", "aino"):
        with storage.transaction() as tx:
            vault.keyset(tx, P, student, create=False)
    # aino, eero unwrapped; aino kept; liisa unwrapped (eero goes); aino kept
    assert keyring.unwraps == 3
    assert list(vault._keysets) == [(P, "liisa"), (P, "aino")]

    uncached = vault_of(keyring, keyset_cache=0)
    for _ in range(2):
        with storage.transaction() as tx:
            uncached.keyset(tx, P, "aino", create=False)
    assert keyring.unwraps == 5
