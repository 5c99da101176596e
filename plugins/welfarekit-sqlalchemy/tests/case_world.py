"""Test objects of casework: expert groups' states, availability slots and bookings,
transfers, the notification outbox, confidential matters and referrals.

Every filter leaves something out, optional fields are both set and left empty (an
anonymous matter, a booking never cancelled), moments are in Helsinki, at a fixed offset
and in UTC, with and without microseconds, and a recipient ``s1`` is both a student and
someone outside the directory.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sealed_world import ciphertext

from welfarekit.model import (
    AvailabilitySlot,
    Booking,
    BookingStatus,
    ExpertGroupState,
    ExpertGroupStatus,
    NotificationTopic,
    OutboxMessage,
    OutboxStatus,
    PersonKind,
    PersonRef,
    Role,
    Transfer,
    TransferStatus,
)
from welfarekit.sealed import SealedMatter, SealedReferral
from welfarekit.storage import Entity

HELSINKI = ZoneInfo("Europe/Helsinki")
NEW_YORK = dt.timezone(dt.timedelta(hours=-5), "EST")
S1 = PersonRef(PersonKind.STUDENT, "s1")
S3 = PersonRef(PersonKind.STUDENT, "s3")
G1 = PersonRef(PersonKind.GUARDIAN, "g1")
NURSE = PersonRef(PersonKind.STAFF, "nurse")
TEACHER = PersonRef(PersonKind.STAFF, "t.virtanen")


def case_world(p: str) -> list[Entity]:
    """Casework of provider ``p`` for students s1 and s3 (who are in the directory, with
    the case groups case-s1 and case-s3)."""
    return [
        ExpertGroupState(
            group_id="case-s1", provider_id=p, student_id="s1", status=ExpertGroupStatus.FORMED,
            proposed_by=NURSE, proposed_at=dt.datetime(2026, 10, 30, 13, 0, tzinfo=HELSINKI),
            responsible=NURSE,
            formed_at=dt.datetime(2026, 11, 2, 9, 15, 30, 123456, tzinfo=HELSINKI),
        ),
        ExpertGroupState(
            group_id="case-s3", provider_id=p, student_id="s3", status="proposed",
            proposed_by=G1, proposed_at=dt.datetime(2026, 11, 20, 7, 0, tzinfo=NEW_YORK),
            responsible=TEACHER,
        ),
        SealedMatter(
            id="matter1", provider_id=p, holder_id="nurse", author=S1,
            left_at=dt.datetime(2026, 11, 18, 14, 5, 0, 1, tzinfo=HELSINKI),
            kek_id="kek-2026-1", keyset=ciphertext("matter1-keyset", 141),
            content=ciphertext("matter1", 700),
        ),
        SealedMatter(
            id="matter1.x", provider_id=p, holder_id="t.virtanen",
            left_at=dt.datetime(2026, 11, 19, 8, 0, tzinfo=dt.UTC), status="brought_forward",
            student_id="s3", forward_basis="referral",
            forwarded_at=dt.datetime(2026, 11, 21, 10, 30, tzinfo=NEW_YORK),
            kek_id="kek-2025-2", keyset=ciphertext("matter1.x-keyset", 141), content=b"",
        ),
        SealedReferral(
            id="ref1", provider_id=p, student_id="s1", referred_by=TEACHER,
            professional_id="nurse",
            referred_at=dt.datetime(2026, 11, 16, 12, 0, 0, 999999, tzinfo=HELSINKI),
            guardian_informed=True, received_at=dt.datetime(2026, 11, 17, 8, 0, tzinfo=dt.UTC),
            content=bytes(range(256)),
        ),
        SealedReferral(
            id="ref1.x", provider_id=p, student_id="s3", referred_by=TEACHER,
            professional_id="psy.lahti",
            referred_at=dt.datetime(2026, 3, 29, 4, 30, tzinfo=HELSINKI),
            content=ciphertext("ref1.x", 100_000),
        ),
        AvailabilitySlot(
            id="slot1", provider_id=p, staff_id="nurse", service=Role.NURSE,
            starts_at=dt.datetime(2026, 11, 30, 9, 0, tzinfo=HELSINKI),
            ends_at=dt.datetime(2026, 11, 30, 9, 45, tzinfo=HELSINKI),
            place="Terveydenhoitajan huone 112",
        ),
        AvailabilitySlot(
            id="slot1.open", provider_id=p, staff_id="nurse", service=Role.NURSE,
            starts_at=dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC),
            ends_at=dt.datetime(2026, 11, 30, 14, 0, tzinfo=dt.UTC),
            place="Terveydenhoitajan huone 112", walk_in=True,
        ),
        AvailabilitySlot(
            id="slot2", provider_id=p, staff_id="t.virtanen", service="study_counsellor",
            starts_at=dt.datetime(2026, 12, 1, 7, 30, 0, 250000, tzinfo=NEW_YORK),
            ends_at=dt.datetime(2026, 12, 1, 8, 0, tzinfo=NEW_YORK),
            withdrawn=True,
        ),
        Booking(
            id="slot1-1", provider_id=p, slot_id="slot1", student_id="s3", staff_id="nurse",
            booked_by=S3, booked_at=dt.datetime(2026, 11, 23, 9, 0, 0, 5, tzinfo=HELSINKI),
            asked_on=dt.date(2026, 11, 20), urgent=True, status=BookingStatus.CANCELLED,
            cancelled_at=dt.datetime(2026, 11, 24, 6, 0, tzinfo=dt.UTC), cancelled_by=NURSE,
            rescheduled_to="slot2-1",
        ),
        Booking(
            id="slot1-2", provider_id=p, slot_id="slot1", student_id="s1", staff_id="nurse",
            booked_by=G1, booked_at=dt.datetime(2026, 11, 24, 7, 0, tzinfo=NEW_YORK),
            asked_on=dt.date(2026, 11, 24),
        ),
        Booking(
            id="slot2-1", provider_id=p, slot_id="slot2", student_id="s3",
            staff_id="t.virtanen", booked_by=NURSE,
            booked_at=dt.datetime(2026, 11, 24, 6, 0, 1, tzinfo=dt.UTC),
            asked_on=dt.date(2026, 11, 20), urgent=True,
        ),
        Transfer(
            id="tr1", provider_id=p, student_id="s1", to_provider="Koulutuskeskus Sedu (0208201-1)",
            prepared_at=dt.datetime(2026, 11, 10, 10, 0, tzinfo=HELSINKI), prepared_by=TEACHER,
            consent_id="form", status=TransferStatus.RECEIVED,
            sent_at=dt.datetime(2026, 11, 10, 10, 5, 0, 123, tzinfo=HELSINKI),
            received_at=dt.datetime(2026, 11, 12, 3, 0, tzinfo=NEW_YORK), receipt="SEDU-2026/118",
        ),
        Transfer(
            id="tr1.x", provider_id=p, student_id="s3", to_provider="Äänekosken lukio",
            prepared_at=dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC), prepared_by=NURSE,
        ),
        OutboxMessage(
            id="ob1", provider_id=p, recipient=S1, topic=NotificationTopic.BOOKING_CONFIRMED,
            created_at=dt.datetime(2026, 11, 24, 7, 0, 0, 1, tzinfo=NEW_YORK),
        ),
        OutboxMessage(
            id="ob2", provider_id=p, recipient=G1, topic="guardian_informed_of_referral",
            created_at=dt.datetime(2026, 11, 16, 12, 0, tzinfo=HELSINKI),
            status=OutboxStatus.SENT, attempts=1,
            sent_at=dt.datetime(2026, 11, 16, 12, 0, 3, 500000, tzinfo=HELSINKI),
        ),
        OutboxMessage(
            id="ob3", provider_id=p, recipient=PersonRef(PersonKind.EXTERNAL, "s1"),
            topic=NotificationTopic.EXPERT_GROUP_MEMBERSHIP,
            created_at=dt.datetime(2026, 11, 2, 9, 16, tzinfo=dt.UTC), status="failed",
            attempts=5, last_error="smtp: 550 mailbox unavailable (ääkköset)",
        ),
        OutboxMessage(
            id="ob4", provider_id=p, recipient=NURSE, topic=NotificationTopic.BOOKING_RECEIVED,
            created_at=dt.datetime(2026, 11, 24, 12, 0, tzinfo=HELSINKI),
        ),
    ]  # fmt: skip
