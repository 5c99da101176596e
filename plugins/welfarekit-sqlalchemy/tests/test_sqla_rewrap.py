"""Rewrapped keysets put in place (KEK rotation) on every backend: one call rewrites each
keyset whose blob is still the one rewrapped, bytes compared as bytes, skips the ones
changed or shredded meanwhile without bringing one back, counts what it rewrote, and does
all of it in the caller's transaction (on MariaDB through a temporary table)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from welfarekit.crypto import LocalKeyFileKeyring, add_key, init_key_file, keyset_associated_data
from welfarekit.keys import rewrap_keysets
from welfarekit.model import EducationProvider, Institution, Student
from welfarekit.sealed import StoredKeyset
from welfarekit.storage import KeysetRewrap, StorageTransaction
from welfarekit.vault import Vault
from welfarekit_sqlalchemy import SQLAlchemyStorage
from welfarekit_sqlalchemy import storage as storage_module

P, OTHER = "p1", "p2"
NOW = dt.datetime(2026, 11, 23, 9, tzinfo=dt.UTC)
LATER = NOW + dt.timedelta(hours=1)
STUDENTS = ("a", "b", "c", "d", "e", "f", "g")


@pytest.fixture
def students(storage: SQLAlchemyStorage) -> SQLAlchemyStorage:
    """Two providers with the same students; each student's keyset holds ``<id>-old``
    under kek-1, in both providers."""
    with storage.transaction() as tx:
        for provider_id in (P, OTHER):
            tx.save(EducationProvider(id=provider_id, name=provider_id))
            tx.save(Institution(id="i", provider_id=provider_id, name="I", kind="vocational"))
            for student_id in STUDENTS:
                tx.save(Student(id=student_id, provider_id=provider_id, institution_id="i",
                                given_names="S", family_name=student_id,
                                date_of_birth=dt.date(2009, 1, 1),
                                home_municipality="Jyväskylä"))  # fmt: skip
                tx.save(keyset(student_id, f"{student_id}-old".encode(), provider_id))
    return storage


def keyset(
    student_id: str, blob: bytes, provider_id: str = P, kek_id: str = "kek-1", at: dt.datetime = NOW
) -> StoredKeyset:
    return StoredKeyset(provider_id=provider_id, student_id=student_id, kek_id=kek_id,
                        blob=blob, updated_at=at)  # fmt: skip


def stored(storage: SQLAlchemyStorage, provider_id: str = P) -> dict[str, StoredKeyset]:
    with storage.transaction() as tx:
        return {k.student_id: k for k in tx.list(StoredKeyset, provider_id)}


def rewrap(student_id: str, old: bytes | None = None) -> KeysetRewrap:
    old = f"{student_id}-old".encode() if old is None else old
    return KeysetRewrap(student_id, old, "kek-2", f"{student_id}-new".encode())


def test_one_call_rewrites_the_unchanged_and_skips_the_rest(students: SQLAlchemyStorage) -> None:
    with students.transaction() as tx:
        tx.save(keyset("c", b"c-changed"))  # a data-key rotation meanwhile
        assert tx.delete(StoredKeyset, P, "d")  # crypto-shredded meanwhile
        tx.save(keyset("e", b"E-OLD"))  # what differs only in case,
        tx.save(keyset("f", b"f-old\x00"))  # a trailing NUL
        tx.save(keyset("g", b"g-old "))  # or a trailing space is another blob
        replaced = tx.replace_keysets(
            P,
            [rewrap("a"), rewrap("c"), rewrap("d"), rewrap("e"), rewrap("f"), rewrap("g"),
             rewrap("nobody"), rewrap("b")],
            LATER,
        )  # fmt: skip
    assert replaced == 2
    after = stored(students)
    assert after == {
        "a": keyset("a", b"a-new", kek_id="kek-2", at=LATER),
        "b": keyset("b", b"b-new", kek_id="kek-2", at=LATER),
        "c": keyset("c", b"c-changed"),
        "e": keyset("e", b"E-OLD"),
        "f": keyset("f", b"f-old\x00"),
        "g": keyset("g", b"g-old "),
    }  # d stays shredded, nobody's keyset is not made
    assert stored(students, OTHER) == {s: keyset(s, f"{s}-old".encode(), OTHER) for s in STUDENTS}


def test_a_keyset_rewritten_with_what_it_holds_counts(students: SQLAlchemyStorage) -> None:
    """The row matched though nothing in it changed (MariaDB counts found rows)."""
    with students.transaction() as tx:
        assert tx.replace_keysets(P, [KeysetRewrap("a", b"a-old", "kek-1", b"a-old")], NOW) == 1
    assert stored(students)["a"] == keyset("a", b"a-old")


def test_rewraps_of_one_student_apply_in_turn(students: SQLAlchemyStorage) -> None:
    """As the row-by-row UPDATE does: the second finds what the first wrote."""
    chained = [rewrap("a"), KeysetRewrap("a", b"a-new", "kek-3", b"a-newer"), rewrap("b")]
    with students.transaction() as tx:
        assert tx.replace_keysets(P, chained, LATER) == 3
    assert stored(students)["a"] == keyset("a", b"a-newer", kek_id="kek-3", at=LATER)


def test_the_rewrite_is_the_callers_transactions(students: SQLAlchemyStorage) -> None:
    def fail() -> None:
        with students.transaction() as tx:
            assert tx.replace_keysets(P, [rewrap("a"), rewrap("b")], LATER) == 2
            raise RuntimeError("the batch fails after the rewrite")

    with pytest.raises(RuntimeError):
        fail()
    assert stored(students)["a"] == keyset("a", b"a-old")
    with students.transaction() as tx:  # twice in one transaction, on the same connection
        assert tx.replace_keysets(P, [rewrap("a")], LATER) == 1
        assert tx.replace_keysets(P, [rewrap("a"), rewrap("b")], LATER) == 1
    assert {k.kek_id for k in stored(students).values()} == {"kek-1", "kek-2"}
    assert stored(students)["b"].blob == b"b-new"


def test_on_mariadb_a_batch_takes_a_few_statements_not_one_a_keyset(
    students: SQLAlchemyStorage,
) -> None:
    """PyMySQL sends an UPDATE's executemany a row at a time; the temporary table's
    multi-row INSERT and one joined UPDATE do not grow with the batch."""
    if students.engine.dialect.name not in ("mysql", "mariadb"):
        pytest.skip("a MariaDB or MySQL server's statement count")
    with students.transaction() as tx:
        connection = tx._connection
        questions = "SHOW SESSION STATUS LIKE 'Questions'"
        before = int(connection.exec_driver_sql(questions).one()[1])
        assert tx.replace_keysets(P, [rewrap(s) for s in STUDENTS], LATER) == len(STUDENTS)
        after = int(connection.exec_driver_sql(questions).one()[1])
    assert after - before <= 6  # drop, create, insert, update, drop; and the SHOW
    assert {k.kek_id for k in stored(students).values()} == {"kek-2"}


def test_without_a_temporary_table_the_rows_go_one_by_one(
    students: SQLAlchemyStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A MariaDB user not allowed to create temporary tables still rotates, in the same
    transaction (elsewhere the temporary table is never asked for)."""
    refused = text("CREATE TEMPORARY TABLE welfarekit_keyset_rewraps (refused")
    monkeypatch.setattr(storage_module, "_CREATE_REWRAPS", refused)
    with students.transaction() as tx:
        tx.save(keyset("c", b"c-changed"))
        replaced = tx.replace_keysets(P, [rewrap("a"), rewrap("b"), rewrap("c")], LATER)
        assert replaced == 2
    after = stored(students)
    assert after["a"] == keyset("a", b"a-new", kek_id="kek-2", at=LATER)
    assert after["c"] == keyset("c", b"c-changed")


class _Meanwhile:
    """A storage whose first batched write is preceded, in its transaction, by what
    another transaction would have done after the keysets were read."""

    def __init__(self, inner: SQLAlchemyStorage, before: Any) -> None:
        self.inner, self.before = inner, before

    @contextmanager
    def transaction(self) -> Iterator[StorageTransaction]:
        with self.inner.transaction() as tx:
            yield _Tx(tx, self)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


class _Tx:
    def __init__(self, tx: StorageTransaction, owner: _Meanwhile) -> None:
        self._tx, self._owner = tx, owner

    def replace_keysets(
        self, provider_id: str, rewraps: Sequence[KeysetRewrap], updated_at: dt.datetime, /
    ) -> int:
        if self._owner.before is not None:
            self._owner.before(self._tx)
            self._owner.before = None
        return self._tx.replace_keysets(provider_id, rewraps, updated_at)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tx, name)


def test_a_rotation_leaves_a_shredded_keyset_gone_and_keeps_a_newer_one(
    students: SQLAlchemyStorage, tmp_path: Path
) -> None:
    key_file = tmp_path / "keys.json"
    old_keyring = init_key_file(key_file)
    vault = Vault(lambda: old_keyring, lambda: NOW)
    with students.transaction() as tx:
        for student_id in STUDENTS:
            tx.delete(StoredKeyset, OTHER, student_id)
            tx.delete(StoredKeyset, P, student_id)
            vault.keyset(tx, P, student_id, create=True)
    add_key(key_file)
    keyring = LocalKeyFileKeyring.load(key_file)
    rotated: list[str] = []

    def meanwhile(tx: StorageTransaction) -> None:
        assert tx.delete(StoredKeyset, P, "d")
        current = vault.keyset(tx, P, "c", create=False)
        assert current is not None
        newer = current.rotate()
        wrapped = newer.wrap(old_keyring, keyset_associated_data(P, "c"))
        tx.save(keyset("c", wrapped.blob, kek_id=wrapped.kek_id))
        rotated.append(newer.primary.key_id)

    report = rewrap_keysets(_Meanwhile(students, meanwhile), keyring)

    assert (report.keysets, report.rewrapped) == (len(STUDENTS), len(STUDENTS) - 1)
    after = stored(students)
    assert sorted(after) == [s for s in STUDENTS if s != "d"]
    assert {k.kek_id for k in after.values()} == {keyring.key_id}
    reloaded = Vault(lambda: keyring, lambda: NOW)
    with students.transaction() as tx:
        c = reloaded.keyset(tx, P, "c", create=False)
        assert reloaded.keyset(tx, P, "d", create=False) is None
    assert c is not None
    assert c.primary.key_id == rotated[0]  # the newer keyset, rewrapped as it was then
