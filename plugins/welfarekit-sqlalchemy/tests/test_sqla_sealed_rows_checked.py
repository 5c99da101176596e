"""Sealed entries read back are checked as they are built, however cheaply: a row whose
column was edited in the database to a value the domain refuses is refused, naming the
field, even among rows whose values repeat (a record's many entries)."""

from __future__ import annotations

from typing import Any

import attrs
import pytest
from sqlalchemy import text

from welfarekit.errors import InvalidValue
from welfarekit.model import PersonRef
from welfarekit.sealed import SealedEntry
from welfarekit_sqlalchemy import SQLAlchemyStorage


def _edit(storage: SQLAlchemyStorage, statement: str, **params: Any) -> None:
    with storage.engine.begin() as connection:
        if storage.engine.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        elif storage.engine.dialect.name == "postgresql":  # pragma: no cover - servers
            connection.exec_driver_sql("SET session_replication_role = replica")
        else:  # pragma: no cover - MariaDB
            connection.exec_driver_sql("SET foreign_key_checks = 0")
        connection.execute(text(statement), params)


def test_entries_read_back_equal_what_was_saved(filled: SQLAlchemyStorage) -> None:
    with filled.transaction() as tx:
        read = tx.list(SealedEntry, "p1")
    assert read
    for entry in read:
        assert entry == SealedEntry(**attrs.asdict(entry, recurse=False))
        assert type(entry.author) is PersonRef


@pytest.mark.parametrize(
    ("column", "value", "field"),
    [
        ("id", "e 1", "SealedEntry.id"),
        ("record_id", "-r1", "SealedEntry.record_id"),
        ("student_id", "s1/../s2", "SealedEntry.student_id"),
        ("kind", "", "SealedEntry.kind"),
        ("corrects", "e1 ", "SealedEntry.corrects"),
        ("author_id", "no such", "PersonRef.id"),
    ],
)
def test_an_edited_identifier_is_refused_naming_its_field(
    filled: SQLAlchemyStorage, column: str, value: str, field: str
) -> None:
    with filled.transaction() as tx:  # the shared values are seen, and remembered, first
        entries = tx.list(SealedEntry, "p1")
    target = next(e for e in entries if e.corrects is not None)
    _edit(
        filled,
        f"UPDATE welfarekit_sealed_entries SET {column} = :value WHERE id = :id",
        value=value,
        id=target.id,
    )
    with pytest.raises(InvalidValue) as refused, filled.transaction() as tx:
        tx.list(SealedEntry, "p1")
    assert refused.value.field == field


def test_an_edited_version_is_refused(filled: SQLAlchemyStorage) -> None:
    with filled.transaction() as tx:
        target = tx.list(SealedEntry, "p1")[0]
    _edit(filled, "UPDATE welfarekit_sealed_entries SET version = 0 WHERE id = :id", id=target.id)
    with pytest.raises(ValueError, match="version"), filled.transaction() as tx:
        tx.list(SealedEntry, "p1")


def test_a_value_refused_once_is_refused_again(filled: SQLAlchemyStorage) -> None:
    """A refusal is not remembered as a pass: the same bad value in another row, read
    later, is refused too; and valid rows still read."""
    with filled.transaction() as tx:
        entries = tx.list(SealedEntry, "p1")
    first, second = entries[0], entries[1]
    for target in (first, second):
        _edit(
            filled,
            "UPDATE welfarekit_sealed_entries SET kind = 'bad kind' WHERE id = :id",
            id=target.id,
        )
        with pytest.raises(InvalidValue) as refused, filled.transaction() as tx:
            tx.list(SealedEntry, "p1")
        assert refused.value.field == "SealedEntry.kind"
        _edit(
            filled,
            "UPDATE welfarekit_sealed_entries SET kind = :kind WHERE id = :id",
            kind=target.kind,
            id=target.id,
        )
    with filled.transaction() as tx:
        assert tx.list(SealedEntry, "p1") == entries
