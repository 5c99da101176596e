"""``Session.batch()``: several operations in one transaction — all written with their audit
events, or none; refusals audited even when the batch is rolled back."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from casework_world import (
    KURAATTORI,
    NOW,
    PRINCIPAL,
    PSY,
    TEACHER,
    as_,
    form_expert_group,
    open_kit,
)

from welfarekit import AccessDenied, IntegrityError, InvalidValue, WelfareKit


@pytest.fixture
def kit(tmp_path: Path, database_url: str) -> Iterator[WelfareKit]:
    with open_kit(tmp_path, database_url=database_url) as opened:
        form_expert_group(opened)
        yield opened


def open_record(kit: WelfareKit) -> str:
    return as_(kit, PSY).open_record(student_id="aino", group_id="g1", subject="Tuki",
                                     background="Tausta", initiator="opiskelija").id  # fmt: skip


def trail(kit: WelfareKit) -> list[tuple[str, str, str]]:
    entries = as_(kit, PRINCIPAL).audit_trail(newest=1000).entries
    return [(e.event.actor, e.event.action, e.event.outcome.value) for e in entries]


def test_a_batch_writes_every_entry_with_its_audit_event(kit: WelfareKit) -> None:
    record_id = open_record(kit)
    before = as_(kit, PRINCIPAL).audit_trail(newest=0).total
    psy = as_(kit, PSY)
    with psy.batch() as same:
        assert same is psy
        for number in range(20):
            psy.add_entry(record_id=record_id, kind="measures", event_date=NOW.date(),
                          text=f"Toimenpide {number}")  # fmt: skip
    texts = sorted(e.text for e in psy.timeline(record_id).current)
    assert texts == sorted(f"Toimenpide {n}" for n in range(20))
    verified = as_(kit, PRINCIPAL).audit_trail(newest=0)
    assert verified.verification.ok
    # each entry decided and audited as on its own (+ the timeline read and this look)
    assert verified.total - before == 20 + 1 + 1


def test_an_error_inside_writes_nothing_of_the_batch(kit: WelfareKit) -> None:
    record_id = open_record(kit)
    before = trail(kit)
    psy = as_(kit, PSY)

    def two_entries_the_second_without_participants() -> None:
        with psy.batch():
            psy.add_entry(record_id=record_id, kind="measures", event_date=NOW.date(),
                          text="Yksi")  # fmt: skip
            psy.add_entry(record_id=record_id, kind="meeting", event_date=NOW.date(),
                          text="Kaksi")  # fmt: skip

    with pytest.raises(InvalidValue, match="participants"):
        two_entries_the_second_without_participants()
    assert psy.timeline(record_id).current == ()
    after = trail(kit)
    # nothing of the batch: only the timeline read and the principal's look are new
    assert [e[1] for e in after[: len(after) - len(before)]] == [
        "audit_log.read", "welfare_record.read",
    ]  # fmt: skip
    assert as_(kit, PRINCIPAL).audit_trail(newest=0).verification.ok


def test_a_refusal_ends_the_batch_and_is_still_audited(kit: WelfareKit) -> None:
    record_id = open_record(kit)
    teacher = as_(kit, TEACHER)

    def an_initiative_then_a_record_entry() -> None:
        with teacher.batch():
            teacher.send_initiative(group_id="wellbeing", subject="Penkit",
                                    text="Lisää penkkejä.")  # fmt: skip
            teacher.add_entry(record_id=record_id, kind="measures", event_date=NOW.date(),
                              text="Ei kuulu opettajalle")  # fmt: skip

    with pytest.raises(AccessDenied):
        an_initiative_then_a_record_entry()
    assert as_(kit, PSY).timeline(record_id).current == ()
    assert as_(kit, TEACHER).my_initiatives() == []  # the first operation was undone too
    refused = [e for e in trail(kit) if e[0] == "staff:teacher" and e[2] == "denied"]
    assert refused == [("staff:teacher", "welfare_record.write", "denied")]
    assert as_(kit, PRINCIPAL).audit_trail(newest=0).verification.ok


def test_a_refusal_the_batch_goes_on_after_is_audited_even_if_it_fails_later(
    kit: WelfareKit,
) -> None:
    from welfarekit import Action, Resource, ResourceType

    teacher = as_(kit, TEACHER)
    record = Resource(type=ResourceType.WELFARE_RECORD, provider_id="p1", student_id="aino")

    def a_refusal_then_a_failure() -> None:
        with teacher.batch():
            assert not teacher.decide(Action.READ, record).allowed  # refused, not raised
            raise RuntimeError("the host's own failure")

    with pytest.raises(RuntimeError, match="the host's own failure"):
        a_refusal_then_a_failure()
    refused = [e for e in trail(kit) if e[0] == "staff:teacher" and e[2] == "denied"]
    assert refused == [("staff:teacher", "welfare_record.read", "denied")]


def test_batches_do_not_nest(kit: WelfareKit) -> None:
    psy = as_(kit, PSY)
    with pytest.raises(IntegrityError, match="open already"), psy.batch(), psy.batch():
        pass
    with psy.batch():  # the failed attempt left the session usable
        psy.records("aino")


def test_a_read_in_a_batch_that_fails_is_still_audited(kit: WelfareKit) -> None:
    record_id = open_record(kit)
    psy = as_(kit, PSY)

    def read_then_fail() -> None:
        with psy.batch():
            psy.timeline(record_id)  # the plaintext reached the caller
            psy.add_entry(record_id=record_id, kind="meeting", event_date=NOW.date(), text="x")

    with pytest.raises(InvalidValue):
        read_then_fail()
    reads = [e for e in trail(kit) if e[0] == "staff:psy" and e[1] == "welfare_record.read"]
    assert reads == [("staff:psy", "welfare_record.read", "success")]
    writes = [e for e in trail(kit) if e[0] == "staff:psy" and e[1] == "welfare_record.write"]
    assert len(writes) == 1  # opening the record; the failed batch's write is not there


def test_a_batch_decides_on_what_it_changed_itself(kit: WelfareKit) -> None:
    record_id = as_(kit, KURAATTORI).open_record(student_id="aino", group_id="g1", subject="S",
                                                  background="B", initiator="I").id  # fmt: skip
    later = NOW.replace(hour=NOW.hour + 1)
    kuraattori = as_(kit, KURAATTORI, later)

    def close_then_write() -> None:
        with kuraattori.batch():
            kuraattori.add_entry(record_id=record_id, kind="measures", event_date=NOW.date(),
                                 text="Ennen sulkemista")  # fmt: skip
            kuraattori.close_expert_group("g1", reason="tavoitteet saavutettu")
            # the memberships ended inside this batch: the facts read before are stale
            kuraattori.add_entry(record_id=record_id, kind="measures", event_date=NOW.date(),
                                 text="Sulkemisen jälkeen")  # fmt: skip

    with pytest.raises(AccessDenied):
        close_then_write()
    assert as_(kit, KURAATTORI).expert_group("g1").state.status.value == "formed"  # undone


def test_reads_in_a_batch_see_what_it_wrote_before(kit: WelfareKit) -> None:
    record_id = open_record(kit)
    psy = as_(kit, PSY)
    with psy.batch():
        for number in range(3):
            psy.add_entry(record_id=record_id, kind="measures", event_date=NOW.date(),
                          text=f"Kirjaus {number}")  # fmt: skip
        seen = [e.text for e in psy.timeline(record_id).current]
        psy.add_entry(record_id=record_id, kind="measures", event_date=NOW.date(),
                      text="Kirjaus 3")  # fmt: skip
    assert sorted(seen) == ["Kirjaus 0", "Kirjaus 1", "Kirjaus 2"]
    assert len(psy.timeline(record_id).current) == 4
    actions = [e[1] for e in trail(kit) if e[0] == "staff:psy"]
    # each write and the read inside the batch audited in the order they happened
    assert actions[1:6][::-1] == ["welfare_record.write"] * 3 + [
        "welfare_record.read", "welfare_record.write",
    ]  # fmt: skip
    assert as_(kit, PRINCIPAL).audit_trail(newest=0).verification.ok


def test_a_taken_entry_id_in_a_batch_rolls_the_batch_back(kit: WelfareKit) -> None:
    record_id = open_record(kit)
    psy = as_(kit, PSY)
    psy.add_entry(record_id=record_id, kind="measures", event_date=NOW.date(), text="Ennen",
                  entry_id="imported-1")  # fmt: skip
    with pytest.raises(IntegrityError, match="already recorded"):  # outside a batch: at once
        psy.add_entry(record_id=record_id, kind="measures", event_date=NOW.date(), text="X",
                      entry_id="imported-1")  # fmt: skip

    def import_again() -> None:
        with psy.batch():
            for number in (2, 1, 3):  # "imported-1" is there already
                psy.add_entry(record_id=record_id, kind="measures", event_date=NOW.date(),
                              text=f"Tuonti {number}", entry_id=f"imported-{number}")  # fmt: skip

    # in a batch the register's refusal comes when the batch writes its entries out
    with pytest.raises(IntegrityError, match="already recorded"):
        import_again()
    assert [e.text for e in psy.timeline(record_id).current] == ["Ennen"]
    assert as_(kit, PRINCIPAL).audit_trail(newest=0).verification.ok


class _WithoutNewerMethods:
    """A storage adapter written before ``save_many`` and ``append_audit_many``."""

    def __init__(self, inner: object) -> None:
        self._inner = inner

    @contextmanager
    def transaction(self) -> Iterator[object]:
        with self._inner.transaction() as tx:  # type: ignore[attr-defined]
            yield _OlderTransaction(tx)

    def __getattr__(self, name: str) -> object:
        return getattr(self._inner, name)


class _OlderTransaction:
    def __init__(self, tx: object) -> None:
        self._tx = tx

    def __getattr__(self, name: str) -> object:
        if name in ("save_many", "append_audit_many"):
            raise AttributeError(name)
        return getattr(self._tx, name)


def test_a_batch_works_on_an_adapter_older_than_its_bulk_methods(kit: WelfareKit) -> None:
    record_id = open_record(kit)
    psy = as_(kit, PSY)
    psy._storage = _WithoutNewerMethods(psy._storage)  # type: ignore[assignment]
    with psy.batch():
        for number in range(5):
            psy.add_entry(record_id=record_id, kind="measures", event_date=NOW.date(),
                          text=f"Vanha {number}")  # fmt: skip
    assert len(as_(kit, PSY).timeline(record_id).current) == 5
    assert as_(kit, PRINCIPAL).audit_trail(newest=0).verification.ok
