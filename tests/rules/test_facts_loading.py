"""The facts a session loads for a decision: the same facts, in few statements, and as many
statements in a large provider as in a small one (counted on SQLite, where every statement
goes through SQLAlchemy's engine)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from casework_world import (
    AINO,
    KURAATTORI,
    NOW,
    PRINCIPAL,
    PSY,
    SANNA,
    SENIOR,
    TEACHER,
    YOUTH_WORKER,
    P,
    as_,
    open_kit,
)

from welfarekit import (
    Action,
    Guardian,
    Guardianship,
    Membership,
    Period,
    PersonRef,
    Resource,
    ResourceType,
    Role,
    Student,
    WelfareGroup,
    WelfareKit,
)
from welfarekit.rules import ActorFacts

YEAR = Period(start=dt.date(2026, 8, 1))
RECORD = Resource(type=ResourceType.WELFARE_RECORD, provider_id=P, student_id="aino")
PLAN = Resource(type=ResourceType.WELFARE_PLAN, provider_id=P)
PEOPLE = {
    "the student": AINO,
    "the guardian": SANNA,
    "the psychologist, in many expert groups": PSY,
    "the responsible social worker": KURAATTORI,
    "a teacher in no group": TEACHER,
    "the principal, in the steering and the wellbeing group": PRINCIPAL,
    "a wellbeing group member": SENIOR,
    "a youth worker": YOUTH_WORKER,
}
MOST_STATEMENTS = {
    # The provider; the person (for staff, with their roles and institutions); their
    # memberships; at most two look-ups of groups, none when the person sits in no group
    # beyond the student's expert group; the student (unless the student asks), the expert
    # group and its members, guardianships, expressions of will (with whom and which roles
    # they cover), withdrawals, capacity assessments, vetoes, the kind of the student's
    # institution, and the student's bookings and referrals (the professionals the student
    # works with). One person's memberships, one
    # student's records: never a list that grows with the provider.
    "the student": 16,
    "the guardian": 16,
    "the psychologist, in many expert groups": 20,
    "the responsible social worker": 20,
    "a teacher in no group": 18,
    "the principal, in the steering and the wellbeing group": 20,
    "a wellbeing group member": 19,
    "a youth worker": 16,
}


def grow(kit: WelfareKit, students: int) -> None:
    """More students, each with a guardian and an expert group in which the psychologist
    and the social worker sit: the psychologist's caseload grows with the provider."""
    objects: list[Any] = []
    for index in range(students):
        sid = f"s{index}"
        objects += [
            Student(id=sid, provider_id=P, institution_id="lukio", given_names="O",
                    family_name=str(index), date_of_birth=dt.date(2010, 1, 1),
                    home_municipality="Jyväskylä"),
            Guardian(id=f"g{index}", provider_id=P, given_names="H", family_name=str(index)),
            Guardianship(provider_id=P, guardian_id=f"g{index}", student_id=sid,
                         validity=Period(start=dt.date(2010, 1, 1))),
            WelfareGroup(id=f"case-{sid}", provider_id=P, kind="case", institution_id="lukio",
                         student_id=sid),
            *(Membership(id=f"case-{sid}.{who.id}", provider_id=P, group_id=f"case-{sid}",
                         member=who, role=role, validity=YEAR)
              for who, role in ((PSY, Role.PSYCHOLOGIST), (KURAATTORI, Role.SCHOOL_SOCIAL_WORKER))),
        ]  # fmt: skip
    kit.directory("sync").put(*objects)


def aino_in_groups(kit: WelfareKit) -> None:
    """Aino's expert group with the social worker responsible, the psychologist and Aino
    herself, on her consent; a seat for her in the wellbeing group (a student member), and one for a youth
    worker."""
    group = WelfareGroup(id="case-aino", provider_id=P, kind="case", institution_id="lukio",
                         student_id="aino")  # fmt: skip
    seats = [
        ("case-aino", KURAATTORI, Role.SCHOOL_SOCIAL_WORKER, "responsible_person"),
        ("case-aino", PSY, Role.PSYCHOLOGIST, "member"),
        ("case-aino", AINO, Role.STUDENT, "member"),
        ("wellbeing", AINO, Role.STUDENT_MEMBER, "member"),
        ("wellbeing", YOUTH_WORKER, Role.OTHER_EXPERT, "member"),
    ]
    kit.directory("sync").put(group, *(
        Membership(id=f"{group_id}.{who.id}", provider_id=P, group_id=group_id, member=who,
                   role=role, position=position, validity=YEAR)
        for group_id, who, role, position in seats
    ))  # fmt: skip
    as_(kit, AINO).record_expression_of_will(
        student_id="aino", grantor=AINO, kind="consent", purpose="form_expert_group",
        group_id="case-aino", covers_roles={Role.SCHOOL_SOCIAL_WORKER, Role.PSYCHOLOGIST},
        validity=YEAR, method="electronic",
    )  # fmt: skip


@pytest.fixture
def kit(tmp_path: Path) -> Iterator[WelfareKit]:
    with open_kit(tmp_path, database_url=f"sqlite:///{tmp_path / 'facts.db'}") as opened:
        aino_in_groups(opened)
        yield opened


def reference_actor_facts(kit: WelfareKit, person: PersonRef) -> ActorFacts:
    """The person's communal memberships found the plain way: every communal group of the
    provider, and every membership of the person."""
    with kit.storage.transaction() as tx:
        communal = {g.id: g for kind in ("steering", "institution")
                    for g in tx.list(WelfareGroup, P, kind=kind)}  # fmt: skip
        memberships = tuple(
            m
            for m in tx.list(Membership, P, member_kind=person.kind.value, member_id=person.id)
            if m.group_id in communal
        )
    groups = tuple(communal[i] for i in sorted({m.group_id for m in memberships}))
    return ActorFacts(staff=None, memberships=memberships, groups=groups)


def facts_statements(kit: WelfareKit, statements: list[str], person: PersonRef) -> int:
    session = as_(kit, person)
    session.facts("aino")
    statements.clear()
    session.facts("aino")
    return len(statements)


@pytest.mark.parametrize("who", list(PEOPLE))
def test_the_facts_are_those_found_the_plain_way(kit: WelfareKit, who: str) -> None:
    grow(kit, 5)
    person = PEOPLE[who]
    facts = as_(kit, person).facts("aino")
    assert facts is not None
    expected = reference_actor_facts(kit, person)
    assert facts.actor.memberships == expected.memberships
    assert facts.actor.groups == expected.groups
    assert facts.student is not None
    assert facts.student.student.id == "aino"
    assert [m.member for m in facts.student.case_memberships] == [AINO, KURAATTORI, PSY]


def test_people_in_communal_groups_have_them_in_their_facts(kit: WelfareKit) -> None:
    grow(kit, 5)
    groups = {who: [g.id for g in reference_actor_facts(kit, PEOPLE[who]).groups]
              for who in PEOPLE}  # fmt: skip
    assert groups["the principal, in the steering and the wellbeing group"] == [
        "steering", "wellbeing",
    ]  # fmt: skip
    assert groups["the student"] == ["wellbeing"]
    assert groups["a youth worker"] == ["wellbeing"]
    assert groups["the psychologist, in many expert groups"] == []


@pytest.mark.parametrize("who", list(PEOPLE))
def test_loading_the_facts_costs_the_same_in_a_small_and_a_large_provider(
    kit: WelfareKit, statements: list[str], who: str
) -> None:
    person = PEOPLE[who]
    grow(kit, 5)
    small = facts_statements(kit, statements, person)
    grow(kit, 45)  # forty more students, and forty more expert groups for the professionals
    large = facts_statements(kit, statements, person)
    assert small == large
    assert large <= MOST_STATEMENTS[who], statements


def test_a_decision_reads_the_facts_once_and_audits(kit: WelfareKit, statements: list[str]) -> None:
    session = as_(kit, PSY)
    assert session.decide(Action.READ, RECORD).allowed
    statements.clear()
    session.decide(Action.READ, RECORD)
    # the facts, then the audit chain's head and the new entry
    assert len(statements) <= MOST_STATEMENTS["the psychologist, in many expert groups"] + 2


def test_a_decision_on_no_student_reads_no_student(kit: WelfareKit, statements: list[str]) -> None:
    session = as_(kit, PRINCIPAL)
    assert session.decide(Action.READ, PLAN).allowed
    statements.clear()
    session.decide(Action.READ, PLAN)
    assert not [s for s in statements if "welfarekit_students" in s]


def test_the_facts_at_another_moment_are_loaded_alike(kit: WelfareKit) -> None:
    later = NOW + dt.timedelta(days=400)
    facts = as_(kit, PSY, later).facts("aino")
    assert facts is not None
    assert facts.now == later
