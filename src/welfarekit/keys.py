"""Key management operations: rotating the key-encryption key, and the data keys.

Rotating the KEK rewraps every student's keyset under the new key and re-encrypts no record
(DESIGN.md, Crypto). Rotating the data keys gives each student a new primary key and
re-encrypts their sealed values under it. Both are idempotent, so an interrupted run is
simply run again.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

import attrs

from welfarekit.crypto import (
    Keyring,
    Keyset,
    SealContext,
    WrappedKeyset,
    keyset_associated_data,
    reseal,
    rewrap,
    sealed_key_id,
)
from welfarekit.errors import InvalidValue
from welfarekit.model import EducationProvider
from welfarekit.sealed import (
    ProviderSecret,
    SealedDisclosure,
    SealedEntry,
    SealedIdentityCode,
    SealedMatter,
    SealedRecord,
    SealedReferral,
    StoredKeyset,
)
from welfarekit.storage import Entity, StorageAdapter, StorageTransaction
from welfarekit.vault import IDENTITY_CODE_INDEX, Vault

__all__ = [
    "DataKeyReport",
    "RewrapReport",
    "rewrap_keysets",
    "rotate_data_keys",
    "rotation_cutoff",
]

BATCH = 500


@attrs.frozen
class RewrapReport:
    keysets: int
    rewrapped: int
    kek_id: str
    other_secrets: int = 0
    """Provider secrets and confidential matters' keysets rewrapped as well."""


def rewrap_keysets(
    storage: StorageAdapter,
    keyring: Keyring,
    *,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> RewrapReport:
    """Rewrap every keyset not yet under ``keyring``'s current KEK, in batches of
    :data:`BATCH` per transaction; ``progress(done, total)`` after each batch. The
    providers' secrets and the confidential matters' own keysets are rewrapped after."""
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
    _, others = _rewrap_matters(storage, keyring, providers)
    return RewrapReport(keysets=total, rewrapped=rewrapped, kek_id=keyring.key_id,
                        other_secrets=others)  # fmt: skip


def _rewrap_matters(
    storage: StorageAdapter, keyring: Keyring, providers: list[str]
) -> tuple[int, int]:
    """Rewrap the wrapped secrets kept outside the keyset table: each provider's secrets
    (the blind-index seed) and each confidential matter's own keyset, one provider per
    transaction."""
    from welfarekit.casework import matter_associated_data

    total = done = 0
    for provider_id in providers:
        with storage.transaction() as tx:
            for secret in tx.list(ProviderSecret, provider_id):
                total += 1
                if secret.kek_id != keyring.key_id:
                    associated = keyset_associated_data(provider_id, f"secret:{secret.name}")
                    wrapped = rewrap(WrappedKeyset(secret.kek_id, secret.blob), keyring,
                                     keyring, associated)  # fmt: skip
                    tx.save(attrs.evolve(secret, kek_id=wrapped.kek_id, blob=wrapped.blob))
                    done += 1
            for matter in tx.list(SealedMatter, provider_id):
                total += 1
                if matter.kek_id != keyring.key_id:
                    wrapped = rewrap(WrappedKeyset(matter.kek_id, matter.keyset), keyring,
                                     keyring, matter_associated_data(provider_id, matter.id))  # fmt: skip
                    tx.save(attrs.evolve(matter, kek_id=wrapped.kek_id, keyset=wrapped.blob))
                    done += 1
    return total, done


@attrs.frozen
class DataKeyReport:
    students: int
    rotated: int
    resealed: int


def rotation_cutoff(now: dt.datetime | None = None) -> dt.datetime:
    """The default ``primary_before`` for a rotation started at ``now``: the next whole
    second, since keysets store key times to the second."""
    now = now or dt.datetime.now(dt.UTC)
    if now.microsecond:
        now = now.replace(microsecond=0) + dt.timedelta(seconds=1)
    return now


# How far ahead of the clock a cutoff may lie; rotation waits for it to pass.
_MAX_WAIT = dt.timedelta(seconds=2)


def rotate_data_keys(
    storage: StorageAdapter,
    vault: Vault,
    *,
    primary_before: dt.datetime,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> DataKeyReport:
    """Give every student whose primary data key was made before ``primary_before`` a new
    primary key, and re-encrypt each of their sealed values under it, one student per
    transaction. Running it again with the same ``primary_before`` finishes an interrupted
    run: keysets rotated already are left as they are, and values already under the
    primary key are skipped.

    Every new key must be stamped at or after the cutoff, or a resumed run would rotate it
    again: a cutoff up to two seconds ahead (:func:`rotation_cutoff`) is waited for, and one
    further in the future is refused with :class:`InvalidValue`."""
    if primary_before.tzinfo is None:
        raise InvalidValue("primary_before", "must be a datetime with a time zone")
    cutoff = rotation_cutoff(primary_before)
    ahead = cutoff - dt.datetime.now(dt.UTC)
    if ahead > _MAX_WAIT:
        raise InvalidValue(
            "primary_before",
            f"{primary_before.isoformat()} is in the future: keys made by this run would "
            "count as old and be rotated again when it is resumed",
        )
    if ahead > dt.timedelta(0):
        time.sleep(ahead.total_seconds())
    with storage.transaction() as tx:
        providers = [p.id for p in tx.list(EducationProvider, None)]
        students = [
            (provider_id, stored.student_id)
            for provider_id in providers
            for stored in tx.list(StoredKeyset, provider_id)
        ]
    rotated = resealed = 0
    for done, (provider_id, student_id) in enumerate(students, 1):
        with storage.transaction() as tx:
            keyset = vault.keyset(tx, provider_id, student_id, create=False)
            if keyset is None:
                continue  # shredded meanwhile
            if keyset.primary.created_at < cutoff:
                keyset = keyset.rotate()
                wrapped = keyset.wrap(
                    vault.keyring, keyset_associated_data(provider_id, student_id)
                )
                tx.save(StoredKeyset(
                    provider_id=provider_id, student_id=student_id, kek_id=wrapped.kek_id,
                    blob=wrapped.blob, updated_at=dt.datetime.now(dt.UTC),
                ))  # fmt: skip
                rotated += 1
            resealed += _reseal_student(tx, keyset, provider_id, student_id)
        progress(done, len(students))
    return DataKeyReport(students=len(students), rotated=rotated, resealed=resealed)


def _reseal_student(
    tx: StorageTransaction, keyset: Keyset, provider_id: str, student_id: str
) -> int:
    primary = keyset.primary.key_id
    sealed: list[tuple[type[Entity], str, bytes, SealContext]] = []
    for record in tx.list(SealedRecord, provider_id, student_id=student_id):
        context = Vault.context(provider_id, student_id, "record", record.id)
        sealed.append((SealedRecord, record.id, record.content, context))
    for entry in tx.list(SealedEntry, provider_id, student_id=student_id):
        context = Vault.context(provider_id, student_id, "entry", entry.id, version=entry.version)
        sealed.append((SealedEntry, entry.id, entry.content, context))
    for disclosure in tx.list(SealedDisclosure, provider_id, student_id=student_id):
        context = Vault.context(provider_id, student_id, "disclosure", disclosure.id)
        sealed.append((SealedDisclosure, disclosure.id, disclosure.content, context))
    for referral in tx.list(SealedReferral, provider_id, student_id=student_id):
        context = Vault.context(provider_id, student_id, "referral", referral.id)
        sealed.append((SealedReferral, referral.id, referral.content, context))
    code = tx.get(SealedIdentityCode, provider_id, student_id)
    if code is not None:
        context = Vault.context(provider_id, student_id, "student", student_id,
                                field=IDENTITY_CODE_INDEX)  # fmt: skip
        sealed.append((SealedIdentityCode, student_id, code.ciphertext, context))
    count = 0
    for kind, key, ciphertext, context in sealed:
        if sealed_key_id(ciphertext) != primary:
            tx.replace_ciphertext(kind, provider_id, key, reseal(keyset, ciphertext, context))
            count += 1
    return count
