"""Retention: destroying what the provider's policy no longer lets it keep.

The Pupil and Student Welfare Act sets no retention period for the register; the provider
sets one (Tiedonhallintalaki 906/2019 21 §) and must destroy the data without delay when it
ends (DOMAIN.md § 7). A run lists what is due (a dry run by default) and, when told,
destroys it: the record's sealed rows are deleted, children before their record, and each
destruction is written to the audit trail, which keeps only identifiers.
"""

from __future__ import annotations

import datetime as dt

import attrs

from welfarekit.audit import AuditEvent
from welfarekit.auditing import emit
from welfarekit.model import Student
from welfarekit.sealed import SealedDisclosure, SealedEntry, SealedRecord
from welfarekit.storage import StorageAdapter

__all__ = ["DueRecord", "RetentionPolicy", "records_due", "run_retention"]


@attrs.frozen(kw_only=True)
class RetentionPolicy:
    """The provider's retention periods. ``records_years``: a welfare record is kept this
    many years after its last entry (or its opening, if it has none)."""

    records_years: int = attrs.field(validator=attrs.validators.ge(1))


@attrs.frozen(kw_only=True)
class DueRecord:
    record_id: str
    student_id: str
    last_activity: dt.date
    due_since: dt.date


def _years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def records_due(
    storage: StorageAdapter, provider_id: str, policy: RetentionPolicy, today: dt.date
) -> list[DueRecord]:
    """The provider's records whose retention period has ended, oldest first. Reads only
    unsealed metadata: nothing is opened."""
    due = []
    with storage.transaction() as tx:
        for student in tx.list(Student, provider_id):
            student_id = student.id
            for record in tx.list(SealedRecord, provider_id, student_id=student_id):
                entries = tx.list(SealedEntry, provider_id, record_id=record.id)
                last = max([record.opened_at, *(e.recorded_at for e in entries)]).date()
                ends = _years_after(last, policy.records_years)
                if ends <= today:
                    due.append(DueRecord(record_id=record.id, student_id=student_id,
                                         last_activity=last, due_since=ends))  # fmt: skip
    return sorted(due, key=lambda d: (d.due_since, d.record_id))


def run_retention(
    storage: StorageAdapter,
    hook: object,
    provider_id: str,
    policy: RetentionPolicy,
    today: dt.date,
    *,
    destroy: bool = False,
    by: str = "retention",
) -> list[DueRecord]:
    """List what is due and, with ``destroy``, destroy it: each record in its own
    transaction with its audit event, so an interrupted run loses nothing half-way."""
    due = records_due(storage, provider_id, policy, today)
    if not destroy:
        return due
    for item in due:
        with storage.transaction() as tx:
            for entry in tx.list(SealedEntry, provider_id, record_id=item.record_id):
                tx.delete(SealedEntry, provider_id, entry.id)
            for disclosure in tx.list(SealedDisclosure, provider_id, record_id=item.record_id):
                tx.delete(SealedDisclosure, provider_id, disclosure.id)
            tx.delete(SealedRecord, provider_id, item.record_id)
            emit(tx, hook, AuditEvent(
                provider_id=provider_id, actor=f"system:{by}", action="retention.destroy",
                resource_type="welfare_record", resource_id=item.record_id,
                student_id=item.student_id,
                reason=f"retention period ended {item.due_since.isoformat()} "
                       "(Tiedonhallintalaki 21 §)",
            ))  # fmt: skip
    return due
