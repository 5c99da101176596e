"""Provider-wide secrets (the seed of the identity-code blind index), wrapped like keysets.

Revision ID: welfarekit_0004
Revises: welfarekit_0003
Create Date: 2026-11-23

Written out in full (no imports from the package's current tables) so that the revision
stays what it was when later revisions change the tables.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision: str = "welfarekit_0004"
down_revision: str | None = "welfarekit_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "welfarekit_provider_secrets"


def upgrade() -> None:
    identifier = sa.String(128).with_variant(
        mysql.VARCHAR(128, collation="utf8mb4_bin"), "mysql", "mariadb"
    )
    op.create_table(
        TABLE,
        sa.Column("provider_id", identifier, nullable=False),
        sa.Column("name", identifier, nullable=False),
        sa.Column("kek_id", identifier, nullable=False),
        sa.Column(
            "blob",
            sa.LargeBinary().with_variant(mysql.MEDIUMBLOB(), "mysql", "mariadb"),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True).with_variant(
                mysql.DATETIME(timezone=True, fsp=6), "mysql", "mariadb"
            ),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("provider_id", "name", name=op.f(f"pk_{TABLE}")),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["welfarekit_providers.id"],
            name=op.f(f"fk_{TABLE}_provider_id"),
        ),
    )


def downgrade() -> None:
    op.drop_table(TABLE)
