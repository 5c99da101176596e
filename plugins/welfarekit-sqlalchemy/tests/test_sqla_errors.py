"""Failures: nothing half-written, database errors as StorageError, the caller's own errors
unchanged, and no identity code in plaintext."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError

from welfarekit.errors import ConfigurationError, NotFound, StorageError
from welfarekit.model import (
    EducationProvider,
    Institution,
    InstitutionKind,
    Membership,
    PersonalIdentityCode,
    Student,
)
from welfarekit.storage import Entity
from welfarekit_sqlalchemy import SQLAlchemyStorage, upgrade

World = Callable[[str], list[Entity]]

PROVIDER = EducationProvider(id="p1", name="Koulutuskuntayhtymä")
LUKIO = Institution(
    id="lukio", provider_id="p1", name="Lukio", kind=InstitutionKind.GENERAL_UPPER_SECONDARY
)


def save(storage: SQLAlchemyStorage, *entities: Entity, then: Exception | None = None) -> None:
    """Save in one transaction, then raise ``then`` inside it if given."""
    with storage.transaction() as tx:
        for entity in entities:
            tx.save(entity)
        if then is not None:
            raise then


def nothing_saved(storage: SQLAlchemyStorage) -> bool:
    with storage.transaction() as tx:
        return tx.list(EducationProvider, None) == [] and tx.list(Institution, "p1") == []


def test_an_exception_midway_leaves_nothing_written(storage: SQLAlchemyStorage) -> None:
    failure = ValueError("the host's sync failed")
    with pytest.raises(ValueError, match="sync failed") as raised:
        save(storage, PROVIDER, LUKIO, then=failure)
    assert raised.value is failure
    assert nothing_saved(storage)


def test_a_welfarekit_error_from_the_caller_passes_unchanged(storage: SQLAlchemyStorage) -> None:
    with pytest.raises(NotFound) as raised:
        save(storage, PROVIDER, then=NotFound("no such student"))
    assert type(raised.value) is NotFound
    assert nothing_saved(storage)


def test_a_student_with_an_identity_code_is_refused(storage: SQLAlchemyStorage) -> None:
    student = Student(
        id="s1", provider_id="p1", institution_id="lukio", given_names="Aino",
        family_name="Korhonen", date_of_birth=dt.date(2006, 1, 1), home_municipality="Jyväskylä",
        personal_identity_code=PersonalIdentityCode("010106A9012"),
    )  # fmt: skip
    with pytest.raises(StorageError, match="stored only sealed") as raised:
        save(storage, PROVIDER, LUKIO, student)
    assert "010106A9012" not in str(raised.value)
    assert nothing_saved(storage)
    columns = {c["name"] for c in inspect(storage.engine).get_columns("welfarekit_students")}
    assert not {c for c in columns if "identity" in c or "hetu" in c}


@pytest.mark.fresh_database
def test_using_the_storage_before_upgrade_says_how_to_upgrade(db_url: str) -> None:
    storage = SQLAlchemyStorage(db_url, {})
    with pytest.raises(StorageError, match=r"run `welfarekit db upgrade --db "):
        save(storage)
    storage.upgrade()
    with storage.transaction() as tx:
        assert tx.list(EducationProvider, None) == []
    storage.close()


def test_a_schema_ahead_of_the_package_is_reported(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'newer.db'}")
    upgrade(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE welfarekit_alembic_version SET version_num = 'zzz'"))
    engine.dispose()
    storage = SQLAlchemyStorage(engine.url, {})
    assert not storage.schema_status().up_to_date
    with pytest.raises(StorageError, match="'zzz', newer than this welfarekit-sqlalchemy"):
        save(storage)
    storage.close()


def test_a_file_that_is_not_a_database_raises_storage_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.sqlite3"
    path.write_bytes(b"certainly not an SQLite database " * 200)
    storage = SQLAlchemyStorage(f"sqlite:///{path}", {})
    with pytest.raises(StorageError, match="file is not a database") as raised:
        save(storage)
    assert str(path) in str(raised.value)
    assert isinstance(raised.value.__cause__, SQLAlchemyError)
    with pytest.raises(StorageError):
        storage.schema_status()
    storage.close()


@pytest.mark.fresh_database
def test_a_table_dropped_under_the_storage_raises_storage_error_and_rolls_back(
    storage: SQLAlchemyStorage, world: World
) -> None:
    with storage.transaction() as tx:  # the schema check passes and is remembered
        tx.save(PROVIDER)
    with storage.engine.begin() as connection:
        connection.execute(text("DROP TABLE welfarekit_memberships"))
    membership = next(e for e in world("p1") if isinstance(e, Membership))
    with pytest.raises(StorageError, match="welfarekit_memberships") as raised:
        save(storage, LUKIO, membership)
    message = str(raised.value)
    assert storage.describe() in message
    assert "Membership 'm1'" in message
    assert "INSERT" not in message
    assert isinstance(raised.value.__cause__, DBAPIError)  # the driver's error, kept as cause
    with storage.transaction() as tx:
        assert tx.list(Institution, "p1") == []


def test_a_failed_commit_raises_storage_error_and_writes_nothing(
    storage: SQLAlchemyStorage,
) -> None:
    def disk_full(_connection: object) -> None:
        raise OperationalError("COMMIT", {}, Exception("database or disk is full"))

    event.listen(storage.engine, "commit", disk_full)
    with pytest.raises(StorageError, match="could not commit.*disk is full.*nothing was written"):
        save(storage, PROVIDER)
    event.remove(storage.engine, "commit", disk_full)
    assert nothing_saved(storage)


def test_storage_errors_do_not_show_parameters(storage: SQLAlchemyStorage) -> None:
    """Personal data in the statement's parameters must not reach logs through the cause."""
    orphan = Institution(id="lukio", provider_id="nobody", name="Salainen", kind="vocational")
    with pytest.raises(StorageError) as raised:
        save(storage, orphan)
    assert "Salainen" not in str(raised.value)
    assert "Salainen" not in str(raised.value.__cause__)


@pytest.mark.parametrize("url", ["not a url", "postgresql://welfare:s3cret@db:port/welfare"])
def test_an_unreadable_url_is_a_configuration_error_without_the_url(url: str) -> None:
    with pytest.raises(ConfigurationError, match="cannot read the database URL") as raised:
        SQLAlchemyStorage(url, {})
    assert "s3cret" not in str(raised.value)


def test_unknown_options_are_refused(db_url: str) -> None:
    with pytest.raises(ConfigurationError, match="unknown sqlalchemy storage options: pool"):
        SQLAlchemyStorage(db_url, {"pool": 5})


def test_a_missing_driver_is_a_configuration_error_without_the_password() -> None:
    with pytest.raises(ConfigurationError, match="driver") as raised:
        SQLAlchemyStorage("postgresql+nosuchdriver://welfare:s3cret@db.example/welfare", {})
    assert "s3cret" not in str(raised.value)


def test_a_sqlite_file_gets_its_directory(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "welfarekit.sqlite3"
    storage = SQLAlchemyStorage(f"sqlite:///{path}", {})
    assert path.parent.is_dir()
    storage.upgrade()
    assert path.is_file()
    storage.close()


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_sqlite_checks_foreign_keys(storage: SQLAlchemyStorage) -> None:
    with storage.engine.connect() as connection:
        assert connection.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
