"""Key management operations: rotating the key-encryption key.

Rotating the KEK rewraps every student's keyset under the new key and re-encrypts no record
(DESIGN.md, Crypto). Rewrapping is idempotent, so an interrupted run is simply run again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import attrs

from welfarekit.crypto import Keyring, WrappedKeyset, keyset_associated_data, rewrap
from welfarekit.model import EducationProvider
from welfarekit.sealed import StoredKeyset
from welfarekit.storage import StorageAdapter

__all__ = ["RewrapReport", "rewrap_keysets"]

BATCH = 500


@attrs.frozen
class RewrapReport:
    keysets: int
    rewrapped: int
    kek_id: str


def rewrap_keysets(
    storage: StorageAdapter,
    keyring: Keyring,
    *,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> RewrapReport:
    """Rewrap every keyset not yet under ``keyring``'s current KEK, in batches of
    :data:`BATCH` per transaction; ``progress(done, total)`` after each batch."""
    with storage.transaction() as tx:
        providers = [p.id for p in tx.list(EducationProvider, None)]
        pending = [
            (provider_id, stored.student_id)
            for provider_id in providers
            for stored in tx.list(StoredKeyset, provider_id)
        ]
    total, rewrapped = len(pending), 0
    for start in range(0, total, BATCH):
        with storage.transaction() as tx:
            for provider_id, student_id in pending[start : start + BATCH]:
                stored = tx.get(StoredKeyset, provider_id, student_id)
                if stored is None or stored.kek_id == keyring.key_id:
                    continue  # shredded meanwhile, or done by an earlier run
                wrapped = rewrap(
                    WrappedKeyset(stored.kek_id, stored.blob),
                    keyring,
                    keyring,
                    keyset_associated_data(provider_id, student_id),
                )
                tx.save(
                    attrs.evolve(
                        stored,
                        kek_id=wrapped.kek_id,
                        blob=wrapped.blob,
                        updated_at=dt.datetime.now(dt.UTC),
                    )
                )
                rewrapped += 1
        progress(min(start + BATCH, total), total)
    return RewrapReport(keysets=total, rewrapped=rewrapped, kek_id=keyring.key_id)
