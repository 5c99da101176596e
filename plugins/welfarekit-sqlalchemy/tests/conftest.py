"""Fixtures: SQLite databases in tmp_path and a small provider with every kind of object."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from welfarekit.model import (
    EducationProvider,
    EmployerKind,
    GroupDisplayNames,
    GroupKind,
    GroupPosition,
    Guardian,
    Guardianship,
    GuardianshipKind,
    Institution,
    InstitutionKind,
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
from welfarekit.storage import Entity
from welfarekit_sqlalchemy import SQLAlchemyStorage

World = Callable[[str], list[Entity]]


def provider_world(provider_id: str = "p1") -> list[Entity]:
    """Every kind of object, saved in :data:`welfarekit.storage.ENTITY_TYPES` order, with
    optional fields both set and left empty, and ids whose order as text differs from
    their order as tuples (``g1`` / ``g1.x``)."""
    p = provider_id
    return [
        EducationProvider(
            id=p,
            name=f"Koulutuskuntayhtymä {p}",
            business_id="0201256-6",
            group_names=GroupDisplayNames(
                steering="Opiskeluhuoltoryhmä",
                institution="Hyvinvointiryhmä",
                case="Asiantuntijaryhmä",
            ),
            register_responsible_role=Role.TRAINING_MANAGER,
        ),
        Institution(
            id="lukio",
            provider_id=p,
            name="Keskuslukio",
            kind=InstitutionKind.GENERAL_UPPER_SECONDARY,
        ),
        Institution(id="ammattiopisto", provider_id=p, name="Ammattiopisto", kind="vocational"),
        StudyGroup(
            id="21A",
            provider_id=p,
            institution_id="lukio",
            name="21A",
            advisor_id="t.virtanen",
            description="Luonnontiedelinja",
        ),
        StudyGroup(id="SAH22", provider_id=p, institution_id="ammattiopisto", name="Sähkö 22"),
        Student(
            id="s1",
            provider_id=p,
            institution_id="lukio",
            given_names="Aino Maria",
            family_name="Korhonen",
            date_of_birth=dt.date(2010, 3, 1),
            home_municipality="Jyväskylä",
            study_group_id="21A",
        ),
        Student(
            id="s2",
            provider_id=p,
            institution_id="ammattiopisto",
            given_names="Eetu",
            family_name="Nieminen",
            date_of_birth=dt.date(2004, 2, 29),
            home_municipality="Äänekoski",
        ),
        Student(
            id="s3",
            provider_id=p,
            institution_id="lukio",
            given_names="Lumi",
            family_name="Laine",
            date_of_birth=dt.date(2009, 12, 31),
            home_municipality="Jyväskylä",
            study_group_id="21A",
        ),
        Guardian(
            id="g1",
            provider_id=p,
            given_names="Sanna",
            family_name="Korhonen",
            email="sanna@example.org",
            phone="+358 40 123 4567",
        ),
        Guardian(id="g1.x", provider_id=p, given_names="Pekka", family_name="Korhonen"),
        Guardianship(
            provider_id=p,
            guardian_id="g1",
            student_id="s1",
            validity=Period(start=dt.date(2010, 3, 1)),
        ),
        Guardianship(
            provider_id=p,
            guardian_id="g1.x",
            student_id="s1",
            kind=GuardianshipKind.LEGAL_REPRESENTATIVE,
            validity=Period(start=dt.date(2020, 1, 1), end=dt.date(2028, 3, 1)),
        ),
        Guardianship(
            provider_id=p,
            guardian_id="g1",
            student_id="s3",
            validity=Period(start=dt.date(2009, 12, 31)),
        ),
        StaffMember(
            id="t.virtanen",
            provider_id=p,
            given_names="Tiina",
            family_name="Virtanen",
            roles={Role.GROUP_ADVISOR, Role.TEACHER},
            institution_ids={"lukio"},
            title="lehtori",
            email="tiina.virtanen@example.org",
        ),
        StaffMember(
            id="nurse",
            provider_id=p,
            given_names="Outi",
            family_name="Heikkinen",
            roles={Role.NURSE},
            employer=EmployerKind.WELLBEING_SERVICES_COUNTY,
            institution_ids={"lukio", "ammattiopisto"},
        ),
        StaffMember(
            id="rehtori",
            provider_id=p,
            given_names="Jari",
            family_name="Lahtinen",
            roles={Role.PRINCIPAL},
        ),
        WelfareGroup(id="ohjaus", provider_id=p, kind=GroupKind.STEERING),
        WelfareGroup(
            id="hyvinvointi",
            provider_id=p,
            kind=GroupKind.INSTITUTION,
            institution_id="lukio",
            name="Keskuslukion hyvinvointiryhmä",
        ),
        WelfareGroup(
            id="case-s1",
            provider_id=p,
            kind=GroupKind.CASE,
            institution_id="lukio",
            student_id="s1",
        ),
        Membership(
            id="m1",
            provider_id=p,
            group_id="hyvinvointi",
            member=PersonRef(PersonKind.STAFF, "nurse"),
            role=Role.NURSE,
            position=GroupPosition.LEADER,
            validity=Period(start=dt.date(2026, 8, 1), end=dt.date(2027, 8, 1)),
        ),
        Membership(
            id="m2",
            provider_id=p,
            group_id="case-s1",
            member=PersonRef(PersonKind.STUDENT, "s1"),
            role=Role.STUDENT,
            validity=Period(start=dt.date(2026, 11, 1)),
        ),
        Membership(
            id="m3",
            provider_id=p,
            group_id="case-s1",
            member=PersonRef(PersonKind.GUARDIAN, "g1"),
            role=Role.GUARDIAN,
            validity=Period(start=dt.date(2026, 11, 1)),
        ),
        Membership(
            id="m4",
            provider_id=p,
            group_id="case-s1",
            member=PersonRef(PersonKind.EXTERNAL, "s1"),
            role=Role.OUTSIDE_PARTICIPANT,
            validity=Period(start=dt.date(2026, 11, 1)),
        ),
    ]


@pytest.fixture
def world() -> World:
    return provider_world


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'data' / 'welfarekit.sqlite3'}"


@pytest.fixture
def storage(db_url: str) -> Iterator[SQLAlchemyStorage]:
    """An upgraded storage on a fresh SQLite file."""
    opened = SQLAlchemyStorage(db_url, {})
    opened.upgrade()
    yield opened
    opened.close()


@pytest.fixture
def filled(storage: SQLAlchemyStorage, world: World) -> SQLAlchemyStorage:
    with storage.transaction() as tx:
        for entity in world("p1"):
            tx.save(entity)
    return storage
