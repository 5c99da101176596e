"""The storage contract every storage adapter implements.

welfarekit's core never speaks SQL: it hands validated domain objects to a
:class:`StorageAdapter`, one :class:`StorageTransaction` at a time. A transaction is all or
nothing: leaving its ``with`` block by an exception rolls everything in it back.

Every object belongs to one education provider (invariant 8): every read names the
provider, and a key is unique only within its provider.
"""

from __future__ import annotations

import builtins
import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from operator import attrgetter
from typing import Any, NamedTuple, Protocol, TypeVar, runtime_checkable

import attrs

from welfarekit.audit_chain import ChainedEvent
from welfarekit.model import (
    AvailabilitySlot,
    Booking,
    CapacityAssessment,
    CommunalDocument,
    CrisisEvent,
    EducationProvider,
    ExpertGroupState,
    ExpressionOfWill,
    Guardian,
    Guardianship,
    GuardianVeto,
    Initiative,
    Institution,
    Membership,
    OutboxMessage,
    PlanComment,
    PlanSectionVersion,
    PlanState,
    PolicyDocument,
    StaffMember,
    Student,
    StudyGroup,
    Transfer,
    WelfareGroup,
    Withdrawal,
)
from welfarekit.sealed import (
    BlindIndexEntry,
    ProviderSecret,
    SealedDisclosure,
    SealedEntry,
    SealedIdentityCode,
    SealedMatter,
    SealedRecord,
    SealedReferral,
    StoredKeyset,
    SubjectAccessRequest,
)

__all__ = [
    "CASE_TYPES",
    "DIRECTORY_TYPES",
    "ENTITY_TYPES",
    "FILTERS",
    "REGISTER_TYPES",
    "SECRET_TYPES",
    "Entity",
    "KeysetRewrap",
    "SchemaStatus",
    "StorageAdapter",
    "StorageTransaction",
    "entity_key",
]

Entity = (
    EducationProvider
    | Institution
    | StudyGroup
    | Student
    | Guardian
    | Guardianship
    | StaffMember
    | WelfareGroup
    | Membership
    | ExpressionOfWill
    | Withdrawal
    | CapacityAssessment
    | GuardianVeto
    | SealedRecord
    | SealedEntry
    | SealedDisclosure
    | StoredKeyset
    | BlindIndexEntry
    | SealedIdentityCode
    | ProviderSecret
    | SubjectAccessRequest
    | ExpertGroupState
    | SealedMatter
    | SealedReferral
    | AvailabilitySlot
    | Booking
    | Transfer
    | OutboxMessage
    | PolicyDocument
    | CommunalDocument
    | Initiative
    | CrisisEvent
    | PlanSectionVersion
    | PlanState
    | PlanComment
)
E = TypeVar("E", bound=Entity)

DIRECTORY_TYPES: tuple[type[Entity], ...] = (
    EducationProvider,
    Institution,
    StudyGroup,
    Student,
    Guardian,
    Guardianship,
    StaffMember,
    WelfareGroup,
    Membership,
)
"""The kinds of object the directory keeps, in the order their references require."""

REGISTER_TYPES: tuple[type[Entity], ...] = (
    ExpressionOfWill,
    Withdrawal,
    CapacityAssessment,
    GuardianVeto,
    SealedRecord,
    SealedEntry,
    SealedDisclosure,
)
"""The kinds of object of the student welfare register; append-only (never replaced)."""

SECRET_TYPES: tuple[type[Entity], ...] = (
    StoredKeyset,
    BlindIndexEntry,
    SealedIdentityCode,
    ProviderSecret,
)
"""A student's secrets: replaced when keys rotate, deleted when the student is
crypto-shredded."""

CASE_TYPES: tuple[type[Entity], ...] = (
    SubjectAccessRequest,
    ExpertGroupState,
    SealedMatter,
    SealedReferral,
    AvailabilitySlot,
    Booking,
    Transfer,
    OutboxMessage,
    PolicyDocument,
    CommunalDocument,
    Initiative,
    CrisisEvent,
    PlanSectionVersion,
    PlanState,
    PlanComment,
)
"""Kinds whose state moves on (a request is answered, a booking cancelled); replaced on
save. The sealed ones among them (matters, referrals) keep their ``content`` as it was
sealed: only :meth:`StorageTransaction.replace_ciphertext` changes it."""

ENTITY_TYPES: tuple[type[Entity], ...] = (
    DIRECTORY_TYPES + REGISTER_TYPES + SECRET_TYPES + CASE_TYPES
)
"""Every kind of object storage keeps."""

FILTERS: Mapping[type[Entity], Mapping[str, Callable[[object], object]]] = {
    EducationProvider: {},
    Institution: {"kind": attrgetter("kind")},
    StudyGroup: {"institution_id": attrgetter("institution_id")},
    Student: {
        "institution_id": attrgetter("institution_id"),
        "study_group_id": attrgetter("study_group_id"),
    },
    Guardian: {},
    Guardianship: {
        "student_id": attrgetter("student_id"),
        "guardian_id": attrgetter("guardian_id"),
    },
    StaffMember: {},
    WelfareGroup: {
        "kind": attrgetter("kind"),
        "institution_id": attrgetter("institution_id"),
        "student_id": attrgetter("student_id"),
    },
    Membership: {
        "group_id": attrgetter("group_id"),
        "member_kind": attrgetter("member.kind"),
        "member_id": attrgetter("member.id"),
    },
    ExpressionOfWill: {"student_id": attrgetter("student_id")},
    Withdrawal: {"student_id": attrgetter("student_id")},
    CapacityAssessment: {"student_id": attrgetter("student_id")},
    GuardianVeto: {"student_id": attrgetter("student_id")},
    SealedRecord: {"student_id": attrgetter("student_id")},
    SealedEntry: {
        "record_id": attrgetter("record_id"),
        "student_id": attrgetter("student_id"),
    },
    SealedDisclosure: {
        "record_id": attrgetter("record_id"),
        "student_id": attrgetter("student_id"),
    },
    StoredKeyset: {},
    BlindIndexEntry: {"name": attrgetter("name"), "value": attrgetter("value")},
    SealedIdentityCode: {},
    ProviderSecret: {},
    SubjectAccessRequest: {"student_id": attrgetter("student_id")},
    ExpertGroupState: {"student_id": attrgetter("student_id"), "status": attrgetter("status")},
    SealedMatter: {
        "holder_id": attrgetter("holder_id"),
        "status": attrgetter("status"),
        "student_id": attrgetter("student_id"),
    },
    SealedReferral: {
        "student_id": attrgetter("student_id"),
        "professional_id": attrgetter("professional_id"),
    },
    AvailabilitySlot: {"staff_id": attrgetter("staff_id"), "service": attrgetter("service")},
    Booking: {
        "slot_id": attrgetter("slot_id"),
        "student_id": attrgetter("student_id"),
        "staff_id": attrgetter("staff_id"),
    },
    Transfer: {"student_id": attrgetter("student_id")},
    OutboxMessage: {
        "status": attrgetter("status"),
        "recipient_kind": attrgetter("recipient.kind"),
        "recipient_id": attrgetter("recipient.id"),
    },
    PolicyDocument: {},
    CommunalDocument: {"group_id": attrgetter("group_id")},
    Initiative: {"group_id": attrgetter("group_id"), "status": attrgetter("status")},
    CrisisEvent: {"institution_id": attrgetter("institution_id"), "status": attrgetter("status")},
    PlanSectionVersion: {"section_key": attrgetter("section_key")},
    PlanState: {},
    PlanComment: {"section_key": attrgetter("section_key")},
}
"""The equality filters :meth:`StorageTransaction.list` accepts per kind, and how each is
read off an object (the reference adapter uses these getters; SQL adapters map them to
indexed columns)."""


def entity_key(entity: Entity) -> str:
    """The key of an object within its provider (and kind)."""
    if isinstance(entity, Guardianship):
        return f"{entity.guardian_id}/{entity.student_id}"
    if isinstance(entity, BlindIndexEntry):
        return f"{entity.name}/{entity.student_id}"
    if isinstance(entity, StoredKeyset | SealedIdentityCode):
        return entity.student_id
    if isinstance(entity, ProviderSecret):
        return entity.name
    if isinstance(entity, ExpertGroupState):
        return entity.group_id
    if isinstance(entity, PolicyDocument):
        return entity.scope
    return entity.id


@attrs.frozen
class SchemaStatus:
    """Where the database schema stands against the migrations this adapter ships."""

    current: str | None
    head: str

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


class KeysetRewrap(NamedTuple):
    """A student's keyset rewrapped under a new key-encryption key, with the wrapped bytes
    it was made from (:meth:`StorageTransaction.replace_keysets`)."""

    student_id: str
    old_blob: bytes
    kek_id: str
    blob: bytes


@runtime_checkable
class StorageTransaction(Protocol):
    """One unit of work. Writes become visible to others only when it commits."""

    def save(self, entity: Entity) -> None:
        """Insert the object, or replace the one with the same provider, kind and key.

        Objects of the register (:data:`REGISTER_TYPES`) are append-only: saving one whose
        key exists raises :class:`~welfarekit.errors.IntegrityError` and changes nothing.
        """

    def save_many(self, entities: Sequence[Entity], /) -> None:
        """Append new objects of the register (:data:`REGISTER_TYPES`), each as :meth:`save`
        does, in order, in one round trip per kind where the backend allows (a batch's
        entries). A key taken raises :class:`~welfarekit.errors.IntegrityError`; what the
        call wrote before it is undone when the transaction rolls back, as it then must.
        Another kind of object raises ``TypeError`` and writes nothing.

        Newer than the rest of the contract: the core falls back to :meth:`save` for an
        adapter that lacks it."""

    def insert(self, entity: Entity) -> None:
        """Insert a new object, create-only: if one of its kind with the same provider and
        key exists, raise :class:`~welfarekit.errors.ConflictError` and change nothing.

        This is how the core claims something exactly once (a bookable slot): of two
        transactions inserting the same key at the same moment, one commits and the other
        gets the error, on every backend. A SQL adapter relies on the primary key."""

    def get(self, kind: type[E], provider_id: str, key: str, /) -> E | None:
        """The object of ``kind`` with this key in this provider, or ``None``.

        For :class:`~welfarekit.model.Guardianship` the key is ``guardian_id/student_id``
        (see :func:`entity_key`); for :class:`~welfarekit.model.EducationProvider`,
        ``provider_id`` and ``key`` are both the provider's id.
        """

    def list(self, kind: type[E], provider_id: str | None, /, **filters: str) -> list[E]:
        """Objects of ``kind`` in the provider, ordered by key, matching every filter.

        ``provider_id`` may be ``None`` only for providers themselves. Filters are the names
        in :data:`FILTERS` for the kind, compared for equality with a string value (an enum
        member compares by its value); an unknown filter or a value that is not a string
        raises ``TypeError``.
        """

    def delete(self, kind: type[Entity], provider_id: str, key: str, /) -> bool:
        """Delete one object; ``True`` if it existed. The core deletes only a student's
        secrets (crypto-shredding) and what a retention run destroys, children before
        their parents (entries and disclosures before their record)."""

    def replace_ciphertext(
        self, kind: type[Entity], provider_id: str, key: str, ciphertext: bytes, /
    ) -> None:
        """Put a re-encrypted value in place of a sealed object's ciphertext (``content``,
        or ``ciphertext`` of a sealed identity code), changing nothing else: the one change
        an append-only sealed object allows, for data-key rotation. Raises
        :class:`~welfarekit.errors.NotFound` when the object does not exist."""

    def replace_keysets(
        self, provider_id: str, rewraps: Sequence[KeysetRewrap], updated_at: dt.datetime, /
    ) -> int:
        """Put keysets rewrapped under a new key-encryption key in place (KEK rotation), in
        one round trip where the backend allows: each :class:`KeysetRewrap` sets the
        student's ``kek_id``, ``blob`` and ``updated_at``, but only while the stored blob is
        still ``old_blob``; a keyset changed meanwhile by another transaction (or deleted)
        is left as it is. Returns how many were replaced.

        Newer than the rest of the contract: the core falls back to :meth:`get` and
        :meth:`save` for an adapter that lacks it."""

    def append_audit(self, entry: ChainedEvent) -> None:
        """Append one chained audit event. Entries are never changed or deleted; a second
        entry with the same provider and sequence raises
        :class:`~welfarekit.errors.ConflictError` (another transaction appended first:
        retry the operation)."""

    def append_audit_many(self, entries: Sequence[ChainedEvent], /) -> None:
        """Append chained audit events of one provider, in order, as :meth:`append_audit`
        does each, in one round trip where the backend allows (an operation that emits
        several events). A taken sequence raises :class:`~welfarekit.errors.ConflictError`.

        Newer than the rest of the contract: the core falls back to :meth:`append_audit`
        for an adapter that lacks it."""

    def audit_head(self, provider_id: str) -> ChainedEvent | None:
        """The provider's newest audit entry, or ``None`` for an empty chain."""

    def audit_entries(
        self,
        provider_id: str,
        *,
        after: int = 0,
        limit: int | None = None,
        student_id: str | None = None,
    ) -> builtins.list[ChainedEvent]:
        """The provider's audit entries with a sequence above ``after``, in order, at most
        ``limit`` of them (``limit`` is 0 or more; a negative one raises ``ValueError``);
        with ``student_id``, only those concerning that student (an indexed look-up)."""


@runtime_checkable
class StorageAdapter(Protocol):
    """A storage backend. Created by the factory an adapter registers under a name."""

    def transaction(self) -> AbstractContextManager[StorageTransaction]:
        """Begin a transaction; it commits when the ``with`` block ends normally and rolls
        back when it raises. A backend failure raises
        :class:`~welfarekit.errors.StorageError` after rolling back."""

    def upgrade(self) -> None:
        """Bring the schema to the newest version shipped; touch nothing else."""

    def schema_status(self) -> SchemaStatus:
        """The schema's current and newest version."""

    def describe(self) -> str:
        """Where the data lives, safe to print (no password)."""

    def close(self) -> None:
        """Release connections."""


def check_filters(kind: type[Any], filters: Mapping[str, object]) -> Iterator[str]:
    """Yield the filter names, refusing ones the kind does not support and values that are
    not strings (so that every adapter compares the same way)."""
    allowed = FILTERS[kind]
    for name, value in filters.items():
        if name not in allowed:
            known = ", ".join(sorted(allowed)) or "none"
            raise TypeError(f"{kind.__name__} cannot be filtered by {name!r} (filters: {known})")
        if not isinstance(value, str):
            raise TypeError(f"filter {name!r} takes a string, not {type(value).__name__}")
        yield name
