"""The vault: each student's keyset, sealing before storage and opening after a decision.

Keysets are created on first use, stored wrapped under the keyring's current key-encryption
key and bound to their provider and student. Nothing is opened on load: a session opens a
sealed value only after the access decision and its audit entry are written.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from welfarekit.crypto import (
    Keyring,
    Keyset,
    SealContext,
    WrappedKeyset,
    keyset_associated_data,
    open_sealed,
    seal,
)
from welfarekit.sealed import (
    BlindIndexEntry,
    SealedIdentityCode,
    StoredKeyset,
)
from welfarekit.storage import StorageTransaction

__all__ = ["BLIND_INDEXES", "REGISTER", "Vault"]

BLIND_INDEXES = ("identity_code",)
"""The blind indexes kept per student."""

REGISTER = "welfare_register"
"""The student welfare register (*opiskeluhuoltorekisteri*), the only one welfarekit keeps
(DESIGN.md invariant 4)."""


class Vault:
    """Seals and opens one provider's confidential fields with per-student keys."""

    def __init__(self, keyring: Callable[[], Keyring], clock: Callable[[], Any]) -> None:
        self._keyring_factory = keyring
        self._keyring: Keyring | None = None
        self._clock = clock

    @property
    def keyring(self) -> Keyring:
        """Loaded on first use, so that commands that seal nothing need no key file."""
        if self._keyring is None:
            self._keyring = self._keyring_factory()
        return self._keyring

    def keyset(
        self, tx: StorageTransaction, provider_id: str, student_id: str, *, create: bool
    ) -> Keyset | None:
        """The student's keyset; a new one is stored when ``create`` and none exists.
        ``None`` when none exists (never created, or crypto-shredded)."""
        stored = tx.get(StoredKeyset, provider_id, student_id)
        associated = keyset_associated_data(provider_id, student_id)
        if stored is not None:
            return WrappedKeyset(stored.kek_id, stored.blob).unwrap(self.keyring, associated)
        if not create:
            return None
        keyset = Keyset.new()
        wrapped = keyset.wrap(self.keyring, associated)
        tx.save(
            StoredKeyset(
                provider_id=provider_id, student_id=student_id, kek_id=wrapped.kek_id,
                blob=wrapped.blob, updated_at=self._clock(),
            )
        )  # fmt: skip
        return keyset

    @staticmethod
    def context(
        provider_id: str, student_id: str, record_type: str, record_id: str, *, version: int = 1
    ) -> SealContext:
        return SealContext(
            provider_id=provider_id, register=REGISTER, record_type=record_type,
            record_id=record_id, field="content", student_id=student_id, version=version,
        )  # fmt: skip

    @staticmethod
    def seal_json(keyset: Keyset, content: Mapping[str, Any], context: SealContext) -> bytes:
        text = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return seal(keyset, text, context)

    @staticmethod
    def open_json(keyset: Keyset, ciphertext: bytes, context: SealContext) -> dict[str, Any]:
        opened: dict[str, Any] = json.loads(open_sealed(keyset, ciphertext, context).reveal())
        return opened

    @staticmethod
    def shred(tx: StorageTransaction, provider_id: str, student_id: str) -> bool:
        """Destroy the student's keyset, sealed identity code and blind-index rows: what was
        sealed for them can never be opened again. ``True`` if a keyset existed."""
        existed = tx.delete(StoredKeyset, provider_id, student_id)
        tx.delete(SealedIdentityCode, provider_id, student_id)
        for index in BLIND_INDEXES:
            tx.delete(BlindIndexEntry, provider_id, f"{index}/{student_id}")
        return existed
