"""What the audit trail promises beyond tests/test_audit_chain.py, found missing by mutation
testing (docs/mutation-testing.md)."""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from zoneinfo import ZoneInfo

import attrs
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from welfarekit.audit import AuditEvent
from welfarekit.audit_chain import (
    AuditCheckpoint,
    ChainedEvent,
    VerifyReport,
    canonical_form,
    chain,
    checkpoint_valid,
    sign_checkpoint,
    verify,
)
from welfarekit.auditing import emit_many
from welfarekit.builtin.memory import MemoryStorage
from welfarekit.errors import AuditFailure, InvalidValue
from welfarekit.storage import StorageTransaction

PROVIDER = "harjun-koulutus"
START = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)


def event(n: int, *, provider: str = PROVIDER) -> AuditEvent:
    return AuditEvent(
        id=f"evt-{n}",
        provider_id=provider,
        occurred_at=START + dt.timedelta(minutes=n),
        actor="staff:kuraattori",
        action="record.read",
        resource_type="welfare_record",
        resource_id=f"rec-{n}",
    )


class _Sink:
    def __init__(self) -> None:
        self.events: list[AuditEvent] = []

    def welfarekit_audit_event(self, event: AuditEvent) -> None:
        self.events.append(event)


class _CountingTransaction:
    """Counts the appends of a transaction that has ``append_audit_many``."""

    def __init__(self, tx: StorageTransaction) -> None:
        self._tx = tx
        self.batches: list[list[int]] = []
        self.singles = 0

    def append_audit_many(self, entries: list[ChainedEvent]) -> None:
        self.batches.append([entry.sequence for entry in entries])
        self._tx.append_audit_many(entries)

    def append_audit(self, entry: ChainedEvent) -> None:
        self.singles += 1
        self._tx.append_audit(entry)

    def audit_head(self, provider_id: str) -> ChainedEvent | None:
        return self._tx.audit_head(provider_id)


def test_emit_many_appends_each_providers_events_in_one_call() -> None:
    storage = MemoryStorage()
    events = [event(1), event(1, provider="other"), event(2), event(3)]

    with storage.transaction() as tx:
        counting = _CountingTransaction(tx)
        emit_many(counting, _Sink(), events)  # type: ignore[arg-type]

    assert counting.batches == [[1, 2, 3], [1]]
    assert counting.singles == 0
    with storage.transaction() as tx:
        assert verify(tx.audit_entries(PROVIDER))
        assert [e.event for e in tx.audit_entries("other")] == [events[1]]


# -- the chain: reports that say where and what ---------------------------------------------

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
TAKEN = dt.datetime(2026, 11, 23, 20, 0, tzinfo=ZoneInfo("Europe/Helsinki"))


def log(n: int) -> list[ChainedEvent]:
    return chain(event(i) for i in range(1, n + 1))


def relinked(entry: ChainedEvent, previous_hash: str) -> ChainedEvent:
    """``entry`` pointing at ``previous_hash``, its own hash recomputed to match."""
    form = canonical_form(entry.event, sequence=entry.sequence)
    own = hashlib.sha256(bytes.fromhex(previous_hash) + form).hexdigest()
    return attrs.evolve(entry, previous_hash=previous_hash, entry_hash=own)


def rewritten(entries: list[ChainedEvent], start: int) -> list[ChainedEvent]:
    """The chain with entry ``start`` (1-based) edited and every later hash recomputed."""
    head = entries[start - 2] if start > 1 else None
    edited = attrs.evolve(entries[start - 1].event, resource_id="forged")
    rest = [edited, *(e.event for e in entries[start:])]
    return entries[: start - 1] + chain(rest, head=head)


def test_a_first_entry_that_does_not_start_from_genesis_says_so() -> None:
    entries = log(3)
    entries[0] = relinked(entries[0], "1" * 64)

    assert verify(entries) == VerifyReport(
        ok=False,
        checked=0,
        first_broken=1,
        problem="entry 1 does not link to the chain's start: an entry was inserted, deleted "
        "or replaced there",
    )


def test_a_broken_link_names_the_entry_before() -> None:
    entries = log(4)
    entries[2] = relinked(entries[2], "2" * 64)

    assert verify(entries) == VerifyReport(
        ok=False,
        checked=2,
        first_broken=2,
        problem="entry 3 does not link to entry 2: an entry was inserted, deleted or replaced "
        "there",
    )


def test_a_deleted_entry_says_which_sequence_follows_which() -> None:
    entries = log(4)
    del entries[1]

    assert verify(entries) == VerifyReport(
        ok=False,
        checked=1,
        first_broken=2,
        problem="entry 2 is missing: sequence 3 follows 1 (an entry was deleted, or entries "
        "were reordered)",
    )


def test_a_rewrite_from_the_start_is_found_by_the_first_checkpoint() -> None:
    original = log(4)
    forged = rewritten(original, 1)

    report = verify(forged, checkpoints=[sign(original[2])], public_key=KEY.public_key())

    assert report == VerifyReport(
        ok=False,
        checked=4,
        first_broken=1,
        problem="entry 3 does not match the checkpoint's hash: some of entries 1..3 were rewritten",
    )


def test_a_rewrite_is_placed_after_the_last_checkpoint_that_still_matches() -> None:
    original = log(5)
    third = attrs.evolve(original[2], event=attrs.evolve(original[2].event, resource_id="x"))
    forged = [*original[:2], relinked(third, original[1].entry_hash), *original[3:]]
    checkpoints = [sign(original[1]), sign(original[2])]

    report = verify(forged, checkpoints=checkpoints, public_key=KEY.public_key())

    assert report == VerifyReport(
        ok=False,
        checked=3,
        first_broken=3,
        problem="entry 3 does not match the checkpoint's hash: some of entries 3..3 were rewritten",
    )


def test_two_signed_heads_for_one_sequence_blame_what_came_before() -> None:
    original = log(3)
    forged = rewritten(original, 2)

    report = verify(
        original,
        checkpoints=[sign(original[2]), sign(forged[2])],
        public_key=KEY.public_key(),
    )

    assert report == VerifyReport(
        ok=False,
        checked=3,
        first_broken=1,
        problem="entry 3 does not match the checkpoint's hash: some of entries 1..3 were rewritten",
    )


def test_checkpoints_of_another_provider_are_checked_against_the_whole_chain() -> None:
    theirs = log(2)
    ours = chain([event(1, provider="other"), event(2, provider="other")])

    report = verify(ours, checkpoints=[sign(theirs[1])], public_key=KEY.public_key())

    assert report == VerifyReport(
        ok=False,
        checked=0,
        first_broken=1,
        problem=f"entry 1 belongs to provider 'other', not {PROVIDER!r}: an entry of another "
        "provider's chain was mixed in",
    )


def test_refused_checkpoints_are_reported_before_any_entry_is_checked() -> None:
    entries = log(2)
    forged = attrs.evolve(sign(entries[1]), signature=bytes(64))
    theirs = sign(chain([event(1, provider="other")])[0])
    taken = "2026-11-23T18:00:00.000000+00:00"

    assert verify(entries, checkpoints=[forged], public_key=KEY.public_key()) == VerifyReport(
        ok=False,
        checked=0,
        problem=f"checkpoint of sequence 2 taken at {taken} has a signature that does not verify "
        "with the given public key (key id 'audit-2026'): it was altered, forged or signed by "
        "another key",
    )
    mixed = [sign(entries[1]), theirs]
    assert verify(entries, checkpoints=mixed, public_key=KEY.public_key()) == VerifyReport(
        ok=False,
        checked=0,
        problem=f"checkpoint of sequence 1 taken at {taken} is for provider 'other', not "
        f"{PROVIDER!r}",
    )
    with pytest.raises(ValueError, match="^a public key is needed to check the checkpoints'"):
        verify(entries, checkpoints=[forged])


# -- checkpoints: what is signed, whatever the machine's time zone --------------------------


def sign(head: ChainedEvent) -> AuditCheckpoint:
    return sign_checkpoint(head, KEY, "audit-2026", TAKEN)


def test_a_checkpoint_signs_documented_json_in_utc(monkeypatch: pytest.MonkeyPatch) -> None:
    """Anyone holding the public key can check a checkpoint from its documented message."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        head = log(3)[2]
        made = sign(head)
    finally:
        monkeypatch.undo()
        time.tzset()
    message = (
        '{"format":"welfarekit.audit.checkpoint.v1",'
        f'"head_hash":"{head.entry_hash}","key_id":"audit-2026",'
        f'"provider_id":"{PROVIDER}","sequence":3,'
        '"taken_at":"2026-11-23T18:00:00.000000+00:00"}'
    ).encode()

    KEY.public_key().verify(made.signature, message)  # raises if it is not this message
    assert checkpoint_valid(made, KEY.public_key())


def test_a_checkpoint_needs_an_aware_time_and_a_bytes_signature() -> None:
    head = log(1)[0]
    with pytest.raises(ValueError, match="^a naive datetime cannot be put in the canonical form$"):
        sign_checkpoint(head, KEY, "audit-2026", TAKEN.replace(tzinfo=None))
    with pytest.raises(InvalidValue) as refused:
        attrs.evolve(sign(head), signature="c2lnbmF0dXJl")
    assert (refused.value.field, refused.value.reason) == (
        "AuditCheckpoint.signature",
        "must be bytes, not str",
    )


def test_a_failing_sink_says_which_error_and_that_nothing_was_done() -> None:
    class Down:
        def welfarekit_audit_event(self, event: AuditEvent) -> None:
            raise ConnectionError("the log server is down")

    with pytest.raises(AuditFailure) as failed, MemoryStorage().transaction() as tx:
        emit_many(tx, Down(), [event(1)])
    assert str(failed.value) == (
        "an audit sink failed (ConnectionError: the log server is down); "
        "the operation was not carried out"
    )


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"entry_hash": "ZZ"}, "ChainedEvent.entry_hash",
         "must be 64 lowercase hexadecimal digits (SHA-256)"),
        ({"sequence": 0}, "ChainedEvent.sequence", "must be a whole number from 1 up, not 0"),
        ({"sequence": "1"}, "ChainedEvent.sequence", "must be a whole number from 1 up, not '1'"),
        ({"sequence": 2.0}, "ChainedEvent.sequence", "must be a whole number from 1 up, not 2.0"),
    ],
)  # fmt: skip
def test_a_stored_entry_that_cannot_be_right_names_its_field(
    change: dict[str, object], field: str, reason: str
) -> None:
    with pytest.raises(InvalidValue) as refused:
        attrs.evolve(log(1)[0], **change)
    assert (refused.value.field, refused.value.reason) == (field, reason)


def test_an_event_holding_the_separator_has_no_canonical_form() -> None:
    smuggled = event(1)
    object.__setattr__(smuggled, "actor", "staff:a\x1fstaff:b")  # around the validators

    with pytest.raises(ValueError, match="^an audit event field holds U\\+001F and has no "):
        canonical_form(smuggled, sequence=1)


def test_an_event_holding_a_number_has_no_v1_canonical_form() -> None:
    smuggled = event(1)
    object.__setattr__(smuggled, "resource_id", 42)  # around the validators

    with pytest.raises(TypeError, match="^int has no canonical form$"):
        canonical_form(smuggled, sequence=1, chain_format="welfarekit.audit.v1")
