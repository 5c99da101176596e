"""The vault: each student's keyset, sealing before storage and opening after a decision.

Keysets are created on first use, stored wrapped under the keyring's current key-encryption
key and bound to their provider and student. Nothing is opened on load: a session opens a
sealed value only after the access decision and its audit entry are written.

Unwrapped keysets are kept in memory, so that a student's keyset is not unwrapped (and its
ciphers not built) again for every operation. The cache's lifetime:

* at most :data:`KEYSET_CACHE_SIZE` keysets per vault (the least recently used go first);
* each is kept with the exact wrapped bytes (KEK id and blob) storage held when it was
  unwrapped, and is served only when the caller's transaction reads those very bytes from
  storage again: a keyset rotated, rewrapped or crypto-shredded anywhere (storage no
  longer holds those bytes) is never served from the cache;
* :meth:`Vault.reload_keyring` empties it (the key file may have lost a KEK), and a
  student whose keyset storage no longer holds (shredded) is dropped from it when next
  looked for.

So the data keys of recently served students stay in this process's memory for longer
than one operation; ``Vault(..., keyset_cache=0)`` keeps none.
"""

from __future__ import annotations

import json
import json.scanner
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any

from welfarekit.crypto import (
    Keyring,
    Keyset,
    SealContext,
    WrappedKey,
    WrappedKeyset,
    blind_index,
    blind_index_key,
    keyset_associated_data,
    open_sealed,
    seal,
)
from welfarekit.sealed import (
    BlindIndexEntry,
    ProviderSecret,
    SealedIdentityCode,
    StoredKeyset,
)
from welfarekit.storage import StorageTransaction

__all__ = ["BLIND_INDEXES", "IDENTITY_CODE_BITS", "KEYSET_CACHE_SIZE", "REGISTER", "Vault"]

KEYSET_CACHE_SIZE = 256
"""How many unwrapped keysets a vault keeps by default (see the module documentation)."""

IDENTITY_CODE_INDEX = "identity_code"
BLIND_INDEXES = (IDENTITY_CODE_INDEX,)
"""The blind indexes kept per student."""
INDEX_SECRET = "blind_index"  # noqa: S105 - the secret's name, not a secret
IDENTITY_CODE_BITS = 12
"""Truncation of the identity-code index (CipherSweet's rule: each index value should be
shared by several students). With 12 bits a provider of 8,000 students has about two per
value; the index alone identifies nobody. Changing it means recomputing the index."""

# What seal_json writes: json.dumps(..., ensure_ascii=False, sort_keys=True,
# separators=(",", ":")), with the encoder made once rather than on every call.
_to_json = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode
_scan_json: Callable[[str, int], tuple[Any, int]] = json.scanner.make_scanner(
    json.JSONDecoder()  # type: ignore[arg-type]  # typeshed names the argument's type oddly
)


def from_json(text: str) -> Any:
    """``json.loads(text)`` for a JSON text :meth:`Vault.seal_json` wrote (no whitespace
    around it): the scanner called directly, without ``loads``' wrappers. Anything else
    goes to ``json.loads``, which parses or refuses it as ever."""
    try:
        value, end = _scan_json(text, 0)
    except (StopIteration, ValueError):
        return json.loads(text)
    if end != len(text):
        return json.loads(text)
    return value


REGISTER = "welfare_register"
"""The student welfare register (*opiskeluhuoltorekisteri*), the only one welfarekit keeps
(DESIGN.md invariant 4)."""


class Vault:
    """Seals and opens one provider's confidential fields with per-student keys."""

    def __init__(
        self,
        keyring: Callable[[], Keyring],
        clock: Callable[[], Any],
        *,
        keyset_cache: int = KEYSET_CACHE_SIZE,
    ) -> None:
        self._keyring_factory = keyring
        self._keyring: Keyring | None = None
        self._clock = clock
        self._cache_size = keyset_cache
        # (provider, student) -> the wrapped bytes read (KEK id, blob) and their keyset.
        self._keysets: OrderedDict[tuple[str, str], tuple[str, bytes, Keyset]] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def keyring(self) -> Keyring:
        """Loaded on first use, so that commands that seal nothing need no key file."""
        if self._keyring is None:
            self._keyring = self._keyring_factory()
        return self._keyring

    def reload_keyring(self) -> None:
        """Forget the loaded keyring and every unwrapped keyset; the next use loads it again
        (after a key rotation by another process)."""
        with self._lock:
            self._keyring = None
            self._keysets.clear()

    def _cached(self, provider_id: str, student_id: str, stored: StoredKeyset) -> Keyset | None:
        """The keyset unwrapped from exactly ``stored``'s wrapped bytes, if it is kept."""
        with self._lock:
            found = self._keysets.get((provider_id, student_id))
            if found is None:
                return None
            kek_id, blob, keyset = found
            if kek_id != stored.kek_id or blob != stored.blob:
                return None
            self._keysets.move_to_end((provider_id, student_id))
            return keyset

    def _remember(
        self, provider_id: str, student_id: str, stored: StoredKeyset, keyset: Keyset
    ) -> None:
        if self._cache_size <= 0:
            return
        with self._lock:
            self._keysets[provider_id, student_id] = (stored.kek_id, stored.blob, keyset)
            self._keysets.move_to_end((provider_id, student_id))
            while len(self._keysets) > self._cache_size:
                self._keysets.popitem(last=False)

    def _forget(self, provider_id: str, student_id: str) -> None:
        with self._lock:
            self._keysets.pop((provider_id, student_id), None)

    def keyset(
        self, tx: StorageTransaction, provider_id: str, student_id: str, *, create: bool
    ) -> Keyset | None:
        """The student's keyset; a new one is stored when ``create`` and none exists.
        ``None`` when none exists (never created, or crypto-shredded)."""
        stored = tx.get(StoredKeyset, provider_id, student_id)
        if stored is not None:
            keyset = self._cached(provider_id, student_id, stored)
            if keyset is None:
                associated = keyset_associated_data(provider_id, student_id)
                wrapped = WrappedKeyset(stored.kek_id, stored.blob)
                keyset = wrapped.unwrap(self.keyring, associated)
                self._remember(provider_id, student_id, stored, keyset)
            return keyset
        self._forget(provider_id, student_id)  # shredded, if it was ever here
        if not create:
            return None
        keyset = Keyset.new()
        wrapped = keyset.wrap(self.keyring, keyset_associated_data(provider_id, student_id))
        tx.save(
            StoredKeyset(
                provider_id=provider_id, student_id=student_id, kek_id=wrapped.kek_id,
                blob=wrapped.blob, updated_at=self._clock(),
            )
        )  # fmt: skip
        # Not remembered yet: the transaction may still roll back.
        return keyset

    @staticmethod
    def context(
        provider_id: str,
        student_id: str,
        record_type: str,
        record_id: str,
        *,
        version: int = 1,
        field: str = "content",
    ) -> SealContext:
        return SealContext(
            provider_id=provider_id, register=REGISTER, record_type=record_type,
            record_id=record_id, field=field, student_id=student_id, version=version,
        )  # fmt: skip

    def index_key(self, tx: StorageTransaction, provider_id: str) -> bytes:
        """The provider's blind-index key, derived from a provider secret that is created on
        first use and stored wrapped like a keyset."""
        associated = keyset_associated_data(provider_id, f"secret:{INDEX_SECRET}")
        stored = tx.get(ProviderSecret, provider_id, INDEX_SECRET)
        if stored is None:
            secret = os.urandom(32)
            wrapped = self.keyring.wrap(secret, associated_data=associated)
            tx.save(ProviderSecret(
                provider_id=provider_id, name=INDEX_SECRET, kek_id=wrapped.kek_id,
                blob=wrapped.blob, created_at=self._clock(),
            ))  # fmt: skip
        else:
            secret = self.keyring.unwrap(
                WrappedKey(stored.kek_id, stored.blob), associated_data=associated
            )
        return blind_index_key(secret, provider_id=provider_id, index=IDENTITY_CODE_INDEX)

    def seal_identity_code(
        self, tx: StorageTransaction, provider_id: str, student_id: str, code: str
    ) -> None:
        """Store a student's identity code sealed, with its blind-index entry."""
        keyset = self.keyset(tx, provider_id, student_id, create=True)
        assert keyset is not None
        context = self.context(provider_id, student_id, "student", student_id,
                               field=IDENTITY_CODE_INDEX)  # fmt: skip
        tx.save(SealedIdentityCode(provider_id=provider_id, student_id=student_id,
                                   ciphertext=seal(keyset, code, context)))  # fmt: skip
        value = blind_index(self.index_key(tx, provider_id), code, bits=IDENTITY_CODE_BITS)
        tx.save(BlindIndexEntry(provider_id=provider_id, student_id=student_id,
                                name=IDENTITY_CODE_INDEX, value=value))  # fmt: skip

    def open_identity_code(
        self, tx: StorageTransaction, provider_id: str, student_id: str
    ) -> str | None:
        """The student's identity code, or ``None`` when none is stored (or shredded)."""
        sealed = tx.get(SealedIdentityCode, provider_id, student_id)
        keyset = self.keyset(tx, provider_id, student_id, create=False)
        if sealed is None or keyset is None:
            return None
        context = self.context(provider_id, student_id, "student", student_id,
                               field=IDENTITY_CODE_INDEX)  # fmt: skip
        return open_sealed(keyset, sealed.ciphertext, context).reveal()

    def students_with_identity_code(
        self, tx: StorageTransaction, provider_id: str, code: str
    ) -> list[str]:
        """The students whose identity code is ``code``: the blind index narrows to a few
        candidates, and opening their sealed codes decides."""
        value = blind_index(self.index_key(tx, provider_id), code, bits=IDENTITY_CODE_BITS)
        candidates = tx.list(BlindIndexEntry, provider_id, name=IDENTITY_CODE_INDEX, value=value)
        return [
            entry.student_id
            for entry in candidates
            if self.open_identity_code(tx, provider_id, entry.student_id) == code
        ]

    @staticmethod
    def seal_json(keyset: Keyset, content: Mapping[str, Any], context: SealContext) -> bytes:
        return seal(keyset, _to_json(content), context)

    @staticmethod
    def open_json(keyset: Keyset, ciphertext: bytes, context: SealContext) -> dict[str, Any]:
        opened: dict[str, Any] = from_json(open_sealed(keyset, ciphertext, context).reveal())
        return opened

    @staticmethod
    def shred(tx: StorageTransaction, provider_id: str, student_id: str) -> bool:
        """Destroy the student's keyset, sealed identity code and blind-index rows: what was
        sealed for them can never be opened again. ``True`` if a keyset existed. (A vault
        that kept the keyset unwrapped drops it the next time it looks for it.)"""
        existed = tx.delete(StoredKeyset, provider_id, student_id)
        tx.delete(SealedIdentityCode, provider_id, student_id)
        for index in BLIND_INDEXES:
            tx.delete(BlindIndexEntry, provider_id, f"{index}/{student_id}")
        return existed
