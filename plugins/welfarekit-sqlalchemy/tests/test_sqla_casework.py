"""Casework (revision welfarekit_0006): every kind read back exactly and filtered as the
reference adapter filters it, replaced on save, create-only insert (also between two
threads), re-encryption of sealed matters and referrals, and the migration up and down."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
from sqlalchemy import URL, Engine, create_engine, func, inspect, select, text
from sqlalchemy.schema import CreateTable
from test_sqla_migrations import differences, table_of

from welfarekit.builtin.memory import MemoryStorage
from welfarekit.errors import ConflictError, NotFound, StorageError
from welfarekit.model import (
    AvailabilitySlot,
    Booking,
    BookingStatus,
    EducationProvider,
    ExpertGroupState,
    ExpertGroupStatus,
    OutboxMessage,
    OutboxStatus,
    PersonKind,
    PersonRef,
    StaffMember,
    Transfer,
    TransferStatus,
)
from welfarekit.sealed import SealedMatter, SealedReferral, SubjectAccessRequest
from welfarekit.storage import CASE_TYPES, ENTITY_TYPES, FILTERS, Entity, entity_key
from welfarekit_sqlalchemy import (
    VERSION_TABLE,
    SQLAlchemyStorage,
    casework_tables,
    communal_tables,
    current,
    downgrade,
    head,
    tables,
    upgrade,
)
from welfarekit_sqlalchemy.communal_rows import COMMUNAL_SHAPES
from welfarekit_sqlalchemy.rows import SHAPES

World = Callable[[str], list[Entity]]

CASEWORK_KINDS: tuple[type[Entity], ...] = (
    ExpertGroupState,
    SealedMatter,
    SealedReferral,
    AvailabilitySlot,
    Booking,
    Transfer,
    OutboxMessage,
)
CASEWORK_TABLES = {getattr(casework_tables, name).name for name in casework_tables.__all__}
LATER_TABLES = {getattr(communal_tables, name).name for name in communal_tables.__all__} | {
    "welfarekit_audit_chain_locks"
}
"""Added after casework, by welfarekit_0007 (test_sqla_communal.py) and welfarekit_0009
(test_sqla_audit.py)."""
NURSE = PersonRef(PersonKind.STAFF, "nurse")
LATER = dt.datetime(2026, 12, 2, 8, 30, 0, 654321, tzinfo=dt.UTC)


def of_kind(entities: list[Entity], kind: type[Entity]) -> list[Any]:
    return [e for e in entities if type(e) is kind]


def rows(storage: SQLAlchemyStorage, kind: type[Entity]) -> int:
    table = SHAPES[kind].table
    with storage.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


def booking(key: str = "slot1-3", student_id: str = "s1", **changes: Any) -> Booking:
    return attrs.evolve(
        Booking(
            id=key,
            provider_id="p1",
            slot_id=key.rpartition("-")[0],
            student_id=student_id,
            staff_id="nurse",
            booked_by=PersonRef(PersonKind.STUDENT, student_id),
            booked_at=dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC),
            asked_on=dt.date(2026, 11, 25),
        ),
        **changes,
    )


@pytest.fixture
def memory(world: World) -> MemoryStorage:
    """The reference adapter holding the same world."""
    reference = MemoryStorage()
    with reference.transaction() as tx:
        for entity in world("p1"):
            tx.save(entity)
    return reference


# -- the shapes -----------------------------------------------------------------------------


def test_the_casework_kinds_are_the_new_case_kinds() -> None:
    assert set(CASEWORK_KINDS) == set(CASE_TYPES) - {SubjectAccessRequest} - set(COMMUNAL_SHAPES)
    assert {SHAPES[kind].table.name for kind in CASEWORK_KINDS} == CASEWORK_TABLES
    assert len(CASEWORK_TABLES) == 7


@pytest.mark.parametrize("kind", CASEWORK_KINDS, ids=lambda k: k.__name__)
def test_every_field_has_its_columns(world: World, kind: type[Entity]) -> None:
    """A field the model gains is not dropped silently: each has a column (a person two),
    and each column of the table is written."""
    entity = of_kind(world("p1"), kind)[0]
    row = SHAPES[kind].to_row(entity)
    for field in attrs.fields(kind):
        assert field.name in row or {f"{field.name}_kind", f"{field.name}_id"} <= set(row), (
            field.name
        )
    assert set(row) == {column.name for column in SHAPES[kind].table.columns}


# -- exact round trip and filters -----------------------------------------------------------


@pytest.mark.parametrize("kind", CASEWORK_KINDS, ids=lambda k: k.__name__)
def test_each_kind_reads_back_equal(
    filled: SQLAlchemyStorage, world: World, kind: type[Entity]
) -> None:
    expected = sorted(of_kind(world("p1"), kind), key=entity_key)
    assert len(expected) >= 2
    with filled.transaction() as tx:
        for entity in expected:
            assert tx.get(kind, "p1", entity_key(entity)) == entity
        assert tx.list(kind, "p1") == expected
        assert tx.get(kind, "p2", entity_key(expected[0])) is None


def test_moments_come_back_as_aware_utc_and_ciphertext_as_bytes(
    filled: SQLAlchemyStorage,
) -> None:
    with filled.transaction() as tx:
        matters = tx.list(SealedMatter, "p1")
        referrals = tx.list(SealedReferral, "p1")
        bookings = tx.list(Booking, "p1")
    moments = [m.left_at for m in matters] + [b.booked_at for b in bookings]
    moments += [b.cancelled_at for b in bookings if b.cancelled_at is not None]
    assert {m.tzinfo for m in moments} == {dt.UTC}
    blobs = [m.content for m in matters] + [m.keyset for m in matters]
    blobs += [r.content for r in referrals]
    assert all(type(blob) is bytes for blob in blobs)
    assert {len(blob) for blob in blobs} >= {0, 141, 256, 100_000}


def test_optional_people_are_kept_or_left_empty(filled: SQLAlchemyStorage) -> None:
    with filled.transaction() as tx:
        authors = {m.id: m.author for m in tx.list(SealedMatter, "p1")}
        cancelled_by = {b.id: b.cancelled_by for b in tx.list(Booking, "p1")}
    assert authors == {"matter1": PersonRef(PersonKind.STUDENT, "s1"), "matter1.x": None}
    assert cancelled_by == {"slot1-1": NURSE, "slot1-2": None, "slot2-1": None}
    with filled.engine.connect() as connection:
        anonymous = connection.execute(
            text("SELECT author_kind, author_id FROM welfarekit_sealed_matters WHERE id = :id"),
            {"id": "matter1.x"},
        ).one()
    assert tuple(anonymous) == (None, None)


def test_enums_are_stored_as_their_values(filled: SQLAlchemyStorage) -> None:
    with filled.engine.connect() as connection:
        found = connection.execute(
            text(
                "SELECT status, recipient_kind, topic FROM welfarekit_outbox "
                "WHERE provider_id = 'p1' AND id = 'ob3'"
            )
        ).one()
        service = connection.execute(
            text("SELECT service FROM welfarekit_availability_slots WHERE id = 'slot2'")
        ).scalar_one()
    assert tuple(found) == ("failed", "external", "expert_group_membership")
    assert service == "study_counsellor"


FILTER_CASES = [(kind, name) for kind in CASEWORK_KINDS for name in FILTERS[kind]]


@pytest.mark.parametrize(
    ("kind", "name"), FILTER_CASES, ids=[f"{k.__name__}.{n}" for k, n in FILTER_CASES]
)
def test_each_filter_finds_what_the_reference_adapter_finds(
    filled: SQLAlchemyStorage,
    memory: MemoryStorage,
    world: World,
    kind: type[Entity],
    name: str,
) -> None:
    read = FILTERS[kind][name]
    values: set[Any] = {read(e) for e in of_kind(world("p1"), kind) if read(e) is not None}
    assert len(values) >= 1
    with filled.transaction() as tx, memory.transaction() as reference:
        for value in (*values, "nothing-has-this"):
            expected = reference.list(kind, "p1", **{name: str(value)})
            assert tx.list(kind, "p1", **{name: str(value)}) == expected
            assert tx.list(kind, "p1", **{name: value}) == expected  # enum members too
            assert len(expected) < len(of_kind(world("p1"), kind))


def test_filters_combine(filled: SQLAlchemyStorage) -> None:
    with filled.transaction() as tx:
        student = tx.list(OutboxMessage, "p1", recipient_kind="student", recipient_id="s1")
        external = tx.list(OutboxMessage, "p1", recipient_kind="external", recipient_id="s1")
        pending = tx.list(OutboxMessage, "p1", status=OutboxStatus.PENDING)
        nurse_s3 = tx.list(Booking, "p1", staff_id="nurse", student_id="s3")
    assert [m.id for m in student] == ["ob1"]
    assert [m.id for m in external] == ["ob3"]
    assert [m.id for m in pending] == ["ob1", "ob4"]
    assert [b.id for b in nurse_s3] == ["slot1-1"]


# -- save replaces --------------------------------------------------------------------------

CHANGES: dict[type[Entity], tuple[str, dict[str, Any]]] = {
    ExpertGroupState: (
        "case-s1",
        {"status": ExpertGroupStatus.CLOSED, "closed_at": LATER, "close_reason": "tavoite"},
    ),
    SealedMatter: (
        "matter1",
        {
            "status": "brought_forward",
            "student_id": "s1",
            "forward_basis": "expert_group",
            "forwarded_at": LATER,
            "author": None,
        },
    ),
    SealedReferral: ("ref1.x", {"received_at": LATER, "guardian_informed": True}),
    AvailabilitySlot: ("slot1", {"withdrawn": True, "place": None}),
    Booking: (
        "slot1-2",
        {"status": BookingStatus.CANCELLED, "cancelled_at": LATER, "cancelled_by": NURSE},
    ),
    Transfer: ("tr1.x", {"status": TransferStatus.SENT, "sent_at": LATER}),
    OutboxMessage: (
        "ob1",
        {"status": OutboxStatus.SENT, "attempts": 2, "sent_at": LATER, "last_error": None},
    ),
}


def test_the_changes_cover_the_casework() -> None:
    assert set(CHANGES) == set(CASEWORK_KINDS)


@pytest.mark.parametrize("kind", CASEWORK_KINDS, ids=lambda k: k.__name__)
def test_saving_again_replaces_in_place(filled: SQLAlchemyStorage, kind: type[Entity]) -> None:
    key, changes = CHANGES[kind]
    before = rows(filled, kind)
    with filled.transaction() as tx:
        original = tx.get(kind, "p1", key)
        assert original is not None
        changed = attrs.evolve(original, **changes)
        assert changed != original
        tx.save(changed)
    with filled.transaction() as tx:
        assert tx.get(kind, "p1", key) == changed
        others = [e for e in tx.list(kind, "p1") if entity_key(e) != key]
    assert rows(filled, kind) == before
    assert len(others) == before - 1


def test_a_cancelled_booking_and_a_sent_message_are_found_by_their_new_state(
    filled: SQLAlchemyStorage,
) -> None:
    with filled.transaction() as tx:
        found = tx.get(Booking, "p1", "slot1-2")
        message = tx.get(OutboxMessage, "p1", "ob4")
        assert found is not None
        assert message is not None
        tx.save(attrs.evolve(found, status="cancelled", cancelled_at=LATER, cancelled_by=NURSE))
        tx.save(attrs.evolve(message, status=OutboxStatus.SENT, attempts=1, sent_at=LATER))
    with filled.transaction() as tx:
        cancelled = tx.get(Booking, "p1", "slot1-2")
        assert [m.id for m in tx.list(OutboxMessage, "p1", status="pending")] == ["ob1"]
        assert [m.id for m in tx.list(OutboxMessage, "p1", status="sent")] == ["ob2", "ob4"]
    assert cancelled is not None
    assert cancelled.status is BookingStatus.CANCELLED
    assert cancelled.cancelled_by == NURSE


# -- create-only insert ---------------------------------------------------------------------


def test_insert_of_a_new_key_then_the_same_key_again(filled: SQLAlchemyStorage) -> None:
    first = booking("slot1-3", "s1")
    second = booking("slot1-3", "s3", urgent=True)
    other = booking("slot2-2", "s3", staff_id="t.virtanen")
    before = rows(filled, Booking)
    with filled.transaction() as tx:
        tx.insert(first)
        with pytest.raises(
            ConflictError,
            match=r"^Booking 'slot1-3' exists already \(another request made it first\)$",
        ):
            tx.insert(second)
        assert tx.get(Booking, "p1", "slot1-3") == first
        tx.save(other)  # the transaction goes on
    with filled.transaction() as tx:
        assert tx.get(Booking, "p1", "slot1-3") == first
        assert tx.get(Booking, "p1", "slot2-2") == other
    assert rows(filled, Booking) == before + 2


def test_insert_refuses_a_key_saved_earlier_and_says_what_the_reference_says(
    filled: SQLAlchemyStorage, memory: MemoryStorage
) -> None:
    taken = booking("slot1-1", "s1")
    messages = []
    for storage in (memory, filled):
        with storage.transaction() as tx, pytest.raises(ConflictError) as raised:
            tx.insert(taken)
        messages.append(str(raised.value))
    assert messages[0] == messages[1]
    with filled.transaction() as tx:
        stored = tx.get(Booking, "p1", "slot1-1")
    assert stored is not None
    assert stored.status is BookingStatus.CANCELLED


def test_insert_works_for_every_kind(storage: SQLAlchemyStorage, world: World) -> None:
    """Into an empty database, children (a staff member's roles, a consent's covers) and
    all; then every kind refuses its first key again, and the rows stay as they were."""
    everything = world("p1")
    with storage.transaction() as tx:
        for entity in everything:
            tx.insert(entity)
    counts = {kind: rows(storage, kind) for kind in ENTITY_TYPES}
    with storage.transaction() as tx:
        for kind in ENTITY_TYPES:
            expected = sorted(of_kind(everything, kind), key=entity_key)
            assert tx.list(kind, "p1") == expected, kind.__name__
            with pytest.raises(ConflictError, match="exists already"):
                tx.insert(expected[0])
    assert {kind: rows(storage, kind) for kind in ENTITY_TYPES} == counts
    with storage.transaction() as tx:
        nurse = tx.get(StaffMember, "p1", "nurse")
    assert nurse is not None
    assert nurse in of_kind(everything, StaffMember)
    assert len(nurse.roles) == 1
    assert len(nurse.institution_ids) == 2


def test_an_insert_is_rolled_back_with_its_transaction(filled: SQLAlchemyStorage) -> None:
    """The savepoint belongs to the transaction: the insert does not commit by itself, even
    when it is the transaction's first write (SQLite's driver defers BEGIN)."""
    before = rows(filled, Booking)

    def fail_after_inserting() -> None:
        with filled.transaction() as tx:
            tx.insert(booking("slot1-3"))
            tx.insert(booking("slot1-4"))
            raise RuntimeError("the request failed later")

    with pytest.raises(RuntimeError):
        fail_after_inserting()
    assert rows(filled, Booking) == before

    def fail_after_a_conflict() -> None:
        with filled.transaction() as tx:
            tx.insert(booking("slot1-3"))
            tx.insert(booking("slot1-3"))

    with pytest.raises(ConflictError):
        fail_after_a_conflict()
    assert rows(filled, Booking) == before


def test_an_insert_that_breaks_a_reference_is_a_storage_error(filled: SQLAlchemyStorage) -> None:
    with pytest.raises(StorageError, match="(?i)foreign key") as raised, filled.transaction() as tx:
        tx.insert(booking("slot-missing-1"))
    assert not isinstance(raised.value, ConflictError)
    assert "insert Booking 'slot-missing-1'" in str(raised.value)


def test_two_threads_insert_the_same_key_and_one_wins(
    filled: SQLAlchemyStorage, db_url: str
) -> None:
    """Two requests book the same slot at the same moment, each in its own transaction and
    on its own engine: one commits; the other gets ConflictError (or StorageError, had the
    database given up waiting), never anything else; one row remains, the winner's."""
    contenders = {"s1": booking("slot1-3", "s1"), "s3": booking("slot1-3", "s3", urgent=True)}
    storages = {s: SQLAlchemyStorage(db_url, {}) for s in contenders}
    ready = threading.Barrier(len(contenders), timeout=30)
    outcomes: dict[str, BaseException | None] = {}

    def book(student_id: str) -> None:
        try:
            with storages[student_id].transaction() as tx:
                assert tx.get(Booking, "p1", "slot1-3") is None
                ready.wait()
                tx.insert(contenders[student_id])
        except BaseException as error:  # every outcome is checked below
            outcomes[student_id] = error
        else:
            outcomes[student_id] = None

    threads = [threading.Thread(target=book, args=(s,)) for s in contenders]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        for opened in storages.values():
            opened.close()
    assert not any(thread.is_alive() for thread in threads)
    winners = [s for s, outcome in outcomes.items() if outcome is None]
    losers = [outcome for outcome in outcomes.values() if outcome is not None]
    assert len(winners) == 1, outcomes
    assert len(losers) == 1
    assert type(losers[0]) in (ConflictError, StorageError), repr(losers[0])
    with filled.transaction() as tx:
        assert tx.get(Booking, "p1", "slot1-3") == contenders[winners[0]]
    with filled.engine.connect() as connection:
        taken = connection.execute(
            text("SELECT count(*) FROM welfarekit_bookings WHERE id = 'slot1-3'")
        ).scalar_one()
    assert taken == 1


# -- re-encryption --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "key"),
    [(SealedMatter, "matter1"), (SealedReferral, "ref1.x")],
    ids=["SealedMatter", "SealedReferral"],
)
def test_replace_ciphertext_changes_only_the_content(
    filled: SQLAlchemyStorage, kind: type[Entity], key: str
) -> None:
    with filled.transaction() as tx:
        before: Any = tx.get(kind, "p1", key)
        tx.replace_ciphertext(kind, "p1", key, b"\x00resealed\xff")
    with filled.transaction() as tx:
        after = tx.get(kind, "p1", key)
        with pytest.raises(NotFound):
            tx.replace_ciphertext(kind, "p1", "no-such-thing", b"x")
        with pytest.raises(NotFound):
            tx.replace_ciphertext(kind, "p2", key, b"x")
    assert before is not None
    assert after == attrs.evolve(before, content=b"\x00resealed\xff")


# -- references -----------------------------------------------------------------------------


def test_references_hold_within_the_provider(filled: SQLAlchemyStorage, world: World) -> None:
    state = of_kind(world("p1"), ExpertGroupState)[0]
    matter = of_kind(world("p1"), SealedMatter)[0]
    strays: list[Entity] = [
        attrs.evolve(state, group_id="case-missing"),
        attrs.evolve(state, group_id="case-s3", student_id="s-missing"),
        booking("slot-missing-1"),
        attrs.evolve(matter, id="matter2", student_id="s-missing"),
        attrs.evolve(of_kind(world("p1"), Transfer)[0], id="tr2", student_id="s-missing"),
        attrs.evolve(of_kind(world("p1"), OutboxMessage)[0], provider_id="p-missing"),
    ]
    for stray in strays:
        with pytest.raises(StorageError, match="(?i)foreign key"), filled.transaction() as tx:
            tx.save(stray)
    with filled.transaction() as tx:
        tx.save(attrs.evolve(matter, id="matter2", author=None, student_id=None))
        assert tx.get(SealedMatter, "p1", "matter2") is not None


def test_a_slot_with_bookings_cannot_be_deleted_first(filled: SQLAlchemyStorage) -> None:
    with pytest.raises(StorageError, match="(?i)foreign key"), filled.transaction() as tx:
        tx.delete(AvailabilitySlot, "p1", "slot2")
    with filled.transaction() as tx:
        assert tx.delete(Booking, "p1", "slot2-1")
        assert tx.delete(AvailabilitySlot, "p1", "slot2")


# -- the migration --------------------------------------------------------------------------


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    created = create_engine(f"sqlite:///{tmp_path / 'host.db'}")
    with created.begin() as connection:
        connection.execute(text("CREATE TABLE school_users (id INTEGER PRIMARY KEY, name TEXT)"))
        connection.execute(text("INSERT INTO school_users VALUES (1, 'Aino')"))
    yield created
    created.dispose()


def table_names(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def count(engine: Engine, table: str) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def test_the_revision_is_followed_by_communal_welfare() -> None:
    assert (
        head() == "welfarekit_0009"
    )  # 0007 communal welfare, 0008 outbox backoff, 0009 chain locks


def test_upgrade_down_to_0005_and_up_again(engine: Engine, world: World) -> None:
    """Down to welfarekit_0005 drops the casework tables and the later ones and nothing
    else: older rows and the host's table stay; up again builds the same tables as
    casework_tables.py."""
    upgrade(engine)
    assert current(engine) == head()
    everything = table_names(engine)
    assert CASEWORK_TABLES.issubset(everything)
    assert LATER_TABLES.issubset(everything)
    dropped = CASEWORK_TABLES | LATER_TABLES
    storage = SQLAlchemyStorage(engine.url, {})
    try:
        with storage.transaction() as tx:
            for entity in world("p1"):
                tx.save(entity)
    finally:
        storage.close()
    older = {t: count(engine, t) for t in everything - dropped - {VERSION_TABLE, "school_users"}}
    assert all(count(engine, t) for t in CASEWORK_TABLES)

    downgrade(engine, "welfarekit_0005")
    assert current(engine) == "welfarekit_0005"
    assert table_names(engine) == everything - dropped
    assert {t: count(engine, t) for t in older} == older
    assert count(engine, "school_users") == 1
    assert {table_of(diff) for diff in differences(engine)} == dropped

    upgrade(engine)
    assert current(engine) == head()
    assert table_names(engine) == everything
    assert differences(engine) == []
    assert not any(count(engine, t) for t in dropped)
    assert {t: count(engine, t) for t in older} == older


@pytest.mark.parametrize(
    ("backend", "blob", "identifier", "moment"),
    [
        ("postgresql", "BYTEA", "VARCHAR(128)", "TIMESTAMP WITH TIME ZONE"),
        ("mariadb", "MEDIUMBLOB", "VARCHAR(128) COLLATE utf8mb4_bin", "DATETIME(6)"),
        ("mysql", "MEDIUMBLOB", "VARCHAR(128) COLLATE utf8mb4_bin", "DATETIME(6)"),
    ],
)
def test_the_tables_compile_for_postgresql_and_mariadb(
    backend: str, blob: str, identifier: str, moment: str
) -> None:
    dialect = URL.create(backend).get_dialect()()
    ddl = {
        table.name: str(CreateTable(table).compile(dialect=dialect))
        for table in tables.metadata.sorted_tables
        if table.name in CASEWORK_TABLES
    }
    assert set(ddl) == CASEWORK_TABLES
    assert f"content {blob} NOT NULL" in ddl["welfarekit_sealed_matters"]
    assert f"keyset {blob} NOT NULL" in ddl["welfarekit_sealed_matters"]
    assert f"content {blob} NOT NULL" in ddl["welfarekit_sealed_referrals"]
    assert f"slot_id {identifier} NOT NULL" in ddl["welfarekit_bookings"]
    assert f"cancelled_at {moment}," in ddl["welfarekit_bookings"]
    assert f"starts_at {moment} NOT NULL" in ddl["welfarekit_availability_slots"]
    assert "ENUM" not in " ".join(ddl.values())


def test_a_provider_has_no_casework_until_it_has_some(storage: SQLAlchemyStorage) -> None:
    with storage.transaction() as tx:
        tx.insert(EducationProvider(id="p1", name="Tyhjä"))
        assert all(tx.list(kind, "p1") == [] for kind in CASEWORK_KINDS)
