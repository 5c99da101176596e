"""The demo's casework: Veeti's matter from a word left with the nurse to his record.

Veeti (16, vocational college) leaves a matter confidentially with the nurse; she brings it
forward as a § 16 referral to the school social worker, together with him; his guardian is
informed. The social worker proposes an expert group, Veeti consents, the group is formed
and its first meeting goes into the record with measures to follow up. Veeti books a time
with the psychologist, within the § 15 deadline; the nurse keeps an open reception. Eetu
moves to another provider: only his education data goes, since no consent covers records.
Every step notified someone, through the outbox, with a sentence that says nothing.

Each step has a fixed id and is skipped when it exists, so the demo can run again.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from welfarekit.access import Actor
from welfarekit.clock import FINLAND, today_in_finland
from welfarekit.demo import DEMO_PROVIDER_ID
from welfarekit.kit import WelfareKit
from welfarekit.model import (
    AvailabilitySlot,
    ConsentPurpose,
    EvidenceMethod,
    ExpertGroupState,
    OutboxMessage,
    Period,
    PersonKind,
    PersonRef,
    Role,
    Transfer,
    WillKind,
)
from welfarekit.model.record import EntryKind, Measure, Participant
from welfarekit.sealed import SealedMatter
from welfarekit.session import Session
from welfarekit.working_days import working_days_after

__all__ = ["build_casework_demo", "describe_casework"]

P = DEMO_PROVIDER_ID
VEETI = PersonRef(PersonKind.STUDENT, "veeti.hiltunen")
KAISA = PersonRef(PersonKind.STAFF, "kaisa.salminen")
MINNA = PersonRef(PersonKind.STAFF, "minna.lehtonen")
TUOMAS = PersonRef(PersonKind.STAFF, "tuomas.saarinen")
HELENA = PersonRef(PersonKind.STAFF, "helena.virtanen")
_MATTER = "demo-matter-veeti"
_GROUP = "case-veeti"
_RECORD = "demo-record-veeti"
_TRANSFER = "demo-transfer-eetu"
_NEW_PROVIDER = "Keski-Suomen koulutusyhtymä (demo)"
_MATTER_TEXT = "Kotona on ollut riitaa, enkä ole jaksanut tulla kouluun."


def _as(kit: WelfareKit, person: PersonRef, now: dt.datetime) -> Session:
    return kit.session(Actor(provider_id=P, person=person), now=now)


def _exists(kit: WelfareKit, kind: type[object], key: str) -> bool:
    with kit.storage.transaction() as tx:
        return tx.get(kind, P, key) is not None  # type: ignore[type-var]


def _slot_times(now: dt.datetime) -> list[dt.datetime]:
    day = working_days_after(today_in_finland(now), 1)
    return [dt.datetime.combine(day, dt.time(hour), tzinfo=FINLAND) for hour in (10, 13)]


def build_casework_demo(kit: WelfareKit, now: dt.datetime) -> None:
    """Write the casework steps that are not there yet."""
    today = today_in_finland(now)
    if not _exists(kit, SealedMatter, _MATTER):
        _as(kit, VEETI, now).leave_matter(holder_id=KAISA.id, text=_MATTER_TEXT,
                                          matter_id=_MATTER)  # fmt: skip
        _as(kit, KAISA, now).bring_matter_forward(_MATTER, student_id=VEETI.id,
                                                  refer_to=MINNA.id)  # fmt: skip
    if not _exists(kit, ExpertGroupState, _GROUP):
        minna = _as(kit, MINNA, now)
        minna.propose_expert_group(student_id=VEETI.id, responsible_id=MINNA.id,
                                   group_id=_GROUP)  # fmt: skip
        _as(kit, VEETI, now).record_expression_of_will(
            student_id=VEETI.id, grantor=VEETI, kind=WillKind.CONSENT,
            purpose=ConsentPurpose.FORM_EXPERT_GROUP, group_id=_GROUP,
            covers_roles={Role.SCHOOL_SOCIAL_WORKER, Role.NURSE}, validity=Period(start=today),
            method=EvidenceMethod.ELECTRONIC, record_id="demo-consent-veeti",
        )  # fmt: skip
        minna.form_expert_group(_GROUP, members=[
            (MINNA, Role.SCHOOL_SOCIAL_WORKER), (KAISA, Role.NURSE), (VEETI, Role.STUDENT),
        ])  # fmt: skip
        minna.open_record(
            student_id=VEETI.id, group_id=_GROUP, record_id=_RECORD,
            subject="Jaksaminen ja poissaolot",
            background="Veeti kertoi terveydenhoitajalle tilanteestaan; ohjattiin kuraattorille.",
            initiator="terveydenhoitaja Kaisa Salminen (ohjaus, OHL 16 §)",
        )  # fmt: skip
        minna.add_entry(
            record_id=_RECORD, kind=EntryKind.MEETING, event_date=today,
            text="Käsiteltiin Veetin tilanne yhdessä hänen kanssaan.",
            participants=[Participant(name="Veeti Hiltunen", position="opiskelija"),
                          Participant(name="Minna Lehtonen", position="kuraattori"),
                          Participant(name="Kaisa Salminen", position="terveydenhoitaja")],
            measures=[Measure(measure="Viikoittaiset tapaamiset kuraattorin kanssa",
                              responsible="Minna Lehtonen", follow_up_by="Kaisa Salminen",
                              due=today + dt.timedelta(days=21))],
        )  # fmt: skip
    slots = [f"demo-slot-{today.isoformat()}-{n}" for n in (1, 2)]
    if not _exists(kit, AvailabilitySlot, slots[0]):
        tuomas = _as(kit, TUOMAS, now)
        for slot_id, start in zip(slots, _slot_times(now), strict=True):
            tuomas.publish_availability(service=Role.PSYCHOLOGIST, starts_at=start,
                                        ends_at=start + dt.timedelta(minutes=45),
                                        place="Psykologin huone B12", slot_id=slot_id)  # fmt: skip
        _as(kit, VEETI, now).book(slots[0], student_id=VEETI.id, asked_on=today)
        start = _slot_times(now)[0].replace(hour=8)
        _as(kit, KAISA, now).publish_availability(
            service=Role.NURSE, starts_at=start, ends_at=start + dt.timedelta(hours=3),
            walk_in=True, place="Terveydenhoitajan vastaanotto", slot_id=f"{slots[0]}-open",
        )  # fmt: skip
    if not _exists(kit, Transfer, _TRANSFER):
        helena = _as(kit, HELENA, now)
        helena.prepare_transfer(student_id="eetu.makela", to_provider=_NEW_PROVIDER,
                                transfer_id=_TRANSFER)  # fmt: skip
        helena.mark_transfer_sent(_TRANSFER)


def describe_casework(kit: WelfareKit, now: dt.datetime) -> str:
    """Veeti's casework as each person sees it, and the outbox."""
    minna, veeti, kaisa = _as(kit, MINNA, now), _as(kit, VEETI, now), _as(kit, KAISA, now)
    lines = ["Casework: Veeti's matter, from a word with the nurse to his record"]
    matter = next(m for m in kaisa.matters() if m.id == _MATTER)
    lines.append(f"  Veeti left a matter with the nurse ({matter.left_at.astimezone(FINLAND):%d.%m.}); "
                 f"she brought it forward as a {matter.forward_basis} (only she and Veeti read it)")  # fmt: skip
    for referral in minna.referrals():
        if referral.student_id == VEETI.id:
            informed = (
                "his guardian was informed" if referral.guardian_informed else "no guardian told"
            )
            lines.append(f"  § 16 referral to the school social worker; {informed}")
    group = minna.expert_group(_GROUP)
    members = ", ".join(f"{m.member.id} ({m.role.value.replace('_', ' ')})" for m in group.members)
    lines.append(f"  Expert group {group.state.status.value} on Veeti's consent: {members}")
    for due in minna.measures_due(on=today_in_finland(now) + dt.timedelta(days=30)):
        lines.append(f"  To follow up by {due.measure.due}: {due.measure.measure}")
    for appointment in veeti.bookings(student_id=VEETI.id):
        slot = appointment.slot
        when = slot.starts_at.astimezone(FINLAND)
        in_time = "within" if appointment.in_time else "LATER than"
        lines.append(f"  Veeti booked the psychologist for {when:%d.%m. %H:%M}, {in_time} the "
                     f"§ 15 deadline {appointment.deadline}")  # fmt: skip
    free = veeti.available_slots(service=Role.PSYCHOLOGIST)
    lines.append(f"  Still free with the psychologist: {len(free)} slot(s); the nurse's open "
                 f"reception needs no booking ({len(veeti.walk_in_hours())} time(s))")  # fmt: skip
    for transfer in _as(kit, HELENA, now).transfers("eetu.makela"):
        records = (
            "with records"
            if transfer.includes_records
            else "education data only, no consent for records"
        )
        lines.append(
            f"  Eetu's transfer to {transfer.to_provider}: {transfer.status.value} ({records})"
        )
    with kit.storage.transaction() as tx:
        waiting = [m for m in tx.list(OutboxMessage, P) if m.status.value == "pending"]
    texts = Counter(m.text for m in waiting)
    lines.append(f"  Notifications waiting in the outbox: {len(waiting)}, each one of "
                 f"{len(texts)} fixed sentence(s), e.g. \"{texts.most_common(1)[0][0]}\""
                 if texts else "  Notifications waiting in the outbox: none")  # fmt: skip
    return "\n".join(lines)
