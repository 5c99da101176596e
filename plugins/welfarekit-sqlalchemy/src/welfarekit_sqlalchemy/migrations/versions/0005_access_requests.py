"""Subject access requests with their due dates.

Revision ID: welfarekit_0005
Revises: welfarekit_0004
Create Date: 2026-11-23

Written out in full (no imports from the package's current tables) so that the revision
stays what it was when later revisions change the tables.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision: str = "welfarekit_0005"
down_revision: str | None = "welfarekit_0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "welfarekit_access_requests"


def upgrade() -> None:
    identifier = sa.String(128).with_variant(
        mysql.VARCHAR(128, collation="utf8mb4_bin"), "mysql", "mariadb"
    )
    moment = sa.DateTime(timezone=True).with_variant(
        mysql.DATETIME(timezone=True, fsp=6), "mysql", "mariadb"
    )
    op.create_table(
        TABLE,
        sa.Column("provider_id", identifier, nullable=False),
        sa.Column("id", identifier, nullable=False),
        sa.Column("student_id", identifier, nullable=False),
        sa.Column("requested_by_kind", sa.String(40), nullable=False),
        sa.Column("requested_by_id", identifier, nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("large", sa.Boolean(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("answered_at", moment, nullable=True),
        sa.PrimaryKeyConstraint("provider_id", "id", name=op.f(f"pk_{TABLE}")),
        sa.ForeignKeyConstraint(
            ["provider_id", "student_id"],
            ["welfarekit_students.provider_id", "welfarekit_students.id"],
            name=op.f(f"fk_{TABLE}_provider_id_student_id"),
        ),
    )
    op.create_index(
        op.f(f"ix_{TABLE}_provider_id_student_id"), TABLE, ["provider_id", "student_id"]
    )


def downgrade() -> None:
    op.drop_table(TABLE)
