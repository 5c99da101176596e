"""The outbox's backoff: when a failed notification may be tried again.

Revision ID: welfarekit_0008
Revises: welfarekit_0007
Create Date: 2026-11-30

Written out in full (no imports from the package's current tables) so that the revision
stays what it was when later revisions change the tables.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision: str = "welfarekit_0008"
down_revision: str | None = "welfarekit_0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "welfarekit_outbox"


def upgrade() -> None:
    moment = sa.DateTime(timezone=True).with_variant(
        mysql.DATETIME(timezone=True, fsp=6), "mysql", "mariadb"
    )
    with op.batch_alter_table(TABLE) as table:
        table.add_column(sa.Column("next_attempt_at", moment, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table(TABLE) as table:
        table.drop_column("next_attempt_at")
