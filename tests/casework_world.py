"""A provider for the casework tests: Aino (16) with her guardian Sanna, the welfare staff,
a wellbeing group and a steering group; no expert group yet."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from builders import COMMUNAL_MEMBERSHIPS, STAFF, STEERING, WELLBEING

import welfarekit
from welfarekit import (
    Actor,
    EducationProvider,
    Guardian,
    Guardianship,
    Institution,
    Period,
    PersonKind,
    PersonRef,
    Role,
    Settings,
    Student,
    WelfareKit,
)
from welfarekit.clock import FINLAND
from welfarekit.crypto import init_key_file

P = "p1"
NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=FINLAND)
AINO = PersonRef(PersonKind.STUDENT, "aino")
SANNA = PersonRef(PersonKind.GUARDIAN, "sanna")
PSY = PersonRef(PersonKind.STAFF, "psy")
PSY2 = PersonRef(PersonKind.STAFF, "psy2")
KURAATTORI = PersonRef(PersonKind.STAFF, "kuraattori")
NURSE = PersonRef(PersonKind.STAFF, "nurse")
TEACHER = PersonRef(PersonKind.STAFF, "teacher")
SENIOR = PersonRef(PersonKind.STAFF, "senior")
PRINCIPAL = PersonRef(PersonKind.STAFF, "principal")
YOUTH_WORKER = PersonRef(PersonKind.EXTERNAL, "youth-worker")
SECRET = "Aino kertoi kiusaamisesta liikuntatunnilla"
YEAR = Period(start=dt.date(2026, 8, 1))


def open_kit(tmp_path: Path, *, database_url: str = "memory://") -> WelfareKit:
    key_file = tmp_path / "keys.json"
    if not key_file.exists():
        init_key_file(key_file)
    settings = Settings(database_url=database_url, plugins=("sqlalchemy",)
                        if not database_url.startswith("memory") else (),
                        key_file=key_file, notifier="memory")  # fmt: skip
    kit = WelfareKit.open(settings)
    kit.upgrade_schema()
    born = dt.date(2010, 3, 1)
    kit.directory("sync").put(
        EducationProvider(id=P, name="Harjula"),
        Institution(id="lukio", provider_id=P, name="Lukio", kind="general_upper_secondary"),
        *STAFF.values(),
        Student(id="aino", provider_id=P, institution_id="lukio", given_names="Aino",
                family_name="Korhonen", date_of_birth=born, home_municipality="Jyväskylä"),
        Guardian(id="sanna", provider_id=P, given_names="Sanna", family_name="Korhonen"),
        Guardianship(provider_id=P, guardian_id="sanna", student_id="aino",
                     validity=Period(start=born)),
        WELLBEING, STEERING, *COMMUNAL_MEMBERSHIPS,
    )  # fmt: skip
    return kit


def as_(kit: WelfareKit, person: PersonRef | None, now: dt.datetime = NOW) -> welfarekit.Session:
    actor = (
        Actor(provider_id=P, person=person)
        if person is not None
        else Actor.host_system(P, "anonymous-form")
    )
    return kit.session(actor, now=now)


def form_expert_group(
    kit: WelfareKit,
    members: list[tuple[PersonRef, Role]] | None = None,
    *,
    group_id: str = "g1",
) -> None:
    """Aino's expert group as the law forms it: the teacher proposes it with the kuraattori
    responsible, Aino consents to it for her members' roles, and the kuraattori forms it
    with ``members`` (by default the kuraattori and the psychologist)."""
    members = members or [(KURAATTORI, Role.SCHOOL_SOCIAL_WORKER), (PSY, Role.PSYCHOLOGIST)]
    as_(kit, TEACHER).propose_expert_group(student_id="aino", responsible_id="kuraattori",
                                           group_id=group_id)  # fmt: skip
    as_(kit, AINO).record_expression_of_will(
        student_id="aino", grantor=AINO, kind="consent", purpose="form_expert_group",
        group_id=group_id, covers_roles={r for _, r in members if r is not Role.STUDENT},
        validity=YEAR, method="electronic", record_id=f"form-{group_id}",
    )  # fmt: skip
    as_(kit, KURAATTORI).form_expert_group(group_id, members=members)
