"""Retention: destroying what the provider's policy no longer lets it keep.

The Pupil and Student Welfare Act sets no retention period for the register; the provider
sets one per kind of data (Tiedonhallintalaki 906/2019 21 §) and must destroy the data
without delay when it ends (DOMAIN.md § 7). A run lists what is due (a dry run by default)
and, when told, destroys it — or archives it first, when the provider hands records to an
archive: each item is deleted in its own transaction with its audit event, which keeps only
identifiers. Deleting a confidential matter destroys its own keyset with it.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from typing import Any

import attrs

from welfarekit.audit import AuditEvent
from welfarekit.auditing import emit
from welfarekit.model import Booking, BookingStatus, OutboxMessage, OutboxStatus, Student
from welfarekit.sealed import (
    SealedDisclosure,
    SealedEntry,
    SealedMatter,
    SealedRecord,
    SealedReferral,
)
from welfarekit.storage import Entity, StorageAdapter, StorageTransaction

__all__ = [
    "Archiver",
    "DueItem",
    "RetentionKind",
    "RetentionPolicy",
    "items_due",
    "run_retention",
]


class RetentionKind(enum.StrEnum):
    RECORD = "record"
    """A welfare record with its entries and disclosures (*opiskeluhuoltokertomus*)."""
    REFERRAL = "referral"
    """A § 16 referral."""
    MATTER = "matter"
    """A matter left confidentially with a group member."""
    BOOKING = "booking"
    """A booking with welfare staff, once its time has passed or it was cancelled."""
    NOTIFICATION = "notification"
    """A delivered or failed notification in the outbox."""


def _optional_years(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (not isinstance(value, int) or value < 1):
        raise ValueError(f"{attribute.name} must be a whole number of at least 1, or None")


@attrs.frozen(kw_only=True)
class RetentionPolicy:
    """The provider's retention periods, each counted from the item's last activity.
    ``None`` keeps that kind until a person decides (nothing is destroyed by default
    except records, whose period the provider must set)."""

    records_years: int = attrs.field(validator=attrs.validators.ge(1))
    referrals_years: int | None = attrs.field(default=None, validator=_optional_years)
    matters_years: int | None = attrs.field(default=None, validator=_optional_years)
    bookings_years: int | None = attrs.field(default=None, validator=_optional_years)
    notifications_days: int | None = attrs.field(default=None, validator=_optional_years)


@attrs.frozen(kw_only=True)
class DueItem:
    kind: RetentionKind
    key: str
    student_id: str | None
    last_activity: dt.date
    due_since: dt.date


Archiver = Callable[[DueItem, dict[str, Any]], None]
"""Receives each record due, opened (:func:`welfarekit.records.timeline_to_dict`), before it
is destroyed; raising keeps the record."""


def _years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def items_due(
    storage: StorageAdapter, provider_id: str, policy: RetentionPolicy, today: dt.date
) -> list[DueItem]:
    """What the policy no longer lets the provider keep, oldest first. Reads only unsealed
    metadata: nothing is opened."""
    due: list[DueItem] = []

    def check(kind: RetentionKind, key: str, student: str | None, last: dt.datetime,
              ends: dt.date) -> None:  # fmt: skip
        if ends <= today:
            due.append(DueItem(kind=kind, key=key, student_id=student,
                               last_activity=last.date(), due_since=ends))  # fmt: skip

    with storage.transaction() as tx:
        for student in tx.list(Student, provider_id):
            for record in tx.list(SealedRecord, provider_id, student_id=student.id):
                entries = tx.list(SealedEntry, provider_id, record_id=record.id)
                last = max([record.opened_at, *(e.recorded_at for e in entries)])
                check(RetentionKind.RECORD, record.id, student.id, last,
                      _years_after(last.date(), policy.records_years))  # fmt: skip
            if policy.referrals_years is not None:
                for referral in tx.list(SealedReferral, provider_id, student_id=student.id):
                    last = referral.received_at or referral.referred_at
                    check(RetentionKind.REFERRAL, referral.id, student.id, last,
                          _years_after(last.date(), policy.referrals_years))  # fmt: skip
            if policy.bookings_years is not None:
                for booking in tx.list(Booking, provider_id, student_id=student.id):
                    if booking.status is BookingStatus.BOOKED and not _past(tx, booking, today):
                        continue  # still to come
                    last = booking.cancelled_at or booking.booked_at
                    check(RetentionKind.BOOKING, booking.id, student.id, last,
                          _years_after(last.date(), policy.bookings_years))  # fmt: skip
        if policy.matters_years is not None:
            for matter in tx.list(SealedMatter, provider_id):
                last = matter.forwarded_at or matter.left_at
                check(RetentionKind.MATTER, matter.id, matter.student_id, last,
                      _years_after(last.date(), policy.matters_years))  # fmt: skip
        if policy.notifications_days is not None:
            for message in tx.list(OutboxMessage, provider_id):
                if message.status is OutboxStatus.PENDING:
                    continue
                last = message.sent_at or message.created_at
                check(RetentionKind.NOTIFICATION, message.id, None, last,
                      last.date() + dt.timedelta(days=policy.notifications_days))  # fmt: skip
    return sorted(due, key=lambda d: (d.due_since, d.kind.value, d.key))


def _past(tx: StorageTransaction, booking: Booking, today: dt.date) -> bool:
    from welfarekit.model import AvailabilitySlot

    slot = tx.get(AvailabilitySlot, booking.provider_id, booking.slot_id)
    return slot is None or slot.ends_at.date() < today


_KINDS: dict[RetentionKind, type[Entity]] = {
    RetentionKind.REFERRAL: SealedReferral,
    RetentionKind.MATTER: SealedMatter,
    RetentionKind.BOOKING: Booking,
    RetentionKind.NOTIFICATION: OutboxMessage,
}


def run_retention(
    storage: StorageAdapter,
    hook: Any,
    provider_id: str,
    policy: RetentionPolicy,
    today: dt.date,
    *,
    destroy: bool = False,
    archive: Archiver | None = None,
    vault: Any = None,
    by: str = "retention",
) -> list[DueItem]:
    """List what is due and, with ``destroy``, destroy it: each item in its own
    transaction with its audit event, so an interrupted run loses nothing half-way.

    With ``archive`` (and the kit's ``vault`` to open records), each record due is handed
    to it opened before it is destroyed, in the same transaction: if archiving fails, the
    record stays."""
    due = items_due(storage, provider_id, policy, today)
    if not destroy:
        return due
    if archive is not None and vault is None:
        raise ValueError("archiving opens the records: pass the kit's vault")
    for item in due:
        with storage.transaction() as tx:
            if item.kind is RetentionKind.RECORD:
                if archive is not None:
                    opened = _opened_record(tx, item.key, storage=storage, hook=hook,
                                            vault=vault, provider_id=provider_id)  # fmt: skip
                    archive(item, opened)
                    _audit(tx, hook, item, provider_id=provider_id, by=by, what="archive")
                for entry in tx.list(SealedEntry, provider_id, record_id=item.key):
                    tx.delete(SealedEntry, provider_id, entry.id)
                for disclosure in tx.list(SealedDisclosure, provider_id, record_id=item.key):
                    tx.delete(SealedDisclosure, provider_id, disclosure.id)
                tx.delete(SealedRecord, provider_id, item.key)
            else:
                tx.delete(_KINDS[item.kind], provider_id, item.key)
            _audit(tx, hook, item, provider_id=provider_id, by=by, what="destroy")
    return due


def _audit(tx: StorageTransaction, hook: Any, item: DueItem, *, provider_id: str, by: str,
           what: str) -> None:  # fmt: skip
    emit(tx, hook, AuditEvent(
        provider_id=provider_id, actor=f"system:{by}", action=f"retention.{what}",
        resource_type=item.kind.value, resource_id=item.key, student_id=item.student_id,
        reason=f"retention period ended {item.due_since.isoformat()} (Tiedonhallintalaki 21 §)",
    ))  # fmt: skip


def _opened_record(tx: StorageTransaction, record_id: str, *, storage: StorageAdapter,
                   hook: Any, vault: Any, provider_id: str) -> dict[str, Any]:  # fmt: skip
    from welfarekit.access import Actor
    from welfarekit.records import timeline_to_dict
    from welfarekit.session import Session

    header = tx.get(SealedRecord, provider_id, record_id)
    assert header is not None
    archivist = Session(storage, hook, Actor.host_system(provider_id, "archive"), vault=vault)
    keys = vault.keyset(tx, provider_id, header.student_id, create=False)
    timeline = archivist._build_timeline(  # the run's own system read, audited as archive
        header,
        tx.list(SealedEntry, provider_id, record_id=record_id),
        tx.list(SealedDisclosure, provider_id, record_id=record_id),
        keys,
    )
    return {"student_id": header.student_id, **timeline_to_dict(timeline)}
