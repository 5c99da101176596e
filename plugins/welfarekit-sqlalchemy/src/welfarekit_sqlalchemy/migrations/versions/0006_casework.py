"""Casework: expert groups' states, availability slots and bookings, transfers, the
notification outbox, and sealed confidential matters and referrals.

Revision ID: welfarekit_0006
Revises: welfarekit_0005
Create Date: 2026-11-25

Written out in full (no imports from the package's current tables) so that the revision
stays what it was when later revisions change the tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision: str = "welfarekit_0006"
down_revision: str | None = "welfarekit_0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (
    "welfarekit_expert_groups",
    "welfarekit_availability_slots",
    "welfarekit_bookings",
    "welfarekit_transfers",
    "welfarekit_outbox",
    "welfarekit_sealed_matters",
    "welfarekit_sealed_referrals",
)
"""In the order they are created; a booking points at its slot."""


def _id(name: str, *, nullable: bool = False) -> sa.Column[Any]:
    kind = sa.String(128).with_variant(
        mysql.VARCHAR(128, collation="utf8mb4_bin"), "mysql", "mariadb"
    )
    return sa.Column(name, kind, nullable=nullable)


def _text(name: str, length: int, *, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.String(length), nullable=nullable)


def _enum(name: str) -> sa.Column[Any]:
    return _text(name, 40)


def _moment(name: str, *, nullable: bool = False) -> sa.Column[Any]:
    """Written in UTC by the storage; microseconds kept on MariaDB too."""
    kind = sa.DateTime(timezone=True).with_variant(
        mysql.DATETIME(timezone=True, fsp=6), "mysql", "mariadb"
    )
    return sa.Column(name, kind, nullable=nullable)


def _flag(name: str) -> sa.Column[Any]:
    return sa.Column(name, sa.Boolean(), nullable=False)


def _sealed(name: str) -> sa.Column[Any]:
    """Ciphertext; a MEDIUMBLOB on MariaDB, whose BLOB stops at 64 KiB."""
    kind = sa.LargeBinary().with_variant(mysql.MEDIUMBLOB(), "mysql", "mariadb")
    return sa.Column(name, kind, nullable=False)


def _person(name: str, *, nullable: bool = False) -> list[sa.Column[Any]]:
    return [_text(f"{name}_kind", 40, nullable=nullable), _id(f"{name}_id", nullable=nullable)]


def _pk(table: str, *columns: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint(*columns, name=op.f(f"pk_{table}"))


def _ref(table: str, column: str, referred: str) -> sa.ForeignKeyConstraint:
    """A reference within the provider: ``(provider_id, column)`` -> ``(provider_id, id)``."""
    return sa.ForeignKeyConstraint(
        ["provider_id", column],
        [f"{referred}.provider_id", f"{referred}.id"],
        name=op.f(f"fk_{table}_provider_id_{column}"),
    )


def _student(table: str) -> sa.ForeignKeyConstraint:
    return _ref(table, "student_id", "welfarekit_students")


def _provider(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["provider_id"], ["welfarekit_providers.id"], name=op.f(f"fk_{table}_provider_id")
    )


def _index(table: str, *columns: str) -> None:
    cols = ["provider_id", *columns]
    op.create_index(op.f(f"ix_{table}_{'_'.join(cols)}"), table, cols, unique=False)


def upgrade() -> None:
    t = "welfarekit_expert_groups"
    op.create_table(
        t,
        _id("provider_id"),
        _id("group_id"),
        _id("student_id"),
        _enum("status"),
        *_person("proposed_by"),
        _moment("proposed_at"),
        *_person("responsible"),
        _moment("formed_at", nullable=True),
        _moment("closed_at", nullable=True),
        _text("close_reason", 200, nullable=True),
        _pk(t, "provider_id", "group_id"),
        _student(t),
        _ref(t, "group_id", "welfarekit_groups"),
    )
    _index(t, "student_id")
    _index(t, "status")

    t = "welfarekit_availability_slots"
    op.create_table(
        t,
        _id("provider_id"),
        _id("id"),
        _id("staff_id"),
        _enum("service"),
        _moment("starts_at"),
        _moment("ends_at"),
        _text("place", 200, nullable=True),
        _flag("walk_in"),
        _flag("withdrawn"),
        _pk(t, "provider_id", "id"),
        _provider(t),
    )
    _index(t, "staff_id")
    _index(t, "service")

    t = "welfarekit_bookings"
    op.create_table(
        t,
        _id("provider_id"),
        _id("id"),
        _id("slot_id"),
        _id("student_id"),
        _id("staff_id"),
        *_person("booked_by"),
        _moment("booked_at"),
        sa.Column("asked_on", sa.Date(), nullable=False),
        _flag("urgent"),
        _enum("status"),
        _moment("cancelled_at", nullable=True),
        *_person("cancelled_by", nullable=True),
        _id("rescheduled_to", nullable=True),
        _pk(t, "provider_id", "id"),
        _student(t),
        _ref(t, "slot_id", "welfarekit_availability_slots"),
    )
    _index(t, "slot_id")
    _index(t, "student_id")
    _index(t, "staff_id")

    t = "welfarekit_transfers"
    op.create_table(
        t,
        _id("provider_id"),
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
        _pk(t, "provider_id", "id"),
        _student(t),
    )
    _index(t, "student_id")

    t = "welfarekit_outbox"
    op.create_table(
        t,
        _id("provider_id"),
        _id("id"),
        *_person("recipient"),
        _enum("topic"),
        _moment("created_at"),
        _enum("status"),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _moment("sent_at", nullable=True),
        _text("last_error", 500, nullable=True),
        _pk(t, "provider_id", "id"),
        _provider(t),
    )
    _index(t, "status")
    _index(t, "recipient_kind", "recipient_id")
    _index(t, "recipient_id")

    t = "welfarekit_sealed_matters"
    op.create_table(
        t,
        _id("provider_id"),
        _id("id"),
        _id("holder_id"),
        *_person("author", nullable=True),
        _moment("left_at"),
        _id("status"),
        _id("student_id", nullable=True),
        _id("forward_basis", nullable=True),
        _moment("forwarded_at", nullable=True),
        _id("kek_id"),
        _sealed("keyset"),
        _sealed("content"),
        _pk(t, "provider_id", "id"),
        _provider(t),
        _student(t),
    )
    _index(t, "holder_id")
    _index(t, "status")
    _index(t, "student_id")

    t = "welfarekit_sealed_referrals"
    op.create_table(
        t,
        _id("provider_id"),
        _id("id"),
        _id("student_id"),
        *_person("referred_by"),
        _id("professional_id"),
        _moment("referred_at"),
        _flag("guardian_informed"),
        _moment("received_at", nullable=True),
        _sealed("content"),
        _pk(t, "provider_id", "id"),
        _student(t),
    )
    _index(t, "student_id")
    _index(t, "professional_id")


def downgrade() -> None:
    # Dropping a table drops its indexes; bookings go before their slots. The tables of
    # earlier revisions stay as they are. Every booking, transfer, queued notification and
    # sealed matter or referral is lost: back up the database first.
    for table in reversed(TABLES):
        op.drop_table(table)
