"""The student welfare register: append-only records, their child rows and their moments."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from sqlalchemy import Table, event, func, select, text

from welfarekit.builtin.memory import MemoryStorage
from welfarekit.errors import IntegrityError, StorageError
from welfarekit.model import (
    CapacityAssessment,
    Evidence,
    ExpressionOfWill,
    GuardianVeto,
    PersonKind,
    PersonRef,
    Role,
    Withdrawal,
)
from welfarekit.storage import DIRECTORY_TYPES, REGISTER_TYPES, Entity, entity_key
from welfarekit_sqlalchemy import SQLAlchemyStorage, tables
from welfarekit_sqlalchemy.rows import SHAPES

World = Callable[[str], list[Entity]]
WILL_KINDS: tuple[type[Entity], ...] = (
    ExpressionOfWill,
    Withdrawal,
    CapacityAssessment,
    GuardianVeto,
)
"""The register's kinds of expressions of will (revision welfarekit_0002)."""
HELSINKI = ZoneInfo("Europe/Helsinki")
NURSE = PersonRef(PersonKind.STAFF, "nurse")

CHANGES: dict[type, dict[str, Any]] = {
    ExpressionOfWill: {"covers_roles": {Role.DOCTOR}, "written_and_specific": False},
    Withdrawal: {"withdraws": "no-kela"},
    CapacityAssessment: {"can_assess": True},
    GuardianVeto: {"guardian_ids": {"g1.x"}, "access": False},
}
CHILD_TABLES = (tables.will_covers, tables.will_cover_roles, tables.veto_guardians)


def of_kind(entities: list[Entity], kind: type[Entity]) -> list[Any]:
    return [e for e in entities if type(e) is kind]


def save(storage: SQLAlchemyStorage, *entities: Entity) -> None:
    with storage.transaction() as tx:
        for entity in entities:
            tx.save(entity)


def count(storage: SQLAlchemyStorage, table: Table) -> int:
    with storage.engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(table)).scalar_one()


def counts(storage: SQLAlchemyStorage) -> dict[str, int]:
    register = [SHAPES[kind].table for kind in WILL_KINDS]
    return {table.name: count(storage, table) for table in (*register, *CHILD_TABLES)}


def test_the_changes_below_cover_the_register() -> None:
    assert set(WILL_KINDS) <= set(REGISTER_TYPES)
    assert set(CHANGES) == set(WILL_KINDS)


@pytest.mark.parametrize("kind", WILL_KINDS, ids=lambda k: k.__name__)
def test_a_record_is_never_replaced(
    filled: SQLAlchemyStorage, world: World, kind: type[Entity]
) -> None:
    """Saving a record whose id exists raises IntegrityError and changes nothing: the
    record, its child rows, and what the failed transaction saved before are as they were."""
    original = of_kind(world("p1"), kind)[0]
    changed = attrs.evolve(original, **CHANGES[kind])
    fresh = attrs.evolve(original, id="fresh")
    assert changed != original
    before = counts(filled)
    already = rf"{kind.__name__} '{original.id}' is already recorded; .* never replaced"
    with pytest.raises(IntegrityError, match=already):
        save(filled, fresh, changed)
    with filled.transaction() as tx:
        assert tx.get(kind, "p1", entity_key(original)) == original
        assert tx.get(kind, "p1", "fresh") is None
        assert original in tx.list(kind, "p1", student_id=original.student_id)
    assert counts(filled) == before


@pytest.mark.parametrize("kind", WILL_KINDS, ids=lambda k: k.__name__)
def test_the_memory_reference_refuses_alike(
    filled: SQLAlchemyStorage, world: World, kind: type[Entity]
) -> None:
    """The reference adapter and this one agree on the error and its message."""
    original = of_kind(world("p1"), kind)[0]
    memory = MemoryStorage()
    with memory.transaction() as tx:
        tx.save(original)
    messages = []
    for storage in (memory, filled):
        with pytest.raises(IntegrityError) as raised, storage.transaction() as tx:
            tx.save(original)
        messages.append(str(raised.value))
    assert messages[0] == messages[1]


def test_the_same_id_twice_in_one_transaction_is_refused(filled: SQLAlchemyStorage) -> None:
    assessment = CapacityAssessment(
        id="ca-new", provider_id="p1", student_id="s2", can_assess=True, assessed_by=NURSE,
        assessed_at=dt.datetime(2026, 11, 23, 12, 0, tzinfo=HELSINKI),
    )  # fmt: skip
    with pytest.raises(IntegrityError):
        save(filled, assessment, assessment)
    with filled.transaction() as tx:
        assert tx.get(CapacityAssessment, "p1", "ca-new") is None


def test_a_refused_record_leaves_the_transaction_usable(
    filled: SQLAlchemyStorage, world: World
) -> None:
    """Nothing was written by the refused save, so the host may go on and commit."""
    veto: GuardianVeto = of_kind(world("p1"), GuardianVeto)[0]
    other = attrs.evolve(veto, id="veto-new", guardian_ids={"g1"})
    with filled.transaction() as tx:
        with pytest.raises(IntegrityError):
            tx.save(attrs.evolve(veto, participation=False))
        tx.save(other)
    with filled.transaction() as tx:
        assert tx.get(GuardianVeto, "p1", veto.id) == veto
        assert tx.get(GuardianVeto, "p1", "veto-new") == other


def test_ids_are_per_kind_and_per_provider(filled: SQLAlchemyStorage, world: World) -> None:
    """A withdrawal may share its id with a consent, and p2 may use p1's ids."""
    withdrawal: Withdrawal = of_kind(world("p1"), Withdrawal)[0]
    same_id = attrs.evolve(withdrawal, id="form")
    with filled.transaction() as tx:
        tx.save(same_id)
        for entity in world("p2"):
            tx.save(entity)
    with filled.transaction() as tx:
        assert tx.get(Withdrawal, "p1", "form") == same_id
        assert tx.get(ExpressionOfWill, "p1", "form") is not None
        assert tx.get(Withdrawal, "p2", withdrawal.id) == attrs.evolve(withdrawal, provider_id="p2")


def test_covers_and_guardians_are_child_rows(filled: SQLAlchemyStorage, world: World) -> None:
    """One row per covered person, covered role and vetoed guardian; none for empty ones."""
    records = world("p1")
    expected = {
        "welfarekit_will_covers": sum(len(e.covers) for e in of_kind(records, ExpressionOfWill)),
        "welfarekit_will_cover_roles": sum(
            len(e.covers_roles) for e in of_kind(records, ExpressionOfWill)
        ),
        "welfarekit_veto_guardians": sum(
            len(v.guardian_ids) for v in of_kind(records, GuardianVeto)
        ),
    }
    assert (
        {t.name: count(filled, t) for t in CHILD_TABLES}
        == expected
        == {
            "welfarekit_will_covers": 4,
            "welfarekit_will_cover_roles": 3,
            "welfarekit_veto_guardians": 3,
        }
    )
    with filled.transaction() as tx:
        form = tx.get(ExpressionOfWill, "p1", "form")
        members = tx.get(ExpressionOfWill, "p1", "members")
        no_kela = tx.get(ExpressionOfWill, "p1", "no-kela")
        every_guardian = tx.get(GuardianVeto, "p1", "veto-s1")
        two = tx.get(GuardianVeto, "p1", "veto-s1.two")
    assert form is not None
    assert members is not None
    assert no_kela is not None
    assert every_guardian is not None
    assert two is not None
    assert form.covers == frozenset()
    assert form.covers_roles == {Role.PSYCHOLOGIST, Role.SCHOOL_SOCIAL_WORKER}
    assert members.covers_roles == {Role.NURSE}
    assert members.covers == {PersonRef("staff", "t.virtanen"), NURSE}
    assert not no_kela.covers
    assert not no_kela.covers_roles
    assert every_guardian.guardian_ids == frozenset()
    assert every_guardian.concerns("anyone")
    assert two.guardian_ids == {"g1", "g1.x"}


def test_a_consent_may_name_a_group_not_yet_in_the_directory(filled: SQLAlchemyStorage) -> None:
    with filled.transaction() as tx:
        members = tx.get(ExpressionOfWill, "p1", "members")
    assert members is not None
    assert members.group_id == "case-s3-not-yet-formed"


def test_a_record_needs_its_student_in_its_provider(filled: SQLAlchemyStorage) -> None:
    """p1 has student s1; a p2 record cannot point at it."""
    stray = CapacityAssessment(
        id="ca-stray", provider_id="p2", student_id="s1", can_assess=False, assessed_by=NURSE,
        assessed_at=dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC),
    )  # fmt: skip
    with pytest.raises(StorageError, match="(?i)foreign key"), filled.transaction() as tx:
        tx.save(stray)
    with filled.transaction() as tx:
        assert tx.list(CapacityAssessment, "p2") == []


# -- moments --------------------------------------------------------------------------------


def moment_of(record: Any) -> dt.datetime:
    at: dt.datetime = getattr(record, "assessed_at", None) or record.evidence.recorded_at
    return at


def test_moments_come_back_as_equal_aware_utc(filled: SQLAlchemyStorage, world: World) -> None:
    """Saved in Helsinki, at a fixed offset or in UTC, a moment reads back in UTC, equal."""
    originals = {(type(e), entity_key(e)): e for e in world("p1") if type(e) in WILL_KINDS}
    assert {moment_of(e).utcoffset() for e in originals.values()} > {dt.timedelta(0)}
    with filled.transaction() as tx:
        read = [record for kind in WILL_KINDS for record in tx.list(kind, "p1")]
    assert len(read) == len(originals)
    for record in read:
        original = originals[type(record), entity_key(record)]
        assert moment_of(record).tzinfo is dt.UTC
        assert moment_of(record) == moment_of(original)
        assert record == original
    assert {moment_of(r).microsecond for r in read} >= {0, 1, 123456, 999999}


def test_moments_are_stored_as_utc_wall_time(filled: SQLAlchemyStorage) -> None:
    """2026-11-02 09:15:30.123456 in Helsinki (UTC+2) is 07:15:30.123456 UTC, so every
    database holds the same value however it treats offsets."""
    with filled.engine.connect() as connection:
        stored = connection.execute(
            text("SELECT recorded_at FROM welfarekit_expressions_of_will WHERE id = 'form'")
        ).scalar_one()
    assert str(stored).startswith("2026-11-02 07:15:30.123456")


def test_a_moment_in_the_repeated_autumn_hour_keeps_its_instant(
    storage: SQLAlchemyStorage, world: World
) -> None:
    """03:30 on 2026-10-25 happens twice in Helsinki. Both come back as their own instant
    (Python never calls such a local time equal to a time in another zone, PEP 495, so the
    instants are compared)."""
    directory = [e for e in world("p1") if type(e) in DIRECTORY_TYPES]
    first = dt.datetime(2026, 10, 25, 3, 30, tzinfo=HELSINKI)
    second = first.replace(fold=1)
    withdrawals = [
        Withdrawal(id=f"w-{moment.fold}", provider_id="p1", student_id="s1", withdraws="form",
                   by=NURSE, evidence=Evidence(recorded_by=NURSE, recorded_at=moment, method="oral"))
        for moment in (first, second)
    ]  # fmt: skip
    with storage.transaction() as tx:
        for entity in (*directory, *withdrawals):
            tx.save(entity)
    with storage.transaction() as tx:
        read = tx.list(Withdrawal, "p1")
    moments = [w.evidence.recorded_at for w in read]
    assert [m.timestamp() for m in moments] == [first.timestamp(), second.timestamp()]
    assert moments[1] - moments[0] == dt.timedelta(hours=1)
    assert [m.astimezone(HELSINKI) for m in moments] == [first, second]


# -- concurrency ----------------------------------------------------------------------------


def test_a_record_inserted_by_another_transaction_meanwhile_is_refused_the_same_way(
    filled: SQLAlchemyStorage, world: World, db_url: str
) -> None:
    """Another writer inserts the record between the check and the insert: the primary key
    refuses it, and the error is the register's IntegrityError, not a StorageError."""
    record = attrs.evolve(of_kind(world("p1"), CapacityAssessment)[0], id="ca-raced")
    other = SQLAlchemyStorage(db_url, {})
    raced: list[bool] = []

    def insert_first(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.startswith("INSERT INTO welfarekit_capacity_assessments") and not raced:
            raced.append(True)
            with other.transaction() as tx:
                tx.save(record)

    event.listen(filled.engine, "before_cursor_execute", insert_first)
    try:
        with pytest.raises(IntegrityError, match="'ca-raced' is already recorded"):
            save(filled, record)
    finally:
        event.remove(filled.engine, "before_cursor_execute", insert_first)
        other.close()
    assert raced
    with filled.transaction() as tx:
        assert tx.get(CapacityAssessment, "p1", "ca-raced") == record
