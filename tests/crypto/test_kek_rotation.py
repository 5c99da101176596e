"""Rotating the key-encryption key over many students: batched, and never overwriting a
keyset that changed after it was read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

import welfarekit.keys
from welfarekit.builtin.memory import MemoryStorage
from welfarekit.crypto import (
    LocalKeyFileKeyring,
    add_key,
    init_key_file,
    keyset_associated_data,
    open_sealed,
    seal,
)
from welfarekit.keys import rewrap_keysets
from welfarekit.model import EducationProvider
from welfarekit.sealed import StoredKeyset
from welfarekit.storage import KeysetRewrap, StorageTransaction
from welfarekit.vault import Vault

P = "provider-1"
NOW = dt.datetime(2026, 11, 23, 9, tzinfo=dt.UTC)


class Recording:
    """A storage adapter that counts its transactions, and can change a keyset just before
    a batch of rewrapped ones is written (as a concurrent data-key rotation would)."""

    def __init__(self, inner: MemoryStorage, *, batched: bool = True) -> None:
        self.inner = inner
        self.batched = batched
        self.transactions = 0
        self.before_replace: Any = None

    @contextmanager
    def transaction(self) -> Iterator[StorageTransaction]:
        self.transactions += 1
        with self.inner.transaction() as tx:
            yield _Tx(tx, self)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


class _Tx:
    def __init__(self, tx: StorageTransaction, owner: Recording) -> None:
        self._tx, self._owner = tx, owner

    def replace_keysets(
        self, provider_id: str, rewraps: Sequence[KeysetRewrap], updated_at: dt.datetime, /
    ) -> int:
        if self._owner.before_replace is not None:
            self._owner.before_replace(self._tx)
            self._owner.before_replace = None
        return self._tx.replace_keysets(provider_id, rewraps, updated_at)

    def __getattr__(self, name: str) -> Any:
        if name == "replace_keysets" and not self._owner.batched:
            raise AttributeError(name)  # an adapter older than the method
        return getattr(self._tx, name)


@pytest.fixture
def world(tmp_path: Path) -> tuple[MemoryStorage, Vault, Path]:
    key_file = tmp_path / "keys.json"
    keyring = init_key_file(key_file)
    storage = MemoryStorage()
    vault = Vault(lambda: keyring, lambda: NOW)
    with storage.transaction() as tx:
        tx.save(EducationProvider(id=P, name="Provider"))
        for n in range(7):
            vault.keyset(tx, P, f"student-{n}", create=True)
    return storage, vault, key_file


def _stored(storage: MemoryStorage) -> dict[str, StoredKeyset]:
    with storage.transaction() as tx:
        return {k.student_id: k for k in tx.list(StoredKeyset, P)}


@pytest.mark.parametrize("batched", [True, False])
def test_every_keyset_is_rewrapped_and_still_opens_what_it_sealed(
    world: tuple[MemoryStorage, Vault, Path], batched: bool
) -> None:
    storage, vault, key_file = world
    context = vault.context(P, "student-3", "entry", "entry-1")
    with storage.transaction() as tx:
        keyset = vault.keyset(tx, P, "student-3", create=False)
    assert keyset is not None
    sealed = seal(keyset, "muistiinpano", context)
    new_kek = add_key(key_file)
    keyring = LocalKeyFileKeyring.load(key_file)
    recording = Recording(storage, batched=batched)
    progress: list[tuple[int, int]] = []

    report = rewrap_keysets(recording, keyring, progress=lambda *a: progress.append(a))

    assert (report.keysets, report.rewrapped, report.kek_id) == (7, 7, new_kek)
    assert {k.kek_id for k in _stored(storage).values()} == {new_kek}
    assert all(k.updated_at > NOW for k in _stored(storage).values())
    assert progress == [(7, 7)]
    assert recording.transactions == 2  # one read, one write with the provider's secrets
    reloaded = Vault(lambda: keyring, lambda: NOW)
    with storage.transaction() as tx:
        opened = reloaded.keyset(tx, P, "student-3", create=False)
    assert opened is not None
    assert open_sealed(opened, sealed, context).reveal() == "muistiinpano"
    again = rewrap_keysets(storage, keyring)
    assert (again.keysets, again.rewrapped) == (7, 0)


def test_a_keyset_changed_after_it_was_read_is_rewrapped_as_it_is_then(
    world: tuple[MemoryStorage, Vault, Path],
) -> None:
    storage, vault, key_file = world
    add_key(key_file)
    keyring = LocalKeyFileKeyring.load(key_file)
    old_keyring = vault.keyring  # a process that has not reloaded the key file yet
    recording = Recording(storage)
    rotated: list[str] = []

    def rotate_meanwhile(tx: StorageTransaction) -> None:
        keyset = vault.keyset(tx, P, "student-2", create=False)
        assert keyset is not None
        newer = keyset.rotate()
        wrapped = newer.wrap(old_keyring, keyset_associated_data(P, "student-2"))
        tx.save(StoredKeyset(provider_id=P, student_id="student-2", kek_id=wrapped.kek_id,
                             blob=wrapped.blob, updated_at=NOW))  # fmt: skip
        rotated.append(newer.primary.key_id)

    recording.before_replace = rotate_meanwhile
    report = rewrap_keysets(recording, keyring)

    assert report.rewrapped == 7
    stored = _stored(storage)
    assert {k.kek_id for k in stored.values()} == {keyring.key_id}
    reloaded = Vault(lambda: keyring, lambda: NOW)
    with storage.transaction() as tx:
        keyset = reloaded.keyset(tx, P, "student-2", create=False)
    assert keyset is not None
    assert keyset.primary.key_id == rotated[0]  # the rotation was kept, not overwritten


def test_a_large_rotation_goes_in_batches_with_progress_after_each(
    world: tuple[MemoryStorage, Vault, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    storage, _, key_file = world
    monkeypatch.setattr(welfarekit.keys, "BATCH", 3)
    add_key(key_file)
    keyring = LocalKeyFileKeyring.load(key_file)
    recording = Recording(storage)
    progress: list[tuple[int, int]] = []

    report = rewrap_keysets(recording, keyring, progress=lambda *a: progress.append(a))

    assert report.rewrapped == 7
    assert report.other_secrets == 0
    assert progress == [(3, 7), (6, 7), (7, 7)]
    assert recording.transactions == 1 + 3
