"""Builders of facts and worlds for the rules' tests: pure objects, no storage.

One provider, one lukio, a student (minor or adult), a guardian, staff in the roles the
rules care about, the student's case expert group and the institution's welfare group.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from welfarekit import (
    Actor,
    EducationProvider,
    Guardianship,
    Membership,
    Period,
    PersonKind,
    PersonRef,
    Role,
    StaffMember,
    Student,
    WelfareGroup,
)
from welfarekit.clock import FINLAND
from welfarekit.model import (
    CapacityAssessment,
    ConsentPurpose,
    Evidence,
    ExpressionOfWill,
    GuardianVeto,
    InstitutionKind,
    WillKind,
    Withdrawal,
)
from welfarekit.rules import ActorFacts, Facts, StudentFacts

P = "p1"
TODAY = dt.date(2026, 11, 23)
NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=FINLAND)
YEAR = Period(start=dt.date(2026, 8, 1))
PROVIDER = EducationProvider(id=P, name="Harjula")
STUDENT = PersonRef(PersonKind.STUDENT, "aino")
GUARDIAN = PersonRef(PersonKind.GUARDIAN, "sanna")


def staff_ref(staff_id: str) -> PersonRef:
    return PersonRef(PersonKind.STAFF, staff_id)


def at(days_before: int, hour: int = 9) -> dt.datetime:
    """A moment ``days_before`` days before NOW."""
    day = TODAY - dt.timedelta(days=days_before)
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=FINLAND)


STAFF: dict[str, StaffMember] = {
    staff.id: staff
    for staff in (
        StaffMember(id="psy", provider_id=P, given_names="T", family_name="S",
                    roles={Role.PSYCHOLOGIST}, employer="wellbeing_services_county"),
        StaffMember(id="kuraattori", provider_id=P, given_names="M", family_name="L",
                    roles={Role.SCHOOL_SOCIAL_WORKER}, employer="wellbeing_services_county"),
        StaffMember(id="nurse", provider_id=P, given_names="K", family_name="S",
                    roles={Role.NURSE}, employer="wellbeing_services_county"),
        StaffMember(id="teacher", provider_id=P, given_names="P", family_name="H",
                    roles={Role.TEACHER}),
        StaffMember(id="advisor", provider_id=P, given_names="J", family_name="M",
                    roles={Role.GROUP_ADVISOR, Role.TEACHER}),
        StaffMember(id="principal", provider_id=P, given_names="H", family_name="V",
                    roles={Role.PRINCIPAL}),
        StaffMember(id="senior", provider_id=P, given_names="L", family_name="J",
                    roles={Role.SPECIAL_NEEDS_TEACHER}),
        StaffMember(id="psy2", provider_id=P, given_names="O", family_name="P",
                    roles={Role.PSYCHOLOGIST}, employer="wellbeing_services_county"),
    )
}  # fmt: skip
ELSEWHERE = StaffMember(id="psy3", provider_id=P, given_names="R", family_name="Q",
                        roles={Role.PSYCHOLOGIST}, employer="wellbeing_services_county",
                        institution_ids={"ammattiopisto"})  # fmt: skip
"""A psychologist serving another institution of the provider (for pure rule tests only:
the stores built here hold no such institution)."""

CASE_GROUP = WelfareGroup(id="case-aino", provider_id=P, kind="case", institution_id="lukio",
                          student_id="aino")  # fmt: skip
WELLBEING = WelfareGroup(id="wellbeing", provider_id=P, kind="institution", institution_id="lukio")
STEERING = WelfareGroup(id="steering", provider_id=P, kind="steering")


def member(
    group: WelfareGroup, person: PersonRef, role: Role, position: str = "member"
) -> Membership:
    return Membership(id=f"{group.id}.{person.id}", provider_id=P, group_id=group.id,
                      member=person, role=role, position=position, validity=YEAR)  # fmt: skip


CASE_MEMBERSHIPS = (
    member(CASE_GROUP, staff_ref("psy"), Role.PSYCHOLOGIST),
    member(CASE_GROUP, staff_ref("kuraattori"), Role.SCHOOL_SOCIAL_WORKER, "responsible_person"),
    member(CASE_GROUP, staff_ref("nurse"), Role.NURSE),
    member(CASE_GROUP, PersonRef("external", "youth-worker"), Role.OUTSIDE_PARTICIPANT),
    member(CASE_GROUP, PersonRef("external", "uncle"), Role.PERSON_CLOSE_TO_STUDENT),
)
COMMUNAL_MEMBERSHIPS = (
    member(WELLBEING, staff_ref("senior"), Role.SPECIAL_NEEDS_TEACHER),
    member(WELLBEING, staff_ref("principal"), Role.PRINCIPAL, "leader"),
    member(STEERING, staff_ref("principal"), Role.PRINCIPAL),
)


def student(minor: bool = True) -> Student:
    born = dt.date(2010, 3, 1) if minor else dt.date(2007, 3, 1)
    return Student(id="aino", provider_id=P, institution_id="lukio", given_names="Aino",
                   family_name="Korhonen", date_of_birth=born, home_municipality="Jyväskylä")  # fmt: skip


def guardianship(minor: bool = True, kind: str = "guardian") -> Guardianship:
    born = student(minor).date_of_birth
    return Guardianship(provider_id=P, guardian_id="sanna", student_id="aino", kind=kind,
                        validity=Period(start=born))  # fmt: skip


def evidence(by: PersonRef, days_before: int, method: str = "electronic") -> Evidence:
    return Evidence(recorded_by=by, recorded_at=at(days_before), method=method)


def will(
    record_id: str,
    purpose: ConsentPurpose | str,
    *,
    grantor: PersonRef = STUDENT,
    kind: WillKind | str = "consent",
    days_before: int = 30,
    covers: Iterable[PersonRef] = (),
    covers_roles: Iterable[Role] = (),
    group_id: str | None = "case-aino",
    recipient: str | None = None,
    written: bool = True,
    validity: Period = YEAR,
) -> ExpressionOfWill:
    return ExpressionOfWill(
        id=record_id, provider_id=P, student_id="aino", grantor=grantor, kind=kind,
        purpose=purpose, group_id=group_id, covers=covers, covers_roles=covers_roles,
        recipient=recipient, validity=validity, written_and_specific=written,
        evidence=evidence(grantor, days_before),
    )  # fmt: skip


def formation_consent(
    grantor: PersonRef = STUDENT, days_before: int = 30
) -> list[ExpressionOfWill]:
    """Consent to form the group covering the psychologist and social worker by role, and
    the written consent naming the youth worker (not the uncle)."""
    return [
        will("form", "form_expert_group", grantor=grantor, days_before=days_before,
             covers_roles={Role.PSYCHOLOGIST, Role.SCHOOL_SOCIAL_WORKER}),
        will("outside", "outside_participant", grantor=grantor, days_before=days_before,
             covers={PersonRef("external", "youth-worker")}),
    ]  # fmt: skip


def withdrawal(record_id: str, by: PersonRef = STUDENT, days_before: int = 2) -> Withdrawal:
    return Withdrawal(id=f"w-{record_id}", provider_id=P, student_id="aino", withdraws=record_id,
                      by=by, evidence=evidence(by, days_before))  # fmt: skip


def assessment(can_assess: bool, days_before: int = 40) -> CapacityAssessment:
    return CapacityAssessment(id=f"cap-{days_before}", provider_id=P, student_id="aino",
                              can_assess=can_assess, assessed_by=staff_ref("psy"),
                              assessed_at=at(days_before))  # fmt: skip


def veto(
    participation: bool, access: bool, days_before: int = 10, guardians: Iterable[str] = ()
) -> GuardianVeto:
    return GuardianVeto(id=f"veto-{days_before}", provider_id=P, student_id="aino",
                        guardian_ids=frozenset(guardians), participation=participation,
                        access=access, assessed_by=staff_ref("kuraattori"),
                        evidence=evidence(staff_ref("kuraattori"), days_before, "oral"))  # fmt: skip


def actor_for(person: PersonRef | None, system: str | None = None) -> Actor:
    if person is None:
        return Actor(provider_id=P, system=system or "sis-sync")
    return Actor(provider_id=P, person=person)


def actor_facts(person: PersonRef | None) -> ActorFacts:
    if person is None:
        return ActorFacts()
    memberships = tuple(m for m in (*CASE_MEMBERSHIPS, *COMMUNAL_MEMBERSHIPS) if m.member == person)
    groups = tuple(g for g in (CASE_GROUP, WELLBEING, STEERING)
                   if any(m.group_id == g.id for m in memberships))  # fmt: skip
    staff = (
        {**STAFF, ELSEWHERE.id: ELSEWHERE}.get(person.id)
        if person.kind is PersonKind.STAFF
        else None
    )
    return ActorFacts(staff=staff, memberships=memberships, groups=groups)


def facts(
    person: PersonRef | None,
    student_facts: StudentFacts | None,
    *,
    now: dt.datetime = NOW,
    provider: EducationProvider = PROVIDER,
) -> Facts:
    return Facts(now=now, provider=provider, actor=actor_facts(person), student=student_facts)


def student_facts(
    *,
    minor: bool = True,
    expressions: Iterable[ExpressionOfWill] = (),
    withdrawals: Iterable[Withdrawal] = (),
    assessments: Iterable[CapacityAssessment] = (),
    vetoes: Iterable[GuardianVeto] = (),
    guardian_kind: str = "guardian",
    memberships: Iterable[Membership] = CASE_MEMBERSHIPS,
    contacts: Iterable[PersonRef] = (),
) -> StudentFacts:
    return StudentFacts(
        contacts=frozenset(contacts),
        institution_kind=InstitutionKind.GENERAL_UPPER_SECONDARY,  # Aino's lukio
        student=student(minor),
        guardianships=(guardianship(minor, guardian_kind),),
        case_groups=(CASE_GROUP,),
        case_memberships=tuple(memberships),
        expressions=tuple(expressions),
        withdrawals=tuple(withdrawals),
        assessments=tuple(assessments),
        vetoes=tuple(vetoes),
    )


# -- more of the world: people and relationships the access matrix also needs ---------------

REPRESENTATIVE = PersonRef(PersonKind.GUARDIAN, "pekka")
"""The legal representative (*edunvalvoja*, "muu laillinen edustaja") appointed for the
student from the 18th birthday: no one's representative while the student is a minor."""


def representation(minor: bool = True) -> Guardianship:
    born = student(minor).date_of_birth
    return Guardianship(provider_id=P, guardian_id=REPRESENTATIVE.id, student_id="aino",
                        kind="legal_representative",
                        validity=Period(start=born.replace(year=born.year + 18)))  # fmt: skip


FORMER = StaffMember(id="psy-former", provider_id=P, given_names="E", family_name="N",
                     roles={Role.PSYCHOLOGIST}, employer="wellbeing_services_county",
                     institution_ids={"ammattiopisto"})  # fmt: skip
"""A psychologist who sat in the student's expert group until moving to another institution
of the provider: the membership ended on 1 November."""
DIRECTOR = StaffMember(id="director", provider_id=P, given_names="A", family_name="T",
                       roles={Role.UNIT_DIRECTOR})  # fmt: skip
"""A member of the provider's steering group only."""
VICE = StaffMember(id="vice", provider_id=P, given_names="S", family_name="R",
                   roles={Role.TEACHER})  # fmt: skip
"""A vice principal (a teacher) the provider named to lead the institution's welfare group."""
MORE_STAFF: dict[str, StaffMember] = {s.id: s for s in (ELSEWHERE, FORMER, DIRECTOR, VICE)}

ENDED_CASE_MEMBERSHIP = Membership(
    id="case-aino.psy-former", provider_id=P, group_id=CASE_GROUP.id,
    member=staff_ref(FORMER.id), role=Role.PSYCHOLOGIST,
    validity=Period(start=YEAR.start, end=dt.date(2026, 11, 1)),
)  # fmt: skip
MORE_COMMUNAL_MEMBERSHIPS = (
    member(STEERING, staff_ref(DIRECTOR.id), Role.UNIT_DIRECTOR),
    member(WELLBEING, staff_ref(VICE.id), Role.TEACHER, "leader"),
)


def every_actor_facts(person: PersonRef | None) -> ActorFacts:
    """:func:`actor_facts` over all the staff and communal memberships, the ones added here
    too."""
    if person is None:
        return ActorFacts()
    every = (*CASE_MEMBERSHIPS, *COMMUNAL_MEMBERSHIPS, *MORE_COMMUNAL_MEMBERSHIPS)
    memberships = tuple(m for m in every if m.member == person)
    groups = tuple(g for g in (CASE_GROUP, WELLBEING, STEERING)
                   if any(m.group_id == g.id for m in memberships))  # fmt: skip
    staff = {**STAFF, **MORE_STAFF}.get(person.id) if person.kind is PersonKind.STAFF else None
    return ActorFacts(staff=staff, memberships=memberships, groups=groups)


def every_facts(
    person: PersonRef | None, student_facts: StudentFacts | None, *, now: dt.datetime = NOW
) -> Facts:
    """:func:`facts` with :func:`every_actor_facts`."""
    return Facts(now=now, provider=PROVIDER, actor=every_actor_facts(person), student=student_facts)
