"""Identity codes are stored sealed and found through a truncated blind index."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from welfarekit import (
    EducationProvider,
    Institution,
    IntegrityError,
    PersonalIdentityCode,
    Settings,
    Student,
    WelfareKit,
)
from welfarekit.crypto import init_key_file
from welfarekit.sealed import BlindIndexEntry, SealedIdentityCode
from welfarekit.vault import IDENTITY_CODE_BITS, Vault

CODE = "020505A902P"  # a valid code from the range reserved for testing (900-999)


def student(student_id: str, code: str | None, born: dt.date = dt.date(2005, 5, 2)) -> Student:
    return Student(id=student_id, provider_id="p1", institution_id="lukio", given_names="Aino",
                   family_name="Korhonen", date_of_birth=born, home_municipality="Jyväskylä",
                   personal_identity_code=code)  # fmt: skip


@pytest.fixture
def kit(tmp_path: Path) -> WelfareKit:
    init_key_file(tmp_path / "keys.json")
    kit = WelfareKit.open(
        Settings(database_url="memory://", plugins=(), key_file=tmp_path / "keys.json")
    )
    kit.directory("sync").put(
        EducationProvider(id="p1", name="P"),
        Institution(id="lukio", provider_id="p1", name="L", kind="general_upper_secondary"),
        student("aino", CODE),
        student("eetu", "020505A903R"),
    )
    return kit


def test_the_code_is_sealed_and_the_directory_row_holds_none(kit: WelfareKit) -> None:
    stored = kit.directory("sync").get(Student, "p1", "aino")
    assert stored.personal_identity_code is None
    rows = repr(list(kit.storage._rows.values())).encode()  # type: ignore[attr-defined]
    assert CODE.encode() not in rows
    with kit.storage.transaction() as tx:
        sealed = tx.get(SealedIdentityCode, "p1", "aino")
        index = tx.get(BlindIndexEntry, "p1", "identity_code/aino")
    assert sealed is not None
    assert CODE.encode() not in sealed.ciphertext
    assert index is not None
    assert len(index.value) == (IDENTITY_CODE_BITS + 3) // 4


def test_find_by_identity_code(kit: WelfareKit) -> None:
    found = kit.directory("sync").find_student_by_identity_code("p1", CODE.lower())
    assert found is not None
    assert found.id == "aino"
    assert found.personal_identity_code == PersonalIdentityCode(CODE)
    assert kit.directory("sync").find_student_by_identity_code("p1", "020505A904S") is None
    assert kit.directory("sync").identity_code("p1", "eetu") == PersonalIdentityCode("020505A903R")


def test_an_invalid_code_is_refused_before_any_look_up(kit: WelfareKit) -> None:
    with pytest.raises(ValueError, match="check character"):
        kit.directory("sync").find_student_by_identity_code("p1", "020505A902Q")


def test_shredding_removes_the_code_and_its_index(kit: WelfareKit) -> None:
    with kit.storage.transaction() as tx:
        Vault.shred(tx, "p1", "aino")
    assert kit.directory("sync").find_student_by_identity_code("p1", CODE) is None
    assert kit.directory("sync").identity_code("p1", "aino") is None


def test_a_directory_without_the_vault_refuses_codes(kit: WelfareKit) -> None:
    from welfarekit.directory import Directory

    bare = Directory(kit.storage, kit.plugin_manager.hook, "sync")
    with pytest.raises(IntegrityError, match="need the kit's vault"):
        bare.put(student("sofia", "010594Y9032", dt.date(1994, 5, 1)))
