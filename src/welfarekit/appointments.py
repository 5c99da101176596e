"""Appointments with welfare staff: availability, bookings and the § 15 deadlines.

Students and guardians book a social worker, psychologist, nurse, doctor or study counsellor
directly, without any group (as the seeds promise). Who visits welfare staff is itself
confidential: a booking is seen by the student, an entitled guardian and the professional,
and by no one else; it says when and with whom, never why.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING

import attrs

from welfarekit._session_parts import SessionParts
from welfarekit.access import Action, Resource, ResourceType
from welfarekit.clock import today_in_finland
from welfarekit.errors import ConflictError, IntegrityError, NotFound
from welfarekit.model import (
    AvailabilitySlot,
    Booking,
    BookingStatus,
    NotificationTopic,
    PersonKind,
    PersonRef,
    Role,
    StaffMember,
)
from welfarekit.working_days import discussion_deadline

if TYPE_CHECKING:
    from welfarekit.storage import StorageTransaction

__all__ = ["DEADLINE_ROLES", "AppointmentsMixin", "BookedAppointment", "Caseload", "CaseloadItem"]

DEADLINE_ROLES = frozenset({Role.PSYCHOLOGIST, Role.SCHOOL_SOCIAL_WORKER})
"""The services § 15 sets a deadline for: a discussion within seven working days of asking,
in an urgent case the same or the next working day."""


@attrs.frozen(kw_only=True)
class BookedAppointment:
    """A booking with its slot and, for a psychologist or social worker, the § 15 deadline
    and whether the slot meets it (a late slot is still booked: the host should offer an
    earlier one, and the figure shows when the law's promise was not kept)."""

    booking: Booking
    slot: AvailabilitySlot
    deadline: dt.date | None
    in_time: bool | None


@attrs.frozen(kw_only=True)
class CaseloadItem:
    """One piece of a professional's caseload: which student, what, when; no content."""

    kind: str
    """``referral`` or ``booking``."""
    id: str
    student_id: str
    at: dt.datetime
    """When the referral came, or when the booked time begins."""
    open: bool
    """A referral not yet taken up, or a booking still to come."""


@attrs.frozen(kw_only=True)
class Caseload:
    professional: PersonRef
    items: tuple[CaseloadItem, ...]


class AppointmentsMixin(SessionParts):
    """The appointment operations of :class:`~welfarekit.session.Session`."""

    # -- availability --------------------------------------------------------------------------

    def publish_availability(
        self,
        *,
        service: Role | str,
        starts_at: dt.datetime,
        ends_at: dt.datetime,
        place: str | None = None,
        walk_in: bool = False,
        slot_id: str | None = None,
    ) -> AvailabilitySlot:
        """Publish a time the actor receives in ``service`` (a role the directory gives
        them). ``walk_in`` publishes the nurse's open reception, which needs no booking."""
        provider_id = self.actor.provider_id
        person = self.actor.person
        slot = AvailabilitySlot(
            id=slot_id or uuid.uuid4().hex, provider_id=provider_id,
            staff_id=person.id if person is not None else "-", service=service,
            starts_at=starts_at, ends_at=ends_at, place=place, walk_in=walk_in,
        )  # fmt: skip
        with self._transaction() as tx:
            staff = tx.get(StaffMember, provider_id, slot.staff_id)
            if person is None or person.kind is not PersonKind.STAFF or staff is None:
                self._refuse(tx, Action.WRITE, self._slot_resource(slot),
                             "only welfare staff publish their availability")  # fmt: skip
            if slot.service not in staff.roles:
                self._refuse(tx, Action.WRITE, self._slot_resource(slot),
                             f"{staff.full_name} does not work as {slot.service.value}")  # fmt: skip
            tx.insert(slot)
        return slot

    def withdraw_availability(self, slot_id: str) -> AvailabilitySlot:
        """Take a published slot back; a booking made on it stays (cancel it separately)."""
        with self._transaction() as tx:
            slot = self._slot(tx, slot_id)
            if self.actor.person != slot.professional:
                self._refuse(tx, Action.WRITE, self._slot_resource(slot),
                             "only the staff member who published it withdraws a slot")  # fmt: skip
            slot = attrs.evolve(slot, withdrawn=True)
            tx.save(slot)
        return slot

    def available_slots(
        self, *, service: Role | str | None = None, staff_id: str | None = None
    ) -> list[AvailabilitySlot]:
        """Future bookable slots, earliest first; booked ones are left out without saying
        by whom. Anyone of the provider may look."""
        filters = {}
        if service is not None:
            filters["service"] = Role(service).value
        if staff_id is not None:
            filters["staff_id"] = staff_id
        now = self.now
        with self._storage.transaction() as tx:
            slots = [
                s
                for s in tx.list(AvailabilitySlot, self.actor.provider_id, **filters)
                if not s.withdrawn and not s.walk_in and s.starts_at > now
            ]
            free = [s for s in slots if self._active_booking(tx, s) is None]
        return sorted(free, key=lambda s: (s.starts_at, s.id))

    def walk_in_hours(self, *, staff_id: str | None = None) -> list[AvailabilitySlot]:
        """The nurse's open receptions to come to without booking (§ 17), from now on."""
        now = self.now
        filters = {"service": Role.NURSE.value}
        if staff_id is not None:
            filters["staff_id"] = staff_id
        with self._storage.transaction() as tx:
            found = tx.list(AvailabilitySlot, self.actor.provider_id, **filters)
        return sorted((s for s in found if s.walk_in and not s.withdrawn and s.ends_at > now),
                      key=lambda s: s.starts_at)  # fmt: skip

    # -- bookings ------------------------------------------------------------------------------

    def book(
        self,
        slot_id: str,
        *,
        student_id: str,
        asked_on: dt.date | None = None,
        urgent: bool = False,
    ) -> BookedAppointment:
        """Book a slot for the student, as the student or an entitled guardian.

        A taken slot raises :class:`~welfarekit.errors.ConflictError`; of two requests at the
        same moment one wins and the other gets the same error (storage inserts a slot's
        booking create-only). ``asked_on`` is when the student first asked (default today):
        the § 15 deadline runs from it."""
        with self._transaction() as tx:
            appointment = self._book(tx, slot_id, student_id, asked_on, urgent)
        return appointment

    def _book(self, tx: StorageTransaction, slot_id: str, student_id: str,
              asked_on: dt.date | None, urgent: bool) -> BookedAppointment:  # fmt: skip
        provider_id = self.actor.provider_id
        slot = self._slot(tx, slot_id)
        resource = self._booking_resource(student_id, slot.professional, slot.id,
                                          booked_by=self.actor.person)  # fmt: skip
        self._require(tx, Action.WRITE, resource)
        person = self.actor.person
        if person is None or person.kind not in (PersonKind.STUDENT, PersonKind.GUARDIAN):
            self._refuse(tx, Action.WRITE, resource,
                         "the student or a guardian books; staff publish their slots")  # fmt: skip
        if slot.withdrawn or slot.walk_in:
            raise IntegrityError("that slot is not open for booking")
        if slot.starts_at <= self.now:
            raise IntegrityError("that slot has begun already")
        if self._active_booking(tx, slot) is not None:
            raise ConflictError("that slot is taken; choose another")
        earlier = tx.list(Booking, provider_id, slot_id=slot.id)
        booking = Booking(
            id=f"{slot.id}-{len(earlier)}", provider_id=provider_id, slot_id=slot.id,
            student_id=student_id, staff_id=slot.staff_id, booked_by=person,
            booked_at=self.now, asked_on=asked_on or today_in_finland(self.now), urgent=urgent,
        )  # fmt: skip
        tx.insert(booking)
        self._tell(tx, [slot.professional], NotificationTopic.BOOKING_RECEIVED)
        self._tell(tx, [person, PersonRef(PersonKind.STUDENT, student_id)],
                   NotificationTopic.BOOKING_CONFIRMED)  # fmt: skip
        return _appointment(booking, slot)

    def cancel_booking(self, booking_id: str) -> Booking:
        """Cancel a booking, as the student, the professional, or an entitled guardian who
        made it (a guardian cannot cancel the student's own booking: a guardian cannot forbid
        a minor's use of welfare services, OHL § 18(3)); the slot opens again and the other
        side is notified."""
        with self._transaction() as tx:
            return self._cancel(tx, booking_id, rescheduled_to=None)

    def reschedule_booking(self, booking_id: str, new_slot_id: str) -> BookedAppointment:
        """Move a booking to another slot, all at once: the new one is booked and the old
        one cancelled in one transaction, or neither."""
        with self._transaction() as tx:
            old = self._booking(tx, booking_id)
            moved = self._book(tx, new_slot_id, old.student_id, old.asked_on, old.urgent)
            self._cancel(tx, booking_id, rescheduled_to=moved.booking.id)
        return moved

    def _cancel(self, tx: StorageTransaction, booking_id: str,
                rescheduled_to: str | None) -> Booking:  # fmt: skip
        booking = self._booking(tx, booking_id)
        resource = self._booking_resource(booking.student_id, booking.professional, booking.id,
                                          booked_by=booking.booked_by)  # fmt: skip
        self._require(tx, Action.WRITE, resource)
        if booking.status is BookingStatus.CANCELLED:
            raise IntegrityError("that booking was cancelled already")
        cancelled = attrs.evolve(booking, status=BookingStatus.CANCELLED, cancelled_at=self.now,
                                 cancelled_by=self.actor.person, rescheduled_to=rescheduled_to)  # fmt: skip
        tx.save(cancelled)
        student = PersonRef(PersonKind.STUDENT, booking.student_id)
        self._tell(tx, [booking.professional, student, booking.booked_by],
                   NotificationTopic.BOOKING_CANCELLED)  # fmt: skip
        return cancelled

    def bookings(self, *, student_id: str | None = None) -> list[BookedAppointment]:
        """The student's bookings (for the student or an entitled guardian, with
        ``student_id``), or without it a professional's own appointments; each read is
        audited."""
        provider_id = self.actor.provider_id
        person = self.actor.person
        with self._transaction() as tx:
            if student_id is not None:
                found = tx.list(Booking, provider_id, student_id=student_id)
            elif person is not None and person.kind is PersonKind.STAFF:
                found = tx.list(Booking, provider_id, staff_id=person.id)
            else:
                raise IntegrityError("name the student whose bookings to list")
            opened = []
            for booking in found:
                resource = self._booking_resource(booking.student_id, booking.professional,
                                                  booking.id, booked_by=booking.booked_by)  # fmt: skip
                self._require(tx, Action.READ, resource)
                opened.append(_appointment(booking, self._slot(tx, booking.slot_id)))
        return sorted(opened, key=lambda a: (a.slot.starts_at, a.booking.id))

    def caseload(self) -> Caseload:
        """A welfare professional's own caseload: the referrals addressed to them and their
        bookings, as metadata (no sealed content is opened), in a fixed number of queries
        whatever its size. Decided and audited once, as a listing of the actor's own work;
        opening a referral's concern goes through :meth:`referrals`, audited per student."""
        from welfarekit.sealed import SealedReferral

        provider_id = self.actor.provider_id
        person = self.actor.person
        if person is None or person.kind is not PersonKind.STAFF:
            raise IntegrityError("a caseload is a staff member's")
        with self._transaction() as tx:
            resource = Resource(type=ResourceType.REFERRAL, provider_id=provider_id,
                                holder=person)  # fmt: skip
            self._require(tx, Action.LIST, resource)
            referrals = tx.list(SealedReferral, provider_id, professional_id=person.id)
            bookings = tx.list(Booking, provider_id, staff_id=person.id)
            slots = {s.id: s for s in tx.list(AvailabilitySlot, provider_id, staff_id=person.id)}
        items = [
            CaseloadItem(kind="referral", id=r.id, student_id=r.student_id, at=r.referred_at,
                         open=r.received_at is None)
            for r in referrals
        ] + [
            CaseloadItem(kind="booking", id=b.id, student_id=b.student_id,
                         at=slots[b.slot_id].starts_at,
                         open=b.status is BookingStatus.BOOKED
                         and slots[b.slot_id].starts_at > self.now)
            for b in bookings if b.slot_id in slots
        ]  # fmt: skip
        return Caseload(professional=person,
                        items=tuple(sorted(items, key=lambda i: (i.at, i.id))))  # fmt: skip

    # -- helpers -------------------------------------------------------------------------------

    def _slot(self, tx: StorageTransaction, slot_id: str) -> AvailabilitySlot:
        slot = tx.get(AvailabilitySlot, self.actor.provider_id, slot_id)
        if slot is None:
            raise NotFound(f"no availability slot {slot_id!r}")
        return slot

    def _booking(self, tx: StorageTransaction, booking_id: str) -> Booking:
        booking = tx.get(Booking, self.actor.provider_id, booking_id)
        if booking is None:
            raise NotFound(f"no booking {booking_id!r}")
        return booking

    @staticmethod
    def _active_booking(tx: StorageTransaction, slot: AvailabilitySlot) -> Booking | None:
        for booking in tx.list(Booking, slot.provider_id, slot_id=slot.id):
            if booking.status is BookingStatus.BOOKED:
                return booking
        return None

    def _booking_resource(self, student_id: str, professional: PersonRef, key: str, *,
                          booked_by: PersonRef | None) -> Resource:  # fmt: skip
        """A booking as the rules see it: the professional holds it, and whoever booked it
        owns it (a guardian changes only what they booked, OHL § 18(3))."""
        return Resource(type=ResourceType.BOOKING, provider_id=self.actor.provider_id, id=key,
                        student_id=student_id, holder=professional, owner=booked_by)  # fmt: skip

    def _slot_resource(self, slot: AvailabilitySlot) -> Resource:
        return Resource(type=ResourceType.BOOKING, provider_id=slot.provider_id, id=slot.id,
                        holder=slot.professional)  # fmt: skip


def _appointment(booking: Booking, slot: AvailabilitySlot) -> BookedAppointment:
    if slot.service not in DEADLINE_ROLES:
        return BookedAppointment(booking=booking, slot=slot, deadline=None, in_time=None)
    deadline = discussion_deadline(booking.asked_on, urgent=booking.urgent)
    in_time = today_in_finland(slot.starts_at) <= deadline
    return BookedAppointment(booking=booking, slot=slot, deadline=deadline, in_time=in_time)
