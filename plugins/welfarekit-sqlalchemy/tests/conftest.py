"""Fixtures: SQLite databases in tmp_path and a small provider with every kind of object,
the student welfare register's records, sealed records and students' secrets included
(those in sealed_world.py), casework (in case_world.py) and communal welfare (in
communal_world.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from case_world import case_world
from communal_world import communal_world
from sealed_world import sealed_world

from welfarekit.model import (
    CapacityAssessment,
    ConsentPurpose,
    EducationProvider,
    EmployerKind,
    Evidence,
    EvidenceMethod,
    ExpressionOfWill,
    GroupDisplayNames,
    GroupKind,
    GroupPosition,
    Guardian,
    Guardianship,
    GuardianshipKind,
    GuardianVeto,
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
    WillKind,
    Withdrawal,
)
from welfarekit.storage import Entity
from welfarekit_sqlalchemy import SQLAlchemyStorage
from welfarekit_sqlalchemy.testing import BACKENDS, SharedDatabases, backend_url

World = Callable[[str], list[Entity]]

HELSINKI = ZoneInfo("Europe/Helsinki")
NEW_YORK = dt.timezone(dt.timedelta(hours=-5), "EST")


def provider_world(provider_id: str = "p1") -> list[Entity]:
    """Every kind of object, saved in :data:`welfarekit.storage.ENTITY_TYPES` order, with
    optional fields both set and left empty, and ids whose order as text differs from
    their order as tuples (``g1`` / ``g1.x``)."""
    return (
        directory_world(provider_id)
        + register_world(provider_id)
        + sealed_world(provider_id)
        + case_world(provider_id)
        + communal_world(provider_id)
    )


def evidence(person: PersonRef, at: dt.datetime, method: str = "electronic") -> Evidence:
    return Evidence(recorded_by=person, recorded_at=at, method=method)


def register_world(p: str) -> list[Entity]:
    """Records of every register kind for students s1 and s3: covers with people, roles,
    both and neither; vetoes for every guardian and for named ones; moments in Helsinki
    (summer and winter time, the first hour of summer time), at a fixed offset and in UTC,
    with and without microseconds; a group that is not in the directory."""
    s1, s3 = PersonRef(PersonKind.STUDENT, "s1"), PersonRef(PersonKind.STUDENT, "s3")
    g1 = PersonRef(PersonKind.GUARDIAN, "g1")
    nurse, teacher = PersonRef(PersonKind.STAFF, "nurse"), PersonRef(PersonKind.STAFF, "t.virtanen")
    year = Period(start=dt.date(2026, 8, 1), end=dt.date(2027, 8, 1))
    return [
        ExpressionOfWill(
            id="form", provider_id=p, student_id="s1", grantor=s1, kind=WillKind.CONSENT,
            purpose=ConsentPurpose.FORM_EXPERT_GROUP, group_id="case-s1",
            covers_roles={Role.PSYCHOLOGIST, Role.SCHOOL_SOCIAL_WORKER}, validity=year,
            written_and_specific=True,
            evidence=evidence(s1, dt.datetime(2026, 11, 2, 9, 15, 30, 123456, tzinfo=HELSINKI)),
        ),
        ExpressionOfWill(
            id="form.outside", provider_id=p, student_id="s1", grantor=s1, kind="consent",
            purpose="outside_participant", group_id="case-s1",
            covers={PersonRef(PersonKind.EXTERNAL, "youth-worker"), PersonRef("external", "s1")},
            validity=year, written_and_specific=True,
            evidence=evidence(teacher, dt.datetime(2026, 7, 1, 23, 30, tzinfo=HELSINKI), "written"),
        ),
        ExpressionOfWill(
            id="members", provider_id=p, student_id="s3", grantor=g1, kind="consent",
            purpose="name_members", group_id="case-s3-not-yet-formed",
            covers={teacher, nurse}, covers_roles={Role.NURSE},
            validity=Period(start=dt.date(2026, 11, 1)),
            evidence=evidence(nurse, dt.datetime(2026, 11, 3, 4, 0, tzinfo=NEW_YORK), "oral"),
        ),
        ExpressionOfWill(
            id="no-kela", provider_id=p, student_id="s3", grantor=g1, kind=WillKind.REFUSAL,
            purpose=ConsentPurpose.DISCLOSURE, recipient="Kela, Jyväskylän toimisto",
            validity=Period(start=dt.date(2026, 11, 1)),
            evidence=evidence(g1, dt.datetime(2026, 11, 4, 8, 0, tzinfo=dt.UTC)),
        ),
        Withdrawal(
            id="w1", provider_id=p, student_id="s1", withdraws="form.outside", by=s1,
            evidence=evidence(s1, dt.datetime(2026, 11, 20, 14, 0, 0, 1, tzinfo=HELSINKI)),
        ),
        Withdrawal(
            id="w1.x", provider_id=p, student_id="s3", withdraws="veto-s3", by=s3,
            evidence=evidence(nurse, dt.datetime(2026, 12, 1, 10, 0, tzinfo=NEW_YORK), "oral"),
        ),
        CapacityAssessment(
            id="ca1", provider_id=p, student_id="s1", can_assess=False, assessed_by=nurse,
            assessed_at=dt.datetime(2026, 10, 30, 12, 45, tzinfo=HELSINKI),
        ),
        CapacityAssessment(
            id="ca2", provider_id=p, student_id="s3", can_assess=True, assessed_by=nurse,
            assessed_at=dt.datetime(2026, 3, 29, 4, 30, 0, 999999, tzinfo=HELSINKI),
        ),
        GuardianVeto(
            id="veto-s1", provider_id=p, student_id="s1", participation=True, access=True,
            assessed_by=nurse,
            evidence=evidence(nurse, dt.datetime(2026, 11, 5, 10, 0, tzinfo=HELSINKI), "oral"),
        ),
        GuardianVeto(
            id="veto-s1.two", provider_id=p, student_id="s1", guardian_ids={"g1", "g1.x"},
            participation=True, access=False, assessed_by=nurse,
            evidence=evidence(s1, dt.datetime(2026, 11, 6, 10, 0, tzinfo=HELSINKI), "written"),
        ),
        GuardianVeto(
            id="veto-s3", provider_id=p, student_id="s3", guardian_ids={"g1"},
            participation=False, access=True, assessed_by=nurse,
            evidence=evidence(s3, dt.datetime(2026, 11, 7, 1, 0, tzinfo=NEW_YORK), EvidenceMethod.ELECTRONIC),
        ),
    ]  # fmt: skip


def directory_world(provider_id: str) -> list[Entity]:
    """The directory's kinds of :func:`provider_world`."""
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
        WelfareGroup(
            id="case-s3",
            provider_id=p,
            kind=GroupKind.CASE,
            institution_id="lukio",
            student_id="s3",
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


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "fresh_database: the test gets an empty database of its own (no schema)"
    )


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """SQLite always; PostgreSQL and MariaDB when their server URLs are set (see
    :mod:`welfarekit_sqlalchemy.testing`)."""
    return str(request.param)


@pytest.fixture(scope="session")
def shared_databases() -> Iterator[SharedDatabases]:
    shared = SharedDatabases()
    yield shared
    shared.close()


@pytest.fixture
def db_url(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest, shared_databases: SharedDatabases
) -> Iterator[str]:
    """The test's database: a new SQLite file, or on a server the session's upgraded
    database emptied for this test (a new empty one for a test marked ``fresh_database``)."""
    if backend == "sqlite" or request.node.get_closest_marker("fresh_database"):
        with backend_url(backend, tmp_path) as url:
            yield url
    else:
        yield shared_databases.clean(backend)


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
