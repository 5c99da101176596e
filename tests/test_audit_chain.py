"""The audit hash chain finds edits, deletions, insertions, reordering and a cut tail."""

from __future__ import annotations

import datetime as dt
import hashlib
from zoneinfo import ZoneInfo

import attrs
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from welfarekit.audit import AuditEvent, AuditOutcome
from welfarekit.audit_chain import (
    CHAIN_FORMAT,
    CHAIN_FORMAT_V1,
    GENESIS_HASH,
    AuditCheckpoint,
    ChainedEvent,
    VerifyReport,
    canonical_form,
    chain,
    checkpoint_valid,
    sign_checkpoint,
    verify,
)
from welfarekit.auditing import emit, emit_many
from welfarekit.builtin.memory import MemoryStorage
from welfarekit.errors import AuditFailure, IntegrityError, InvalidValue
from welfarekit.storage import StorageTransaction

PROVIDER = "harjun-koulutus"
START = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)
TAKEN = dt.datetime(2026, 11, 23, 18, 0, tzinfo=dt.UTC)
KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
OTHER_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
EDITABLE = [
    "id",
    "provider_id",
    "occurred_at",
    "actor",
    "action",
    "resource_type",
    "resource_id",
    "outcome",
    "reason",
]


def event(n: int, *, provider: str = PROVIDER, reason: str | None = None) -> AuditEvent:
    return AuditEvent(
        id=f"evt-{n}",
        provider_id=provider,
        occurred_at=START + dt.timedelta(minutes=n),
        actor=f"staff:kuraattori-{n % 3}",
        action="record.read" if n % 2 else "record.write",
        resource_type="welfare_record",
        resource_id=f"rec-{n}",
        outcome=AuditOutcome.SUCCESS,
        reason=reason,
    )


def log(n: int) -> list[ChainedEvent]:
    return chain(event(i) for i in range(1, n + 1))


def edited(e: AuditEvent, name: str) -> AuditEvent:
    """``e`` with one field changed to a different, still valid value."""
    value = getattr(e, name)
    if name == "occurred_at":
        return attrs.evolve(e, occurred_at=value + dt.timedelta(microseconds=1))
    if name == "outcome":
        outcomes = list(AuditOutcome)
        return attrs.evolve(e, outcome=outcomes[(outcomes.index(value) + 1) % len(outcomes)])
    if name == "reason":
        return attrs.evolve(e, reason="edited" if value is None else None)
    return attrs.evolve(e, **{name: value + "x"})


def tamper(entry: ChainedEvent, name: str) -> ChainedEvent:
    """Edit a stored entry's event without touching its hashes, as a database write would."""
    return attrs.evolve(entry, event=edited(entry.event, name))


def checkpoint(head: ChainedEvent, key: Ed25519PrivateKey = KEY) -> AuditCheckpoint:
    return sign_checkpoint(head, key, "audit-2026", TAKEN)


# --- an intact chain ----------------------------------------------------------------------


@pytest.mark.parametrize("n", [0, 1, 2, 10])
def test_intact_chain_verifies(n: int) -> None:
    entries = log(n)
    report = verify(entries)
    assert report
    assert (report.checked, report.first_broken, report.problem) == (n, None, None)


def test_chain_links_each_entry_to_the_previous_from_genesis() -> None:
    entries = log(3)
    assert [e.sequence for e in entries] == [1, 2, 3]
    assert entries[0].previous_hash == GENESIS_HASH == "0" * 64
    assert entries[1].previous_hash == entries[0].entry_hash
    assert entries[2].previous_hash == entries[1].entry_hash


def test_chain_continues_after_a_stored_head() -> None:
    first = log(3)
    more = chain([event(4), event(5)], head=first[-1])
    assert [e.sequence for e in more] == [4, 5]
    assert more[0].previous_hash == first[-1].entry_hash
    assert first + more == log(5)
    assert verify(first + more)


def test_one_chain_never_mixes_providers() -> None:
    with pytest.raises(IntegrityError, match="other-provider"):
        chain([event(1), event(2, provider="other-provider")])
    with pytest.raises(IntegrityError):
        chain([event(2, provider="other-provider")], head=log(1)[0])


def test_stored_hashes_must_look_like_sha256() -> None:
    entry = log(1)[0]
    with pytest.raises(InvalidValue, match=r"ChainedEvent\.entry_hash"):
        attrs.evolve(entry, entry_hash="ZZ")
    with pytest.raises(InvalidValue, match=r"ChainedEvent\.sequence"):
        attrs.evolve(entry, sequence=0)


# --- tampering the walk finds -------------------------------------------------------------


@pytest.mark.parametrize("written", ["v2", "v1 then v2"])
@pytest.mark.parametrize("name", EDITABLE)
@pytest.mark.parametrize("position", [1, 3, 5])
def test_editing_any_field_of_any_entry_is_found_at_that_entry(
    name: str, position: int, written: str
) -> None:
    if written == "v2":
        entries = log(5)
    else:  # a chain written before the v2 form, gone on after it (see below)
        entries = v1_log()
        entries += chain((event(n) for n in range(4, 6)), head=entries[-1])
    entries[position - 1] = tamper(entries[position - 1], name)
    report = verify(entries)
    assert not report
    assert report.first_broken == position
    assert report.checked == position - 1
    assert report.problem is not None
    if name != "provider_id" or position == 1:  # a later entry's provider is compared first
        assert (
            report.problem == f"entry {position} was changed: its hash does not match its content"
        )


def test_edit_with_a_recomputed_hash_breaks_the_next_link() -> None:
    entries = log(5)
    forged = chain([edited(entries[2].event, "actor")], head=entries[1])[0]
    entries[2] = forged
    report = verify(entries)
    assert report.first_broken == 3
    assert "entry 4 does not link to entry 3" in (report.problem or "")


def test_deleting_an_entry_in_the_middle() -> None:
    entries = log(6)
    del entries[2]
    report = verify(entries)
    assert report.first_broken == 3
    assert "entry 3 is missing" in (report.problem or "")


def test_deleting_the_first_entry() -> None:
    report = verify(log(4)[1:])
    assert report.first_broken == 1


def test_deleting_and_renumbering_is_still_found() -> None:
    entries = log(5)
    del entries[1]
    renumbered = [attrs.evolve(e, sequence=i) for i, e in enumerate(entries, start=1)]
    report = verify(renumbered)
    assert report.first_broken == 2


def test_inserting_a_forged_entry_with_its_own_hash_right() -> None:
    entries = log(5)
    forged = chain([event(99, reason="kirjattu jälkikäteen")], head=entries[1])[0]
    assert forged.sequence == 3
    entries.insert(2, forged)
    report = verify(entries)
    assert not report
    assert report.first_broken == 3
    assert "sequence 3 appears again at position 4" in (report.problem or "")


def test_swapping_two_entries() -> None:
    entries = log(5)
    entries[1], entries[3] = entries[3], entries[1]
    report = verify(entries)
    assert report.first_broken == 2


def test_an_entry_of_another_provider_is_found() -> None:
    entries = log(4)
    # Forged with a correct hash and link: chained after a look-alike of entry 2.
    foreign_head = attrs.evolve(entries[1], event=event(2, provider="other-provider"))
    stranger = chain([event(3, provider="other-provider")], head=foreign_head)[0]
    entries[2] = stranger
    report = verify(entries)
    assert report.first_broken == 3
    assert "other-provider" in (report.problem or "")


def test_a_chain_must_start_from_genesis() -> None:
    entries = log(3)
    entries[0] = attrs.evolve(entries[0], previous_hash="f" * 64)
    assert verify(entries).first_broken == 1


# --- the tail, and checkpoints ------------------------------------------------------------


def test_a_cut_tail_goes_unnoticed_without_a_checkpoint() -> None:
    # The documented limitation: a shorter chain is still a consistent chain.
    assert verify(log(6)[:4])


def test_a_cut_tail_is_found_with_a_checkpoint() -> None:
    entries = log(6)
    report = verify(entries[:4], checkpoints=[checkpoint(entries[-1])], public_key=KEY.public_key())
    assert not report
    assert (report.checked, report.first_broken) == (4, 5)
    assert "deleted" in (report.problem or "")


def test_a_chain_cut_to_nothing_is_found_with_a_checkpoint() -> None:
    report = verify([], checkpoints=[checkpoint(log(2)[-1])], public_key=KEY.public_key())
    assert report.first_broken == 1


def test_entries_newer_than_the_last_checkpoint_can_still_be_cut() -> None:
    entries = log(6)
    assert verify(entries[:5], checkpoints=[checkpoint(entries[3])], public_key=KEY.public_key())


def test_a_rewrite_to_the_end_is_found_only_by_a_checkpoint() -> None:
    entries = log(8)
    checkpoints = [checkpoint(entries[1]), checkpoint(entries[5])]
    rewritten = entries[:3] + chain(
        [edited(e.event, "actor") for e in entries[3:]], head=entries[2]
    )
    assert verify(rewritten)
    report = verify(rewritten, checkpoints=checkpoints, public_key=KEY.public_key())
    assert not report
    assert report.first_broken == 3  # after the last checkpoint that still matches
    assert "entries 3..6 were rewritten" in (report.problem or "")


def test_the_earliest_problem_wins_over_a_later_checkpoint_mismatch() -> None:
    entries = log(8)
    checkpoints = [checkpoint(entries[2]), checkpoint(entries[5])]
    rewritten = entries[:4] + chain(
        [edited(e.event, "actor") for e in entries[4:]], head=entries[3]
    )
    rewritten[6] = entries[1]  # and a copy of entry 2 further on
    report = verify(rewritten, checkpoints=checkpoints, public_key=KEY.public_key())
    assert report.first_broken == 2
    assert "sequence 2 appears again at position 7" in (report.problem or "")


def test_checkpoints_that_match_verify() -> None:
    entries = log(6)
    checkpoints = [checkpoint(entries[5]), checkpoint(entries[0]), checkpoint(entries[2])]
    assert verify(entries, checkpoints=checkpoints, public_key=KEY.public_key())


def test_a_chain_break_before_a_checkpoint_is_reported_at_the_break() -> None:
    entries = log(6)
    entries[1] = tamper(entries[1], "reason")
    report = verify(entries, checkpoints=[checkpoint(entries[5])], public_key=KEY.public_key())
    assert report.first_broken == 2


def test_a_checkpoint_signs_provider_sequence_head_and_time() -> None:
    head = log(3)[-1]
    cp = checkpoint(head)
    assert (cp.provider_id, cp.sequence, cp.head_hash) == (PROVIDER, 3, head.entry_hash)
    assert (cp.taken_at, cp.key_id) == (TAKEN, "audit-2026")
    assert checkpoint_valid(cp, KEY.public_key())
    for change in (
        {"sequence": 2},
        {"head_hash": "a" * 64},
        {"provider_id": "other-provider"},
        {"taken_at": TAKEN + dt.timedelta(seconds=1)},
        {"key_id": "audit-2027"},
    ):
        assert not checkpoint_valid(attrs.evolve(cp, **change), KEY.public_key()), change


def test_a_forged_checkpoint_signature_is_found() -> None:
    entries = log(4)
    forged = attrs.evolve(checkpoint(entries[-1]), signature=bytes(64))
    report = verify(entries, checkpoints=[forged], public_key=KEY.public_key())
    assert not report
    assert report.first_broken is None
    assert "signature that does not verify" in (report.problem or "")


def test_a_checkpoint_moved_to_a_forged_head_is_found() -> None:
    entries = log(4)
    cp = checkpoint(entries[-1])
    moved = attrs.evolve(cp, sequence=2, head_hash=entries[1].entry_hash)
    assert not verify(entries, checkpoints=[moved], public_key=KEY.public_key())


def test_a_checkpoint_signed_by_another_key_is_found() -> None:
    entries = log(4)
    report = verify(
        entries, checkpoints=[checkpoint(entries[-1], OTHER_KEY)], public_key=KEY.public_key()
    )
    assert not report
    assert "another key" in (report.problem or "")


def test_a_checkpoint_of_another_provider_is_found() -> None:
    entries = log(3)
    theirs = chain([event(1, provider="other-provider")])[0]
    report = verify(
        entries,
        checkpoints=[checkpoint(entries[0]), checkpoint(theirs)],
        public_key=KEY.public_key(),
    )
    assert not report
    assert "other-provider" in (report.problem or "")


def test_checkpoints_need_a_public_key() -> None:
    entries = log(2)
    with pytest.raises(ValueError, match="public key"):
        verify(entries, checkpoints=[checkpoint(entries[-1])])


# --- the canonical form -------------------------------------------------------------------

GOLDEN_EVENT = AuditEvent(
    id="evt-0001",
    provider_id="harjun-koulutus",
    occurred_at=dt.datetime(2026, 11, 23, 9, 15, tzinfo=ZoneInfo("Europe/Helsinki")),
    actor="staff:kuraattori-7",
    action="record.read",
    resource_type="welfare_record",
    resource_id="rec-42",
    outcome=AuditOutcome.DENIED,
    reason="ei pääsyä: § 20",
    student_id="aino-1",
)


def test_canonical_form_v2_is_stable() -> None:
    # A change here breaks every stored chain: bump CHAIN_FORMAT and keep the old form.
    form = canonical_form(GOLDEN_EVENT, sequence=1)
    assert CHAIN_FORMAT == "welfarekit.audit.v2"
    assert form == canonical_form(GOLDEN_EVENT, sequence=1, chain_format=CHAIN_FORMAT)
    assert form == "\x1f".join(
        [
            "welfarekit.audit.v2",
            "1",
            "evt-0001",
            "harjun-koulutus",
            "1795418100000000",  # 2026-11-23T07:15:00Z in microseconds
            "staff:kuraattori-7",
            "record.read",
            "welfare_record",
            "rec-42",
            "=aino-1",
            "denied",
            "=ei pääsyä: § 20",
        ]
    ).encode("utf-8")
    assert (
        hashlib.sha256(form).hexdigest()
        == "1da21745aa71907398632ae4e100a812bb6731f10828177eec24153e684d6a8a"
    )
    assert (
        chain([GOLDEN_EVENT])[0].entry_hash
        == "77642f64fd12f1d3591241767e8574d393c1f7f5ad06e5095623b9a2b499e728"
    )


def test_canonical_form_v1_is_stable() -> None:
    # The form of chains written before v2: they keep verifying against it.
    form = canonical_form(GOLDEN_EVENT, sequence=1, chain_format=CHAIN_FORMAT_V1)
    assert (
        form
        == (
            '{"event":{"action":"record.read","actor":"staff:kuraattori-7","id":"evt-0001",'
            '"occurred_at":"2026-11-23T07:15:00.000000+00:00","outcome":"denied",'
            '"provider_id":"harjun-koulutus","reason":"ei pääsyä: § 20","resource_id":"rec-42",'
            '"resource_type":"welfare_record","student_id":"aino-1"},"format":"welfarekit.audit.v1",'
            '"sequence":1}'
        ).encode()
    )
    assert (
        hashlib.sha256(form).hexdigest()
        == "1ccc00bb156af2b86ae6f32938d01a5c59a68c77321fcf907b106c8bc992c65f"
    )


def test_an_unknown_chain_format_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown audit chain format"):
        canonical_form(GOLDEN_EVENT, sequence=1, chain_format="welfarekit.audit.v0")


@pytest.mark.parametrize("chain_format", [CHAIN_FORMAT, CHAIN_FORMAT_V1])
def test_canonical_form_covers_every_event_field_and_the_sequence(chain_format: str) -> None:
    form = canonical_form(GOLDEN_EVENT, sequence=7, chain_format=chain_format)
    for field in attrs.fields(AuditEvent):
        value = getattr(GOLDEN_EVENT, field.name)
        changed = canonical_form(
            edited(GOLDEN_EVENT, field.name) if field.name != "student_id"
            else attrs.evolve(GOLDEN_EVENT, student_id=None),
            sequence=7,
            chain_format=chain_format,
        )  # fmt: skip
        assert changed != form, f"{field.name} ({value!r}) is not in the form"
    assert canonical_form(GOLDEN_EVENT, sequence=8, chain_format=chain_format) != form


def test_canonical_form_v1_names_every_field() -> None:
    form = canonical_form(GOLDEN_EVENT, sequence=7, chain_format=CHAIN_FORMAT_V1).decode()
    for field in attrs.fields(AuditEvent):
        assert f'"{field.name}":' in form
    assert form.endswith('"sequence":7}')
    unexplained = attrs.evolve(GOLDEN_EVENT, reason=None)
    assert b'"reason":null' in canonical_form(unexplained, sequence=7, chain_format=CHAIN_FORMAT_V1)


def test_canonical_form_v2_tells_an_absent_field_from_any_value() -> None:
    absent = attrs.evolve(GOLDEN_EVENT, reason=None, student_id=None)
    form = canonical_form(absent, sequence=7).decode()
    assert form.endswith("\x1f-\x1fdenied\x1f-")
    dashed = attrs.evolve(GOLDEN_EVENT, reason="-", student_id=None)
    assert canonical_form(dashed, sequence=7).decode().endswith("\x1f-\x1fdenied\x1f=-")


def test_canonical_form_v2_refuses_a_field_holding_the_separator() -> None:
    smuggled = attrs.evolve(GOLDEN_EVENT)
    object.__setattr__(smuggled, "actor", "staff:a\x1fstaff:b")  # around the validators
    with pytest.raises(ValueError, match="U\\+001F"):
        canonical_form(smuggled, sequence=1)


@pytest.mark.parametrize("chain_format", [CHAIN_FORMAT, CHAIN_FORMAT_V1])
def test_canonical_form_depends_on_the_instant_not_the_time_zone(chain_format: str) -> None:
    utc = attrs.evolve(GOLDEN_EVENT, occurred_at=GOLDEN_EVENT.occurred_at.astimezone(dt.UTC))
    assert canonical_form(utc, sequence=1, chain_format=chain_format) == canonical_form(
        GOLDEN_EVENT, sequence=1, chain_format=chain_format
    )


def test_no_form_of_one_event_is_a_form_of_another() -> None:
    v1 = canonical_form(GOLDEN_EVENT, sequence=1, chain_format=CHAIN_FORMAT_V1)
    v2 = canonical_form(GOLDEN_EVENT, sequence=1)
    assert v1.startswith(b"{")
    assert v2.startswith(CHAIN_FORMAT.encode() + b"\x1f")


# --- chains written in the v1 form ------------------------------------------------------------

# The hashes welfarekit wrote for event(1..3) before the v2 form: stored chains hold these.
V1_HASHES = [
    "59998374e6f8ca462979d7399e1485d85e25888f73bdffe0e956d97d5022e845",
    "4d2c5959158e1b069dd3f438cbcdcde78af8e6c3145258c4f42c5def38056ab5",
    "d7351913102f004b548f06c354b0e5c5ff117a07421779ba2a61092dbe145598",
]


def v1_log() -> list[ChainedEvent]:
    previous, entries = GENESIS_HASH, []
    for n, entry_hash in enumerate(V1_HASHES, 1):
        entries.append(
            ChainedEvent(sequence=n, event=event(n), previous_hash=previous, entry_hash=entry_hash)
        )
        previous = entry_hash
    return entries


def test_a_chain_written_in_the_v1_form_still_verifies() -> None:
    assert verify(v1_log()) == VerifyReport(ok=True, checked=3)


def test_a_v1_chain_goes_on_in_v2_and_verifies_as_a_whole() -> None:
    old = v1_log()
    new = chain((event(n) for n in range(4, 7)), head=old[-1])
    entries = old + new

    assert verify(entries)
    assert verify(entries, checkpoints=[checkpoint(entries[-1])], public_key=KEY.public_key())
    assert [e.entry_hash for e in chain(event(n) for n in range(1, 4))] != V1_HASHES


def test_an_old_entry_cannot_be_rehashed_as_another_form() -> None:
    # A v1 entry's hash pins its content: no edit makes its v2 form hash to it.
    entries = v1_log()
    again = chain(e.event for e in entries)
    assert verify(again)
    assert [e.entry_hash for e in again] != [e.entry_hash for e in entries]
    mixed = [entries[0], *again[1:]]  # v2 entries linked to another first entry
    assert not verify(mixed)


# --- any single mutation is found ---------------------------------------------------------

# Drawing from a varied pool keeps the property fast; what varies is the list, the
# mutation and where it lands.
_POOL = [
    AuditEvent(
        id=f"evt-{i}",
        provider_id=PROVIDER,
        occurred_at=START + dt.timedelta(seconds=i * 37, microseconds=i),
        actor=["staff:kuraattori-1", "student:s-7", "guardian:g-2", "system:import"][i % 4],
        action=["record.read", "record.write", "consent.withdraw"][i % 3],
        resource_type=["welfare_record", "consent", "student"][i % 3],
        resource_id=f"res-{i // 2}",
        outcome=list(AuditOutcome)[i % 3],
        reason=[None, "ei pääsyä: § 20", "huoltajan kielto"][i % 3 if i % 5 else 0],
    )
    for i in range(48)
]
events = st.sampled_from(_POOL)


@settings(max_examples=100, deadline=None)
@given(
    original=st.lists(events, min_size=2, max_size=8),
    mutation=st.sampled_from(["edit", "delete", "swap", "insert"]),
    with_checkpoint=st.booleans(),
    data=st.data(),
)
def test_any_single_mutation_is_found_at_or_before_it(
    original: list[AuditEvent], mutation: str, with_checkpoint: bool, data: st.DataObject
) -> None:
    entries = chain(original)
    n = len(entries)
    checkpoints = [checkpoint(entries[-1])] if with_checkpoint else []
    public_key = KEY.public_key()
    assert verify(entries, checkpoints=checkpoints, public_key=public_key)

    # Without a checkpoint the last entry can be deleted unnoticed (a cut tail), so only a
    # checkpointed chain gets that mutation.
    last = n - 1 if with_checkpoint else n - 2
    if mutation == "edit":
        at = data.draw(st.integers(0, n - 1))
        entries[at] = tamper(entries[at], data.draw(st.sampled_from(EDITABLE)))
    elif mutation == "delete":
        at = data.draw(st.integers(0, last))
        del entries[at]
    elif mutation == "swap":
        at = data.draw(st.integers(0, n - 2))
        other = data.draw(st.integers(at + 1, n - 1))
        entries[at], entries[other] = entries[other], entries[at]
    else:
        # A forgery whose own hash and link are right; appending one at the end would be
        # indistinguishable from a genuine append, so it goes before an existing entry.
        at = data.draw(st.integers(0, n - 1))
        head = entries[at - 1] if at else None
        entries.insert(at, chain([data.draw(events)], head=head)[0])

    report = verify(entries, checkpoints=checkpoints, public_key=public_key)
    assert not report
    assert report.first_broken is not None
    assert 1 <= report.first_broken <= at + 1


# --- writing events: one and several ----------------------------------------------------------


class _Sink:
    def __init__(self, *, fail: bool = False) -> None:
        self.events: list[AuditEvent] = []
        self.fail = fail

    def welfarekit_audit_event(self, event: AuditEvent) -> None:
        if self.fail:
            raise OSError("the log server is down")
        self.events.append(event)


class _OlderTransaction:
    """A transaction of an adapter written before ``append_audit_many``."""

    def __init__(self, tx: StorageTransaction) -> None:
        self._tx = tx
        self.appended = 0

    def append_audit(self, entry: ChainedEvent) -> None:
        self.appended += 1
        self._tx.append_audit(entry)

    def audit_head(self, provider_id: str) -> ChainedEvent | None:
        return self._tx.audit_head(provider_id)


def test_emit_many_chains_each_providers_events_in_order_after_its_head() -> None:
    storage, sink = MemoryStorage(), _Sink()
    with storage.transaction() as tx:
        emit(tx, sink, event(1))
    mixed = [event(2), event(1, provider="other"), event(3), event(2, provider="other")]

    with storage.transaction() as tx:
        emit_many(tx, sink, mixed)
        emit_many(tx, sink, [])

    assert sink.events == [event(1), *mixed]
    with storage.transaction() as tx:
        mine, theirs = tx.audit_entries(PROVIDER), tx.audit_entries("other")
    assert [e.event for e in mine] == [event(1), event(2), event(3)]
    assert [e.event for e in theirs] == [mixed[1], mixed[3]]
    assert verify(mine)
    assert verify(theirs)


def test_emit_many_appends_one_at_a_time_on_an_older_adapter() -> None:
    storage = MemoryStorage()
    with storage.transaction() as tx:
        older = _OlderTransaction(tx)
        emit_many(older, _Sink(), [event(1), event(2)])  # type: ignore[arg-type]
    assert older.appended == 2
    with storage.transaction() as tx:
        assert verify(tx.audit_entries(PROVIDER)) == VerifyReport(ok=True, checked=2)


def test_a_failing_sink_fails_emit_many_and_writes_nothing() -> None:
    storage = MemoryStorage()
    with pytest.raises(AuditFailure, match="log server"), storage.transaction() as tx:
        emit_many(tx, _Sink(fail=True), [event(1), event(2)])
    with storage.transaction() as tx:
        assert tx.audit_entries(PROVIDER) == []
