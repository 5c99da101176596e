"""How casework maps to table rows, and back: expert groups' states, availability slots,
bookings, transfers, the notification outbox, confidential matters and referrals.

Enum members are stored as their values and converted back by the model classes. Moments
are written in UTC and read back as aware UTC datetimes, and ciphertext comes back as the
same ``bytes``, as in :mod:`welfarekit_sqlalchemy.sealed_rows`. An optional person is two
``NULL`` columns when absent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from welfarekit.model import (
    AvailabilitySlot,
    Booking,
    ExpertGroupState,
    OutboxMessage,
    PersonRef,
    Transfer,
)
from welfarekit.sealed import SealedMatter, SealedReferral
from welfarekit_sqlalchemy import casework_tables
from welfarekit_sqlalchemy.shapes import Row, Shape, from_utc, same_names, to_utc

__all__ = ["CASEWORK_SHAPES"]


def _person_row(name: str, person: PersonRef | None) -> Row:
    if person is None:
        return {f"{name}_kind": None, f"{name}_id": None}
    return {f"{name}_kind": person.kind.value, f"{name}_id": person.id}


def _person(r: Mapping[str, Any], name: str) -> PersonRef:
    return PersonRef(r[f"{name}_kind"], r[f"{name}_id"])


def _optional_person(r: Mapping[str, Any], name: str) -> PersonRef | None:
    if r[f"{name}_kind"] is None and r[f"{name}_id"] is None:
        return None
    return _person(r, name)


def _moment_in(moment: dt.datetime | None) -> dt.datetime | None:
    return None if moment is None else to_utc(moment)


def _moment_out(moment: dt.datetime | None) -> dt.datetime | None:
    return None if moment is None else from_utc(moment)


def _expert_group_row(g: ExpertGroupState) -> Row:
    return {
        "provider_id": g.provider_id,
        "group_id": g.group_id,
        "student_id": g.student_id,
        "status": g.status.value,
        **_person_row("proposed_by", g.proposed_by),
        "proposed_at": to_utc(g.proposed_at),
        **_person_row("responsible", g.responsible),
        "formed_at": _moment_in(g.formed_at),
        "closed_at": _moment_in(g.closed_at),
        "close_reason": g.close_reason,
    }


def _expert_group(r: Mapping[str, Any]) -> ExpertGroupState:
    return ExpertGroupState(
        group_id=r["group_id"],
        provider_id=r["provider_id"],
        student_id=r["student_id"],
        status=r["status"],
        proposed_by=_person(r, "proposed_by"),
        proposed_at=from_utc(r["proposed_at"]),
        responsible=_person(r, "responsible"),
        formed_at=_moment_out(r["formed_at"]),
        closed_at=_moment_out(r["closed_at"]),
        close_reason=r["close_reason"],
    )


def _slot_row(s: AvailabilitySlot) -> Row:
    return {
        "provider_id": s.provider_id,
        "id": s.id,
        "staff_id": s.staff_id,
        "service": s.service.value,
        "starts_at": to_utc(s.starts_at),
        "ends_at": to_utc(s.ends_at),
        "place": s.place,
        "walk_in": s.walk_in,
        "withdrawn": s.withdrawn,
    }


def _slot(r: Mapping[str, Any]) -> AvailabilitySlot:
    return AvailabilitySlot(
        id=r["id"],
        provider_id=r["provider_id"],
        staff_id=r["staff_id"],
        service=r["service"],
        starts_at=from_utc(r["starts_at"]),
        ends_at=from_utc(r["ends_at"]),
        place=r["place"],
        walk_in=bool(r["walk_in"]),
        withdrawn=bool(r["withdrawn"]),
    )


def _booking_row(b: Booking) -> Row:
    return {
        "provider_id": b.provider_id,
        "id": b.id,
        "slot_id": b.slot_id,
        "student_id": b.student_id,
        "staff_id": b.staff_id,
        **_person_row("booked_by", b.booked_by),
        "booked_at": to_utc(b.booked_at),
        "asked_on": b.asked_on,
        "urgent": b.urgent,
        "status": b.status.value,
        "cancelled_at": _moment_in(b.cancelled_at),
        **_person_row("cancelled_by", b.cancelled_by),
        "rescheduled_to": b.rescheduled_to,
    }


def _booking(r: Mapping[str, Any]) -> Booking:
    return Booking(
        id=r["id"],
        provider_id=r["provider_id"],
        slot_id=r["slot_id"],
        student_id=r["student_id"],
        staff_id=r["staff_id"],
        booked_by=_person(r, "booked_by"),
        booked_at=from_utc(r["booked_at"]),
        asked_on=r["asked_on"],
        urgent=bool(r["urgent"]),
        status=r["status"],
        cancelled_at=_moment_out(r["cancelled_at"]),
        cancelled_by=_optional_person(r, "cancelled_by"),
        rescheduled_to=r["rescheduled_to"],
    )


def _transfer_row(t: Transfer) -> Row:
    return {
        "provider_id": t.provider_id,
        "id": t.id,
        "student_id": t.student_id,
        "to_provider": t.to_provider,
        "prepared_at": to_utc(t.prepared_at),
        **_person_row("prepared_by", t.prepared_by),
        "consent_id": t.consent_id,
        "status": t.status.value,
        "sent_at": _moment_in(t.sent_at),
        "received_at": _moment_in(t.received_at),
        "receipt": t.receipt,
    }


def _transfer(r: Mapping[str, Any]) -> Transfer:
    return Transfer(
        id=r["id"],
        provider_id=r["provider_id"],
        student_id=r["student_id"],
        to_provider=r["to_provider"],
        prepared_at=from_utc(r["prepared_at"]),
        prepared_by=_person(r, "prepared_by"),
        consent_id=r["consent_id"],
        status=r["status"],
        sent_at=_moment_out(r["sent_at"]),
        received_at=_moment_out(r["received_at"]),
        receipt=r["receipt"],
    )


def _outbox_row(m: OutboxMessage) -> Row:
    return {
        "provider_id": m.provider_id,
        "id": m.id,
        **_person_row("recipient", m.recipient),
        "topic": m.topic.value,
        "created_at": to_utc(m.created_at),
        "status": m.status.value,
        "attempts": m.attempts,
        "sent_at": _moment_in(m.sent_at),
        "last_error": m.last_error,
        "next_attempt_at": _moment_in(m.next_attempt_at),
    }


def _outbox(r: Mapping[str, Any]) -> OutboxMessage:
    return OutboxMessage(
        id=r["id"],
        provider_id=r["provider_id"],
        recipient=_person(r, "recipient"),
        topic=r["topic"],
        created_at=from_utc(r["created_at"]),
        status=r["status"],
        attempts=r["attempts"],
        sent_at=_moment_out(r["sent_at"]),
        last_error=r["last_error"],
        next_attempt_at=_moment_out(r["next_attempt_at"]),
    )


def _matter_row(m: SealedMatter) -> Row:
    return {
        "provider_id": m.provider_id,
        "id": m.id,
        "holder_id": m.holder_id,
        **_person_row("author", m.author),
        "left_at": to_utc(m.left_at),
        "status": m.status,
        "student_id": m.student_id,
        "forward_basis": m.forward_basis,
        "forwarded_at": _moment_in(m.forwarded_at),
        "kek_id": m.kek_id,
        "keyset": m.keyset,
        "content": m.content,
    }


def _matter(r: Mapping[str, Any]) -> SealedMatter:
    return SealedMatter(
        id=r["id"],
        provider_id=r["provider_id"],
        holder_id=r["holder_id"],
        author=_optional_person(r, "author"),
        left_at=from_utc(r["left_at"]),
        status=r["status"],
        student_id=r["student_id"],
        forward_basis=r["forward_basis"],
        forwarded_at=_moment_out(r["forwarded_at"]),
        kek_id=r["kek_id"],
        keyset=bytes(r["keyset"]),
        content=bytes(r["content"]),
    )


def _referral_row(s: SealedReferral) -> Row:
    return {
        "provider_id": s.provider_id,
        "id": s.id,
        "student_id": s.student_id,
        **_person_row("referred_by", s.referred_by),
        "professional_id": s.professional_id,
        "referred_at": to_utc(s.referred_at),
        "guardian_informed": s.guardian_informed,
        "received_at": _moment_in(s.received_at),
        "content": s.content,
    }


def _referral(r: Mapping[str, Any]) -> SealedReferral:
    return SealedReferral(
        id=r["id"],
        provider_id=r["provider_id"],
        student_id=r["student_id"],
        referred_by=_person(r, "referred_by"),
        professional_id=r["professional_id"],
        referred_at=from_utc(r["referred_at"]),
        guardian_informed=bool(r["guardian_informed"]),
        received_at=_moment_out(r["received_at"]),
        content=bytes(r["content"]),
    )


CASEWORK_SHAPES: Mapping[type[object], Shape] = {
    ExpertGroupState: Shape(
        casework_tables.expert_groups,
        "provider_id",
        ("group_id",),
        same_names(ExpertGroupState),
        _expert_group_row,
        _expert_group,
    ),
    SealedMatter: Shape(
        casework_tables.sealed_matters,
        "provider_id",
        ("id",),
        same_names(SealedMatter),
        _matter_row,
        _matter,
    ),
    SealedReferral: Shape(
        casework_tables.sealed_referrals,
        "provider_id",
        ("id",),
        same_names(SealedReferral),
        _referral_row,
        _referral,
    ),
    AvailabilitySlot: Shape(
        casework_tables.availability_slots,
        "provider_id",
        ("id",),
        same_names(AvailabilitySlot),
        _slot_row,
        _slot,
    ),
    Booking: Shape(
        casework_tables.bookings,
        "provider_id",
        ("id",),
        same_names(Booking),
        _booking_row,
        _booking,
    ),
    Transfer: Shape(
        casework_tables.transfers,
        "provider_id",
        ("id",),
        same_names(Transfer),
        _transfer_row,
        _transfer,
    ),
    OutboxMessage: Shape(
        casework_tables.outbox,
        "provider_id",
        ("id",),
        same_names(OutboxMessage),
        _outbox_row,
        _outbox,
    ),
}
"""The shapes of casework, the kinds of :data:`welfarekit.storage.CASE_TYPES` other than
subject access requests (those are in :mod:`welfarekit_sqlalchemy.sealed_rows`); each key
is :func:`welfarekit.storage.entity_key`'s, column by column."""
