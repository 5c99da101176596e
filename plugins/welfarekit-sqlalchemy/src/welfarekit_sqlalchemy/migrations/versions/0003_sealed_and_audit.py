"""Sealed records (records, entries, disclosures; append-only), students' secrets
(keysets, blind index, sealed identity codes) and the chained audit trail.

Revision ID: welfarekit_0003
Revises: welfarekit_0002
Create Date: 2026-11-24

Written out in full (no imports from the package's current tables) so that the revision
stays what it was when later revisions change the tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision: str = "welfarekit_0003"
down_revision: str | None = "welfarekit_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (
    "welfarekit_sealed_records",
    "welfarekit_sealed_entries",
    "welfarekit_sealed_disclosures",
    "welfarekit_keysets",
    "welfarekit_blind_index",
    "welfarekit_sealed_identity_codes",
    "welfarekit_audit_events",
)


def _id(name: str, *, nullable: bool = False) -> sa.Column[Any]:
    kind = sa.String(128).with_variant(
        mysql.VARCHAR(128, collation="utf8mb4_bin"), "mysql", "mariadb"
    )
    return sa.Column(name, kind, nullable=nullable)


def _text(name: str, length: int, *, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.String(length), nullable=nullable)


def _moment(name: str) -> sa.Column[Any]:
    """Written in UTC by the storage; microseconds kept on MariaDB too."""
    kind = sa.DateTime(timezone=True).with_variant(
        mysql.DATETIME(timezone=True, fsp=6), "mysql", "mariadb"
    )
    return sa.Column(name, kind, nullable=False)


def _sealed(name: str) -> sa.Column[Any]:
    """Ciphertext; a MEDIUMBLOB on MariaDB, whose BLOB stops at 64 KiB."""
    kind = sa.LargeBinary().with_variant(mysql.MEDIUMBLOB(), "mysql", "mariadb")
    return sa.Column(name, kind, nullable=False)


def _person(name: str) -> list[sa.Column[Any]]:
    return [_text(f"{name}_kind", 40), _id(f"{name}_id")]


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


def _index(table: str, *columns: str) -> None:
    cols = ["provider_id", *columns]
    op.create_index(op.f(f"ix_{table}_{'_'.join(cols)}"), table, cols, unique=False)


def upgrade() -> None:
    t = "welfarekit_sealed_records"
    op.create_table(
        t,
        _id("provider_id"),
        _id("id"),
        _id("student_id"),
        _id("group_id"),
        _moment("opened_at"),
        *_person("opened_by"),
        _sealed("content"),
        _pk(t, "provider_id", "id"),
        _student(t),
        _ref(t, "group_id", "welfarekit_groups"),
    )
    _index(t, "student_id")

    t = "welfarekit_sealed_entries"
    op.create_table(
        t,
        _id("provider_id"),
        _id("id"),
        _id("record_id"),
        _id("student_id"),
        _id("kind"),
        sa.Column("event_date", sa.Date(), nullable=False),
        _moment("recorded_at"),
        *_person("author"),
        sa.Column("version", sa.Integer(), nullable=False),
        _id("corrects", nullable=True),
        sa.Column("entered_in_error", sa.Boolean(), nullable=False),
        _sealed("content"),
        _pk(t, "provider_id", "id"),
        _student(t),
        _ref(t, "record_id", "welfarekit_sealed_records"),
    )
    _index(t, "record_id")
    _index(t, "student_id")

    t = "welfarekit_sealed_disclosures"
    op.create_table(
        t,
        _id("provider_id"),
        _id("id"),
        _id("record_id"),
        _id("student_id"),
        _moment("disclosed_at"),
        *_person("by"),
        _text("basis", 40, nullable=True),
        _id("consent_id", nullable=True),
        _sealed("content"),
        _pk(t, "provider_id", "id"),
        _student(t),
        _ref(t, "record_id", "welfarekit_sealed_records"),
    )
    _index(t, "record_id")
    _index(t, "student_id")

    t = "welfarekit_keysets"
    op.create_table(
        t,
        _id("provider_id"),
        _id("student_id"),
        _id("kek_id"),
        _sealed("blob"),
        _moment("updated_at"),
        _pk(t, "provider_id", "student_id"),
        _student(t),
    )

    t = "welfarekit_blind_index"
    op.create_table(
        t,
        _id("provider_id"),
        _id("name"),
        _id("student_id"),
        _id("value"),
        _pk(t, "provider_id", "name", "student_id"),
        _student(t),
    )
    _index(t, "value", "name")

    t = "welfarekit_sealed_identity_codes"
    op.create_table(
        t,
        _id("provider_id"),
        _id("student_id"),
        _sealed("ciphertext"),
        _pk(t, "provider_id", "student_id"),
        _student(t),
    )

    t = "welfarekit_audit_events"
    op.create_table(
        t,
        _id("provider_id"),
        sa.Column("sequence", sa.BigInteger(), nullable=False, autoincrement=False),
        _text("previous_hash", 64),
        _text("entry_hash", 64),
        _id("event_id"),
        _moment("occurred_at"),
        _text("actor", 200),
        _text("action", 80),
        _text("resource_type", 80),
        _text("resource_id", 300),
        _id("student_id", nullable=True),
        _text("outcome", 40),
        sa.Column("reason", sa.Text(), nullable=True),
        # No foreign key: attempts against an unknown provider are audited too.
        _pk(t, "provider_id", "sequence"),
    )
    op.create_index(
        "ix_welfarekit_audit_events_student", t, ["provider_id", "student_id", "sequence"]
    )


def downgrade() -> None:
    # Dropping a table drops its indexes; entries and disclosures go before their records.
    # The tables of welfarekit_0001 and welfarekit_0002 stay as they are. The audit trail
    # and every sealed value are lost: back up the database first.
    for table in reversed(TABLES):
        op.drop_table(table)
