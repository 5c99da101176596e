"""Casework as storage keeps it: expert groups' lives, availability and bookings, transfers
and the notification outbox (DOMAIN.md §§ 3, 4, 8, 9).

These objects carry no confidential free text: a booking says when and with whom, never
why; a transfer says where to, not what. What is confidential (a matter left with a group
member, a referral's content) is sealed, in :mod:`welfarekit.sealed`.
"""

from __future__ import annotations

import datetime as dt
import enum

import attrs

from welfarekit.model._validate import (
    aware_datetime,
    coerce_enum,
    fail,
    identifier,
    instance_of,
    member_of,
    optional_identifier,
    optional_text,
    text,
)
from welfarekit.model.people import PersonKind, PersonRef, Role, to_role

__all__ = [
    "APPOINTMENT_ROLES",
    "AvailabilitySlot",
    "Booking",
    "BookingStatus",
    "ExpertGroupState",
    "ExpertGroupStatus",
    "NotificationTopic",
    "OutboxMessage",
    "OutboxStatus",
    "Transfer",
    "TransferStatus",
]

_ref = instance_of(PersonRef)
_optional_ref = attrs.validators.optional(_ref)
_optional_moment = attrs.validators.optional(aware_datetime)
_date = instance_of(dt.date)


class ExpertGroupStatus(enum.StrEnum):
    """Where a case expert group (*monialainen asiantuntijaryhmä*, § 14(4)) stands."""

    PROPOSED = "proposed"
    """Proposed for one student; nothing is handled until the consent forms it."""
    FORMED = "formed"
    """Formed on the consent, with its members and a responsible person."""
    CLOSED = "closed"
    """Its work is over; memberships have ended and with them access."""


def to_expert_group_status(value: ExpertGroupStatus | str) -> ExpertGroupStatus:
    return coerce_enum(ExpertGroupStatus, value)


@attrs.frozen(kw_only=True)
class ExpertGroupState:
    """The life of one case expert group; keyed by the group's id."""

    group_id: str = attrs.field(validator=identifier)
    provider_id: str = attrs.field(validator=identifier)
    student_id: str = attrs.field(validator=identifier)
    status: ExpertGroupStatus = attrs.field(
        converter=to_expert_group_status, validator=member_of(ExpertGroupStatus)
    )
    proposed_by: PersonRef = attrs.field(validator=_ref)
    proposed_at: dt.datetime = attrs.field(validator=aware_datetime)
    responsible: PersonRef = attrs.field(validator=_ref)
    """*vastuuhenkilö*: the member named to keep the record (§ 14(4), § 20(3))."""
    formed_at: dt.datetime | None = attrs.field(default=None, validator=_optional_moment)
    closed_at: dt.datetime | None = attrs.field(default=None, validator=_optional_moment)
    close_reason: str | None = attrs.field(default=None, validator=optional_text(200))

    @responsible.validator
    def _staff_responsible(self, attribute: attrs.Attribute[PersonRef], value: object) -> None:
        if isinstance(value, PersonRef) and value.kind is not PersonKind.STAFF:
            raise fail(self, attribute, "the responsible person is a staff member of the group")


APPOINTMENT_ROLES = frozenset(
    {
        Role.SCHOOL_SOCIAL_WORKER,
        Role.PSYCHOLOGIST,
        Role.NURSE,
        Role.DOCTOR,
        Role.STUDY_COUNSELLOR,
    }
)
"""The welfare staff students and guardians book directly, without any group."""


@attrs.frozen(kw_only=True)
class AvailabilitySlot:
    """A time a member of the welfare staff has published for bookings."""

    id: str = attrs.field(validator=identifier)
    provider_id: str = attrs.field(validator=identifier)
    staff_id: str = attrs.field(validator=identifier)
    service: Role = attrs.field(converter=to_role, validator=member_of(Role))
    """In which role the staff member receives (psychologist, nurse …)."""
    starts_at: dt.datetime = attrs.field(validator=aware_datetime)
    ends_at: dt.datetime = attrs.field(validator=aware_datetime)
    place: str | None = attrs.field(default=None, validator=optional_text(200))
    walk_in: bool = attrs.field(default=False)
    """An open reception: come without booking (the nurse, § 17); not bookable."""
    withdrawn: bool = False
    """Taken back by the staff member; bookings made before stay as they were."""

    @walk_in.validator
    def _walk_in_nurse(self, attribute: attrs.Attribute[bool], value: object) -> None:
        if value and self.service is not Role.NURSE:
            raise fail(self, attribute, "open reception without booking is the nurse's (§ 17)")

    @service.validator
    def _bookable(self, attribute: attrs.Attribute[Role], value: object) -> None:
        if value not in APPOINTMENT_ROLES:
            names = ", ".join(sorted(r.value for r in APPOINTMENT_ROLES))
            raise fail(self, attribute, f"bookable services are: {names}")

    @ends_at.validator
    def _ends_after_start(self, attribute: attrs.Attribute[dt.datetime], value: object) -> None:
        if isinstance(value, dt.datetime) and value <= self.starts_at:
            raise fail(self, attribute, "must be after starts_at")

    @property
    def professional(self) -> PersonRef:
        return PersonRef(PersonKind.STAFF, self.staff_id)


class BookingStatus(enum.StrEnum):
    BOOKED = "booked"
    CANCELLED = "cancelled"


def to_booking_status(value: BookingStatus | str) -> BookingStatus:
    return coerce_enum(BookingStatus, value)


@attrs.frozen(kw_only=True)
class Booking:
    """A student's booking of a slot. Who visits welfare staff is itself confidential: only
    the student, an entitled guardian and the professional see it.

    A slot's bookings are keyed ``<slot id>-<n>``, ``n`` counting earlier bookings of the
    slot, and storage inserts them create-only: of two requests at the same moment, one
    wins and the other gets :class:`~welfarekit.errors.ConflictError`."""

    id: str = attrs.field(validator=identifier)
    provider_id: str = attrs.field(validator=identifier)
    slot_id: str = attrs.field(validator=identifier)
    student_id: str = attrs.field(validator=identifier)
    staff_id: str = attrs.field(validator=identifier)
    booked_by: PersonRef = attrs.field(validator=_ref)
    booked_at: dt.datetime = attrs.field(validator=aware_datetime)
    asked_on: dt.date = attrs.field(validator=_date)
    """When the student first asked for the discussion: § 15 deadlines run from here."""
    urgent: bool = False
    status: BookingStatus = attrs.field(
        default=BookingStatus.BOOKED,
        converter=to_booking_status,
        validator=member_of(BookingStatus),
    )
    cancelled_at: dt.datetime | None = attrs.field(default=None, validator=_optional_moment)
    cancelled_by: PersonRef | None = attrs.field(default=None, validator=_optional_ref)
    rescheduled_to: str | None = attrs.field(default=None, validator=optional_identifier)
    """The booking that replaced this one, when it was moved."""

    @property
    def professional(self) -> PersonRef:
        return PersonRef(PersonKind.STAFF, self.staff_id)


class TransferStatus(enum.StrEnum):
    PREPARED = "prepared"
    """The package is put together; nothing has left."""
    SENT = "sent"
    RECEIVED = "received"
    """The new provider has acknowledged it; the receipt is kept."""


def to_transfer_status(value: TransferStatus | str) -> TransferStatus:
    return coerce_enum(TransferStatus, value)


@attrs.frozen(kw_only=True)
class Transfer:
    """A student's move to a new education provider (§ 23(3); OppivL 23 §)."""

    id: str = attrs.field(validator=identifier)
    provider_id: str = attrs.field(validator=identifier)
    student_id: str = attrs.field(validator=identifier)
    to_provider: str = attrs.field(validator=text(200))
    """The receiving provider as the sender names it (its name or business id)."""
    prepared_at: dt.datetime = attrs.field(validator=aware_datetime)
    prepared_by: PersonRef = attrs.field(validator=_ref)
    consent_id: str | None = attrs.field(default=None, validator=optional_identifier)
    """The consent under which welfare records go along; without one they stay (§ 23(3))."""
    status: TransferStatus = attrs.field(
        default=TransferStatus.PREPARED,
        converter=to_transfer_status,
        validator=member_of(TransferStatus),
    )
    sent_at: dt.datetime | None = attrs.field(default=None, validator=_optional_moment)
    received_at: dt.datetime | None = attrs.field(default=None, validator=_optional_moment)
    receipt: str | None = attrs.field(default=None, validator=optional_text(200))
    """The receiving provider's acknowledgement (its reference)."""

    @property
    def includes_records(self) -> bool:
        return self.consent_id is not None


class NotificationTopic(enum.StrEnum):
    """What a notification may say: a fixed sentence per topic, never the case itself."""

    BOOKING_CONFIRMED = "booking_confirmed"
    BOOKING_CANCELLED = "booking_cancelled"
    BOOKING_RECEIVED = "booking_received"
    MATTER_RECEIVED = "matter_received"
    REFERRAL_RECEIVED = "referral_received"
    GUARDIAN_INFORMED_OF_REFERRAL = "guardian_informed_of_referral"
    EXPERT_GROUP_PROPOSED = "expert_group_proposed"
    EXPERT_GROUP_FORMED = "expert_group_formed"
    EXPERT_GROUP_MEMBERSHIP = "expert_group_membership"
    EXPERT_GROUP_CLOSED = "expert_group_closed"
    TRANSFER_RECEIVED = "transfer_received"
    INITIATIVE_RECEIVED = "initiative_received"
    INITIATIVE_ANSWERED = "initiative_answered"
    INITIATIVE_TO_HANDLE = "initiative_to_handle"
    CRISIS_ACTIVATED = "crisis_activated"
    GUARDIAN_NOTICE = "guardian_notice"

    @property
    def text(self) -> str:
        """The whole message: the same words for everyone, so nothing confidential leaks."""
        return _TOPIC_TEXT[self]


_TOPIC_TEXT = {
    NotificationTopic.BOOKING_CONFIRMED: "You have a new booking confirmation in the "
    "welfare service.",
    NotificationTopic.BOOKING_CANCELLED: "A booking of yours in the welfare service has changed.",
    NotificationTopic.BOOKING_RECEIVED: "You have a new booking in the welfare service.",
    NotificationTopic.MATTER_RECEIVED: "You have a new message in the welfare service.",
    NotificationTopic.REFERRAL_RECEIVED: "You have a new message in the welfare service.",
    NotificationTopic.GUARDIAN_INFORMED_OF_REFERRAL: "You have a new message in the welfare "
    "service.",
    NotificationTopic.EXPERT_GROUP_PROPOSED: "You have a new request in the welfare service.",
    NotificationTopic.EXPERT_GROUP_FORMED: "You have a new message in the welfare service.",
    NotificationTopic.EXPERT_GROUP_MEMBERSHIP: "You have a new message in the welfare service.",
    NotificationTopic.EXPERT_GROUP_CLOSED: "You have a new message in the welfare service.",
    NotificationTopic.TRANSFER_RECEIVED: "You have a new message in the welfare service.",
    NotificationTopic.INITIATIVE_RECEIVED: "Your initiative has been received by the welfare "
    "group.",
    NotificationTopic.INITIATIVE_ANSWERED: "Your initiative has an answer in the welfare service.",
    NotificationTopic.INITIATIVE_TO_HANDLE: "You have a new message in the welfare service.",
    NotificationTopic.CRISIS_ACTIVATED: "A crisis response has started. Open the crisis log in "
    "the welfare service.",
    NotificationTopic.GUARDIAN_NOTICE: "You have a new message from the school.",
}


def to_topic(value: NotificationTopic | str) -> NotificationTopic:
    return coerce_enum(NotificationTopic, value)


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    """Gave up after :data:`welfarekit.notify.MAX_ATTEMPTS`; a person should look."""


def to_outbox_status(value: OutboxStatus | str) -> OutboxStatus:
    return coerce_enum(OutboxStatus, value)


@attrs.frozen(kw_only=True)
class OutboxMessage:
    """A notification written in the same transaction as the step it tells of, delivered
    afterwards through the ``welfarekit_notify`` hook (so a rolled-back step sends nothing
    and a delivery failure loses nothing)."""

    id: str = attrs.field(validator=identifier)
    provider_id: str = attrs.field(validator=identifier)
    recipient: PersonRef = attrs.field(validator=_ref)
    topic: NotificationTopic = attrs.field(
        converter=to_topic, validator=member_of(NotificationTopic)
    )
    created_at: dt.datetime = attrs.field(validator=aware_datetime)
    status: OutboxStatus = attrs.field(
        default=OutboxStatus.PENDING, converter=to_outbox_status, validator=member_of(OutboxStatus)
    )
    attempts: int = attrs.field(default=0, validator=attrs.validators.ge(0))
    sent_at: dt.datetime | None = attrs.field(default=None, validator=_optional_moment)
    last_error: str | None = attrs.field(default=None, validator=optional_text(500))
    next_attempt_at: dt.datetime | None = attrs.field(default=None, validator=_optional_moment)
    """After a failed delivery: not before this moment (backoff)."""

    @property
    def text(self) -> str:
        return self.topic.text
