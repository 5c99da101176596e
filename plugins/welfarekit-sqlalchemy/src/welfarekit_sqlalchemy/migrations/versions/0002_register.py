"""The student welfare register: expressions of will, withdrawals, capacity assessments and
§ 18(2) guardian vetoes (append-only).

Revision ID: welfarekit_0002
Revises: welfarekit_0001
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

revision: str = "welfarekit_0002"
down_revision: str | None = "welfarekit_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (
    "welfarekit_expressions_of_will",
    "welfarekit_will_covers",
    "welfarekit_will_cover_roles",
    "welfarekit_withdrawals",
    "welfarekit_capacity_assessments",
    "welfarekit_guardian_vetoes",
    "welfarekit_veto_guardians",
)


def _id(name: str, *, nullable: bool = False) -> sa.Column[Any]:
    kind = sa.String(128).with_variant(
        mysql.VARCHAR(128, collation="utf8mb4_bin"), "mysql", "mariadb"
    )
    return sa.Column(name, kind, nullable=nullable)


def _text(name: str, length: int, *, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.String(length), nullable=nullable)


def _date(name: str, *, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.Date(), nullable=nullable)


def _flag(name: str) -> sa.Column[Any]:
    return sa.Column(name, sa.Boolean(), nullable=False)


def _moment(name: str) -> sa.Column[Any]:
    """Written in UTC by the storage; microseconds kept on MariaDB too."""
    kind = sa.DateTime(timezone=True).with_variant(
        mysql.DATETIME(timezone=True, fsp=6), "mysql", "mariadb"
    )
    return sa.Column(name, kind, nullable=False)


def _person(name: str) -> list[sa.Column[Any]]:
    return [_text(f"{name}_kind", 40), _id(f"{name}_id")]


def _evidence() -> list[sa.Column[Any]]:
    return [*_person("recorded_by"), _moment("recorded_at"), _text("method", 40)]


def _pk(table: str, *columns: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint(*columns, name=op.f(f"pk_{table}"))


def _ref(table: str, column: str, referred: str) -> sa.ForeignKeyConstraint:
    """A reference within the provider: ``(provider_id, column)`` -> ``(provider_id, id)``."""
    return sa.ForeignKeyConstraint(
        ["provider_id", column],
        [f"{referred}.provider_id", f"{referred}.id"],
        name=op.f(f"fk_{table}_provider_id_{column}"),
    )


def _index(table: str, *columns: str) -> None:
    cols = ["provider_id", *columns]
    op.create_index(op.f(f"ix_{table}_{'_'.join(cols)}"), table, cols, unique=False)


def upgrade() -> None:
    t = "welfarekit_expressions_of_will"
    op.create_table(
        t,
        _id("provider_id"),
        _id("id"),
        _id("student_id"),
        *_person("grantor"),
        _text("kind", 40),
        _text("purpose", 40),
        _id("group_id", nullable=True),
        _text("recipient", 200, nullable=True),
        _date("valid_from"),
        _date("valid_until", nullable=True),
        _flag("written_and_specific"),
        *_evidence(),
        _pk(t, "provider_id", "id"),
        _ref(t, "student_id", "welfarekit_students"),
    )
    _index(t, "student_id")

    t = "welfarekit_will_covers"
    op.create_table(
        t,
        _id("provider_id"),
        _id("expression_id"),
        *_person("person"),
        _pk(t, "provider_id", "expression_id", "person_kind", "person_id"),
        _ref(t, "expression_id", "welfarekit_expressions_of_will"),
    )

    t = "welfarekit_will_cover_roles"
    op.create_table(
        t,
        _id("provider_id"),
        _id("expression_id"),
        _text("role", 40),
        _pk(t, "provider_id", "expression_id", "role"),
        _ref(t, "expression_id", "welfarekit_expressions_of_will"),
    )

    t = "welfarekit_withdrawals"
    op.create_table(
        t,
        _id("provider_id"),
        _id("id"),
        _id("student_id"),
        _id("withdraws"),
        *_person("by"),
        *_evidence(),
        _pk(t, "provider_id", "id"),
        _ref(t, "student_id", "welfarekit_students"),
    )
    _index(t, "student_id")

    t = "welfarekit_capacity_assessments"
    op.create_table(
        t,
        _id("provider_id"),
        _id("id"),
        _id("student_id"),
        _flag("can_assess"),
        _id("assessed_by_id"),
        _moment("assessed_at"),
        _pk(t, "provider_id", "id"),
        _ref(t, "student_id", "welfarekit_students"),
    )
    _index(t, "student_id")

    t = "welfarekit_guardian_vetoes"
    op.create_table(
        t,
        _id("provider_id"),
        _id("id"),
        _id("student_id"),
        _flag("participation"),
        _flag("access"),
        _id("assessed_by_id"),
        *_evidence(),
        _pk(t, "provider_id", "id"),
        _ref(t, "student_id", "welfarekit_students"),
    )
    _index(t, "student_id")

    t = "welfarekit_veto_guardians"
    op.create_table(
        t,
        _id("provider_id"),
        _id("veto_id"),
        _id("guardian_id"),
        _pk(t, "provider_id", "veto_id", "guardian_id"),
        _ref(t, "veto_id", "welfarekit_guardian_vetoes"),
    )


def downgrade() -> None:
    # Dropping a table drops its indexes; child tables go before their parents. The
    # directory's tables of welfarekit_0001 stay as they are.
    for table in reversed(TABLES):
        op.drop_table(table)
