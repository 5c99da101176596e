"""Test objects of the sealed register and students' secrets, and a real audit chain.

Ciphertext is opaque to storage, so it is stand-in bytes: every byte value, NUL bytes, an
empty blob and one of 100 000 bytes (over MariaDB's 64 KiB ``BLOB``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from zoneinfo import ZoneInfo

from welfarekit.audit import AuditEvent, AuditOutcome
from welfarekit.audit_chain import ChainedEvent, chain
from welfarekit.model import PersonKind, PersonRef
from welfarekit.sealed import (
    BlindIndexEntry,
    ProviderSecret,
    SealedDisclosure,
    SealedEntry,
    SealedIdentityCode,
    SealedRecord,
    StoredKeyset,
    SubjectAccessRequest,
)
from welfarekit.storage import Entity

HELSINKI = ZoneInfo("Europe/Helsinki")
NEW_YORK = dt.timezone(dt.timedelta(hours=-5), "EST")
NURSE = PersonRef(PersonKind.STAFF, "nurse")
TEACHER = PersonRef(PersonKind.STAFF, "t.virtanen")


def ciphertext(label: str, size: int = 96) -> bytes:
    """``size`` pseudo-random bytes, the same for the same label."""
    out = b""
    block = label.encode()
    while len(out) < size:
        block = hashlib.sha256(block).digest()
        out += block
    return out[:size]


def sealed_world(p: str) -> list[Entity]:
    """Records for s1 (two entries and their corrections) and s3 (a plan), a disclosure on
    a statutory basis and one on a consent; keysets, blind index rows (a value shared by
    two students on purpose, two index names) and sealed identity codes."""
    return [
        SealedRecord(
            id="r1", provider_id=p, student_id="s1", group_id="case-s1",
            opened_at=dt.datetime(2026, 11, 9, 8, 0, 0, 250000, tzinfo=HELSINKI),
            opened_by=NURSE, content=bytes(range(256)) * 2,
        ),
        SealedRecord(
            id="r1.x", provider_id=p, student_id="s3", group_id="hyvinvointi",
            opened_at=dt.datetime(2026, 3, 29, 4, 30, tzinfo=HELSINKI),
            opened_by=TEACHER, content=ciphertext("r1.x", 100_000),
        ),
        SealedEntry(
            id="e1", provider_id=p, record_id="r1", student_id="s1", kind="meeting",
            event_date=dt.date(2026, 11, 9),
            recorded_at=dt.datetime(2026, 11, 9, 15, 45, 12, 1, tzinfo=HELSINKI),
            author=NURSE, version=1, content=b"\x00" * 40 + ciphertext("e1"),
        ),
        SealedEntry(
            id="e2", provider_id=p, record_id="r1", student_id="s1", kind="meeting",
            event_date=dt.date(2026, 11, 9),
            recorded_at=dt.datetime(2026, 11, 10, 9, 0, tzinfo=dt.UTC),
            author=NURSE, version=2, corrects="e1", content=ciphertext("e2"),
        ),
        SealedEntry(
            id="e2.x", provider_id=p, record_id="r1", student_id="s1", kind="meeting",
            event_date=dt.date(2026, 11, 9),
            recorded_at=dt.datetime(2026, 11, 11, 3, 0, tzinfo=NEW_YORK),
            author=TEACHER, version=3, corrects="e2", entered_in_error=True, content=b"",
        ),
        SealedEntry(
            id="e3", provider_id=p, record_id="r1.x", student_id="s3", kind="plan",
            event_date=dt.date(2026, 3, 30),
            recorded_at=dt.datetime(2026, 3, 30, 23, 59, 59, 999999, tzinfo=HELSINKI),
            author=TEACHER, version=1, content=ciphertext("e3", 5000),
        ),
        SealedDisclosure(
            id="d1", provider_id=p, record_id="r1", student_id="s1",
            disclosed_at=dt.datetime(2026, 11, 12, 10, 0, tzinfo=HELSINKI), by=NURSE,
            basis="lsl_25", content=ciphertext("d1"),
        ),
        SealedDisclosure(
            id="d1.x", provider_id=p, record_id="r1.x", student_id="s3",
            disclosed_at=dt.datetime(2026, 11, 13, 7, 30, tzinfo=NEW_YORK), by=TEACHER,
            consent_id="members", content=ciphertext("d1.x"),
        ),
        StoredKeyset(
            provider_id=p, student_id="s1", kek_id="kek-2026-1", blob=ciphertext("ks1", 141),
            updated_at=dt.datetime(2026, 11, 1, 12, 0, 0, 123456, tzinfo=HELSINKI),
        ),
        StoredKeyset(
            provider_id=p, student_id="s3", kek_id="kek-2025-2", blob=ciphertext("ks3", 141),
            updated_at=dt.datetime(2025, 12, 31, 19, 0, tzinfo=NEW_YORK),
        ),
        BlindIndexEntry(provider_id=p, student_id="s1", name="identity_code", value="3f0a"),
        BlindIndexEntry(provider_id=p, student_id="s2", name="identity_code", value="3f0a"),
        BlindIndexEntry(provider_id=p, student_id="s3", name="identity_code", value="b71c"),
        BlindIndexEntry(provider_id=p, student_id="s1", name="identity_code.v2", value="b71c"),
        SealedIdentityCode(provider_id=p, student_id="s1", ciphertext=ciphertext("hetu-s1", 59)),
        SealedIdentityCode(provider_id=p, student_id="s2", ciphertext=ciphertext("hetu-s2", 59)),
        SubjectAccessRequest(id="sar1", provider_id=p, student_id="s1",
                             requested_by=PersonRef(PersonKind.GUARDIAN, "g1"),
                             received_on=dt.date(2026, 11, 20), large=True,
                             due_on=dt.date(2026, 12, 20),
                             answered_at=dt.datetime(2026, 11, 25, 10, 0, tzinfo=NEW_YORK)),
        SubjectAccessRequest(id="sar2", provider_id=p, student_id="s2",
                             requested_by=PersonRef(PersonKind.STUDENT, "s2"),
                             received_on=dt.date(2026, 11, 21), due_on=dt.date(2026, 12, 5)),
        ProviderSecret(provider_id=p, name="blind_index", kek_id="kek-2026-1",
                       blob=ciphertext("secret", 61),
                       created_at=dt.datetime(2026, 11, 1, 8, 0, tzinfo=NEW_YORK)),
    ]  # fmt: skip


def audit_events(p: str, count: int, *, start: int = 0) -> list[AuditEvent]:
    """``count`` events of provider ``p``: every outcome, a reason or none, moments in
    Helsinki with microseconds and at a fixed offset, non-ASCII text."""
    outcomes = (AuditOutcome.SUCCESS, AuditOutcome.DENIED, AuditOutcome.FAILED)
    base = dt.datetime(2026, 11, 23, 9, 15, 0, 123456, tzinfo=HELSINKI)
    return [
        AuditEvent(
            id=f"ev-{p}-{n}", provider_id=p,
            occurred_at=(base + dt.timedelta(minutes=n, microseconds=n)).astimezone(
                NEW_YORK if n % 2 else HELSINKI
            ),
            actor="staff:nurse" if n % 3 else "system:hallinto-sync",
            action="record.read" if n % 2 else "directory.write",
            resource_type="WelfareRecord", resource_id=f"r{n}/Äänekoski",
            outcome=outcomes[n % 3],
            reason=None if n % 3 == 0 else f"refused by policy ö{n}",
        )
        for n in range(start + 1, start + count + 1)
    ]  # fmt: skip


def audit_chain(p: str, count: int, *, head: ChainedEvent | None = None) -> list[ChainedEvent]:
    """``count`` chained entries of provider ``p``, after ``head`` if given."""
    start = head.sequence if head is not None else 0
    return chain(audit_events(p, count, start=start), head=head)
