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
from welfarekit.crypto.seal import SealContexts
from welfarekit.errors import InvalidValue
from welfarekit.model import EducationProvider, Initiative
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
from welfarekit.storage import Entity, KeysetRewrap, StorageAdapter, StorageTransaction
from welfarekit.vault import IDENTITY_CODE_INDEX, REGISTER, Vault

__all__ = [
    "DataKeyReport",
    "RewrapReport",
    "rewrap_keysets",
    "rotate_data_keys",
    "rotation_cutoff",
]

BATCH = 5000


@attrs.frozen
class RewrapReport:
    keysets: int
    rewrapped: int
    kek_id: str
    other_secrets: int = 0
    """Provider secrets, confidential matters' and initiatives' keysets rewrapped as well."""


def rewrap_keysets(
    storage: StorageAdapter,
    keyring: Keyring,
    *,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> RewrapReport:
    """Rewrap every keyset not yet under ``keyring``'s current KEK, in batches of
    :data:`BATCH` per transaction; ``progress(done, total)`` after each batch. The
    providers' secrets and the matters' and initiatives' own keysets are rewrapped in the last
    batch's transaction (a small provider's rotation is one write transaction).

    The keysets are read in one transaction and written back in batches, each with one
    conditional update (:meth:`~welfarekit.storage.StorageTransaction.replace_keysets`):
    a keyset that another transaction changed after it was read (a data-key rotation, a
    shredding) is read again in the batch's transaction and rewrapped from what it holds
    then, or skipped when it is gone or under the current KEK already."""
    current = keyring.key_id
    total, pending = 0, []
    with storage.transaction() as tx:
        providers = [p.id for p in tx.list(EducationProvider, None)]
        for provider_id in providers:
            keysets = tx.list(StoredKeyset, provider_id)
            total += len(keysets)
            # Plain tuples rather than the objects: a long list of them costs the garbage
            # collector little while the batches run.
            pending += [
                (provider_id, k.student_id, k.kek_id, k.blob)
                for k in keysets
                if k.kek_id != current
            ]
            del keysets
    done, rewrapped, others = total - len(pending), 0, 0
    starts = range(0, len(pending), BATCH) or range(1)
    for start in starts:
        batch = pending[start : start + BATCH]
        with storage.transaction() as tx:
            for provider_id, rewraps in _rewraps(batch, keyring).items():
                rewrapped += _replace_keysets(tx, keyring, provider_id, rewraps)
            if start == starts[-1]:
                others = _rewrap_matters(tx, keyring, providers)
        done += len(batch)
        progress(done, total)
    return RewrapReport(keysets=total, rewrapped=rewrapped, kek_id=current,
                        other_secrets=others)  # fmt: skip


def _rewraps(
    batch: list[tuple[str, str, str, bytes]], keyring: Keyring
) -> dict[str, list[KeysetRewrap]]:
    """Each keyset of ``batch`` (provider, student, KEK id, blob) rewrapped under the current
    KEK, by provider."""
    by_provider: dict[str, list[KeysetRewrap]] = {}
    for provider_id, student_id, kek_id, blob in batch:
        wrapped = rewrap(
            WrappedKeyset(kek_id, blob),
            keyring,
            keyring,
            keyset_associated_data(provider_id, student_id),
        )
        by_provider.setdefault(provider_id, []).append(
            KeysetRewrap(student_id, blob, wrapped.kek_id, wrapped.blob)
        )
    return by_provider


def _replace_keysets(
    tx: StorageTransaction, keyring: Keyring, provider_id: str, rewraps: list[KeysetRewrap]
) -> int:
    """Write ``rewraps``; the keysets changed since they were read are read again here."""
    now = dt.datetime.now(dt.UTC)
    replace = getattr(tx, "replace_keysets", None)  # an adapter older than the method
    replaced = replace(provider_id, rewraps, now) if replace is not None else 0
    if replaced == len(rewraps):
        return replaced
    # Some were changed meanwhile (or the adapter cannot batch): one at a time, as read now.
    replaced = 0
    for change in rewraps:
        found = tx.get(StoredKeyset, provider_id, change.student_id)
        if found is None:
            continue  # shredded meanwhile
        if found.kek_id == keyring.key_id:
            if found.blob == change.blob:
                replaced += 1  # by the batched update above
            continue  # or by another run meanwhile
        wrapped = rewrap(
            WrappedKeyset(found.kek_id, found.blob),
            keyring,
            keyring,
            keyset_associated_data(provider_id, change.student_id),
        )
        tx.save(attrs.evolve(found, kek_id=wrapped.kek_id, blob=wrapped.blob, updated_at=now))
        replaced += 1
    return replaced


def _rewrap_matters(tx: StorageTransaction, keyring: Keyring, providers: list[str]) -> int:
    """Rewrap the wrapped secrets kept outside the keyset table, in ``tx``: each provider's
    secrets (the blind-index seed), each confidential matter's and each initiative's own
    keyset. Returns how many were rewrapped."""
    from welfarekit.casework import matter_associated_data
    from welfarekit.communal import initiative_associated_data

    done = 0
    for provider_id in providers:
        for secret in tx.list(ProviderSecret, provider_id):
            if secret.kek_id != keyring.key_id:
                associated = keyset_associated_data(provider_id, f"secret:{secret.name}")
                wrapped = rewrap(WrappedKeyset(secret.kek_id, secret.blob), keyring,
                                 keyring, associated)  # fmt: skip
                tx.save(attrs.evolve(secret, kek_id=wrapped.kek_id, blob=wrapped.blob))
                done += 1
        for matter in tx.list(SealedMatter, provider_id):
            if matter.kek_id != keyring.key_id:
                wrapped = rewrap(WrappedKeyset(matter.kek_id, matter.keyset), keyring,
                                 keyring, matter_associated_data(provider_id, matter.id))  # fmt: skip
                tx.save(attrs.evolve(matter, kek_id=wrapped.kek_id, keyset=wrapped.blob))
                done += 1
        for initiative in tx.list(Initiative, provider_id):
            if initiative.kek_id != keyring.key_id:
                wrapped = rewrap(WrappedKeyset(initiative.kek_id, initiative.keyset), keyring,
                                 keyring, initiative_associated_data(provider_id, initiative.id))  # fmt: skip
                tx.save(attrs.evolve(initiative, kek_id=wrapped.kek_id, keyset=wrapped.blob))
                done += 1
    return done


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

    # Vault.context's contexts, the parts the student's rows share checked once per type.
    def contexts(record_type: str) -> SealContexts:
        return SealContexts(provider_id=provider_id, register=REGISTER, record_type=record_type,
                            field="content", student_id=student_id)  # fmt: skip

    of_records = contexts("record")
    for record in tx.list(SealedRecord, provider_id, student_id=student_id):
        sealed.append((SealedRecord, record.id, record.content, of_records(record.id)))
    of_entries = contexts("entry")
    for entry in tx.list(SealedEntry, provider_id, student_id=student_id):
        context = of_entries(entry.id, entry.version)
        sealed.append((SealedEntry, entry.id, entry.content, context))
    of_disclosures = contexts("disclosure")
    for disclosure in tx.list(SealedDisclosure, provider_id, student_id=student_id):
        context = of_disclosures(disclosure.id)
        sealed.append((SealedDisclosure, disclosure.id, disclosure.content, context))
    of_referrals = contexts("referral")
    for referral in tx.list(SealedReferral, provider_id, student_id=student_id):
        sealed.append((SealedReferral, referral.id, referral.content, of_referrals(referral.id)))
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
