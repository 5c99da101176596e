"""Communal welfare: policies, agendas and minutes without students, initiatives and their
routing, crisis response, bullying notices per family, the welfare plan and self-monitoring."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from casework_world import AINO, NOW, PRINCIPAL, PSY, SANNA, SENIOR, TEACHER, P, as_, open_kit

from welfarekit import (
    AccessDenied,
    Guardian,
    Guardianship,
    IntegrityError,
    InvalidValue,
    NotFound,
    Period,
    PersonKind,
    PersonRef,
    Student,
    WelfareKit,
)
from welfarekit.identifiable import IdentifiesStudent
from welfarekit.model import (
    CrisisStatus,
    InitiativeStatus,
    NotificationTopic,
    OutboxMessage,
    PlanStatus,
)
from welfarekit.plan import DEFAULT_CRISIS_STEPS
from welfarekit.policy import CrisisContact, WelfarePolicy

ADVISOR = PersonRef(PersonKind.STAFF, "advisor")
NURSE = PersonRef(PersonKind.STAFF, "nurse")
EETU = PersonRef(PersonKind.STUDENT, "eetu")
JAANA = PersonRef(PersonKind.GUARDIAN, "jaana")
MEETING = dt.date(2026, 11, 20)


@pytest.fixture
def kit(tmp_path: Path, database_url: str) -> Iterator[WelfareKit]:
    with open_kit(tmp_path, database_url=database_url) as opened:
        born = dt.date(2009, 6, 1)
        opened.directory("sync").put(
            Student(id="eetu", provider_id=P, institution_id="lukio", given_names="Eetu Olavi",
                    family_name="Mäkelä", date_of_birth=born, home_municipality="Muurame",
                    personal_identity_code="010609A927P"),
            Student(id="sofia", provider_id=P, institution_id="lukio", given_names="Sofia",
                    family_name="Laaksonen", date_of_birth=dt.date(2007, 1, 5),
                    home_municipality="Jyväskylä"),
            Guardian(id="jaana", provider_id=P, given_names="Jaana", family_name="Mäkelä"),
            Guardianship(provider_id=P, guardian_id="jaana", student_id="eetu",
                         validity=Period(start=born)),
        )  # fmt: skip
        yield opened


def outbox(kit: WelfareKit) -> set[tuple[PersonRef, NotificationTopic]]:
    with kit.storage.transaction() as tx:
        return {(m.recipient, m.topic) for m in tx.list(OutboxMessage, P)}


# -- agendas and minutes ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Keskusteltiin Aino Korhosen poissaoloista.",  # inflected forms too
        "Annettiin palautetta Eetulle Mäkelälle",
        "Keskusteltiin: Korhonen, Aino.",
        "aino korhonen on ollut poissa",
        "Eetu Mäkelä ja muut",
        "Olavi Mäkelä",
        "Tunnus 010609A927P mainittiin",
    ],
)
def test_minutes_naming_a_student_are_refused(kit: WelfareKit, text: str) -> None:
    senior = as_(kit, SENIOR)
    with pytest.raises(IdentifiesStudent, match="referral") as refused:
        senior.write_communal_document(group_id="wellbeing", kind="minutes",
                                       meeting_date=MEETING, title="Muistio", body=text)  # fmt: skip
    for name in ("Aino", "Korhonen", "Eetu", "010609A927P"):
        assert name not in str(refused.value)  # the refusal does not repeat the name
    assert senior.communal_documents("wellbeing") == []


def test_names_that_are_not_a_student_pass() -> None:
    from welfarekit.identifiable import NameIndex

    names = NameIndex([
        Student(id="a", provider_id=P, institution_id="lukio", given_names="Aino",
                family_name="Korhonen", date_of_birth=dt.date(2010, 3, 1),
                home_municipality="Jyväskylä"),
    ])  # fmt: skip
    assert names.students_named("Aino Korhonen") == {"a"}
    assert names.students_named("Ainolle Korhoselle") == {"a"}
    # a given name alone, another family, or the names apart are no student
    for text in ("Aino tuli", "Aino Virtanen", "Korhonen", "Aino ja Korhonen", "Ai Korhola"):
        assert names.students_named(text) == set(), text
    # inflection errs on the side of refusing: "ainoa Korhonen" (the only Korhonen) reads as
    # a form of the name, and the writer is asked to rephrase
    assert names.students_named("ainoa Korhonen") == {"a"}
    names.check("body", "Tunnus 010609A927Q ei ole kelvollinen")  # an invalid code passes


def test_communal_minutes_are_for_the_group(kit: WelfareKit) -> None:
    document = as_(kit, SENIOR).write_communal_document(
        group_id="wellbeing", kind="minutes", meeting_date=MEETING, title="Hyvinvointiryhmä 3/2026",
        body="Käsiteltiin kouluviihtyvyyskyselyn tulokset ja välituntivalvonta.",
    )  # fmt: skip
    assert [d.id for d in as_(kit, PRINCIPAL).communal_documents("wellbeing")] == [document.id]
    for outsider in (TEACHER, PSY, AINO):
        with pytest.raises(AccessDenied):
            as_(kit, outsider).communal_documents("wellbeing")
    with pytest.raises(AccessDenied):
        as_(kit, TEACHER).write_communal_document(group_id="wellbeing", kind="agenda",
                                                  meeting_date=MEETING, title="t", body="b")  # fmt: skip


# -- initiatives ----------------------------------------------------------------------------


def test_an_initiative_is_acknowledged_answered_and_seen_by_its_initiator(kit: WelfareKit) -> None:
    sent = as_(kit, AINO).send_initiative(group_id="wellbeing", subject="Välitunnit",
                                          text="Toivoisimme lisää penkkejä pihalle.")  # fmt: skip
    assert sent.status is InitiativeStatus.RECEIVED
    assert (AINO, NotificationTopic.INITIATIVE_RECEIVED) in outbox(kit)
    [seen] = as_(kit, SENIOR).initiatives("wellbeing")
    assert seen.text == "Toivoisimme lisää penkkejä pihalle."
    as_(kit, SENIOR).answer_initiative(sent.id, response="Penkit tilataan keväällä.")
    [mine] = as_(kit, AINO).my_initiatives()
    assert (mine.status, mine.response) == (InitiativeStatus.ANSWERED, "Penkit tilataan keväällä.")
    assert (AINO, NotificationTopic.INITIATIVE_ANSWERED) in outbox(kit)
    with pytest.raises(AccessDenied):
        as_(kit, TEACHER).initiatives("wellbeing")
    with pytest.raises(IdentifiesStudent):
        as_(kit, SENIOR).answer_initiative(sent.id, response="Aino Korhonen hoitaa")


def test_an_initiative_naming_a_student_is_routed_not_listed(kit: WelfareKit) -> None:
    sent = as_(kit, SANNA).send_initiative(group_id="wellbeing", subject="Huoli",
                                           text="Aino Korhonen on ollut alakuloinen.")  # fmt: skip
    assert sent.names_a_student
    assert as_(kit, SENIOR).initiatives("wellbeing") == []  # never listed to the group
    [held] = as_(kit, PRINCIPAL).initiatives("wellbeing")  # the leader routes it
    assert held.id == sent.id
    with pytest.raises(IntegrityError, match="routed, not answered"):
        as_(kit, PRINCIPAL).answer_initiative(sent.id, response="x")
    with pytest.raises(AccessDenied):
        as_(kit, SENIOR).route_initiative(sent.id, refer_to="psy")
    routed = as_(kit, PRINCIPAL).route_initiative(sent.id, refer_to="psy")
    assert routed.status is InitiativeStatus.ROUTED
    assert routed.routed_to is not None
    assert routed.routed_to.startswith("referral:")
    [referral] = as_(kit, PSY).referrals()
    assert "alakuloinen" in referral.concern
    with pytest.raises(IntegrityError, match="routed already"):
        as_(kit, PRINCIPAL).route_initiative(sent.id, refer_to="psy")


def test_an_initiative_can_be_routed_to_an_expert_group_proposal(kit: WelfareKit) -> None:
    sent = as_(kit, TEACHER).send_initiative(group_id="wellbeing", subject="Tuki",
                                             text="Opiskelija tarvitsee tukea.",
                                             about_student="eetu")  # fmt: skip
    routed = as_(kit, PRINCIPAL).route_initiative(sent.id, propose_group_with="kuraattori")
    assert routed.routed_to is not None
    assert routed.routed_to.startswith("expert_group:")
    with pytest.raises(InvalidValue, match="one"):
        as_(kit, PRINCIPAL).route_initiative(sent.id)


def test_an_anonymous_initiative_comes_through_the_host(kit: WelfareKit) -> None:
    sent = as_(kit, None).send_initiative(group_id="wellbeing", subject="Ruoka",
                                          text="Kasvisruokaa useammin.")  # fmt: skip
    assert sent.initiator is None
    assert [i.subject for i in as_(kit, SENIOR).initiatives("wellbeing")] == ["Ruoka"]
    with pytest.raises(NotFound):
        as_(kit, AINO).send_initiative(group_id="no-such-group", subject="s", text="t")


# -- crisis response ------------------------------------------------------------------------------


def test_a_crisis_opens_a_checklist_and_ends_with_a_debrief(kit: WelfareKit) -> None:
    log = as_(kit, ADVISOR).activate_crisis(institution_id="lukio", kind="loss",
                                            title="Opiskelijan menehtyminen", crisis_id="c1")  # fmt: skip
    assert [s.step for s in log.checklist] == list(DEFAULT_CRISIS_STEPS)
    told = {who for who, topic in outbox(kit) if topic is NotificationTopic.CRISIS_ACTIVATED}
    assert told == {SENIOR, PRINCIPAL}  # the wellbeing group is the crisis group
    log = as_(kit, SENIOR).complete_crisis_step("c1", 1, note="Ryhmä koolla klo 9")
    assert log.checklist[1].done_by == "staff:senior"
    with pytest.raises(IdentifiesStudent):
        as_(kit, SENIOR).record_aftercare("c1", support="Keskustelu Eetu Mäkelän kanssa")
    log = as_(kit, SENIOR).record_aftercare("c1", support="Ryhmäkeskustelu LK24A:lle")
    assert log.event.status is CrisisStatus.AFTERCARE
    with pytest.raises(AccessDenied):
        as_(kit, ADVISOR).close_crisis("c1", debrief="x")  # closing is the crisis group's
    closed = as_(kit, PRINCIPAL).close_crisis("c1", debrief="Toiminta sujui suunnitelman mukaan.")
    assert closed.event.status is CrisisStatus.CLOSED
    with pytest.raises(IntegrityError, match="closed"):
        as_(kit, SENIOR).complete_crisis_step("c1", 2)
    with pytest.raises(AccessDenied):
        as_(kit, TEACHER).activate_crisis(institution_id="lukio", kind="accident", title="x")


def test_the_checklist_follows_the_crisis_plan(kit: WelfareKit) -> None:
    principal = as_(kit, PRINCIPAL)
    principal.start_welfare_plan()
    principal.edit_plan_section("crisis_plan", body="Vaiheet:\n1. Hälytä apu\n2. Kokoa ryhmä")
    log = as_(kit, ADVISOR).activate_crisis(
        institution_id="lukio", kind="accident", title="Tulipalo"
    )
    assert [s.step for s in log.checklist] == ["Hälytä apu", "Kokoa ryhmä"]
    with pytest.raises(InvalidValue, match="steps 0 to 1"):
        as_(kit, ADVISOR).complete_crisis_step(log.event.id, 5)


# -- bullying notices -------------------------------------------------------------------------------


def test_each_family_gets_a_notice_about_its_own_child_only(kit: WelfareKit) -> None:
    notices = as_(kit, TEACHER).bullying_notices(
        incident_date=dt.date(2026, 11, 18), description="Välitunnilla tönimistä ja nimittelyä.",
        measures="Keskustelut molempien kanssa; seuranta kahden viikon päästä.",
        target_id="aino", suspected_ids=["eetu"],
    )  # fmt: skip
    by_student = {n.student_id: n for n in notices}
    assert set(by_student) == {"aino", "eetu"}
    aino, eetu = by_student["aino"], by_student["eetu"]
    assert [g.id for g in aino.guardians] == ["sanna"]
    assert [g.id for g in eetu.guardians] == ["jaana"]
    assert "Aino Korhonen" in aino.text
    assert "kohteeksi" in aino.text
    assert "Eetu Olavi Mäkelä" in eetu.text
    assert "epäiltynä" in eetu.text
    for other in ("Eetu", "Mäkelä", "Jaana"):
        assert other not in aino.text
    for other in ("Aino", "Korhonen", "Sanna"):
        assert other not in eetu.text
    assert {(SANNA, NotificationTopic.GUARDIAN_NOTICE),
            (JAANA, NotificationTopic.GUARDIAN_NOTICE)} <= outbox(kit)  # fmt: skip


def test_a_notice_that_names_another_child_is_refused(kit: WelfareKit) -> None:
    with pytest.raises(IdentifiesStudent):
        as_(kit, TEACHER).bullying_notices(
            incident_date=MEETING, description="Eetu Mäkelä tönäisi.", measures="m",
            target_id="aino", suspected_ids=["eetu"],
        )  # fmt: skip
    with pytest.raises(AccessDenied, match="a teacher or the principal"):
        as_(kit, NURSE).bullying_notices(incident_date=MEETING, description="d", measures="m",
                                         target_id="aino", suspected_ids=["eetu"])  # fmt: skip
    with pytest.raises(InvalidValue):
        as_(kit, TEACHER).bullying_notices(incident_date=MEETING, description="d", measures="m",
                                           target_id="aino", suspected_ids=[])  # fmt: skip


def test_an_adult_students_guardians_get_no_notice(kit: WelfareKit) -> None:
    notices = as_(kit, PRINCIPAL).bullying_notices(
        incident_date=MEETING, description="Häirintää viestein.", measures="Keskustelu.",
        target_id="aino", suspected_ids=["sofia"],
    )  # fmt: skip
    assert [n.student_id for n in notices] == ["aino"]


# -- policies -----------------------------------------------------------------------------------------


def test_institutions_inherit_the_policy_and_override_only_what_is_allowed(kit: WelfareKit) -> None:
    from welfarekit.model import GroupDisplayNames

    provider_wide = (CrisisContact(name="Hätänumero", role="Hätäkeskus", phone="112"),)
    as_(kit, PRINCIPAL).set_policy(WelfarePolicy(
        group_names=GroupDisplayNames(steering="Opiskeluhuoltoryhmä", institution="Hyvinvointiryhmä"),
        crisis_contacts=provider_wide, required_sections=("goals", "crisis_plan"),
        overridable={"crisis_contacts"},
    ))  # fmt: skip
    local = (CrisisContact(name="Kriisikeskus Mobile", role="kriisiapu", phone="014 266 0149"),)
    as_(kit, PRINCIPAL).set_policy(WelfarePolicy(crisis_contacts=local), institution_id="lukio")
    assert as_(kit, AINO).policy(institution_id="lukio").crisis_contacts == local
    assert as_(kit, AINO).policy().crisis_contacts == provider_wide
    assert as_(kit, AINO).policy().group_names.institution == "Hyvinvointiryhmä"  # type: ignore[union-attr]
    with pytest.raises(InvalidValue, match="does not let an institution override"):
        as_(kit, PRINCIPAL).set_policy(WelfarePolicy(required_sections=("goals",)),
                                       institution_id="lukio")  # fmt: skip
    for outsider in (TEACHER, SENIOR):
        with pytest.raises(AccessDenied):
            as_(kit, outsider).set_policy(WelfarePolicy(crisis_contacts=local))
    with pytest.raises(InvalidValue, match="unknown settings"):
        WelfarePolicy(overridable={"everything"})
    assert (
        WelfarePolicy.from_json(WelfarePolicy(crisis_contacts=local).to_json()).crisis_contacts
        == local
    )


# -- the welfare plan ----------------------------------------------------------------------------------


def test_the_plan_is_prepared_together_approved_and_published(kit: WelfareKit) -> None:
    principal, senior = as_(kit, PRINCIPAL), as_(kit, SENIOR)
    with pytest.raises(NotFound, match="no welfare plan yet"):
        principal.plan_state()
    made = principal.start_welfare_plan()
    keys = {v.section_key for v in made}
    assert {"goals", "crisis_plan", "protection_plan@lukio", "self_monitoring"} <= keys
    assert principal.start_welfare_plan() == []  # started once
    later = as_(kit, SENIOR, NOW + dt.timedelta(hours=1))
    later.edit_plan_section("protection_plan@lukio", body="Kiusaamiseen puututaan heti.",
                            note="lukion käytännöt")  # fmt: skip
    with pytest.raises(AccessDenied):
        senior.edit_plan_section("goals", body="x")  # the provider-level sections: steering
    with pytest.raises(IdentifiesStudent):
        principal.edit_plan_section("goals", body="Esimerkkinä Aino Korhonen")
    history = principal.plan_history("protection_plan@lukio")
    assert [(v.version, v.changed_by, v.note) for v in history] == [
        (1, PRINCIPAL, "default outline"),
        (2, SENIOR, "lukion käytännöt"),
    ]
    as_(kit, AINO).comment_on_plan("protection_plan@lukio", "Hyvä, että puututaan heti.")
    as_(kit, SANNA).comment_on_plan("goals", "Huoltajille tiedotettava.")
    assert len(principal.plan_comments()) == 2
    with pytest.raises(IntegrityError, match="must be in_review"):
        principal.approve_plan()
    principal.submit_plan_for_review()
    with pytest.raises(AccessDenied):
        senior.approve_plan()
    assert principal.approve_plan().status is PlanStatus.APPROVED
    state = as_(kit, AINO).plan_state()  # anyone of the provider sees where it stands
    assert (state.status, state.approved_by) == (PlanStatus.APPROVED, PRINCIPAL)
    from welfarekit import Membership

    kit.directory("sync").put(Membership(  # a teacher who left the group last year
        id="wellbeing.teacher", provider_id=P, group_id="wellbeing", member=TEACHER,
        role="teacher", validity=Period(start=dt.date(2025, 8, 1), end=dt.date(2026, 8, 1)),
    ))  # fmt: skip
    published = principal.publish_plan()
    assert "*Tila: julkaistu*" in published.markdown  # the document speaks Finnish throughout
    assert "P H" not in published.markdown
    assert "Kiusaamiseen puututaan heti." in published.markdown
    assert "## Lukio" in published.markdown
    # the member lists come from the current memberships
    assert "- H V, principal" in published.markdown
    assert "- L J, special needs teacher" in published.markdown
    assert "<h1>Opiskeluhuoltosuunnitelma — Harjula</h1>" in published.html
    assert "<script" not in published.html
    principal.edit_plan_section("goals", body="Uudet tavoitteet.")
    assert principal.plan_state().status is PlanStatus.DRAFT  # an edit takes it back
    with pytest.raises(IntegrityError, match="must be approved"):
        principal.publish_plan()


# -- self-monitoring ------------------------------------------------------------------------------------


def test_the_self_monitoring_report_matches_hand_computed_figures(kit: WelfareKit) -> None:
    psychologist = as_(kit, PSY)
    asked = dt.date(2026, 11, 23)  # Monday: the seventh working day after is 2 December
    days = [1, 2, 3, 7, 8, 9]  # 24.11., 25.11., 26.11., 30.11. in time; 1.12. in time; 2.12.
    for n, offset in enumerate(days):
        start = dt.datetime.combine(asked + dt.timedelta(days=offset), dt.time(10),
                                    tzinfo=NOW.tzinfo)  # fmt: skip
        slot = psychologist.publish_availability(service="psychologist", starts_at=start,
                                                 ends_at=start + dt.timedelta(hours=1),
                                                 slot_id=f"s{n}")  # fmt: skip
        as_(kit, AINO).book(slot.id, student_id="aino", asked_on=asked)
    late = dt.datetime.combine(dt.date(2026, 12, 10), dt.time(10), tzinfo=NOW.tzinfo)
    as_(kit, PSY).publish_availability(service="psychologist", starts_at=late,
                                       ends_at=late + dt.timedelta(hours=1), slot_id="late")  # fmt: skip
    as_(kit, AINO).book("late", student_id="aino", asked_on=asked)
    as_(kit, AINO, NOW - dt.timedelta(days=10)).send_initiative(
        group_id="wellbeing", subject="a", text="b")  # fmt: skip
    as_(kit, AINO, NOW - dt.timedelta(days=4)).send_initiative(
        group_id="wellbeing", subject="c", text="d")  # fmt: skip
    principal = as_(kit, PRINCIPAL)
    principal.start_welfare_plan()
    principal.edit_plan_section("goals", body="Tavoitteet", review_by=dt.date(2026, 10, 1))
    report = principal.self_monitoring_report()
    # seven bookings: 2.12. is the last day in time, 10.12. is not
    assert (report.deadline_requests, report.deadline_met) == (7, 6)
    assert report.deadline_share == round(6 / 7, 3)
    assert report.students == 3
    assert report.students_per_professional == {"school_social_worker": 3.0, "psychologist": 1.5}
    assert report.ratio_met == {"school_social_worker": True, "psychologist": True}
    assert report.sections_past_review == ("goals",)
    assert (report.open_initiatives, report.oldest_open_initiative_days) == (2, 10)
    assert report.median_open_initiative_days == 7
    with pytest.raises(AccessDenied):
        as_(kit, SENIOR).self_monitoring_report()


def test_a_share_over_few_cases_is_not_given(kit: WelfareKit) -> None:
    start = NOW + dt.timedelta(days=1)
    slot = as_(kit, PSY).publish_availability(service="psychologist", starts_at=start,
                                              ends_at=start + dt.timedelta(hours=1))  # fmt: skip
    as_(kit, AINO).book(slot.id, student_id="aino")
    report = as_(kit, PRINCIPAL).self_monitoring_report()
    assert (report.deadline_requests, report.deadline_share) == (1, None)
