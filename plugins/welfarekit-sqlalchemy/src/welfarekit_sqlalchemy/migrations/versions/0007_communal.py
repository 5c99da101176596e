"""Communal welfare: the steering group's policies, the welfare groups' agendas and minutes,
initiatives, crisis events, and the welfare plan's section versions, state and comments.

Revision ID: welfarekit_0007
Revises: welfarekit_0006
Create Date: 2026-11-30

Written out in full (no imports from the package's current tables) so that the revision
stays what it was when later revisions change the tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision: str = "welfarekit_0007"
down_revision: str | None = "welfarekit_0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (
    "welfarekit_policy_documents",
    "welfarekit_communal_documents",
    "welfarekit_initiatives",
    "welfarekit_crisis_events",
    "welfarekit_plan_section_versions",
    "welfarekit_plan_states",
    "welfarekit_plan_comments",
)
"""In the order they are created; none points at another."""


def _id(name: str, *, nullable: bool = False) -> sa.Column[Any]:
    kind = sa.String(128).with_variant(
        mysql.VARCHAR(128, collation="utf8mb4_bin"), "mysql", "mariadb"
    )
    return sa.Column(name, kind, nullable=nullable)


def _text(name: str, length: int, *, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.String(length), nullable=nullable)


def _long_text(name: str, *, nullable: bool = False) -> sa.Column[Any]:
    """Up to 100,000 characters; a MEDIUMTEXT on MariaDB, whose TEXT stops at 64 KiB."""
    kind = sa.Text().with_variant(mysql.MEDIUMTEXT(), "mysql", "mariadb")
    return sa.Column(name, kind, nullable=nullable)


def _enum(name: str) -> sa.Column[Any]:
    return _text(name, 40)


def _moment(name: str, *, nullable: bool = False) -> sa.Column[Any]:
    """Written in UTC by the storage; microseconds kept on MariaDB too."""
    kind = sa.DateTime(timezone=True).with_variant(
        mysql.DATETIME(timezone=True, fsp=6), "mysql", "mariadb"
    )
    return sa.Column(name, kind, nullable=nullable)


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


def _provider(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["provider_id"], ["welfarekit_providers.id"], name=op.f(f"fk_{table}_provider_id")
    )


def _index(table: str, *columns: str) -> None:
    cols = ["provider_id", *columns]
    op.create_index(op.f(f"ix_{table}_{'_'.join(cols)}"), table, cols, unique=False)


def upgrade() -> None:
    t = "welfarekit_policy_documents"
    op.create_table(
        t,
        _id("provider_id"),
        _id("scope"),
        _long_text("body"),
        _moment("updated_at"),
        *_person("updated_by"),
        _pk(t, "provider_id", "scope"),
        _provider(t),
    )

    t = "welfarekit_communal_documents"
    op.create_table(
        t,
        _id("provider_id"),
        _id("id"),
        _id("group_id"),
        _enum("kind"),
        sa.Column("meeting_date", sa.Date(), nullable=False),
        _text("title", 200),
        _long_text("body"),
        *_person("written_by"),
        _moment("written_at"),
        _pk(t, "provider_id", "id"),
        _ref(t, "group_id", "welfarekit_groups"),
    )
    _index(t, "group_id")

    t = "welfarekit_initiatives"
    op.create_table(
        t,
        _id("provider_id"),
        _id("id"),
        _id("group_id"),
        *_person("initiator", nullable=True),
        _moment("received_at"),
        _enum("status"),
        _id("student_id", nullable=True),
        _text("routed_to", 200, nullable=True),
        _moment("answered_at", nullable=True),
        _id("kek_id"),
        _sealed("keyset"),
        _sealed("content"),
        _pk(t, "provider_id", "id"),
        _ref(t, "group_id", "welfarekit_groups"),
        _ref(t, "student_id", "welfarekit_students"),
    )
    _index(t, "group_id")
    _index(t, "status")
    _index(t, "student_id")

    t = "welfarekit_crisis_events"
    op.create_table(
        t,
        _id("provider_id"),
        _id("id"),
        _id("institution_id"),
        _enum("kind"),
        _text("title", 200),
        *_person("activated_by"),
        _moment("activated_at"),
        _enum("status"),
        _long_text("checklist"),
        _long_text("aftercare"),
        _long_text("debrief", nullable=True),
        _moment("closed_at", nullable=True),
        _pk(t, "provider_id", "id"),
        _ref(t, "institution_id", "welfarekit_institutions"),
    )
    _index(t, "institution_id")
    _index(t, "status")

    t = "welfarekit_plan_section_versions"
    op.create_table(
        t,
        _id("provider_id"),
        _id("id"),
        _id("section_key"),
        sa.Column("version", sa.Integer(), nullable=False),
        _text("title", 300),
        _id("institution_id", nullable=True),
        _long_text("body"),
        sa.Column("review_by", sa.Date(), nullable=True),
        *_person("changed_by"),
        _moment("changed_at"),
        _text("note", 500, nullable=True),
        _pk(t, "provider_id", "id"),
        _provider(t),
        _ref(t, "institution_id", "welfarekit_institutions"),
    )
    _index(t, "section_key")
    _index(t, "institution_id")

    t = "welfarekit_plan_states"
    op.create_table(
        t,
        _id("provider_id"),
        _id("id"),
        _enum("status"),
        *_person("approved_by", nullable=True),
        _moment("approved_at", nullable=True),
        _moment("published_at", nullable=True),
        _pk(t, "provider_id", "id"),
        _provider(t),
    )

    t = "welfarekit_plan_comments"
    op.create_table(
        t,
        _id("provider_id"),
        _id("id"),
        _id("section_key"),
        *_person("author"),
        _long_text("text"),
        _moment("created_at"),
        _pk(t, "provider_id", "id"),
        _provider(t),
    )
    _index(t, "section_key")


def downgrade() -> None:
    # Dropping a table drops its indexes. The tables of earlier revisions stay as they are.
    # Every policy, agenda and minutes, initiative, crisis log and version of the welfare
    # plan is lost: back up the database first.
    for table in reversed(TABLES):
        op.drop_table(table)
