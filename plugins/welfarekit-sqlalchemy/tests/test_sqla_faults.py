"""Real faults on the servers: a connection killed mid-transaction raises StorageError and a
deadlock ConflictError (retry); neither leaves anything half-written, and the storage works
on afterwards."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import create_engine, text

from welfarekit import ConflictError, StorageError
from welfarekit.model import EducationProvider, Institution, Student
from welfarekit_sqlalchemy import SQLAlchemyStorage

SERVERS = pytest.mark.parametrize("backend", ["postgresql", "mariadb"], indirect=True)


def _provider(storage: SQLAlchemyStorage) -> None:
    with storage.transaction() as tx:
        tx.save(EducationProvider(id="p1", name="Harjula"))
        tx.save(Institution(id="lukio", provider_id="p1", name="Lukio",
                            kind="general_upper_secondary"))  # fmt: skip


def _student(student_id: str, town: str = "Jyväskylä") -> Student:
    import datetime as dt

    return Student(id=student_id, provider_id="p1", institution_id="lukio", given_names="A",
                   family_name="K", date_of_birth=dt.date(2010, 3, 1),
                   home_municipality=town)  # fmt: skip


def _kill(db_url: str, connection_id: int) -> None:
    admin = create_engine(db_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        if admin.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": connection_id})
        else:
            connection.execute(text(f"KILL {int(connection_id)}"))
    admin.dispose()


def _connection_id(tx: object) -> int:
    connection = tx._connection  # type: ignore[attr-defined]
    query = "SELECT pg_backend_pid()" if connection.dialect.name == "postgresql" else (
        "SELECT CONNECTION_ID()")  # fmt: skip
    return int(connection.execute(text(query)).scalar_one())


@SERVERS
def test_a_connection_killed_mid_transaction_writes_nothing(
    storage: SQLAlchemyStorage, db_url: str
) -> None:
    _provider(storage)

    def write_while_killed() -> None:
        with storage.transaction() as tx:
            tx.save(_student("s1"))
            _kill(db_url, _connection_id(tx))
            tx.save(_student("s2"))  # the connection is gone

    with pytest.raises(StorageError):
        write_while_killed()
    with storage.transaction() as tx:  # a new connection; nothing of the lost one
        assert tx.get(Student, "p1", "s1") is None
        assert tx.get(Student, "p1", "s2") is None
        tx.save(_student("s3"))
    with storage.transaction() as tx:
        assert tx.get(Student, "p1", "s3") is not None


@SERVERS
def test_a_deadlock_fails_one_transaction_cleanly(storage: SQLAlchemyStorage) -> None:
    _provider(storage)
    with storage.transaction() as tx:
        tx.save(_student("a"))
        tx.save(_student("b"))
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def update(first: str, second: str, town: str) -> None:
        try:
            with storage.transaction() as tx:
                tx.save(_student(first, town))
                barrier.wait()
                time.sleep(0.2)
                tx.save(_student(second, town))
            outcomes.append("committed")
        except ConflictError:  # a StorageError that says: retry
            outcomes.append("conflict")

    threads = [threading.Thread(target=update, args=("a", "b", "Laukaa")),
               threading.Thread(target=update, args=("b", "a", "Muurame"))]  # fmt: skip
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["committed", "conflict"]
    with storage.transaction() as tx:  # the survivor's writes, both of them, and no mix
        towns = {tx.get(Student, "p1", s).home_municipality for s in ("a", "b")}  # type: ignore[union-attr]
    assert len(towns) == 1
