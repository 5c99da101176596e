"""The demo education provider: two institutions as in the seeds, staff in every role,
students who are minors and adults, their guardians, and the welfare groups.

Identifiers are fixed, so running the demo again replaces the same objects instead of
adding new ones. Ages are computed from the day it runs, so minors stay minors.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from welfarekit.access import Action, Actor, Resource, ResourceType
from welfarekit.clock import FINLAND, today_in_finland
from welfarekit.directory import Directory
from welfarekit.kit import WelfareKit
from welfarekit.model import (
    ConsentPurpose,
    EducationProvider,
    EmployerKind,
    EvidenceMethod,
    ExpressionOfWill,
    GroupDisplayNames,
    GroupKind,
    GroupPosition,
    Guardian,
    Guardianship,
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
)
from welfarekit.model.record import EntryKind, Measure, Participant
from welfarekit.sealed import SealedRecord
from welfarekit.storage import Entity

__all__ = [
    "DEMO_PROVIDER_ID",
    "build_consent_demo",
    "build_demo",
    "build_record_demo",
    "demo_entities",
    "describe_access",
    "describe_provider",
    "describe_record",
]

DEMO_PROVIDER_ID = "harjula"
LUKIO = "harjula-lukio"
COLLEGE = "harjula-ammattiopisto"
COUNTY = EmployerKind.WELLBEING_SERVICES_COUNTY

# id, given names, family name, roles, employer, institutions, title
_STAFF: tuple[tuple[str, str, str, tuple[Role, ...], EmployerKind, tuple[str, ...], str], ...] = (
    ("helena.virtanen", "Helena", "Virtanen", (Role.PRINCIPAL,), EmployerKind.EDUCATION_PROVIDER,
     (LUKIO,), "Rehtori"),
    ("markku.laine", "Markku", "Laine", (Role.PRINCIPAL,), EmployerKind.EDUCATION_PROVIDER,
     (COLLEGE,), "Rehtori"),
    ("tiina.rantanen", "Tiina", "Rantanen", (Role.UNIT_DIRECTOR,),
     EmployerKind.EDUCATION_PROVIDER, (COLLEGE,), "Yksikönjohtaja, opiskelijapalvelut"),
    ("jari.lehtinen", "Jari", "Lehtinen", (Role.TRAINING_MANAGER,),
     EmployerKind.EDUCATION_PROVIDER, (COLLEGE,), "Koulutuspäällikkö"),
    ("sari.nieminen", "Sari", "Nieminen", (Role.STUDY_COUNSELLOR,),
     EmployerKind.EDUCATION_PROVIDER, (LUKIO, COLLEGE), "Opinto-ohjaaja"),
    ("juha.makinen", "Juha", "Mäkinen", (Role.GROUP_ADVISOR, Role.TEACHER),
     EmployerKind.EDUCATION_PROVIDER, (LUKIO,), "Lehtori"),
    ("anna.koskinen", "Anna", "Koskinen", (Role.GROUP_ADVISOR, Role.TEACHER),
     EmployerKind.EDUCATION_PROVIDER, (COLLEGE,), "Opettaja"),
    ("pekka.heikkinen", "Pekka", "Heikkinen", (Role.TEACHER,), EmployerKind.EDUCATION_PROVIDER,
     (LUKIO,), "Lehtori"),
    ("liisa.jarvinen", "Liisa", "Järvinen", (Role.SPECIAL_NEEDS_TEACHER,),
     EmployerKind.EDUCATION_PROVIDER, (LUKIO, COLLEGE), "Erityisopettaja"),
    ("heikki.karjalainen", "Heikki", "Karjalainen", (Role.OTHER_EXPERT,),
     EmployerKind.EDUCATION_PROVIDER, (COLLEGE,), "Opiskelijapalveluiden asiantuntija"),
    ("minna.lehtonen", "Minna", "Lehtonen", (Role.SCHOOL_SOCIAL_WORKER,), COUNTY,
     (LUKIO, COLLEGE), "Kuraattori"),
    ("tuomas.saarinen", "Tuomas", "Saarinen", (Role.PSYCHOLOGIST,), COUNTY, (LUKIO, COLLEGE),
     "Psykologi"),
    ("kaisa.salminen", "Kaisa", "Salminen", (Role.NURSE,), COUNTY, (LUKIO, COLLEGE),
     "Terveydenhoitaja"),
    ("olli.hamalainen", "Olli", "Hämäläinen", (Role.DOCTOR,), COUNTY, (LUKIO, COLLEGE),
     "Lääkäri"),
)  # fmt: skip

# id, given names, family name, age in years, institution, study group, municipality
_STUDENTS: tuple[tuple[str, str, str, int, str, str, str], ...] = (
    ("aino.korhonen", "Aino", "Korhonen", 16, LUKIO, "lk24a", "Jyväskylä"),
    ("eetu.makela", "Eetu", "Mäkelä", 17, LUKIO, "lk24a", "Muurame"),
    ("sofia.laaksonen", "Sofia", "Laaksonen", 18, LUKIO, "lk24a", "Jyväskylä"),
    ("veeti.hiltunen", "Veeti", "Hiltunen", 16, COLLEGE, "sah24", "Laukaa"),
    ("emma.lindqvist", "Emma", "Lindqvist", 20, COLLEGE, "sah24", "Jyväskylä"),
)

# id, given names, family name, students
_GUARDIANS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("sanna.korhonen", "Sanna", "Korhonen", ("aino.korhonen",)),
    ("mikko.korhonen", "Mikko", "Korhonen", ("aino.korhonen",)),
    ("jaana.makela", "Jaana", "Mäkelä", ("eetu.makela",)),
    ("petri.hiltunen", "Petri", "Hiltunen", ("veeti.hiltunen",)),
)

# group id, kind, institution, members: (kind, id, role, position)
_L, _M = GroupPosition.LEADER, GroupPosition.MEMBER
_GROUPS: tuple[
    tuple[str, GroupKind, str | None, tuple[tuple[PersonKind, str, Role, GroupPosition], ...]],
    ...,
] = (
    ("steering", GroupKind.STEERING, None, (
        (PersonKind.STAFF, "tiina.rantanen", Role.UNIT_DIRECTOR, _L),
        (PersonKind.STAFF, "helena.virtanen", Role.PRINCIPAL, _M),
        (PersonKind.STAFF, "markku.laine", Role.PRINCIPAL, _M),
        (PersonKind.STAFF, "jari.lehtinen", Role.TRAINING_MANAGER, _M),
        (PersonKind.STAFF, "sari.nieminen", Role.STUDY_COUNSELLOR, _M),
        (PersonKind.STAFF, "olli.hamalainen", Role.DOCTOR, _M),
        (PersonKind.STAFF, "minna.lehtonen", Role.SCHOOL_SOCIAL_WORKER, _M),
        (PersonKind.STAFF, "tuomas.saarinen", Role.PSYCHOLOGIST, _M),
        (PersonKind.STAFF, "kaisa.salminen", Role.NURSE, _M),
    )),
    ("wellbeing-lukio", GroupKind.INSTITUTION, LUKIO, (
        (PersonKind.STAFF, "helena.virtanen", Role.PRINCIPAL, _L),
        (PersonKind.STAFF, "sari.nieminen", Role.STUDY_COUNSELLOR, _M),
        (PersonKind.STAFF, "minna.lehtonen", Role.SCHOOL_SOCIAL_WORKER, _M),
        (PersonKind.STAFF, "kaisa.salminen", Role.NURSE, _M),
        (PersonKind.STAFF, "liisa.jarvinen", Role.SPECIAL_NEEDS_TEACHER, _M),
        (PersonKind.STAFF, "pekka.heikkinen", Role.TEACHER, _M),
        (PersonKind.STUDENT, "sofia.laaksonen", Role.STUDENT_MEMBER, _M),
    )),
    ("wellbeing-ammattiopisto", GroupKind.INSTITUTION, COLLEGE, (
        (PersonKind.STAFF, "jari.lehtinen", Role.TRAINING_MANAGER, _L),
        (PersonKind.STAFF, "sari.nieminen", Role.STUDY_COUNSELLOR, _M),
        (PersonKind.STAFF, "minna.lehtonen", Role.SCHOOL_SOCIAL_WORKER, _M),
        (PersonKind.STAFF, "kaisa.salminen", Role.NURSE, _M),
        (PersonKind.STAFF, "liisa.jarvinen", Role.SPECIAL_NEEDS_TEACHER, _M),
        (PersonKind.STAFF, "anna.koskinen", Role.TEACHER, _M),
        (PersonKind.STAFF, "heikki.karjalainen", Role.OTHER_EXPERT, _M),
        (PersonKind.STUDENT, "emma.lindqvist", Role.STUDENT_MEMBER, _M),
    )),
)  # fmt: skip


def _born(today: dt.date, age: int, days_past_birthday: int) -> dt.date:
    """A date of birth that makes someone ``age`` years old ``days_past_birthday`` after
    their last birthday."""
    last_birthday = today - dt.timedelta(days=days_past_birthday)
    try:
        return last_birthday.replace(year=last_birthday.year - age)
    except ValueError:  # 29 February in a common year
        return last_birthday.replace(year=last_birthday.year - age, day=28)


def test_identity_code(born: dt.date, number: int) -> str:
    """A valid personal identity code in the range reserved for testing (individual numbers
    900-999), so that the demo never holds a real person's code."""
    sign = {18: "+", 19: "-", 20: "A"}[born.year // 100]
    digits = f"{born:%d%m%y}{900 + number:03d}"
    return f"{digits[:6]}{sign}{digits[6:]}{'0123456789ABCDEFHJKLMNPRSTUVWXY'[int(digits) % 31]}"


def school_year_start(today: dt.date) -> dt.date:
    return dt.date(today.year if today.month >= 8 else today.year - 1, 8, 1)


def demo_entities(today: dt.date) -> Iterator[Entity]:
    """Every object of the demo provider, in the order their references need."""
    provider = DEMO_PROVIDER_ID
    year = Period(start=school_year_start(today))
    yield EducationProvider(
        id=provider,
        name="Harjulan koulutuskuntayhtymä (demo)",
        business_id="1234567-1",
        group_names=GroupDisplayNames(
            steering="Opiskeluhuoltoryhmä",
            institution="Hyvinvointiryhmä",
            case="Tapauskohtainen asiantuntijaryhmä",
        ),
    )
    yield Institution(
        id=LUKIO, provider_id=provider, name="Harjulan lukio",
        kind=InstitutionKind.GENERAL_UPPER_SECONDARY,
    )  # fmt: skip
    yield Institution(
        id=COLLEGE, provider_id=provider, name="Harjulan ammattiopisto",
        kind=InstitutionKind.VOCATIONAL,
    )  # fmt: skip
    for staff_id, given, family, roles, employer, institutions, title in _STAFF:
        yield StaffMember(
            id=staff_id, provider_id=provider, given_names=given, family_name=family,
            roles=roles, employer=employer, institution_ids=institutions, title=title,
            email=f"{staff_id}@harjula.example",
        )  # fmt: skip
    yield StudyGroup(
        id="lk24a", provider_id=provider, institution_id=LUKIO, name="LK24A",
        advisor_id="juha.makinen",
    )  # fmt: skip
    yield StudyGroup(
        id="sah24", provider_id=provider, institution_id=COLLEGE,
        name="SÄH24 (sähkö- ja automaatioala)", advisor_id="anna.koskinen",
    )  # fmt: skip
    born: dict[str, dt.date] = {}
    for number, (student_id, given, family, age, institution, group, town) in enumerate(_STUDENTS):
        born[student_id] = _born(today, age, 30 + 47 * number)
        yield Student(
            id=student_id, provider_id=provider, institution_id=institution,
            given_names=given, family_name=family, date_of_birth=born[student_id],
            home_municipality=town, study_group_id=group,
            personal_identity_code=test_identity_code(born[student_id], number),
        )  # fmt: skip
    for guardian_id, given, family, children in _GUARDIANS:
        yield Guardian(
            id=guardian_id, provider_id=provider, given_names=given, family_name=family,
            email=f"{guardian_id}@koti.example", phone="+358 40 123 4567",
        )  # fmt: skip
        for student_id in children:
            yield Guardianship(
                provider_id=provider, guardian_id=guardian_id, student_id=student_id,
                validity=Period(start=born[student_id]),
            )  # fmt: skip
    for group_id, kind, group_institution, members in _GROUPS:
        yield WelfareGroup(
            id=group_id, provider_id=provider, kind=kind, institution_id=group_institution
        )
        for person_kind, person_id, role, position in members:
            yield Membership(
                id=f"{group_id}.{person_id}", provider_id=provider, group_id=group_id,
                member=PersonRef(person_kind, person_id), role=role, position=position,
                validity=year,
            )  # fmt: skip


def build_demo(kit: WelfareKit, today: dt.date | None = None) -> int:
    """Create (or refresh) the demo provider; returns the number of objects written."""
    kit.upgrade_schema()
    entities = list(demo_entities(today or today_in_finland()))
    kit.directory("demo").put(*entities)
    return len(entities)


def _role_name(role: Role) -> str:
    return role.value.replace("_", " ")


def describe_provider(directory: Directory, provider_id: str, today: dt.date) -> str:
    """A readable account of a provider as stored: institutions, study groups with their
    students and guardians, staff, and the welfare groups with their members."""
    d = directory
    provider = d.get(EducationProvider, provider_id, provider_id)
    staff = {s.id: s for s in d.list(StaffMember, provider_id)}
    students = {s.id: s for s in d.list(Student, provider_id)}
    guardians = {g.id: g for g in d.list(Guardian, provider_id)}
    institutions = {i.id: i for i in d.list(Institution, provider_id)}
    lines = [
        f"Education provider: {provider.name}"
        + (f" (business ID {provider.business_id})" if provider.business_id else ""),
        f"  Register tasks are handled by the {_role_name(provider.register_responsible_role)}.",
        "",
        "Institutions, study groups and students",
    ]
    for institution in institutions.values():
        kind = institution.kind.value.replace("_", " ")
        lines.append(f"  {institution.name} ({kind})")
        for group in d.list(StudyGroup, provider_id, institution_id=institution.id):
            advisor = staff[group.advisor_id].full_name if group.advisor_id else "no advisor"
            lines.append(f"    Study group {group.name}, group advisor {advisor}")
            for student in d.list(Student, provider_id, study_group_id=group.id):
                age = student.age_on(today)
                status = "minor" if student.is_minor_on(today) else "adult"
                links = d.list(Guardianship, provider_id, student_id=student.id)
                names = ", ".join(guardians[g.guardian_id].full_name for g in links)
                lines.append(
                    f"      {student.full_name}, {age} ({status}), {student.home_municipality}"
                    + (f"; guardians: {names}" if names else "")
                )
    lines += ["", f"Staff ({len(staff)})"]
    for member in staff.values():
        roles = ", ".join(sorted(_role_name(r) for r in member.roles))
        employer = (
            "wellbeing services county"
            if member.employer is EmployerKind.WELLBEING_SERVICES_COUNTY
            else "education provider"
        )
        lines.append(f"  {member.full_name}: {roles} ({employer})")
    lines += ["", "Welfare groups"]
    group_names = {
        GroupKind.STEERING: provider.group_names.steering,
        GroupKind.INSTITUTION: provider.group_names.institution,
        GroupKind.CASE: provider.group_names.case,
    }
    for welfare_group in d.list(WelfareGroup, provider_id):
        where = (
            institutions[welfare_group.institution_id].name
            if welfare_group.institution_id
            else "the whole provider"
        )
        lines.append(f"  {welfare_group.name or group_names[welfare_group.kind]}: {where}")
        memberships = d.list(Membership, provider_id, group_id=welfare_group.id)
        # the leader first, then by role, as a school lists its group
        memberships.sort(key=lambda m: (m.position is not GroupPosition.LEADER, m.role.value))
        for membership in memberships:
            person = membership.member
            who = (
                staff[person.id].full_name
                if person.kind is PersonKind.STAFF
                else students[person.id].full_name
                if person.kind is PersonKind.STUDENT
                else str(person)
            )
            position = (
                f", {membership.position.value.replace('_', ' ')}"
                if membership.position is not GroupPosition.MEMBER
                else ""
            )
            lines.append(f"    {who}: {_role_name(membership.role)}{position}")
    return "\n".join(lines)


# -- consent and access -----------------------------------------------------------------------

_CASE = "case-aino"


def _recorded(kit: WelfareKit, kind: type[Entity], record_id: str) -> bool:
    with kit.storage.transaction() as tx:
        return tx.get(kind, DEMO_PROVIDER_ID, record_id) is not None


def build_consent_demo(kit: WelfareKit, now: dt.datetime) -> None:
    """Aino's expert group formed with her consent, Eetu's § 18(2) veto against his guardian,
    and a guardian for Sofia, who has turned 18. Records of will are never replaced, so a
    second run finds them and adds nothing."""
    today = today_in_finland(now)
    p = DEMO_PROVIDER_ID
    staff = {s: PersonRef(PersonKind.STAFF, s) for s in ("minna.lehtonen", "tuomas.saarinen")}
    born = {s.id: s.date_of_birth for s in kit.directory("demo").list(Student, p)}
    kit.directory("demo").put(
        WelfareGroup(id=_CASE, provider_id=p, kind=GroupKind.CASE, institution_id=LUKIO,
                     student_id="aino.korhonen"),
        Membership(id=f"{_CASE}.minna.lehtonen", provider_id=p, group_id=_CASE,
                   member=staff["minna.lehtonen"], role=Role.SCHOOL_SOCIAL_WORKER,
                   position=GroupPosition.RESPONSIBLE_PERSON,
                   validity=Period(start=school_year_start(today))),
        Membership(id=f"{_CASE}.tuomas.saarinen", provider_id=p, group_id=_CASE,
                   member=staff["tuomas.saarinen"], role=Role.PSYCHOLOGIST,
                   validity=Period(start=school_year_start(today))),
        Guardian(id="leena.laaksonen", provider_id=p, given_names="Leena",
                 family_name="Laaksonen", email="leena.laaksonen@koti.example"),
        Guardianship(provider_id=p, guardian_id="leena.laaksonen",
                     student_id="sofia.laaksonen", validity=Period(start=born["sofia.laaksonen"])),
    )  # fmt: skip
    aino = PersonRef(PersonKind.STUDENT, "aino.korhonen")
    if not _recorded(kit, ExpressionOfWill, "demo-consent-aino"):
        kit.session(Actor(provider_id=p, person=aino), now=now).record_expression_of_will(
            student_id="aino.korhonen", grantor=aino, kind=WillKind.CONSENT,
            purpose=ConsentPurpose.FORM_EXPERT_GROUP, group_id=_CASE,
            covers_roles={Role.SCHOOL_SOCIAL_WORKER, Role.PSYCHOLOGIST},
            validity=Period(start=today), method=EvidenceMethod.ELECTRONIC,
            record_id="demo-consent-aino",
        )  # fmt: skip
    if not _recorded(kit, GuardianVeto, "demo-veto-eetu"):
        kit.session(Actor(provider_id=p, person=staff["minna.lehtonen"]), now=now
                    ).record_guardian_veto(
            student_id="eetu.makela", participation=True, access=True,
            method=EvidenceMethod.ORAL, veto_id="demo-veto-eetu",
        )  # fmt: skip


_ASKS: tuple[tuple[str, PersonKind, str, str], ...] = (
    ("Aino Korhonen", PersonKind.STUDENT, "aino.korhonen", "aino.korhonen"),
    ("Sanna Korhonen (her guardian)", PersonKind.GUARDIAN, "sanna.korhonen", "aino.korhonen"),
    ("Minna Lehtonen (kuraattori, responsible person)", PersonKind.STAFF, "minna.lehtonen",
     "aino.korhonen"),
    ("Tuomas Saarinen (psychologist, in the group)", PersonKind.STAFF, "tuomas.saarinen",
     "aino.korhonen"),
    ("Juha Mäkinen (her group advisor)", PersonKind.STAFF, "juha.makinen", "aino.korhonen"),
    ("Helena Virtanen (principal)", PersonKind.STAFF, "helena.virtanen", "aino.korhonen"),
    ("Jaana Mäkelä, about Eetu (§ 18(2) veto)", PersonKind.GUARDIAN, "jaana.makela",
     "eetu.makela"),
    ("Leena Laaksonen, about Sofia (now 18)", PersonKind.GUARDIAN, "leena.laaksonen",
     "sofia.laaksonen"),
)  # fmt: skip


def describe_access(kit: WelfareKit, now: dt.datetime) -> str:
    """Who may read each student's welfare record, as the rules decide it now."""
    lines = [
        "Consent and access: who may read the welfare record (the rules decide)",
        "  Aino consented to an expert group of the school social worker and the psychologist;",
        "  Eetu forbade his guardian's participation and access (§ 18(2)), assessed by the "
        "kuraattori.",
    ]
    for label, kind, person_id, student_id in _ASKS:
        session = kit.session(
            Actor(provider_id=DEMO_PROVIDER_ID, person=PersonRef(kind, person_id)), now=now
        )
        record = Resource(type=ResourceType.WELFARE_RECORD, provider_id=DEMO_PROVIDER_ID,
                          student_id=student_id)  # fmt: skip
        decision = session.decide(Action.READ, record)
        verdict = "yes" if decision.allowed else "no "
        reason = decision.reason.removeprefix("allowed as ").removeprefix("denied: ")
        lines.append(f"  {verdict} {label}: {reason}")
    return "\n".join(lines)


# -- the welfare record ----------------------------------------------------------------------

_RECORD = "demo-record-aino"
_YOUTH_CENTRE = "Harjun nuorisoasema"


def build_record_demo(kit: WelfareKit, now: dt.datetime) -> None:
    """Aino's record: the kuraattori (the group's responsible person) opens it, writes the
    meeting's handling and the plan of measures. Sealed; a second run adds nothing."""
    if _recorded(kit, SealedRecord, _RECORD):
        return
    today = today_in_finland(now)
    minna = kit.session(
        Actor(provider_id=DEMO_PROVIDER_ID, person=PersonRef(PersonKind.STAFF, "minna.lehtonen")),
        now=now,
    )
    minna.open_record(
        student_id="aino.korhonen", group_id=_CASE, record_id=_RECORD,
        subject="Poissaolojen lisääntyminen", initiator="ryhmänohjaaja Juha Mäkinen",
        background="Poissaolot ovat lisääntyneet syyslukukaudella; Aino toivoi tukea.",
    )  # fmt: skip
    minna.add_entry(
        record_id=_RECORD, kind=EntryKind.MEETING, event_date=today, entry_id=f"{_RECORD}-1",
        text="Käytiin läpi Ainon tilanne ja toiveet. Sovittiin tukitoimista yhdessä.",
        participants=[Participant(name="Aino Korhonen", position="opiskelija"),
                      Participant(name="Minna Lehtonen", position="kuraattori"),
                      Participant(name="Tuomas Saarinen", position="psykologi")],
    )  # fmt: skip
    aino = kit.session(
        Actor(provider_id=DEMO_PROVIDER_ID, person=PersonRef(PersonKind.STUDENT, "aino.korhonen")),
        now=now,
    )
    aino.record_expression_of_will(
        student_id="aino.korhonen", grantor=aino.actor.person, kind=WillKind.CONSENT,
        purpose=ConsentPurpose.DISCLOSURE, recipient=_YOUTH_CENTRE,
        validity=Period(start=today), method=EvidenceMethod.WRITTEN, written_and_specific=True,
        record_id="demo-disclosure-consent-aino",
    )  # fmt: skip
    minna.add_entry(
        record_id=_RECORD, kind=EntryKind.PLAN, event_date=today, entry_id=f"{_RECORD}-2",
        text="Tukitoimet ja seuranta.",
        measures=[Measure(measure="Tapaamiset kuraattorin kanssa joka toinen viikko",
                          responsible="Minna Lehtonen", follow_up_by="Tuomas Saarinen",
                          due=today + dt.timedelta(days=42))],
    )  # fmt: skip
    minna.disclose(record_id=_RECORD, what="tukitoimien suunnitelma", recipient=_YOUTH_CENTRE,
                   disclosure_id="demo-disclosure-aino")  # fmt: skip
    aino.request_subject_access("aino.korhonen", request_id="demo-request-aino")


def record_student_born(kit: WelfareKit) -> dt.date:
    return kit.directory("demo").get(Student, DEMO_PROVIDER_ID, "aino.korhonen").date_of_birth


def describe_record(kit: WelfareKit, now: dt.datetime) -> str:
    """Aino's record as the psychologist in her group reads it, and the audit trail."""
    from welfarekit.audit_chain import verify

    tuomas = kit.session(
        Actor(provider_id=DEMO_PROVIDER_ID, person=PersonRef(PersonKind.STAFF, "tuomas.saarinen")),
        now=now,
    )
    timeline = tuomas.timeline(_RECORD)
    record = timeline.record
    lines = [
        "Aino's welfare record (opiskeluhuoltokertomus), as Tuomas Saarinen reads it",
        f"  Subject: {record.subject}; brought up by {record.initiator}",
    ]
    for entry in timeline.current:
        lines.append(f"  {entry.event_date.isoformat()} {entry.kind.value}, "
                     f"{entry.author_title}: {entry.text}")  # fmt: skip
        lines += [f"    present: {p.name} ({p.position})" for p in entry.participants]
        lines += [f"    measure: {m.measure}; {m.responsible}, follow-up {m.follow_up_by}"
                  for m in entry.measures]  # fmt: skip
    lines += [
        f"  Disclosed (§ 20(5)): {d.what} to {d.recipient}, on Aino's written consent"
        for d in timeline.disclosures
    ]
    lines.append("  Stored sealed: the database holds only ciphertext of the record's content.")
    code = test_identity_code(record_student_born(kit), 0)
    found = kit.directory("demo").find_student_by_identity_code(DEMO_PROVIDER_ID, code)
    lines.append(
        "  Identity codes are sealed too; found by the blind index: "
        + (found.full_name if found else "nobody")
    )
    aino = kit.session(
        Actor(provider_id=DEMO_PROVIDER_ID, person=PersonRef(PersonKind.STUDENT, "aino.korhonen")),
        now=now,
    )
    accesses = aino.access_report("aino.korhonen")
    lines += [
        "",
        f"Who accessed Aino's data (her access report, {len(accesses)} events; the last):",
    ]
    lines += [f"  {e.at.astimezone(FINLAND):%Y-%m-%d %H:%M} {e.who} {e.action} {e.outcome}: "
              f"{e.role}" for e in accesses[-3:]]  # fmt: skip
    principal = kit.session(
        Actor(provider_id=DEMO_PROVIDER_ID, person=PersonRef(PersonKind.STAFF, "helena.virtanen")),
        now=now,
    )
    for request in principal.access_requests():
        lines.append(f"Aino asked for a copy of her data: due {request.due_on.isoformat()}")
    copy = aino.export_subject_data("aino.korhonen")
    lines.append(
        f"Her copy: {len(copy.records)} record(s), {len(copy.to_json())} characters of JSON "
        "and an HTML page (welfarekit export)"
    )
    with kit.storage.transaction() as tx:
        entries = tx.audit_entries(DEMO_PROVIDER_ID)
    report = verify(entries)
    lines += [
        "",
        f"Audit trail: {report.checked} events, hash chain "
        + ("intact" if report else f"BROKEN at {report.first_broken}"),
    ]
    return "\n".join(lines)
