"""Access decisions: the pure rules, against a bare set look-up, at growing provider sizes.

A decision reads only the facts of one actor and one student, so it must not grow with the
number of students, staff or groups a provider holds. The figures: ``decide`` on a realistic
student (guardians, an expert group with members, consents, a withdrawal, a veto); a bare
set membership test as the floor; and a session's whole decision (facts loaded from SQLite
through the storage adapter, vetoes, audit) at 1,000 and at 10,000 students.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from welfarekit import (
    Action,
    Actor,
    EducationProvider,
    Guardian,
    Guardianship,
    Institution,
    Membership,
    Period,
    PersonKind,
    PersonRef,
    Resource,
    ResourceType,
    Role,
    Settings,
    StaffMember,
    Student,
    WelfareGroup,
    WelfareKit,
)
from welfarekit.clock import FINLAND
from welfarekit.model import ConsentPurpose, Evidence, ExpressionOfWill, WillKind
from welfarekit.rules import ActorFacts, Facts, StudentFacts, decide

P = "bench"
NOW = dt.datetime(2026, 11, 23, 12, tzinfo=FINLAND)
YEAR = Period(start=dt.date(2026, 8, 1))
ROLES = sorted(Role.__members__.values(), key=str)


def provider_objects(students: int) -> list[Any]:
    """A provider with ``students`` students, 20 staff roles' worth of staff, a case group for
    every tenth student with members, and guardians for the minors."""
    objects: list[Any] = [
        EducationProvider(id=P, name="Bench"),
        Institution(id="school", provider_id=P, name="School", kind="vocational"),
    ]
    staff_roles = [Role.PSYCHOLOGIST, Role.SCHOOL_SOCIAL_WORKER, Role.NURSE, Role.TEACHER,
                   Role.GROUP_ADVISOR, Role.STUDY_COUNSELLOR]  # fmt: skip
    county = {Role.PSYCHOLOGIST, Role.SCHOOL_SOCIAL_WORKER, Role.NURSE}
    for index in range(max(20, students // 50)):
        role = staff_roles[index % len(staff_roles)]
        objects.append(StaffMember(
            id=f"staff{index}", provider_id=P, given_names="S", family_name=str(index),
            roles={role},
            employer="wellbeing_services_county" if role in county else "education_provider",
        ))  # fmt: skip
    for index in range(students):
        born = dt.date(2008 + index % 3, 1 + index % 12, 1 + index % 28)
        objects.append(Student(
            id=f"s{index}", provider_id=P, institution_id="school", given_names="S",
            family_name=str(index), date_of_birth=born, home_municipality="Jyväskylä",
        ))  # fmt: skip
        objects.append(Guardian(id=f"g{index}", provider_id=P, given_names="G",
                                family_name=str(index)))  # fmt: skip
        objects.append(Guardianship(provider_id=P, guardian_id=f"g{index}",
                                    student_id=f"s{index}", validity=Period(start=born)))  # fmt: skip
        if index % 10 == 0:
            group = WelfareGroup(id=f"case{index}", provider_id=P, kind="case",
                                 institution_id="school", student_id=f"s{index}")  # fmt: skip
            objects.append(group)
            # spread the caseloads over the staff, as the statutory ratios do (§ 9 a)
            first = 6 * ((index // 10) % (max(20, students // 50) // 6))
            for offset, role in ((0, Role.PSYCHOLOGIST), (1, Role.SCHOOL_SOCIAL_WORKER)):
                objects.append(Membership(
                    id=f"case{index}.{offset}", provider_id=P, group_id=group.id,
                    member=PersonRef(PersonKind.STAFF, f"staff{first + offset}"), role=role,
                    position="responsible_person" if offset else "member", validity=YEAR,
                ))  # fmt: skip
    return objects


def consent(student_id: str) -> ExpressionOfWill:
    ref = PersonRef(PersonKind.STUDENT, student_id)
    return ExpressionOfWill(
        id=f"c-{student_id}", provider_id=P, student_id=student_id, grantor=ref,
        kind=WillKind.CONSENT, purpose=ConsentPurpose.FORM_EXPERT_GROUP,
        group_id=f"case{student_id[1:]}", covers_roles={Role.PSYCHOLOGIST,
                                                       Role.SCHOOL_SOCIAL_WORKER},
        validity=YEAR, evidence=Evidence(recorded_by=ref, recorded_at=NOW - dt.timedelta(days=9),
                                         method="electronic"),
    )  # fmt: skip


def pure_facts(objects: list[Any]) -> tuple[Actor, Facts]:
    by_type: dict[type, list[Any]] = {}
    for obj in objects:
        by_type.setdefault(type(obj), []).append(obj)
    student = next(s for s in by_type[Student] if s.id == "s0")
    group = next(g for g in by_type[WelfareGroup] if g.id == "case0")
    members = tuple(m for m in by_type[Membership] if m.group_id == "case0")
    staff = next(s for s in by_type[StaffMember] if s.id == "staff0")
    student_facts = StudentFacts(
        student=student,
        guardianships=tuple(g for g in by_type[Guardianship] if g.student_id == "s0"),
        case_groups=(group,), case_memberships=members, expressions=(consent("s0"),),
    )  # fmt: skip
    facts = Facts(
        now=NOW, provider=by_type[EducationProvider][0],
        actor=ActorFacts(staff=staff, memberships=members[:1], groups=(group,)),
        student=student_facts,
    )  # fmt: skip
    return Actor(provider_id=P, person=staff.ref), facts


RECORD = Resource(type=ResourceType.WELFARE_RECORD, provider_id=P, student_id="s0")


def run(timed: Callable[..., list[float]], *, quick: bool) -> list[dict[str, object]]:
    from run import summary

    repeats, inner = (3, 200) if quick else (9, 5000)
    results: list[dict[str, object]] = []
    actor, facts = pure_facts(provider_objects(1000))
    assert decide(actor, Action.READ, RECORD, facts).allowed
    allowed = {("staff0", "s0", "read")}
    floor = timed(lambda: ("staff0", "s0", "read") in allowed, repeats, inner * 10)
    results.append(summary("floor: a bare set look-up", floor))
    pure = timed(lambda: decide(actor, Action.READ, RECORD, facts), repeats, inner)
    results.append(summary("decide (pure rules, one student's facts)", pure,
                           ratio=min(pure) / min(floor), against="the floor"))  # fmt: skip

    sizes = (200, 1000) if quick else (1000, 10000)
    session_figures = []
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings(database_url=str(Path(tmp) / "bench.sqlite3"))
            with WelfareKit.open(settings) as kit:
                kit.upgrade_schema()
                kit.directory("bench").put(*provider_objects(size))
                student = PersonRef(PersonKind.STUDENT, "s0")
                kit.session(Actor(provider_id=P, person=student), now=NOW).record_expression_of_will(
                    student_id="s0", grantor=student, kind="consent",
                    purpose="form_expert_group", group_id="case0",
                    covers_roles={Role.PSYCHOLOGIST}, validity=YEAR, method="electronic",
                )  # fmt: skip
                session = kit.session(actor, now=NOW)
                assert session.decide(Action.READ, RECORD).allowed
                samples = timed(lambda s=session: s.decide(Action.READ, RECORD), repeats,
                                max(10, inner // 50))  # fmt: skip
        session_figures.append(samples)
        extra = {}
        if len(session_figures) == 2:
            extra = {"ratio": min(samples) / min(session_figures[0]),
                     "against": f"{sizes[0]:,} students"}  # fmt: skip
        results.append(summary(f"session.decide on SQLite, {size:,} students", samples, **extra))
    return results
