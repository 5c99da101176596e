"""Every kind of object goes in and comes back out exactly, within its own provider."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import attrs
import pytest
from sqlalchemy import func, select

from welfarekit.errors import StorageError
from welfarekit.model import (
    EducationProvider,
    ExpressionOfWill,
    GroupDisplayNames,
    GroupPosition,
    Guardian,
    Guardianship,
    GuardianVeto,
    Institution,
    Membership,
    Period,
    PersonKind,
    PersonRef,
    Role,
    StaffMember,
    Student,
    StudyGroup,
    WelfareGroup,
)
from welfarekit.storage import DIRECTORY_TYPES, ENTITY_TYPES, FILTERS, Entity, entity_key
from welfarekit_sqlalchemy import SQLAlchemyStorage, tables

World = Callable[[str], list[Entity]]


def of_kind(entities: list[Entity], kind: type[Entity]) -> list[Entity]:
    return [e for e in entities if type(e) is kind]


def save(storage: SQLAlchemyStorage, *entities: Entity) -> None:
    with storage.transaction() as tx:
        for entity in entities:
            tx.save(entity)


def by_key(entities: list[Entity]) -> list[Entity]:
    return sorted(entities, key=entity_key)


@pytest.mark.parametrize("kind", ENTITY_TYPES, ids=lambda k: k.__name__)
def test_saved_objects_read_back_equal(filled: SQLAlchemyStorage, world: World, kind: type) -> None:
    expected = of_kind(world("p1"), kind)
    assert expected, "the test world holds every kind"
    with filled.transaction() as tx:
        for entity in expected:
            assert tx.get(kind, "p1", entity_key(entity)) == entity
        assert tx.list(kind, "p1") == by_key(expected)


FILTER_CASES = [(kind, name) for kind in ENTITY_TYPES for name in FILTERS[kind]]


@pytest.mark.parametrize(
    ("kind", "name"), FILTER_CASES, ids=[f"{k.__name__}.{n}" for k, n in FILTER_CASES]
)
def test_each_filter_selects_what_the_contract_says(
    filled: SQLAlchemyStorage, world: World, kind: type[Entity], name: str
) -> None:
    entities = of_kind(world("p1"), kind)
    read = FILTERS[kind][name]
    values: set[Any] = {read(e) for e in entities if read(e) is not None}
    narrowed = False
    with filled.transaction() as tx:
        for value in values:
            expected = by_key([e for e in entities if read(e) == value])
            narrowed |= len(expected) < len(entities)
            assert tx.list(kind, "p1", **{name: str(value)}) == expected
            assert tx.list(kind, "p1", **{name: value}) == expected  # enum members too
        assert tx.list(kind, "p1", **{name: "nothing-has-this"}) == []
    assert narrowed, "the test world lets every filter leave something out"


def test_filters_combine(filled: SQLAlchemyStorage) -> None:
    with filled.transaction() as tx:
        found = tx.list(Membership, "p1", member_kind="student", member_id="s1")
        external = tx.list(Membership, "p1", member_kind="external", member_id="s1")
        on_case = tx.list(Membership, "p1", group_id="case-s1", member_kind="guardian")
    assert [m.id for m in found] == ["m2"]
    assert [m.id for m in external] == ["m4"]
    assert [m.id for m in on_case] == ["m3"]


def test_unknown_filter_is_a_type_error(filled: SQLAlchemyStorage) -> None:
    with filled.transaction() as tx, pytest.raises(TypeError, match="'name'"):
        tx.list(Student, "p1", name="Aino")


def test_only_providers_are_listed_without_a_provider(filled: SQLAlchemyStorage) -> None:
    with filled.transaction() as tx:
        assert [p.id for p in tx.list(EducationProvider, None)] == ["p1"]
        with pytest.raises(TypeError, match="needs a provider_id"):
            tx.list(Student, None)


def test_guardianship_key_is_guardian_slash_student(filled: SQLAlchemyStorage) -> None:
    with filled.transaction() as tx:
        found = tx.get(Guardianship, "p1", "g1.x/s1")
        assert found is not None
        assert (found.guardian_id, found.student_id) == ("g1.x", "s1")
        for wrong in ("g1.x", "s1/g1.x", "g1.x/s1/extra", ""):
            assert tx.get(Guardianship, "p1", wrong) is None


def test_list_is_ordered_by_key_as_text(filled: SQLAlchemyStorage) -> None:
    """'.' sorts before '/', so g1.x/s1 comes first although g1 < g1.x as ids."""
    with filled.transaction() as tx:
        keys = [entity_key(g) for g in tx.list(Guardianship, "p1")]
    assert keys == ["g1.x/s1", "g1/s1", "g1/s3"]


CHANGES: dict[type, dict[str, Any]] = {
    EducationProvider: {"name": "Uusi", "business_id": None, "group_names": GroupDisplayNames()},
    Institution: {"name": "Uusi lukio", "kind": "vocational"},
    StudyGroup: {"name": "21B", "advisor_id": None, "description": None},
    Student: {"family_name": "Mäkelä", "study_group_id": None, "home_municipality": "Muurame"},
    Guardian: {"email": None, "phone": "040 765 4321"},
    Guardianship: {"validity": Period(start=dt.date(2010, 3, 1), end=dt.date(2028, 3, 1))},
    StaffMember: {
        "roles": {Role.STUDY_COUNSELLOR},
        "institution_ids": {"ammattiopisto"},
        "title": None,
    },
    WelfareGroup: {"name": "Ohjausryhmä"},
    Membership: {"position": GroupPosition.MEMBER, "validity": Period(start=dt.date(2026, 9, 1))},
}


def test_the_changes_below_cover_the_directory() -> None:
    """The register is append-only: see test_sqla_register.py."""
    assert set(CHANGES) == set(DIRECTORY_TYPES)


@pytest.mark.parametrize("kind", DIRECTORY_TYPES, ids=lambda k: k.__name__)
def test_saving_again_replaces_without_duplicating(
    filled: SQLAlchemyStorage, world: World, kind: type[Entity]
) -> None:
    original: Any = of_kind(world("p1"), kind)[0]
    changed = attrs.evolve(original, **CHANGES[kind])
    assert changed != original
    with filled.transaction() as tx:
        before = len(tx.list(kind, "p1"))
        tx.save(changed)
    with filled.transaction() as tx:
        assert tx.get(kind, "p1", entity_key(original)) == changed
        stored = tx.list(kind, "p1")
    assert len(stored) == before
    assert changed in stored
    assert original not in stored


def test_staff_roles_and_institutions_are_replaced(filled: SQLAlchemyStorage) -> None:
    with filled.transaction() as tx:
        member = tx.get(StaffMember, "p1", "nurse")
        assert member is not None
        tx.save(attrs.evolve(member, institution_ids=frozenset()))
    rows = {}
    with filled.engine.connect() as connection:
        for child in (tables.staff_roles, tables.staff_institutions):
            count = select(func.count()).select_from(child).where(child.c.staff_id == "nurse")
            rows[child.name] = connection.execute(count).scalar_one()
    assert rows == {"welfarekit_staff_roles": 1, "welfarekit_staff_institutions": 0}


def test_a_referenced_object_can_be_replaced(filled: SQLAlchemyStorage, world: World) -> None:
    """Students, groups and staff point at the institution; replacing it keeps them."""
    lukio: Any = of_kind(world("p1"), Institution)[0]
    renamed = attrs.evolve(lukio, name="Keskuslukio (uusi)")
    save(filled, renamed)
    with filled.transaction() as tx:
        assert tx.get(Institution, "p1", "lukio") == renamed
        assert len(tx.list(Student, "p1", institution_id="lukio")) == 2
        nurse = tx.get(StaffMember, "p1", "nurse")
    assert nurse is not None
    assert nurse.institution_ids == {"lukio", "ammattiopisto"}


# -- tenant isolation -----------------------------------------------------------------------


def _in_second_provider(e: Entity) -> Entity:
    if isinstance(e, StaffMember) and e.id == "t.virtanen":
        return attrs.evolve(
            e, roles={Role.SPECIAL_NEEDS_TEACHER}, institution_ids={"ammattiopisto"}
        )
    if isinstance(e, ExpressionOfWill) and e.id == "members":
        return attrs.evolve(e, covers={PersonRef(PersonKind.STAFF, "rehtori")}, covers_roles=())
    if isinstance(e, GuardianVeto) and e.id == "veto-s3":
        return attrs.evolve(e, guardian_ids={"g1.x"})
    return e


def second_provider(world: World) -> list[Entity]:
    """The same ids in provider p2, with other child rows for same-id objects: a staff
    member's roles and institutions, the people and roles a consent covers, the guardians
    of a veto."""
    return [_in_second_provider(e) for e in world("p2")]


@pytest.fixture
def two_providers(filled: SQLAlchemyStorage, world: World) -> SQLAlchemyStorage:
    with filled.transaction() as tx:
        for entity in second_provider(world):
            tx.save(entity)
    return filled


@pytest.mark.parametrize("kind", ENTITY_TYPES, ids=lambda k: k.__name__)
def test_same_ids_in_two_providers_never_cross(
    two_providers: SQLAlchemyStorage, world: World, kind: type[Entity]
) -> None:
    with two_providers.transaction() as tx:
        for provider_id, entities in (("p1", world("p1")), ("p2", second_provider(world))):
            expected = of_kind(entities, kind)
            for entity in expected:
                assert tx.get(kind, provider_id, entity_key(entity)) == entity
            assert tx.list(kind, provider_id) == by_key(expected)
            for name, read in FILTERS[kind].items():
                for entity in expected:
                    if read(entity) is not None:
                        found = tx.list(kind, provider_id, **{name: str(read(entity))})
                        assert entity in found
                        assert all(f in expected for f in found)
        key = entity_key(of_kind(world("p1"), kind)[0])
        assert tx.get(kind, "p3", key) is None
        assert tx.list(kind, "p3") == []


def test_a_provider_is_only_found_under_its_own_id(two_providers: SQLAlchemyStorage) -> None:
    with two_providers.transaction() as tx:
        assert tx.get(EducationProvider, "p1", "p2") is None
        assert [p.id for p in tx.list(EducationProvider, None)] == ["p1", "p2"]
        assert [p.id for p in tx.list(EducationProvider, "p2")] == ["p2"]


def test_a_reference_cannot_point_into_another_provider(filled: SQLAlchemyStorage) -> None:
    """The foreign keys carry the provider: p2 has no institution 'lukio', p1 does."""
    student = Student(
        id="s9", provider_id="p2", institution_id="lukio", given_names="Veera",
        family_name="Koski", date_of_birth=dt.date(2009, 5, 5), home_municipality="Jyväskylä",
    )  # fmt: skip
    with pytest.raises(StorageError, match="(?i)foreign key"):
        save(filled, EducationProvider(id="p2", name="Toinen"), student)
    with filled.transaction() as tx:
        assert tx.get(EducationProvider, "p2", "p2") is None
