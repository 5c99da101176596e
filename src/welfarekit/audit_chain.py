"""The hash chain over a provider's audit events, and signed checkpoints of its head.

Each education provider has one chain. Entry *n* (1-based) stores the SHA-256 of the
previous entry's hash followed by the canonical form of its own event, so editing,
deleting, inserting or reordering an entry breaks a link that :func:`verify` finds
(invariant 5 of DESIGN.md).

The canonical form has two versions (:func:`canonical_form`):

* ``welfarekit.audit.v2`` (:data:`CHAIN_FORMAT`), the form :func:`chain` writes:
  the format name, the sequence and the event's fields in a fixed order, separated by the
  unit separator U+001F, the moment as whole microseconds since 1970-01-01 UTC, an absent
  optional field as ``-`` and a present one as ``=`` and its value. It takes a fraction of
  the time JSON does, so that a long chain verifies quickly.
* ``welfarekit.audit.v1`` (:data:`CHAIN_FORMAT_V1`), written before: compact JSON with
  sorted keys. Chains written then keep their hashes and still verify.

An entry does not store which form it was hashed in: :func:`verify` accepts an entry whose
hash matches either form (it tries the form of the entry before first). This weakens
nothing: each form encodes an event unambiguously, and no byte string is in both forms (v1
starts with ``{``, v2 with its format name), so a hash that matches either form pins the
entry's every field, as a hash of one form would. Old and new entries may follow each other
in one chain, as they do after an upgrade.

Events carry pseudonymous identifiers and ciphertext only, never plaintext, so the chain
still verifies after a student's data is erased by crypto-shredding: destroying the keys
leaves every hashed byte in place. (Hashed entries cannot be erased, so no field, the free
text ``reason`` included, may ever hold personal data in plaintext.)

What the chain alone cannot show, and what checkpoints are for:

* **A cut tail.** Deleting the newest entries leaves a shorter chain that is still
  consistent. Without a checkpoint :func:`verify` reports it as intact; with a signed
  checkpoint it is found when the chain ends before the checkpoint's sequence. Entries
  newer than the latest checkpoint can still be cut unnoticed.
* **A rewrite to the end.** Whoever can write the table can rewrite every entry from some
  point on, recomputing every hash. Only a checkpoint at or after that point reveals it.
* **Who appended.** Appending a well-formed entry needs no secret; the chain shows that
  history was not changed, not that the newest entries are genuine.

Checkpoints are signed with Ed25519 and handed to the ``welfarekit_audit_checkpoint`` hook,
which should keep them where the database administrator cannot rewrite them.

This module does no I/O.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

import attrs
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from welfarekit.audit import AuditEvent, AuditOutcome
from welfarekit.errors import IntegrityError
from welfarekit.model._validate import aware_datetime, fail, identifier, instance_of

__all__ = [
    "CHAIN_FORMAT",
    "CHAIN_FORMAT_V1",
    "CHECKPOINT_FORMAT",
    "GENESIS_HASH",
    "AuditCheckpoint",
    "ChainedEvent",
    "VerifyReport",
    "canonical_form",
    "chain",
    "checkpoint_valid",
    "sign_checkpoint",
    "verify",
]

GENESIS_HASH = "0" * 64
"""The ``previous_hash`` of a provider's first entry."""
CHAIN_FORMAT = "welfarekit.audit.v2"
"""Names the canonical form :func:`chain` writes, inside the form; changing the form means
a new name."""
CHAIN_FORMAT_V1 = "welfarekit.audit.v1"
"""The canonical form of entries written before :data:`CHAIN_FORMAT`; they still verify."""
CHECKPOINT_FORMAT = "welfarekit.audit.checkpoint.v1"

_HEX64 = re.compile(r"[0-9a-f]{64}")


def _sequence(instance: object, attribute: attrs.Attribute[int], value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise fail(instance, attribute, f"must be a whole number from 1 up, not {value!r}")


def _hash(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not _HEX64.fullmatch(value):
        raise fail(instance, attribute, "must be 64 lowercase hexadecimal digits (SHA-256)")


def _bytes(instance: object, attribute: attrs.Attribute[bytes], value: object) -> None:
    if not isinstance(value, bytes):
        raise fail(instance, attribute, f"must be bytes, not {type(value).__name__}")


@attrs.frozen(kw_only=True)
class ChainedEvent:
    """An audit event in its place in the chain, as the storage adapter keeps it."""

    sequence: int = attrs.field(validator=_sequence)
    """1-based position in the provider's chain."""
    event: AuditEvent = attrs.field(validator=instance_of(AuditEvent))
    previous_hash: str = attrs.field(validator=_hash)
    """The previous entry's ``entry_hash``, or :data:`GENESIS_HASH` for the first."""
    entry_hash: str = attrs.field(validator=_hash)
    """SHA-256 of ``previous_hash`` (32 raw bytes) followed by the canonical form."""


@attrs.frozen(kw_only=True)
class AuditCheckpoint:
    """A signed statement that a provider's chain had ``head_hash`` at ``sequence``."""

    provider_id: str = attrs.field(validator=identifier)
    sequence: int = attrs.field(validator=_sequence)
    head_hash: str = attrs.field(validator=_hash)
    taken_at: dt.datetime = attrs.field(validator=aware_datetime)
    key_id: str = attrs.field(validator=identifier)
    """Names the signing key, so a verifier can pick the public key after a rotation."""
    signature: bytes = attrs.field(validator=_bytes, repr=False)


@attrs.frozen(kw_only=True)
class VerifyReport:
    """The outcome of :func:`verify`; true when the chain is intact.

    ``checked`` counts the entries the walk found consistent before its first problem.
    ``first_broken`` is the lowest sequence number involved in the first problem found:
    every entry before it verified. It is ``None`` when the chain is intact, and also when
    the problem lies in the checkpoints themselves (a bad signature, another provider).
    ``problem`` says what is wrong in words a person can act on.
    """

    ok: bool
    checked: int
    first_broken: int | None = None
    problem: str | None = None

    def __bool__(self) -> bool:
        return self.ok


def _utc(value: dt.datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("a naive datetime cannot be put in the canonical form")
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


def _plain(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, enum.Enum):
        return _plain(value.value)
    if isinstance(value, dt.datetime):
        return _utc(value)
    if isinstance(value, str):
        return str(value)
    raise TypeError(f"{type(value).__name__} has no canonical form")


def _dump(document: dict[str, Any]) -> bytes:
    text = json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    return text.encode("utf-8")


def _form_v1(event: AuditEvent, sequence: int) -> bytes:
    fields = {f.name: _plain(getattr(event, f.name)) for f in attrs.fields(AuditEvent)}
    return _dump({"event": fields, "format": CHAIN_FORMAT_V1, "sequence": sequence})


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)
_SEPARATOR = "\x1f"
_SEPARATORS = 11  # between the twelve parts of a v2 form


def _form_v2(event: AuditEvent, sequence: int) -> bytes:
    student, reason = event.student_id, event.reason
    text = (
        f"{CHAIN_FORMAT}\x1f{sequence}\x1f{event.id}\x1f{event.provider_id}"
        f"\x1f{(event.occurred_at - _EPOCH) // _MICROSECOND}\x1f{event.actor}"
        f"\x1f{event.action}\x1f{event.resource_type}\x1f{event.resource_id}"
        f"\x1f{'-' if student is None else '=' + student}\x1f{_OUTCOMES[event.outcome]}"
        f"\x1f{'-' if reason is None else '=' + reason}"
    )
    if text.count(_SEPARATOR) != _SEPARATORS:
        # The event's validators refuse control characters; this keeps the form unambiguous
        # for an event that was built around them.
        raise ValueError("an audit event field holds U+001F and has no canonical form")
    return text.encode("utf-8")


_OUTCOMES = {outcome: outcome.value for outcome in AuditOutcome}
_FORMS = {CHAIN_FORMAT: _form_v2, CHAIN_FORMAT_V1: _form_v1}


def canonical_form(event: AuditEvent, *, sequence: int, chain_format: str = CHAIN_FORMAT) -> bytes:
    """The exact bytes hashed for ``event`` at position ``sequence`` of its chain, in the
    form ``chain_format`` names (:data:`CHAIN_FORMAT` unless given).

    ``welfarekit.audit.v2``: UTF-8 text of twelve parts separated by U+001F (no field may
    hold it; the validators refuse control characters)::

        welfarekit.audit.v2␟1␟evt-0001␟harjun-koulutus␟1795418100000000␟staff:kuraattori-7␟
        record.read␟welfare_record␟rec-42␟=aino-1␟denied␟=ei pääsyä: § 20

    in this order: the format name, the sequence, ``id``, ``provider_id``, ``occurred_at``
    as whole microseconds since 1970-01-01T00:00:00Z (the instant, whatever its time zone),
    ``actor``, ``action``, ``resource_type``, ``resource_id``, ``student_id``, ``outcome``
    by value, ``reason``; an optional field is ``-`` when absent and ``=`` and its value
    when present. Strings are as given, not normalised.

    ``welfarekit.audit.v1``: compact JSON, UTF-8, keys sorted, separators ``,`` and ``:``,
    non-ASCII kept as is::

        {"event":{"action":…,"actor":…,"id":…,"occurred_at":"2026-11-23T07:15:00.000000+00:00",
         "outcome":"success","provider_id":…,"reason":null,"resource_id":…,
         "resource_type":…},"format":"welfarekit.audit.v1","sequence":1}

    with every field of :class:`~welfarekit.audit.AuditEvent`: datetimes in UTC with
    microseconds, enums by value, ``None`` as ``null``.

    Adding a field to ``AuditEvent`` changes the form, so a new format name is needed, and
    chains written before must still be verified with the old forms. Events carry
    pseudonymous ids and ciphertext only, so nothing here is lost to crypto-shredding.
    """
    form = _FORMS.get(chain_format)
    if form is None:
        raise ValueError(f"unknown audit chain format {chain_format!r}")
    return form(event, sequence)


def _hash_v2(previous_hash: str, event: AuditEvent, sequence: int) -> str:
    return hashlib.sha256(bytes.fromhex(previous_hash) + _form_v2(event, sequence)).hexdigest()


def _hash_v1(previous_hash: str, event: AuditEvent, sequence: int) -> str:
    return hashlib.sha256(bytes.fromhex(previous_hash) + _form_v1(event, sequence)).hexdigest()


_entry_hash = _hash_v2


def chain(events: Iterable[AuditEvent], *, head: ChainedEvent | None = None) -> list[ChainedEvent]:
    """Chain ``events``, in order, after ``head`` (the newest stored entry, or ``None`` to
    start a provider's chain).

    Raises :class:`~welfarekit.errors.IntegrityError` when an event belongs to another
    provider than the chain.
    """
    provider = head.event.provider_id if head is not None else None
    sequence = head.sequence if head is not None else 0
    previous = head.entry_hash if head is not None else GENESIS_HASH
    entries: list[ChainedEvent] = []
    for event in events:
        if provider is None:
            provider = event.provider_id
        elif event.provider_id != provider:
            raise IntegrityError(
                f"audit event {event.id} belongs to provider {event.provider_id!r}, "
                f"not to {provider!r} whose chain it would join; each provider has its own chain"
            )
        sequence += 1
        entry_hash = _entry_hash(previous, event, sequence)
        entries.append(
            ChainedEvent(
                sequence=sequence, event=event, previous_hash=previous, entry_hash=entry_hash
            )
        )
        previous = entry_hash
    return entries


def _checkpoint_message(
    provider_id: str, sequence: int, head_hash: str, taken_at: dt.datetime, key_id: str
) -> bytes:
    return _dump(
        {
            "format": CHECKPOINT_FORMAT,
            "head_hash": head_hash,
            "key_id": key_id,
            "provider_id": provider_id,
            "sequence": sequence,
            "taken_at": _utc(taken_at),
        }
    )


def sign_checkpoint(
    head: ChainedEvent, private_key: Ed25519PrivateKey, key_id: str, taken_at: dt.datetime
) -> AuditCheckpoint:
    """Sign the chain's head: its provider, sequence and hash, when it was taken and by
    which key (the signed message is compact sorted-key JSON like the canonical form)."""
    provider = head.event.provider_id
    message = _checkpoint_message(provider, head.sequence, head.entry_hash, taken_at, key_id)
    return AuditCheckpoint(
        provider_id=provider,
        sequence=head.sequence,
        head_hash=head.entry_hash,
        taken_at=taken_at,
        key_id=key_id,
        signature=private_key.sign(message),
    )


def checkpoint_valid(checkpoint: AuditCheckpoint, public_key: Ed25519PublicKey) -> bool:
    """Whether ``checkpoint`` was signed, unchanged, by the key matching ``public_key``."""
    message = _checkpoint_message(
        checkpoint.provider_id,
        checkpoint.sequence,
        checkpoint.head_hash,
        checkpoint.taken_at,
        checkpoint.key_id,
    )
    try:
        public_key.verify(checkpoint.signature, message)
    except InvalidSignature:
        return False
    return True


def _broken(checked: int, first_broken: int | None, problem: str) -> VerifyReport:
    return VerifyReport(ok=False, checked=checked, first_broken=first_broken, problem=problem)


def _walk(entries: Sequence[ChainedEvent], provider: str | None) -> VerifyReport:
    """Check each entry's provider, sequence, own hash and link to its predecessor.

    The entries' own hashes are checked in the form of the entry before (v2 at first), and
    in the other form when that does not match: see the module documentation."""
    previous = GENESIS_HASH
    first, second = _hash_v2, _hash_v1
    position = 0
    for entry in entries:
        event = entry.event
        position += 1
        if provider is None:
            provider = event.provider_id
        sequence, entry_hash, previous_hash = entry.sequence, entry.entry_hash, entry.previous_hash
        if event.provider_id != provider or sequence != position:
            return _misplaced(entry, position, provider)
        if first(previous_hash, event, sequence) != entry_hash:
            if second(previous_hash, event, sequence) != entry_hash:
                return _broken(
                    position - 1,
                    position,
                    f"entry {position} was changed: its hash does not match its content",
                )
            first, second = second, first
        if previous_hash != previous:
            what = "the chain's start" if position == 1 else f"entry {position - 1}"
            return _broken(
                position - 1,
                max(position - 1, 1),
                f"entry {position} does not link to {what}: an entry was inserted, deleted "
                f"or replaced there",
            )
        previous = entry_hash
    return VerifyReport(ok=True, checked=position)


def _misplaced(entry: ChainedEvent, position: int, provider: str) -> VerifyReport:
    """The report on an entry of another provider, or out of sequence."""
    index = position - 1
    if entry.event.provider_id != provider:
        return _broken(
            index,
            position,
            f"entry {position} belongs to provider {entry.event.provider_id!r}, "
            f"not {provider!r}: an entry of another provider's chain was mixed in",
        )
    if entry.sequence > position:
        return _broken(
            index,
            position,
            f"entry {position} is missing: sequence {entry.sequence} follows "
            f"{position - 1} (an entry was deleted, or entries were reordered)",
        )
    return _broken(
        index,
        entry.sequence,
        f"sequence {entry.sequence} appears again at position {position} "
        f"(an entry was inserted or duplicated, or entries were reordered)",
    )


def verify(
    entries: Sequence[ChainedEvent],
    *,
    checkpoints: Sequence[AuditCheckpoint] = (),
    public_key: Ed25519PublicKey | None = None,
) -> VerifyReport:
    """Verify a provider's whole chain, oldest entry first, against signed checkpoints.

    Finds an edited entry, a deleted, inserted or duplicated entry, reordering, an entry of
    another provider, and — only with a checkpoint — a cut tail or a chain rewritten up to
    a checkpoint's sequence. Without checkpoints a chain whose newest entries were cut, or
    rewritten with recomputed hashes, is reported intact: see the module documentation.

    Checkpoints are checked first against ``public_key`` (required with checkpoints); one
    that does not verify, or is for another provider, is reported with ``first_broken``
    ``None``. The chain's provider is the checkpoints', else the first entry's.
    """
    provider: str | None = None
    if checkpoints:
        if public_key is None:
            raise ValueError("a public key is needed to check the checkpoints' signatures")
        for checkpoint in checkpoints:
            taken = (
                f"checkpoint of sequence {checkpoint.sequence} taken at {_utc(checkpoint.taken_at)}"
            )
            if not checkpoint_valid(checkpoint, public_key):
                return _broken(
                    0,
                    None,
                    f"{taken} has a signature that does not verify with the given public key "
                    f"(key id {checkpoint.key_id!r}): it was altered, forged or signed by "
                    f"another key",
                )
            provider = provider or checkpoint.provider_id
            if checkpoint.provider_id != provider:
                return _broken(
                    0, None, f"{taken} is for provider {checkpoint.provider_id!r}, not {provider!r}"
                )

    report = _walk(entries, provider)
    attested: list[int] = []
    for checkpoint in sorted(checkpoints, key=lambda c: c.sequence):
        if checkpoint.sequence > report.checked:
            if report.ok:
                return _broken(
                    report.checked,
                    report.checked + 1,
                    f"the chain ends at sequence {report.checked} but a checkpoint records "
                    f"sequence {checkpoint.sequence}: the newest entries were deleted",
                )
            break
        if entries[checkpoint.sequence - 1].entry_hash != checkpoint.head_hash:
            start = max((s for s in attested if s < checkpoint.sequence), default=0) + 1
            if report.first_broken is not None and report.first_broken < start:
                break
            return _broken(
                report.checked,
                start,
                f"entry {checkpoint.sequence} does not match the checkpoint's hash: some of "
                f"entries {start}..{checkpoint.sequence} were rewritten",
            )
        attested.append(checkpoint.sequence)
    return report
