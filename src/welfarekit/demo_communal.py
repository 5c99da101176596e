"""The demo's communal welfare: the steering group's policy, the welfare plan prepared
together and published, a wellbeing group's minutes (and one refused for naming a student),
initiatives (one answered, one routed the individual way), a crisis from activation to
debrief, the bullying notices to two families, and the self-monitoring report.

Each step has a fixed id or is found by what it wrote, so the demo can run again.
"""

from __future__ import annotations

import datetime as dt

from welfarekit.access import Actor
from welfarekit.clock import today_in_finland
from welfarekit.communal import GuardianNotice
from welfarekit.demo import DEMO_PROVIDER_ID, LUKIO
from welfarekit.errors import InvalidValue
from welfarekit.kit import WelfareKit
from welfarekit.model import (
    CommunalDocument,
    CrisisEvent,
    GroupDisplayNames,
    Initiative,
    PersonKind,
    PersonRef,
    PlanState,
)
from welfarekit.plan import PublishedPlan
from welfarekit.policy import CrisisContact, WelfarePolicy
from welfarekit.session import Session

__all__ = ["build_communal_demo", "describe_communal"]

P = DEMO_PROVIDER_ID
TIINA = PersonRef(PersonKind.STAFF, "tiina.rantanen")  # leads the steering group
HELENA = PersonRef(PersonKind.STAFF, "helena.virtanen")  # leads the lukio's wellbeing group
LIISA = PersonRef(PersonKind.STAFF, "liisa.jarvinen")
PEKKA = PersonRef(PersonKind.STAFF, "pekka.heikkinen")
JUHA = PersonRef(PersonKind.STAFF, "juha.makinen")
MINNA = PersonRef(PersonKind.STAFF, "minna.lehtonen")
SOFIA = PersonRef(PersonKind.STUDENT, "sofia.laaksonen")
SANNA = PersonRef(PersonKind.GUARDIAN, "sanna.korhonen")
WELLBEING = "wellbeing-lukio"
_MINUTES = "demo-minutes-lukio-1"
_INITIATIVE = "demo-initiative-benches"
_CONCERN = "demo-initiative-concern"
_CRISIS = "demo-crisis-lukio"


def _as(kit: WelfareKit, person: PersonRef | None, now: dt.datetime) -> Session:
    actor = (Actor(provider_id=P, person=person) if person is not None
             else Actor.host_system(P, "demo-form"))  # fmt: skip
    return kit.session(actor, now=now)


def _exists(kit: WelfareKit, kind: type[object], key: str) -> bool:
    with kit.storage.transaction() as tx:
        return tx.get(kind, P, key) is not None  # type: ignore[type-var]


def build_communal_demo(
    kit: WelfareKit, now: dt.datetime
) -> tuple[PublishedPlan, list[GuardianNotice]]:
    """Write the communal steps that are not there yet; returns the published plan and the
    bullying notices made on this run (none when they were made on an earlier one)."""
    today = today_in_finland(now)
    tiina, helena = _as(kit, TIINA, now), _as(kit, HELENA, now)
    tiina.set_policy(WelfarePolicy(
        group_names=GroupDisplayNames(steering="Opiskeluhuoltoryhmä",
                                      institution="Hyvinvointiryhmä",
                                      case="Tapauskohtainen asiantuntijaryhmä"),
        crisis_contacts=(CrisisContact(name="Hätäkeskus", role="hätänumero", phone="112"),),
        required_sections=("goals", "protection_plan", "crisis_plan", "substance_prevention"),
        overridable={"crisis_contacts"},
    ))  # fmt: skip
    helena.set_policy(WelfarePolicy(crisis_contacts=(
        CrisisContact(name="Hätäkeskus", role="hätänumero", phone="112"),
        CrisisContact(name="Kriisikeskus (demo)", role="kriisiapu", phone="014 000 0000"),
    )), institution_id=LUKIO)  # fmt: skip
    if not _exists(kit, PlanState, "plan"):
        tiina.start_welfare_plan()
        _as(kit, LIISA, now).edit_plan_section(
            f"protection_plan@{LUKIO}",
            body="Kiusaamiseen, häirintään ja väkivaltaan puututaan heti. Opettaja selvittää "
            "tilanteen, ilmoittaa huoltajille ja sopii seurannasta.\n\nTukea saa "
            "kuraattorilta, psykologilta ja terveydenhoitajalta.",
            review_by=today.replace(month=8, day=1) if today.month < 8
            else today.replace(year=today.year + 1, month=8, day=1),
            note="lukion käytännöt",
        )  # fmt: skip
        _as(kit, SOFIA, now).comment_on_plan(f"protection_plan@{LUKIO}",
                                             "Opiskelijakunta toivoo tukioppilaita mukaan.")  # fmt: skip
        _as(kit, SANNA, now).comment_on_plan("goals", "Huoltajille tiedotettava Wilmassa.")
        tiina.submit_plan_for_review()
        tiina.approve_plan()
    published = tiina.publish_plan()
    pekka = _as(kit, PEKKA, now)
    if not _exists(kit, CommunalDocument, _MINUTES):
        pekka.write_communal_document(
            group_id=WELLBEING, kind="minutes", meeting_date=today, document_id=_MINUTES,
            title="Hyvinvointiryhmän kokous",
            body="1. Kouluviihtyvyyskyselyn tulokset\n2. Välituntien valvonta\n"
            "3. Päihdeviikon suunnittelu",
        )  # fmt: skip
    if not _exists(kit, Initiative, _INITIATIVE):
        _as(kit, SOFIA, now).send_initiative(
            group_id=WELLBEING, subject="Lepotila", initiative_id=_INITIATIVE,
            text="Toivomme hiljaista lepotilaa välitunneille.",
        )  # fmt: skip
        helena.answer_initiative(_INITIATIVE, response="Kirjaston nurkkaus varataan lepotilaksi.")
        _as(kit, SANNA, now).send_initiative(
            group_id=WELLBEING, subject="Huoli", initiative_id=_CONCERN,
            text="Aino Korhonen on ollut väsynyt ja alakuloinen.",
        )  # fmt: skip
        helena.route_initiative(_CONCERN, refer_to="tuomas.saarinen")
    if not _exists(kit, CrisisEvent, _CRISIS):
        _as(kit, JUHA, now).activate_crisis(institution_id=LUKIO, kind="accident",
                                            title="Liikenneonnettomuus koulumatkalla",
                                            crisis_id=_CRISIS)  # fmt: skip
        minna = _as(kit, MINNA, now)
        minna.complete_crisis_step(_CRISIS, 0, note="Apu hälytetty")
        minna.complete_crisis_step(_CRISIS, 1)
        minna.record_aftercare(_CRISIS, support="Ryhmäkeskustelu LK24A:lle kuraattorin kanssa")
        helena.close_crisis(_CRISIS, debrief="Toiminta sujui suunnitelman mukaan.")
    notices: list[GuardianNotice] = []
    if not _audited(kit, "bullying_notice.write"):
        notices = _as(kit, PEKKA, now).bullying_notices(
            incident_date=today, description="Välitunnilla nimittelyä ja tönimistä.",
            measures="Keskustelut molempien kanssa ja seuranta kahden viikon kuluttua.",
            target_id="eetu.makela", suspected_ids=["aino.korhonen"],
        )  # fmt: skip
    return published, notices


def _audited(kit: WelfareKit, action: str) -> bool:
    with kit.storage.transaction() as tx:
        return any(e.event.action == action for e in tx.audit_entries(P))


def describe_communal(
    kit: WelfareKit, now: dt.datetime, published: PublishedPlan, notices: list[GuardianNotice]
) -> str:
    """The communal side as the groups see it."""
    today = today_in_finland(now)
    helena, tiina = _as(kit, HELENA, now), _as(kit, TIINA, now)
    lines = ["Communal welfare: the groups' work, which names no student"]
    lukio = helena.policy(institution_id=LUKIO)
    contacts = ", ".join(f"{c.name} {c.phone}" for c in lukio.crisis_contacts or ())
    lines.append(
        f"  Policy set by the steering group; the lukio adds its crisis contacts: {contacts}"
    )
    try:
        _as(kit, PEKKA, now).write_communal_document(
            group_id=WELLBEING, kind="agenda", meeting_date=today, title="Esityslista",
            body="Eetu Mäkelän poissaolot",
        )  # fmt: skip
    except InvalidValue as refused:
        lines.append(f"  An agenda naming a student was refused: {refused.reason[:90]}…")
    documents = helena.communal_documents(WELLBEING)
    lines.append(f"  The wellbeing group's minutes: {len(documents)} document(s), e.g. "
                 f"\"{documents[0].title}\"")  # fmt: skip
    for initiative in helena.initiatives(WELLBEING):
        if initiative.names_a_student:
            lines.append(f"  An initiative naming a student was {initiative.status.value} "
                         f"({(initiative.routed_to or '').split(':')[0]}), not discussed by name")  # fmt: skip
        else:
            lines.append(f"  Initiative \"{initiative.subject}\": {initiative.status.value} — "
                         f"{initiative.response}")  # fmt: skip
    log = helena.crisis_log(_CRISIS)
    done = sum(1 for step in log.checklist if step.done_at)
    lines.append(f"  Crisis \"{log.event.title}\": {done}/{len(log.checklist)} steps done, "
                 f"{len(log.aftercare)} aftercare entry, {log.event.status.value} after debrief")  # fmt: skip
    for notice in notices:
        to = ", ".join(g.full_name for g in notice.guardians) or "no guardian on record"
        lines.append(f"  Bullying notice ({notice.role}) to {to}: about their own child only")
    if not notices:
        lines.append("  Bullying notices: made on an earlier run, one per family")
    sections = tiina.welfare_plan()
    members = sum(1 for line in published.markdown.splitlines() if line.startswith("- "))
    lines.append(f"  Welfare plan: {len(sections)} sections, published with {members} group "
                 f"members listed from the current memberships; "
                 f"{len(tiina.plan_comments())} comments from the school community")  # fmt: skip
    report = tiina.self_monitoring_report()
    share = (f"{report.deadline_share:.0%}" if report.deadline_share is not None
             else f"not shown under 5 cases ({report.deadline_requests})")  # fmt: skip
    per = report.students_per_professional
    lines.append(f"  Self-monitoring: § 15 deadline met {share}; students per social worker "
                 f"{per['school_social_worker']} (max 670), per psychologist "
                 f"{per['psychologist']} (max 780); {report.open_initiatives} open initiative(s)")  # fmt: skip
    return "\n".join(lines)
