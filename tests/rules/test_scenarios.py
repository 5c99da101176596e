"""Named scenarios from the seeds and the law, end to end through ``Session(actor)`` on the
in-memory reference storage."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from builders import CASE_GROUP, CASE_MEMBERSHIPS, COMMUNAL_MEMBERSHIPS, STAFF, STEERING, WELLBEING

import welfarekit
from welfarekit import (
    AccessDenied,
    Action,
    Actor,
    ConsentRequired,
    EducationProvider,
    Guardian,
    Guardianship,
    Institution,
    IntegrityError,
    Period,
    PersonKind,
    PersonRef,
    Resource,
    ResourceType,
    Role,
    Settings,
    Student,
    WelfareKit,
)
from welfarekit.clock import FINLAND
from welfarekit.rules import LegalBasis

P = "p1"
NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=FINLAND)
YEAR = Period(start=dt.date(2026, 8, 1))
AINO = PersonRef(PersonKind.STUDENT, "aino")
SANNA = PersonRef(PersonKind.GUARDIAN, "sanna")
PSY = PersonRef(PersonKind.STAFF, "psy")
KURAATTORI = PersonRef(PersonKind.STAFF, "kuraattori")
TEACHER = PersonRef(PersonKind.STAFF, "teacher")


def aino(born: dt.date) -> Student:
    return Student(id="aino", provider_id=P, institution_id="lukio", given_names="Aino",
                   family_name="Korhonen", date_of_birth=born, home_municipality="Jyväskylä")  # fmt: skip


@pytest.fixture
def audit() -> list[welfarekit.AuditEvent]:
    return []


def open_kit(born: dt.date, audit: list[welfarekit.AuditEvent], *plugins: object) -> WelfareKit:
    class Sink:
        @welfarekit.hookimpl
        def welfarekit_audit_event(self, event: welfarekit.AuditEvent) -> None:
            audit.append(event)

    kit = WelfareKit.open(
        Settings(database_url="memory://", plugins=()), plugins=[Sink(), *plugins]
    )
    kit.directory("sync").put(
        EducationProvider(id=P, name="Harjula"),
        Institution(id="lukio", provider_id=P, name="Lukio", kind="general_upper_secondary"),
        *STAFF.values(),
        aino(born),
        Guardian(id="sanna", provider_id=P, given_names="Sanna", family_name="Korhonen"),
        Guardianship(provider_id=P, guardian_id="sanna", student_id="aino", validity=Period(start=born)),
        CASE_GROUP, WELLBEING, STEERING,
        *CASE_MEMBERSHIPS, *COMMUNAL_MEMBERSHIPS,
    )  # fmt: skip
    return kit


@pytest.fixture
def kit(audit: list[welfarekit.AuditEvent]) -> Iterator[WelfareKit]:
    with open_kit(dt.date(2010, 3, 1), audit) as opened:  # Aino is 16
        yield opened


def as_(kit: WelfareKit, person: PersonRef, now: dt.datetime = NOW) -> welfarekit.Session:
    return kit.session(Actor(provider_id=P, person=person), now=now)


RECORD = Resource(type=ResourceType.WELFARE_RECORD, provider_id=P, student_id="aino")


def consent_to_group(
    kit: WelfareKit, grantor: PersonRef = AINO, recorder: PersonRef = AINO
) -> None:
    as_(kit, recorder, NOW - dt.timedelta(days=3)).record_expression_of_will(
        student_id="aino", grantor=grantor, kind="consent", purpose="form_expert_group",
        group_id="case-aino", covers_roles={Role.PSYCHOLOGIST, Role.SCHOOL_SOCIAL_WORKER},
        validity=YEAR, method="electronic", record_id="form",
    )  # fmt: skip


def test_expert_group_member_reads_only_with_the_students_consent(kit: WelfareKit) -> None:
    with pytest.raises(AccessDenied, match="no consent in force for form expert group"):
        as_(kit, PSY).require(Action.READ, RECORD)
    consent_to_group(kit)
    decision = as_(kit, PSY).require(Action.READ, RECORD)
    assert "§ 14(4)" in (decision.basis or "")


def test_sixteen_year_old_forbids_the_guardian_and_the_guardians_read_is_denied(
    kit: WelfareKit,
) -> None:
    assert as_(kit, SANNA).decide(Action.READ, RECORD).allowed
    as_(kit, KURAATTORI).record_guardian_veto(
        student_id="aino", participation=True, access=True, method="oral", veto_id="veto"
    )
    with pytest.raises(AccessDenied) as denied:
        as_(kit, SANNA).require(Action.READ, RECORD)
    assert "§ 18(2)" in str(denied.value)
    assert denied.value.decision.actor.person == SANNA
    # lifted by the student, access returns from then on
    as_(kit, AINO).withdraw(student_id="aino", record_id="veto", method="electronic")
    assert as_(kit, SANNA).decide(Action.READ, RECORD).allowed


def test_only_a_social_or_health_professional_records_a_veto(kit: WelfareKit) -> None:
    with pytest.raises(AccessDenied, match="being a teacher gives no access"):
        as_(kit, TEACHER).record_guardian_veto(
            student_id="aino", participation=True, access=False, method="oral"
        )
    # a teacher sitting in the student's expert group may record expressions of will, but
    # a § 18(2) veto only a social or health care professional assesses
    kit.directory("sync").put(
        welfarekit.Membership(id="case-aino.teacher", provider_id=P, group_id="case-aino",
                              member=TEACHER, role=Role.TEACHER, validity=YEAR)
    )  # fmt: skip
    with pytest.raises(IntegrityError, match="social or health care professional"):
        as_(kit, TEACHER).record_guardian_veto(
            student_id="aino", participation=True, access=False, method="oral"
        )


def test_guardian_of_an_adult_loses_access_on_the_birthday(
    audit: list[welfarekit.AuditEvent],
) -> None:
    born = dt.date(2008, 11, 24)  # 18 tomorrow
    with open_kit(born, audit) as kit:
        assert as_(kit, SANNA).decide(Action.READ, RECORD).allowed
        birthday = dt.datetime(2026, 11, 24, 0, 1, tzinfo=FINLAND)
        denied = as_(kit, SANNA, birthday).decide(Action.READ, RECORD)
        assert not denied.allowed
        assert "turned 18 on 2026-11-24" in denied.reason
        # the adult student lets the guardian see again
        as_(kit, AINO, birthday).record_expression_of_will(
            student_id="aino", grantor=AINO, kind="consent", purpose="guardian_access",
            covers={SANNA}, validity=Period(start=birthday.date()), method="electronic",
        )  # fmt: skip
        later = birthday + dt.timedelta(hours=1)
        assert as_(kit, SANNA, later).decide(Action.READ, RECORD).allowed


def test_outside_youth_worker_without_written_consent_is_refused(kit: WelfareKit) -> None:
    consent_to_group(kit)
    youth_worker = PersonRef(PersonKind.EXTERNAL, "youth-worker")
    group = Resource(
        type=ResourceType.GROUP, provider_id=P, student_id="aino", group_id="case-aino"
    )
    # the external actor is unknown to the directory: a decision on facts alone
    from builders import facts as make_facts

    session = kit.session(Actor(provider_id=P, person=youth_worker), now=NOW)
    denied = session.decide(Action.READ, group)
    assert not denied.allowed
    assert "specific written consent" in denied.reason
    with pytest.raises(welfarekit.InvalidValue, match="must be specific and written"):
        as_(kit, AINO).record_expression_of_will(
            student_id="aino", grantor=AINO, kind="consent", purpose="outside_participant",
            group_id="case-aino", covers={youth_worker}, validity=YEAR, method="oral",
        )  # fmt: skip
    as_(kit, AINO).record_expression_of_will(
        student_id="aino", grantor=AINO, kind="consent", purpose="outside_participant",
        group_id="case-aino", covers={youth_worker}, validity=YEAR, method="written",
        written_and_specific=True,
    )  # fmt: skip
    assert session.decide(Action.READ, group).allowed
    assert make_facts is not None


def test_child_welfare_notification_goes_through_despite_a_refusal(
    audit: list[welfarekit.AuditEvent],
) -> None:
    class RefuseDisclosures:
        @welfarekit.hookimpl
        def welfarekit_veto(self, actor: Actor, action: Action, resource: Resource) -> str | None:
            return "this school forbids all disclosures" if action is Action.DISCLOSE else None

    with open_kit(dt.date(2010, 3, 1), audit, RefuseDisclosures()) as kit:
        as_(kit, AINO).record_expression_of_will(
            student_id="aino", grantor=AINO, kind="refusal", purpose="disclosure",
            recipient="Lastensuojelu", validity=YEAR, method="electronic",
        )  # fmt: skip
        as_(kit, KURAATTORI).record_guardian_veto(
            student_id="aino", participation=True, access=True, method="oral"
        )
        disclosure = RECORD.__class__(type=ResourceType.WELFARE_RECORD, provider_id=P,
                                      student_id="aino", recipient="Lastensuojelu")  # fmt: skip
        teacher = as_(kit, TEACHER)
        decision = teacher.require(
            Action.DISCLOSE, disclosure, basis=LegalBasis.CHILD_WELFARE_NOTIFICATION
        )
        assert decision.legal_basis is LegalBasis.CHILD_WELFARE_NOTIFICATION
        assert decision.basis == "Lastensuojelulaki 417/2007 25 §"
        # an ordinary disclosure by the same teacher is refused
        assert not teacher.decide(Action.DISCLOSE, disclosure).allowed
    disclosures = [e for e in audit if e.action == "welfare_record.disclose"]
    assert [e.outcome.value for e in disclosures] == ["success", "denied"]


def test_guardian_cannot_overrule_a_capable_minor(kit: WelfareKit) -> None:
    consent_to_group(kit)
    with pytest.raises(IntegrityError, match="guardian:sanna: the student's own consent counts"):
        as_(kit, SANNA).record_expression_of_will(
            student_id="aino", grantor=SANNA, kind="refusal", purpose="form_expert_group",
            group_id="case-aino", validity=YEAR, method="electronic",
        )  # fmt: skip
    # the student's consent still stands (§ 18(3): a guardian cannot block services)
    assert as_(kit, PSY).decide(Action.READ, RECORD).allowed


def test_consent_required_names_whose_consent_after_a_capacity_assessment(kit: WelfareKit) -> None:
    earlier = NOW - dt.timedelta(days=10)
    as_(kit, PSY, earlier).record_capacity_assessment(student_id="aino", can_assess=False)
    with pytest.raises(ConsentRequired) as needed:
        as_(kit, PSY).require_consent(student_id="aino", purpose="form_expert_group",
                                      group_id="case-aino")  # fmt: skip
    assert needed.value.requirement.grantors == (SANNA,)
    assert "consent of guardian:sanna" in str(needed.value)
    with pytest.raises(ConsentRequired, match="consent of guardian:sanna"):
        consent_to_group(kit, grantor=AINO, recorder=AINO)
    consent_to_group(kit, grantor=SANNA, recorder=SANNA)
    will = as_(kit, PSY).require_consent(student_id="aino", purpose="form_expert_group",
                                         group_id="case-aino")  # fmt: skip
    assert will.grantor == SANNA


def test_withdrawal_stops_processing_but_erases_nothing(kit: WelfareKit) -> None:
    consent_to_group(kit)
    as_(kit, AINO).withdraw(student_id="aino", record_id="form", method="electronic")
    denied = as_(kit, PSY).decide(Action.READ, RECORD)
    assert not denied.allowed
    history = as_(kit, AINO).will_history("aino")
    assert [e.id for e in history.expressions] == ["form"]
    assert [w.withdraws for w in history.withdrawals] == ["form"]
    with pytest.raises(IntegrityError, match="withdrawn already"):
        as_(kit, AINO).withdraw(student_id="aino", record_id="form", method="electronic")


def test_teacher_advisor_principal_and_wellbeing_member_see_nothing_by_role(
    kit: WelfareKit,
) -> None:
    consent_to_group(kit)
    for staff_id in ("teacher", "advisor", "principal", "senior"):
        decision = as_(kit, PersonRef(PersonKind.STAFF, staff_id)).decide(Action.READ, RECORD)
        assert not decision.allowed, staff_id
        assert "gives no access" in decision.reason


def test_principal_manages_the_register_without_reading_it(kit: WelfareKit) -> None:
    principal = as_(kit, PersonRef(PersonKind.STAFF, "principal"))
    assert principal.decide(Action.MANAGE, RECORD).allowed
    assert not principal.decide(Action.READ, RECORD).allowed
    log = Resource(type=ResourceType.AUDIT_LOG, provider_id=P)
    assert principal.decide(Action.READ, log).allowed


def test_records_of_will_are_never_overwritten(kit: WelfareKit) -> None:
    consent_to_group(kit)
    with pytest.raises(IntegrityError, match="never replaced"):
        consent_to_group(kit)


def test_student_and_guardian_record_only_their_own_will(kit: WelfareKit) -> None:
    with pytest.raises(IntegrityError, match="only their own will"):
        consent_to_group(kit, grantor=AINO, recorder=SANNA)


def test_every_decision_is_audited_including_refusals(
    kit: WelfareKit, audit: list[welfarekit.AuditEvent]
) -> None:
    audit.clear()
    as_(kit, TEACHER).decide(Action.READ, RECORD)
    as_(kit, AINO).decide(Action.READ, RECORD)
    assert [(e.actor, e.action, e.outcome.value) for e in audit] == [
        ("staff:teacher", "welfare_record.read", "denied"),
        ("student:aino", "welfare_record.read", "success"),
    ]
    assert "gives no access" in (audit[0].reason or "")


def test_unknown_person_is_denied(kit: WelfareKit) -> None:
    ghost = as_(kit, PersonRef(PersonKind.STAFF, "ghost"))
    decision = ghost.decide(Action.READ, RECORD)
    assert not decision.allowed
    assert "unknown to the directory" in decision.reason


def test_other_provider_is_never_reached(kit: WelfareKit) -> None:
    other = Resource(type=ResourceType.WELFARE_RECORD, provider_id="p2", student_id="aino")
    decision = as_(kit, AINO).decide(Action.READ, other)
    assert not decision.allowed
    assert "tenant" in decision.reason


# -- plugins narrow, never widen -----------------------------------------------------------


def test_veto_plugin_narrows_with_its_reason(audit: list[welfarekit.AuditEvent]) -> None:
    class StrongAuthOnly:
        @welfarekit.hookimpl
        def welfarekit_veto(self, actor: Actor, action: Action, resource: Resource) -> str | None:
            if actor.authentication_level < welfarekit.AuthenticationLevel.STRONG:
                return "welfare data needs strong authentication"
            return None

    with open_kit(dt.date(2010, 3, 1), audit, StrongAuthOnly()) as kit:
        weak = kit.session(Actor(provider_id=P, person=AINO), now=NOW)
        with pytest.raises(AccessDenied, match="strong authentication") as denied:
            weak.require(Action.READ, RECORD)
        assert denied.value.decision.vetoed_by is not None
        strong = kit.session(
            Actor(provider_id=P, person=AINO, authentication_level="strong"), now=NOW
        )
        assert strong.decide(Action.READ, RECORD).allowed


def test_plugin_saying_allow_cannot_grant(audit: list[welfarekit.AuditEvent]) -> None:
    class TriesToGrant:
        @welfarekit.hookimpl
        def welfarekit_veto(self, actor: Actor, action: Action, resource: Resource) -> object:
            return True  # not a reason: treated as a refusal, never as a grant

    with open_kit(dt.date(2010, 3, 1), audit, TriesToGrant()) as kit:
        assert not as_(kit, TEACHER).decide(Action.READ, RECORD).allowed
        assert not as_(kit, AINO).decide(Action.READ, RECORD).allowed


def test_failing_policy_plugin_fails_closed(audit: list[welfarekit.AuditEvent]) -> None:
    class Broken:
        @welfarekit.hookimpl
        def welfarekit_veto(self, actor: Actor, action: Action, resource: Resource) -> str | None:
            raise RuntimeError("policy service down")

    with open_kit(dt.date(2010, 3, 1), audit, Broken()) as kit:
        decision = as_(kit, AINO).decide(Action.READ, RECORD)
        assert not decision.allowed
        assert "policy plugin failed (RuntimeError)" in decision.reason


# -- relationships the audit of the rules engine asked for ----------------------------------

ELSEWHERE_PSY = PersonRef(PersonKind.STAFF, "psy-college")
GROUP = Resource(type=ResourceType.GROUP, provider_id=P, student_id="aino", group_id="case-aino")


def add_college_psychologist(kit: WelfareKit) -> None:
    """A psychologist who serves only the provider's vocational college, not Aino's lukio."""
    kit.directory("sync").put(
        Institution(id="college", provider_id=P, name="Ammattiopisto", kind="vocational"),
        welfarekit.StaffMember(id="psy-college", provider_id=P, given_names="Olli",
                               family_name="Oja", roles={Role.PSYCHOLOGIST},
                               employer="wellbeing_services_county",
                               institution_ids={"college"}),
    )  # fmt: skip


def test_a_professional_at_another_institution_records_nothing_of_the_student(
    kit: WelfareKit,
) -> None:
    # § 22(2): the role alone opens no student's matters; working with the student does
    add_college_psychologist(kit)
    consent_to_group(kit)
    college = as_(kit, ELSEWHERE_PSY)
    with pytest.raises(AccessDenied, match="only when working with the student"):
        college.record_guardian_veto(student_id="aino", participation=True, access=True,
                                     method="oral")  # fmt: skip
    with pytest.raises(AccessDenied, match="only when working with the student"):
        college.record_capacity_assessment(student_id="aino", can_assess=False)
    with pytest.raises(AccessDenied, match="only when working with the student"):
        college.withdraw(student_id="aino", record_id="form", method="oral", withdrawn_by=AINO)
    assert as_(kit, PSY).decide(Action.READ, RECORD).allowed  # the group still stands


def test_a_booking_with_the_student_lets_a_professional_record_the_students_will(
    kit: WelfareKit,
) -> None:
    add_college_psychologist(kit)
    start = NOW + dt.timedelta(days=1)
    as_(kit, ELSEWHERE_PSY).publish_availability(
        service=Role.PSYCHOLOGIST, starts_at=start, ends_at=start + dt.timedelta(hours=1),
        slot_id="slot-1")  # fmt: skip
    as_(kit, AINO).book("slot-1", student_id="aino")
    veto = as_(kit, ELSEWHERE_PSY).record_guardian_veto(
        student_id="aino", participation=True, access=True, method="oral")  # fmt: skip
    assert veto.assessed_by == ELSEWHERE_PSY
    assert not as_(kit, SANNA).decide(Action.READ, RECORD).allowed


def test_staff_record_a_withdrawal_in_the_name_of_whose_will_it_is(kit: WelfareKit) -> None:
    consent_to_group(kit)
    with pytest.raises(IntegrityError, match="name whose will it is"):
        as_(kit, KURAATTORI).withdraw(student_id="aino", record_id="form", method="oral")
    with pytest.raises(IntegrityError, match="cannot withdraw it"):  # not the guardian's will
        as_(kit, KURAATTORI).withdraw(student_id="aino", record_id="form", method="oral",
                                      withdrawn_by=SANNA)  # fmt: skip
    assert as_(kit, PSY).decide(Action.READ, RECORD).allowed  # nothing was written
    withdrawal = as_(kit, KURAATTORI).withdraw(student_id="aino", record_id="form",
                                               method="oral", withdrawn_by=AINO)  # fmt: skip
    assert withdrawal.by == AINO
    assert withdrawal.evidence.recorded_by == KURAATTORI
    assert not as_(kit, PSY).decide(Action.READ, RECORD).allowed


def test_a_student_or_guardian_withdraws_only_their_own_will(kit: WelfareKit) -> None:
    consent_to_group(kit)
    with pytest.raises(IntegrityError, match="only their own will"):
        as_(kit, SANNA).withdraw(student_id="aino", record_id="form", method="electronic",
                                 withdrawn_by=AINO)  # fmt: skip
    with pytest.raises(IntegrityError, match="cannot withdraw it"):  # the student decides
        as_(kit, SANNA).withdraw(student_id="aino", record_id="form", method="electronic")
    assert as_(kit, PSY).decide(Action.READ, RECORD).allowed


def test_a_guardian_cannot_cancel_the_students_own_booking(kit: WelfareKit) -> None:
    # § 18(3): a guardian cannot forbid a minor's use of welfare services
    start = NOW + dt.timedelta(days=1)
    for n in (1, 2):
        as_(kit, PSY).publish_availability(
            service=Role.PSYCHOLOGIST, starts_at=start + dt.timedelta(hours=n),
            ends_at=start + dt.timedelta(hours=n, minutes=45), slot_id=f"slot-{n}")  # fmt: skip
    own = as_(kit, AINO).book("slot-1", student_id="aino").booking
    with pytest.raises(AccessDenied, match=r"cannot forbid a minor's use of welfare services \(OHL § 18\(3\)\)"):  # fmt: skip
        as_(kit, SANNA).cancel_booking(own.id)
    with pytest.raises(AccessDenied, match=r"§ 18\(3\)"):  # nor move it elsewhere
        as_(kit, SANNA).reschedule_booking(own.id, "slot-2")
    assert [b.booking.status.value for b in as_(kit, AINO).bookings(student_id="aino")] == [
        "booked"
    ]
    # what the guardian booked (§ 15(2)), the guardian may cancel, and so may the student
    by_guardian = as_(kit, SANNA).book("slot-2", student_id="aino").booking
    assert as_(kit, SANNA).cancel_booking(by_guardian.id).cancelled_by == SANNA
    assert as_(kit, AINO).cancel_booking(own.id).cancelled_by == AINO


def test_a_participation_veto_keeps_the_guardian_out_of_the_expert_groups_handling(
    kit: WelfareKit,
) -> None:
    consent_to_group(kit)
    assert as_(kit, SANNA).decide(Action.READ, GROUP).allowed
    as_(kit, KURAATTORI).record_guardian_veto(
        student_id="aino", participation=True, access=False, method="oral", veto_id="veto"
    )
    with pytest.raises(AccessDenied) as denied:
        as_(kit, SANNA).require(Action.READ, GROUP)
    assert "forbidden this guardian's participation" in str(denied.value)
    assert "§ 18(2)" in str(denied.value)
    # only participation was forbidden: giving the record to the guardian was not (the
    # other prong of § 18(2)), so the guardian still reads it
    assert as_(kit, SANNA).decide(Action.READ, RECORD).allowed


def test_the_audit_entry_of_a_statutory_disclosure_names_its_section(
    kit: WelfareKit, audit: list[welfarekit.AuditEvent]
) -> None:
    decision = as_(kit, TEACHER).require(
        Action.DISCLOSE, RECORD, basis=LegalBasis.CHILD_WELFARE_NOTIFICATION
    )
    assert decision.legal_basis is LegalBasis.CHILD_WELFARE_NOTIFICATION
    event = audit[-1]
    assert event.action == "welfare_record.disclose"
    assert "Lastensuojelulaki 417/2007 25 §" in (event.reason or "")


def test_compulsory_education_data_goes_on_its_basis_for_a_minor_only(
    audit: list[welfarekit.AuditEvent],
) -> None:
    # OppivL 23 §(3)-(4): necessary education data of a student under 18, from a welfare
    # worker in the student's welfare to the principal and teachers; an adult's takes consent
    for born, allowed in ((dt.date(2010, 3, 1), True), (dt.date(2006, 3, 1), False)):
        with open_kit(born, audit) as kit:
            consent_to_group(kit)
            decision = as_(kit, PSY).decide(
                Action.DISCLOSE, RECORD, basis=LegalBasis.COMPULSORY_EDUCATION_TRANSFER
            )
            assert decision.allowed is allowed, decision.reason
            teacher = as_(kit, TEACHER).decide(
                Action.DISCLOSE, RECORD, basis=LegalBasis.COMPULSORY_EDUCATION_TRANSFER
            )
            assert not teacher.allowed


def test_the_session_knows_the_students_school_for_the_safety_bases(kit: WelfareKit) -> None:
    # Aino studies at a lukio: LukioL 58 § covers her, AmmL 109 § does not
    consent_to_group(kit)
    lukio = as_(kit, PSY).decide(Action.DISCLOSE, RECORD,
                                 basis=LegalBasis.SAFETY_INFORMATION_LUKIO)  # fmt: skip
    assert lukio.allowed, lukio.reason
    vocational = as_(kit, PSY).decide(Action.DISCLOSE, RECORD,
                                      basis=LegalBasis.SAFETY_INFORMATION_VOCATIONAL)  # fmt: skip
    assert not vocational.allowed
    assert "general upper secondary" in vocational.reason
