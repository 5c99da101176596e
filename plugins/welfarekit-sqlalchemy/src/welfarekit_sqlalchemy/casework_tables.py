"""The tables of casework (revision ``welfarekit_0006``), on
:data:`welfarekit_sqlalchemy.tables.metadata`.

Casework's state moves on (a group is formed and closed, a booking cancelled, a message
sent), so these rows are replaced on save, like subject access requests
(:data:`welfarekit.storage.CASE_TYPES`). Every table is keyed by ``(provider_id, <key>)``;
a booking's primary key is what lets one of two requests for the same slot win
(:meth:`welfarekit.storage.StorageTransaction.insert`).

* An expert group's state is keyed by the group's id and points at that welfare group and
  at its student.
* A slot belongs to a staff member; a booking points at its slot and its student. Staff
  ids stay loose, as elsewhere in the schema (the core checks them): a staff member who
  leaves the directory must not take the bookings' history along. A booking's
  ``rescheduled_to`` stays loose as well: a self-reference would make deleting a slot's
  bookings depend on their order on MariaDB.
* A transfer points at its student; its ``consent_id`` stays loose, as the register's
  references do.
* The outbox names its recipient as a kind and an id, without a foreign key: a recipient
  may be a student, guardian, staff member or someone outside the directory.
* A confidential matter's ``content`` and a referral's are ciphertext, as the sealed
  register's (:mod:`welfarekit_sqlalchemy.sealed_tables`); a matter keeps its own keyset
  in its row, wrapped (``kek_id``, ``keyset``), so deleting the row destroys the matter. A
  matter may name no student (and no author): both are nullable, and the student, once
  named, must exist.

Enum-valued fields are stored as their values (new members need no migration).
"""

from __future__ import annotations

from sqlalchemy import Column, Date, Integer, PrimaryKeyConstraint, String, Table

from welfarekit_sqlalchemy.sealed_tables import _of_student, _sealed
from welfarekit_sqlalchemy.tables import (
    TABLE_PREFIX,
    _by,
    _enum,
    _flag,
    _id,
    _moment,
    _person,
    _refs,
    _text,
    metadata,
)

__all__ = [
    "availability_slots",
    "bookings",
    "expert_groups",
    "outbox",
    "sealed_matters",
    "sealed_referrals",
    "transfers",
]


def _optional_person(name: str) -> tuple[Column[str], Column[str]]:
    """An optional :class:`~welfarekit.model.PersonRef`: kind and id both set or both
    ``NULL``."""
    return Column(f"{name}_kind", String(40), nullable=True), _id(f"{name}_id", nullable=True)


# -- expert groups ---------------------------------------------------------------------------

expert_groups = _of_student(
    "expert_groups",
    _id("group_id"),
    _id("student_id"),
    _enum("status"),
    *_person("proposed_by"),
    _moment("proposed_at"),
    *_person("responsible"),
    _moment("formed_at", nullable=True),
    _moment("closed_at", nullable=True),
    _text("close_reason", 200, nullable=True),
    PrimaryKeyConstraint("provider_id", "group_id"),
    _refs(["provider_id", "group_id"], "groups", ["provider_id", "id"]),
    _by("student_id"),
    _by("status"),
)
""":class:`~welfarekit.model.ExpertGroupState`, one row per case expert group."""


# -- availability and bookings ---------------------------------------------------------------

availability_slots = Table(
    f"{TABLE_PREFIX}availability_slots",
    metadata,
    _id("provider_id"),
    _id("id"),
    _id("staff_id"),
    _enum("service"),
    _moment("starts_at"),
    _moment("ends_at"),
    _text("place", 200, nullable=True),
    _flag("walk_in"),
    _flag("withdrawn"),
    PrimaryKeyConstraint("provider_id", "id"),
    _refs(["provider_id"], "providers", ["id"]),
    _by("staff_id"),
    _by("service"),
)
""":class:`~welfarekit.model.AvailabilitySlot`."""

bookings = _of_student(
    "bookings",
    _id("id"),
    _id("slot_id"),
    _id("student_id"),
    _id("staff_id"),
    *_person("booked_by"),
    _moment("booked_at"),
    Column("asked_on", Date, nullable=False),
    _flag("urgent"),
    _enum("status"),
    _moment("cancelled_at", nullable=True),
    *_optional_person("cancelled_by"),
    _id("rescheduled_to", nullable=True),
    PrimaryKeyConstraint("provider_id", "id"),
    _refs(["provider_id", "slot_id"], "availability_slots", ["provider_id", "id"]),
    _by("slot_id"),
    _by("student_id"),
    _by("staff_id"),
)
""":class:`~welfarekit.model.Booking`; its primary key settles who booked a slot first."""


# -- transfers and the outbox ----------------------------------------------------------------

transfers = _of_student(
    "transfers",
    _id("id"),
    _id("student_id"),
    _text("to_provider", 200),
    _moment("prepared_at"),
    *_person("prepared_by"),
    _id("consent_id", nullable=True),
    _enum("status"),
    _moment("sent_at", nullable=True),
    _moment("received_at", nullable=True),
    _text("receipt", 200, nullable=True),
    PrimaryKeyConstraint("provider_id", "id"),
    _by("student_id"),
)
""":class:`~welfarekit.model.Transfer`."""

outbox = Table(
    f"{TABLE_PREFIX}outbox",
    metadata,
    _id("provider_id"),
    _id("id"),
    *_person("recipient"),
    _enum("topic"),
    _moment("created_at"),
    _enum("status"),
    Column("attempts", Integer, nullable=False),
    _moment("sent_at", nullable=True),
    _text("last_error", 500, nullable=True),
    _moment("next_attempt_at", nullable=True),  # revision 0008
    PrimaryKeyConstraint("provider_id", "id"),
    _refs(["provider_id"], "providers", ["id"]),
    _by("status"),
    # As for memberships: one index serves the kind filter and kind and id together, the
    # other the id alone.
    _by("recipient_kind", "recipient_id"),
    _by("recipient_id"),
)
""":class:`~welfarekit.model.OutboxMessage`, the notifications still to deliver and
delivered."""


# -- sealed casework -------------------------------------------------------------------------

sealed_matters = Table(
    f"{TABLE_PREFIX}sealed_matters",
    metadata,
    _id("provider_id"),
    _id("id"),
    _id("holder_id"),
    *_optional_person("author"),
    _moment("left_at"),
    _id("status"),
    _id("student_id", nullable=True),
    _id("forward_basis", nullable=True),
    _moment("forwarded_at", nullable=True),
    _id("kek_id"),
    _sealed("keyset"),
    _sealed("content"),
    PrimaryKeyConstraint("provider_id", "id"),
    _refs(["provider_id"], "providers", ["id"]),
    _refs(["provider_id", "student_id"], "students", ["provider_id", "id"]),
    _by("holder_id"),
    _by("status"),
    _by("student_id"),
)
""":class:`~welfarekit.sealed.SealedMatter`; the student is named only once the matter is
brought forward."""

sealed_referrals = _of_student(
    "sealed_referrals",
    _id("id"),
    _id("student_id"),
    *_person("referred_by"),
    _id("professional_id"),
    _moment("referred_at"),
    _flag("guardian_informed"),
    _moment("received_at", nullable=True),
    _sealed("content"),
    PrimaryKeyConstraint("provider_id", "id"),
    _by("student_id"),
    _by("professional_id"),
)
""":class:`~welfarekit.sealed.SealedReferral`."""
