"""The directory: providers, institutions, study groups, people and welfare groups.

Revision ID: welfarekit_0001
Revises:
Create Date: 2026-11-23

Written out in full (no imports from the package's current tables) so that the revision
stays what it was when later revisions change the tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision: str = "welfarekit_0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("welfarekit",)
depends_on: str | Sequence[str] | None = None

TABLES = (
    "welfarekit_providers",
    "welfarekit_institutions",
    "welfarekit_study_groups",
    "welfarekit_students",
    "welfarekit_guardians",
    "welfarekit_guardianships",
    "welfarekit_staff",
    "welfarekit_staff_roles",
    "welfarekit_staff_institutions",
    "welfarekit_groups",
    "welfarekit_memberships",
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


def _pk(table: str, *columns: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint(*columns, name=op.f(f"pk_{table}"))


def _fk(
    table: str, columns: list[str], referred: str, referred_columns: list[str]
) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        columns,
        [f"{referred}.{c}" for c in referred_columns],
        name=op.f(f"fk_{table}_{'_'.join(columns)}"),
    )


def _provider_fk(table: str) -> sa.ForeignKeyConstraint:
    return _fk(table, ["provider_id"], "welfarekit_providers", ["id"])


def _ref(table: str, column: str, referred: str) -> sa.ForeignKeyConstraint:
    """A reference within the provider: ``(provider_id, column)`` -> ``(provider_id, id)``."""
    return _fk(table, ["provider_id", column], referred, ["provider_id", "id"])


def _index(table: str, *columns: str) -> None:
    cols = ["provider_id", *columns]
    op.create_index(op.f(f"ix_{table}_{'_'.join(cols)}"), table, cols, unique=False)


def upgrade() -> None:
    t = "welfarekit_providers"
    op.create_table(
        t,
        _id("id"),
        _text("name", 200),
        _text("business_id", 16, nullable=True),
        _text("group_name_steering", 120),
        _text("group_name_institution", 120),
        _text("group_name_case", 120),
        _text("register_responsible_role", 40),
        _pk(t, "id"),
    )

    t = "welfarekit_institutions"
    op.create_table(
        t,
        _id("provider_id"),
        _id("id"),
        _text("name", 200),
        _text("kind", 40),
        _pk(t, "provider_id", "id"),
        _provider_fk(t),
    )
    _index(t, "kind")

    t = "welfarekit_study_groups"
    op.create_table(
        t,
        _id("provider_id"),
        _id("id"),
        _id("institution_id"),
        _text("name", 120),
        _id("advisor_id", nullable=True),
        _text("description", 500, nullable=True),
        _pk(t, "provider_id", "id"),
        _ref(t, "institution_id", "welfarekit_institutions"),
    )
    _index(t, "institution_id")

    t = "welfarekit_students"
    op.create_table(
        t,
        _id("provider_id"),
        _id("id"),
        _id("institution_id"),
        _text("given_names", 120),
        _text("family_name", 120),
        _date("date_of_birth"),
        _text("home_municipality", 100),
        _id("study_group_id", nullable=True),
        _pk(t, "provider_id", "id"),
        _ref(t, "institution_id", "welfarekit_institutions"),
        _ref(t, "study_group_id", "welfarekit_study_groups"),
    )
    _index(t, "institution_id")
    _index(t, "study_group_id")

    t = "welfarekit_guardians"
    op.create_table(
        t,
        _id("provider_id"),
        _id("id"),
        _text("given_names", 120),
        _text("family_name", 120),
        _text("email", 254, nullable=True),
        _text("phone", 32, nullable=True),
        _pk(t, "provider_id", "id"),
        _provider_fk(t),
    )

    t = "welfarekit_guardianships"
    op.create_table(
        t,
        _id("provider_id"),
        _id("guardian_id"),
        _id("student_id"),
        _text("kind", 40),
        _date("valid_from"),
        _date("valid_until", nullable=True),
        _pk(t, "provider_id", "guardian_id", "student_id"),
        _ref(t, "guardian_id", "welfarekit_guardians"),
        _ref(t, "student_id", "welfarekit_students"),
    )
    _index(t, "student_id")

    t = "welfarekit_staff"
    op.create_table(
        t,
        _id("provider_id"),
        _id("id"),
        _text("given_names", 120),
        _text("family_name", 120),
        _text("employer", 40),
        _text("title", 120, nullable=True),
        _text("email", 254, nullable=True),
        _pk(t, "provider_id", "id"),
        _provider_fk(t),
    )

    t = "welfarekit_staff_roles"
    op.create_table(
        t,
        _id("provider_id"),
        _id("staff_id"),
        _text("role", 40),
        _pk(t, "provider_id", "staff_id", "role"),
        _ref(t, "staff_id", "welfarekit_staff"),
    )

    t = "welfarekit_staff_institutions"
    op.create_table(
        t,
        _id("provider_id"),
        _id("staff_id"),
        _id("institution_id"),
        _pk(t, "provider_id", "staff_id", "institution_id"),
        _ref(t, "staff_id", "welfarekit_staff"),
        _ref(t, "institution_id", "welfarekit_institutions"),
    )
    _index(t, "institution_id")

    t = "welfarekit_groups"
    op.create_table(
        t,
        _id("provider_id"),
        _id("id"),
        _text("kind", 40),
        _id("institution_id", nullable=True),
        _id("student_id", nullable=True),
        _text("name", 200, nullable=True),
        _pk(t, "provider_id", "id"),
        _provider_fk(t),
        _ref(t, "institution_id", "welfarekit_institutions"),
        _ref(t, "student_id", "welfarekit_students"),
    )
    _index(t, "kind")
    _index(t, "institution_id")
    _index(t, "student_id")

    t = "welfarekit_memberships"
    op.create_table(
        t,
        _id("provider_id"),
        _id("id"),
        _id("group_id"),
        _text("member_kind", 40),
        _id("member_id"),
        _text("role", 40),
        _text("position", 40),
        _date("valid_from"),
        _date("valid_until", nullable=True),
        _pk(t, "provider_id", "id"),
        _ref(t, "group_id", "welfarekit_groups"),
    )
    _index(t, "group_id")
    _index(t, "member_kind", "member_id")
    _index(t, "member_id")


def downgrade() -> None:
    # Dropping a table drops its indexes; referring tables go first.
    for table in reversed(TABLES):
        op.drop_table(table)
