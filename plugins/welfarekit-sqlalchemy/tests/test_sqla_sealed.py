"""Sealed records and students' secrets: exact bytes and moments, the sealed register
append-only, secrets replaced in place, and delete (crypto-shredding) removing one row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import attrs
import pytest
from sqlalchemy import func, select, text

from welfarekit.builtin.memory import MemoryStorage
from welfarekit.errors import IntegrityError, StorageError
from welfarekit.model import (
    CapacityAssessment,
    EducationProvider,
    ExpressionOfWill,
    GuardianVeto,
    StaffMember,
    Withdrawal,
)
from welfarekit.sealed import (
    BlindIndexEntry,
    ProviderSecret,
    SealedDisclosure,
    SealedEntry,
    SealedIdentityCode,
    SealedRecord,
    StoredKeyset,
)
from welfarekit.storage import ENTITY_TYPES, SECRET_TYPES, Entity, entity_key
from welfarekit_sqlalchemy import SQLAlchemyStorage
from welfarekit_sqlalchemy.rows import SHAPES

World = Callable[[str], list[Entity]]
SEALED_REGISTER = (SealedRecord, SealedEntry, SealedDisclosure)


def of_kind(entities: list[Entity], kind: type[Entity]) -> list[Any]:
    return [e for e in entities if type(e) is kind]


def everything(storage: SQLAlchemyStorage, provider_id: str) -> set[tuple[type, str]]:
    with storage.transaction() as tx:
        return {
            (kind, entity_key(e))
            for kind in ENTITY_TYPES
            if kind is not EducationProvider
            for e in tx.list(kind, provider_id)
        }


def rows(storage: SQLAlchemyStorage, kind: type[Entity]) -> int:
    table = SHAPES[kind].table
    with storage.engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(table)).scalar_one()


@pytest.fixture
def two_providers(filled: SQLAlchemyStorage, world: World) -> SQLAlchemyStorage:
    with filled.transaction() as tx:
        for entity in world("p2"):
            tx.save(entity)
    return filled


# -- exact round trip -----------------------------------------------------------------------


def test_ciphertext_comes_back_as_the_same_bytes(filled: SQLAlchemyStorage, world: World) -> None:
    """Every byte value, NUL bytes, an empty blob and 100 000 bytes, as ``bytes``."""
    blobs: dict[type[Entity], str] = {
        SealedRecord: "content",
        SealedEntry: "content",
        SealedDisclosure: "content",
        StoredKeyset: "blob",
        SealedIdentityCode: "ciphertext",
    }
    with filled.transaction() as tx:
        read = {
            (kind, entity_key(e)): getattr(e, field)
            for kind, field in blobs.items()
            for e in tx.list(kind, "p1")
        }
    expected = {
        (type(e), entity_key(e)): getattr(e, blobs[type(e)])
        for e in world("p1")
        if type(e) in blobs
    }
    assert read == expected
    assert all(type(blob) is bytes for blob in read.values())
    assert {len(blob) for blob in read.values()} >= {0, 512, 100_000}


def test_sealed_moments_come_back_as_aware_utc(filled: SQLAlchemyStorage, world: World) -> None:
    moments: dict[type[Entity], str] = {
        SealedRecord: "opened_at",
        SealedEntry: "recorded_at",
        SealedDisclosure: "disclosed_at",
        StoredKeyset: "updated_at",
    }
    for kind, field in moments.items():
        with filled.transaction() as tx:
            read: list[Any] = tx.list(kind, "p1")
        originals = sorted(of_kind(world("p1"), kind), key=entity_key)
        assert [getattr(e, field) for e in read] == [getattr(e, field) for e in originals]
        assert {getattr(e, field).tzinfo for e in read} == {dt.UTC}
        assert read == originals


def test_an_entry_keeps_its_version_correction_and_error_mark(filled: SQLAlchemyStorage) -> None:
    with filled.transaction() as tx:
        entries = tx.list(SealedEntry, "p1", record_id="r1")
    assert [(e.id, e.version, e.corrects, e.entered_in_error) for e in entries] == [
        ("e1", 1, None, False),
        ("e2", 2, "e1", False),
        ("e2.x", 3, "e2", True),
    ]


def test_a_blind_index_value_finds_every_student_sharing_it(filled: SQLAlchemyStorage) -> None:
    with filled.transaction() as tx:
        shared = tx.list(BlindIndexEntry, "p1", name="identity_code", value="3f0a")
        by_value = tx.list(BlindIndexEntry, "p1", value="b71c")
        found = tx.get(BlindIndexEntry, "p1", "identity_code.v2/s1")
        assert tx.get(BlindIndexEntry, "p1", "s1") is None
    assert [b.student_id for b in shared] == ["s1", "s2"]
    assert [entity_key(b) for b in by_value] == ["identity_code.v2/s1", "identity_code/s3"]
    assert found is not None
    assert found.value == "b71c"


# -- the sealed register is append-only; secrets are replaced --------------------------------

CHANGES: dict[type, dict[str, Any]] = {
    SealedRecord: {"content": b"rewritten"},
    SealedEntry: {"entered_in_error": True, "content": b"rewritten"},
    SealedDisclosure: {"basis": "ohl_23_2", "content": b"rewritten"},
}


@pytest.mark.parametrize("kind", SEALED_REGISTER, ids=lambda k: k.__name__)
def test_a_sealed_record_is_never_replaced(
    filled: SQLAlchemyStorage, world: World, kind: type[Entity]
) -> None:
    original = of_kind(world("p1"), kind)[0]
    changed = attrs.evolve(original, **CHANGES[kind])
    before = rows(filled, kind)
    messages = []
    memory = MemoryStorage()
    with memory.transaction() as tx:
        tx.save(original)
    for storage in (memory, filled):
        with (
            pytest.raises(IntegrityError, match="never replaced") as raised,
            storage.transaction() as tx,
        ):
            tx.save(changed)
        messages.append(str(raised.value))
    assert messages[0] == messages[1]
    with filled.transaction() as tx:
        assert tx.get(kind, "p1", entity_key(original)) == original
    assert rows(filled, kind) == before


SECRET_CHANGES: dict[type, dict[str, Any]] = {
    StoredKeyset: {
        "kek_id": "kek-2027-1",
        "blob": b"\x01rewrapped",
        "updated_at": dt.datetime(2027, 1, 1, tzinfo=dt.UTC),
    },
    BlindIndexEntry: {"value": "c0de"},
    SealedIdentityCode: {"ciphertext": b"\x02resealed"},
    ProviderSecret: {"kek_id": "kek-2027-1", "blob": b"\x03rewrapped"},
}


def test_the_changes_cover_the_secrets() -> None:
    assert set(SECRET_CHANGES) == set(SECRET_TYPES)


@pytest.mark.parametrize("kind", SECRET_TYPES, ids=lambda k: k.__name__)
def test_a_secret_is_replaced_in_place(
    filled: SQLAlchemyStorage, world: World, kind: type[Entity]
) -> None:
    """Keys rotate: saving a secret again replaces it, without a second row."""
    original = of_kind(world("p1"), kind)[0]
    changed = attrs.evolve(original, **SECRET_CHANGES[kind])
    before = rows(filled, kind)
    with filled.transaction() as tx:
        tx.save(changed)
    with filled.transaction() as tx:
        assert tx.get(kind, "p1", entity_key(original)) == changed
    assert rows(filled, kind) == before


# -- delete ---------------------------------------------------------------------------------

DELETABLE: list[tuple[type[Entity], str]] = [
    (StoredKeyset, "s1"),
    (BlindIndexEntry, "identity_code/s1"),
    (SealedIdentityCode, "s2"),
    (SealedEntry, "e2.x"),
    (SealedDisclosure, "d1"),
    (Withdrawal, "w1"),
    (CapacityAssessment, "ca2"),
    (ExpressionOfWill, "members"),  # with people and roles in child tables
    (GuardianVeto, "veto-s1.two"),  # with guardians in a child table
    (StaffMember, "rehtori"),  # with roles in a child table
]


@pytest.mark.parametrize(
    ("kind", "key"), DELETABLE, ids=[f"{k.__name__}:{key}" for k, key in DELETABLE]
)
def test_delete_removes_that_row_and_nothing_else(
    two_providers: SQLAlchemyStorage, kind: type[Entity], key: str
) -> None:
    before = {p: everything(two_providers, p) for p in ("p1", "p2")}
    assert (kind, key) in before["p1"]
    with two_providers.transaction() as tx:
        assert tx.delete(kind, "p1", key) is True
        assert tx.get(kind, "p1", key) is None
        assert tx.delete(kind, "p1", key) is False
    assert everything(two_providers, "p1") == before["p1"] - {(kind, key)}
    assert everything(two_providers, "p2") == before["p2"]


def test_delete_of_what_is_not_there_is_false(filled: SQLAlchemyStorage) -> None:
    before = everything(filled, "p1")
    with filled.transaction() as tx:
        assert tx.delete(StoredKeyset, "p1", "s2") is False  # s2 has no keyset
        assert tx.delete(StoredKeyset, "p9", "s1") is False  # another provider
        assert tx.delete(BlindIndexEntry, "p1", "identity_code") is False  # half a key
        assert tx.delete(BlindIndexEntry, "p1", "identity_code/s1/x") is False
        assert tx.delete(SealedIdentityCode, "p1", "s3") is False
        assert tx.delete(EducationProvider, "p9", "p1") is False  # a provider is its own key
    assert everything(filled, "p1") == before


def test_child_rows_go_with_their_parent(filled: SQLAlchemyStorage) -> None:
    with filled.transaction() as tx:
        tx.delete(ExpressionOfWill, "p1", "members")
        tx.delete(StaffMember, "p1", "rehtori")
    with filled.engine.connect() as connection:
        left = connection.execute(
            text(
                "SELECT (SELECT count(*) FROM welfarekit_will_covers WHERE expression_id = "
                "'members') + (SELECT count(*) FROM welfarekit_will_cover_roles WHERE "
                "expression_id = 'members') + (SELECT count(*) FROM welfarekit_staff_roles "
                "WHERE staff_id = 'rehtori')"
            )
        ).scalar_one()
    assert left == 0


def test_crypto_shredding_removes_every_secret_of_one_student(filled: SQLAlchemyStorage) -> None:
    """What welfarekit.vault.Vault.shred does: the keyset, the sealed identity code and the
    blind index rows go; the sealed records stay, unreadable; other students keep theirs."""
    with filled.transaction() as tx:
        assert tx.delete(StoredKeyset, "p1", "s1")
        assert not tx.delete(SealedIdentityCode, "p1", "s1.none")
        assert tx.delete(SealedIdentityCode, "p1", "s1")
        for name in ("identity_code", "identity_code.v2"):
            assert tx.delete(BlindIndexEntry, "p1", f"{name}/s1")
    with filled.transaction() as tx:
        assert [k.student_id for k in tx.list(StoredKeyset, "p1")] == ["s3"]
        assert [c.student_id for c in tx.list(SealedIdentityCode, "p1")] == ["s2"]
        assert {b.student_id for b in tx.list(BlindIndexEntry, "p1")} == {"s2", "s3"}
        assert [r.id for r in tx.list(SealedRecord, "p1", student_id="s1")] == ["r1"]


def test_a_deleted_row_comes_back_when_the_transaction_fails(filled: SQLAlchemyStorage) -> None:
    def shred() -> None:
        with filled.transaction() as tx:
            tx.delete(StoredKeyset, "p1", "s1")
            raise RuntimeError("the shredding run failed")

    with pytest.raises(RuntimeError):
        shred()
    with filled.transaction() as tx:
        assert tx.get(StoredKeyset, "p1", "s1") is not None


def test_a_record_with_entries_cannot_be_deleted_first(filled: SQLAlchemyStorage) -> None:
    """Entries and disclosures point at their record: a retention run deletes them first."""
    with pytest.raises(StorageError, match="(?i)foreign key"), filled.transaction() as tx:
        tx.delete(SealedRecord, "p1", "r1")
    with filled.transaction() as tx:
        assert tx.get(SealedRecord, "p1", "r1") is not None
        for entry in tx.list(SealedEntry, "p1", record_id="r1.x"):
            assert tx.delete(SealedEntry, "p1", entry.id)
        for disclosure in tx.list(SealedDisclosure, "p1", record_id="r1.x"):
            assert tx.delete(SealedDisclosure, "p1", disclosure.id)
        assert tx.delete(SealedRecord, "p1", "r1.x")


# -- references -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "stray",
    [
        {"record_id": "r-missing"},
        {"student_id": "s-missing"},
        {"provider_id": "p2"},  # p2 has neither the record nor the student
    ],
    ids=["record", "student", "provider"],
)
def test_an_entry_needs_its_record_and_student_in_its_provider(
    filled: SQLAlchemyStorage, world: World, stray: dict[str, str]
) -> None:
    entry = attrs.evolve(of_kind(world("p1"), SealedEntry)[0], id="e-stray", **stray)
    with pytest.raises(StorageError, match="(?i)foreign key"), filled.transaction() as tx:
        tx.save(entry)
    with filled.transaction() as tx:
        assert tx.get(SealedEntry, entry.provider_id, "e-stray") is None


def test_a_record_needs_its_group(filled: SQLAlchemyStorage, world: World) -> None:
    record = attrs.evolve(of_kind(world("p1"), SealedRecord)[0], id="r-new", group_id="nope")
    with pytest.raises(StorageError, match="(?i)foreign key"), filled.transaction() as tx:
        tx.save(record)


def test_a_secret_needs_its_student(filled: SQLAlchemyStorage) -> None:
    code = SealedIdentityCode(provider_id="p1", student_id="s-missing", ciphertext=b"x")
    with pytest.raises(StorageError, match="(?i)foreign key"), filled.transaction() as tx:
        tx.save(code)


def test_replace_ciphertext_changes_only_the_sealed_column(filled: SQLAlchemyStorage) -> None:
    from welfarekit.errors import NotFound

    with filled.transaction() as tx:
        before = of_kind(tx.list(SealedEntry, "p1"), SealedEntry)[0]
        tx.replace_ciphertext(SealedEntry, "p1", before.id, b"\x01resealed")
    with filled.transaction() as tx:
        after = tx.get(SealedEntry, "p1", before.id)
        code = tx.list(SealedIdentityCode, "p1")[0]
        tx.replace_ciphertext(SealedIdentityCode, "p1", code.student_id, b"\x02resealed")
    assert after == attrs.evolve(before, content=b"\x01resealed")
    with filled.transaction() as tx:
        assert tx.get(SealedIdentityCode, "p1", code.student_id).ciphertext == b"\x02resealed"  # type: ignore[union-attr]
        with pytest.raises(NotFound):
            tx.replace_ciphertext(SealedEntry, "p1", "no-such-entry", b"x")
