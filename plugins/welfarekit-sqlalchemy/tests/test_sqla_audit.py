"""The chained audit trail: appended entries read back exactly and still verify, the head
in one indexed query, a taken sequence a ConflictError, each provider its own chain."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
from sealed_world import audit_chain, audit_events
from sqlalchemy import event

from welfarekit.audit import AuditOutcome
from welfarekit.audit_chain import ChainedEvent, chain, verify
from welfarekit.builtin.memory import MemoryStorage
from welfarekit.errors import ConflictError, StorageError
from welfarekit.sealed import StoredKeyset
from welfarekit.storage import StorageAdapter
from welfarekit_sqlalchemy import SQLAlchemyStorage


def append(storage: StorageAdapter, entries: list[ChainedEvent]) -> None:
    with storage.transaction() as tx:
        for entry in entries:
            tx.append_audit(entry)


@pytest.fixture
def chained(storage: SQLAlchemyStorage) -> list[ChainedEvent]:
    """Seven entries of p1 in the storage."""
    entries = audit_chain("p1", 7)
    append(storage, entries)
    return entries


def test_an_empty_chain_has_no_head_and_no_entries(storage: SQLAlchemyStorage) -> None:
    with storage.transaction() as tx:
        assert tx.audit_head("p1") is None
        assert tx.audit_entries("p1") == []


def test_entries_read_back_exactly_and_verify(
    storage: SQLAlchemyStorage, chained: list[ChainedEvent]
) -> None:
    with storage.transaction() as tx:
        read = tx.audit_entries("p1")
    assert read == chained
    assert [e.event.occurred_at.tzinfo for e in read] == [dt.UTC] * 7
    assert [e.event.occurred_at for e in read] == [e.event.occurred_at for e in chained]
    assert {type(e.event.outcome) for e in read} == {AuditOutcome}
    assert {e.event.outcome for e in read} == set(AuditOutcome)
    assert {e.event.reason for e in read} >= {None, "refused by policy ö2"}
    report = verify(read)
    assert report.ok, report.problem
    assert report.checked == 7


def test_the_head_is_the_newest_entry(
    storage: SQLAlchemyStorage, chained: list[ChainedEvent]
) -> None:
    with storage.transaction() as tx:
        assert tx.audit_head("p1") == chained[-1]


def test_the_chain_continues_from_the_stored_head(
    storage: SQLAlchemyStorage, chained: list[ChainedEvent]
) -> None:
    """How the core appends: read the head, chain after it, append; one transaction each."""
    for _ in range(3):
        with storage.transaction() as tx:
            (entry,) = chain(audit_events("p1", 1, start=99), head=tx.audit_head("p1"))
            tx.append_audit(entry)
    with storage.transaction() as tx:
        read = tx.audit_entries("p1")
        head = tx.audit_head("p1")
    assert [e.sequence for e in read] == list(range(1, 11))
    assert read[:7] == chained
    assert head == read[-1]
    assert verify(read).ok


@pytest.mark.parametrize(
    ("after", "limit", "sequences"),
    [
        (0, None, [1, 2, 3, 4, 5, 6, 7]),
        (3, None, [4, 5, 6, 7]),
        (0, 2, [1, 2]),
        (5, 10, [6, 7]),
        (2, 3, [3, 4, 5]),
        (7, None, []),
        (99, 1, []),
        (0, 0, []),
    ],
)
def test_entries_after_a_sequence_up_to_a_limit(
    storage: SQLAlchemyStorage,
    chained: list[ChainedEvent],
    after: int,
    limit: int | None,
    sequences: list[int],
) -> None:
    """The same as the memory reference answers."""
    memory = MemoryStorage()
    append(memory, chained)
    for adapter in (storage, memory):
        with adapter.transaction() as tx:
            read = tx.audit_entries("p1", after=after, limit=limit)
        assert [e.sequence for e in read] == sequences
        assert read == chained[after : after + len(sequences)]


def test_a_negative_limit_is_refused(storage: SQLAlchemyStorage) -> None:
    with storage.transaction() as tx, pytest.raises(ValueError, match="limit"):
        tx.audit_entries("p1", limit=-1)


# -- one chain per provider -----------------------------------------------------------------


def test_each_provider_has_its_own_chain(storage: SQLAlchemyStorage) -> None:
    """Same sequences in p1 and p2 (the ids need not exist: every attempt is audited)."""
    p1, p2 = audit_chain("p1", 4), audit_chain("p2", 6)
    append(storage, [*p1[:2], *p2[:3], *p1[2:], *p2[3:]])
    with storage.transaction() as tx:
        assert tx.audit_entries("p1") == p1
        assert tx.audit_entries("p2") == p2
        assert tx.audit_entries("p2", after=4) == p2[4:]
        assert tx.audit_head("p1") == p1[-1]
        assert tx.audit_head("p2") == p2[-1]
        assert tx.audit_head("p3") is None
        assert tx.audit_entries("p3") == []
        assert tx.audit_entries("P1") == []  # identifiers are exact
        assert verify(tx.audit_entries("p1")).ok
        assert verify(tx.audit_entries("p2")).ok


# -- a taken sequence -----------------------------------------------------------------------


def test_a_taken_sequence_is_a_conflict_and_the_transaction_writes_nothing(
    filled: SQLAlchemyStorage,
) -> None:
    chained = audit_chain("p1", 3)
    append(filled, chained)
    with filled.transaction() as tx:
        keyset = tx.get(StoredKeyset, "p1", "s1")
    assert keyset is not None
    rival = chain(audit_events("p1", 1, start=50), head=chained[1])[0]  # a second sequence 3
    assert rival.sequence == 3
    fourth = audit_chain("p1", 1, head=chained[-1])[0]

    def operation() -> None:
        with filled.transaction() as tx:
            tx.save(attrs.evolve(keyset, kek_id="kek-new"))
            tx.append_audit(fourth)
            tx.append_audit(rival)

    with pytest.raises(ConflictError, match="audit entry 3 .* retry") as raised:
        operation()
    assert isinstance(raised.value, StorageError)
    with filled.transaction() as tx:
        assert tx.audit_entries("p1") == chained
        assert tx.get(StoredKeyset, "p1", "s1") == keyset


def test_the_memory_reference_conflicts_alike(storage: SQLAlchemyStorage) -> None:
    chained = audit_chain("p1", 2)
    for adapter in (storage, MemoryStorage()):
        append(adapter, chained)
        with pytest.raises(ConflictError):
            append(adapter, [chained[1]])


def test_a_writer_that_appended_meanwhile_wins_on_sqlite(
    storage: SQLAlchemyStorage, chained: list[ChainedEvent], db_url: str
) -> None:
    """SQLite: two operations read the same head; the one that commits first keeps sequence 8
    and the other gets ConflictError (the unique key decides)."""
    if not db_url.startswith("sqlite"):
        pytest.skip("a database server queues appenders: see the test below")
    other = SQLAlchemyStorage(db_url, {})
    (first,) = chain(audit_events("p1", 1, start=80), head=chained[-1])

    def operation() -> None:
        with storage.transaction() as tx:
            head = tx.audit_head("p1")
            assert head == chained[-1]
            (mine,) = chain(audit_events("p1", 1, start=70), head=head)
            with other.transaction() as theirs:  # appends and commits meanwhile
                assert theirs.audit_head("p1") == head
                theirs.append_audit(first)
            tx.append_audit(mine)

    try:
        with pytest.raises(ConflictError):
            operation()
    finally:
        other.close()
    with storage.transaction() as tx:
        read = tx.audit_entries("p1")
    assert read[-1] == first
    assert verify(read).ok


def test_appenders_on_a_server_queue_instead_of_colliding(
    storage: SQLAlchemyStorage, chained: list[ChainedEvent], db_url: str
) -> None:
    """On a database server the second appender waits until the first has committed, then
    chains after what it wrote: both appends land, in order, and the chain verifies."""
    if db_url.startswith("sqlite"):
        pytest.skip("SQLite lets one writer in at a time of itself")
    other = SQLAlchemyStorage(db_url, {})
    waiting, appended = threading.Event(), []

    def second() -> None:
        with other.transaction() as theirs:
            waiting.set()
            head = theirs.audit_head("p1")  # waits for the first to commit
            (mine,) = chain(audit_events("p1", 1, start=90), head=head)
            theirs.append_audit(mine)
        appended.append(mine)

    try:
        with storage.transaction() as tx:
            (first,) = chain(audit_events("p1", 1, start=80), head=tx.audit_head("p1"))
            thread = threading.Thread(target=second)
            thread.start()
            assert waiting.wait(10)
            thread.join(0.5)
            assert thread.is_alive()  # held at the head while this transaction appends
            tx.append_audit(first)
        thread.join(30)
        assert not thread.is_alive()
    finally:
        other.close()
    with storage.transaction() as tx:
        read = tx.audit_entries("p1")
    assert read[-2:] == [first, appended[0]]
    assert appended[0].sequence == first.sequence + 1
    assert verify(read).ok


def test_the_first_appenders_of_a_new_provider_queue_too(
    storage: SQLAlchemyStorage, db_url: str
) -> None:
    """A provider's chain lock row is made by its first append; of several first appenders
    at once, one makes it and the others wait for it, none fails."""
    if db_url.startswith("sqlite"):
        pytest.skip("SQLite lets one writer in at a time of itself")
    storages = [SQLAlchemyStorage(db_url, {}) for _ in range(4)]
    barrier, failures = threading.Barrier(4), []

    def first_append(mine: SQLAlchemyStorage, number: int) -> None:
        try:
            barrier.wait(10)
            with mine.transaction() as tx:
                events = audit_events("fresh", 1, start=100 + number)
                tx.append_audit(chain(events, head=tx.audit_head("fresh"))[0])
        except Exception as error:  # the test reports what went wrong, not just that
            failures.append(error)

    threads = [threading.Thread(target=first_append, args=(s, n)) for n, s in enumerate(storages)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    finally:
        for opened in storages:
            opened.close()
    assert failures == []
    with storage.transaction() as tx:
        read = tx.audit_entries("fresh")
    assert [e.sequence for e in read] == [1, 2, 3, 4]
    assert verify(read).ok


def test_a_failed_operation_leaves_no_audit_entry(storage: SQLAlchemyStorage) -> None:
    def operation() -> None:
        with storage.transaction() as tx:
            tx.append_audit(audit_chain("p1", 1)[0])
            raise RuntimeError("the operation failed after auditing")

    with pytest.raises(RuntimeError):
        operation()
    with storage.transaction() as tx:
        assert tx.audit_head("p1") is None


# -- the head in one indexed query ----------------------------------------------------------


@pytest.fixture
def statements(storage: SQLAlchemyStorage) -> Iterator[list[tuple[str, Any]]]:
    """The statements the storage runs, with their parameters."""
    seen: list[tuple[str, Any]] = []

    def record(_conn: object, _cursor: object, statement: str, parameters: Any, *_: object) -> None:
        seen.append((statement, parameters))

    event.listen(storage.engine, "before_cursor_execute", record)
    yield seen
    event.remove(storage.engine, "before_cursor_execute", record)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)  # SQLite's query plan
def test_the_head_is_one_query_on_the_primary_key(
    storage: SQLAlchemyStorage, chained: list[ChainedEvent], statements: list[tuple[str, Any]]
) -> None:
    with storage.transaction() as tx:
        statements.clear()
        assert tx.audit_head("p1") == chained[-1]
        assert len(statements) == 1
        ((query, parameters),) = statements
    assert "LIMIT" in query
    with storage.engine.connect() as connection:
        explained = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {query}", parameters)
        plan = " ".join(str(row[-1]) for row in explained)
    assert plan.startswith("SEARCH welfarekit_audit_events USING INDEX"), plan
    assert "(provider_id=?)" in plan, plan
    assert "TEMP B-TREE" not in plan, plan  # no sort: the index gives the order


def test_the_chain_locks_revision_makes_a_row_for_every_chain_there_is(tmp_path: Path) -> None:
    """Upgrading a database with audit trails to welfarekit_0009 gives each provider with a
    chain its lock row, and downgrading drops the table and nothing else."""
    from sqlalchemy import create_engine, inspect, text

    from welfarekit_sqlalchemy import audit_log
    from welfarekit_sqlalchemy.db import current, downgrade, upgrade

    engine = create_engine(f"sqlite:///{tmp_path / 'chains.sqlite3'}")
    try:
        upgrade(engine, "welfarekit_0008")
        with engine.begin() as connection:  # the storage itself wants the newest schema
            for provider_id in ("p1", "p2"):
                audit_log.append_many(connection, audit_chain(provider_id, 3))
        upgrade(engine)
        assert current(engine) == "welfarekit_0009"
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT provider_id FROM welfarekit_audit_chain_locks"))
            assert sorted(row[0] for row in rows) == ["p1", "p2"]
        downgrade(engine, "welfarekit_0008")
        assert "welfarekit_audit_chain_locks" not in inspect(engine).get_table_names()
        with engine.connect() as connection:
            events = connection.execute(text("SELECT count(*) FROM welfarekit_audit_events"))
            assert events.scalar_one() == 6
    finally:
        engine.dispose()
