"""One lock row per provider's audit chain, so that concurrent appenders queue.

Two transactions that read the chain's head at once both chained after it, and the later
one's insert was refused by the primary key: its whole operation was retried, and under load
most of the work was thrown away. A transaction about to append now locks its provider's row
here first (``SELECT ... FOR UPDATE``), reads the head after the lock is granted and so
chains after whatever the one before it committed.

Revision ID: welfarekit_0009
Revises: welfarekit_0008
Create Date: 2026-11-30

Written out in full (no imports from the package's current tables) so that the revision
stays what it was when later revisions change the tables.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision: str = "welfarekit_0009"
down_revision: str | None = "welfarekit_0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "welfarekit_audit_chain_locks"


def upgrade() -> None:
    identifier = sa.String(128).with_variant(
        mysql.VARCHAR(128, collation="utf8mb4_bin"), "mysql", "mariadb"
    )
    op.create_table(
        TABLE,
        sa.Column("provider_id", identifier, nullable=False),
        sa.PrimaryKeyConstraint("provider_id", name=op.f(f"pk_{TABLE}")),
    )
    # The chains there are already: their rows exist before the first append needs them.
    op.execute(
        f"INSERT INTO {TABLE} (provider_id) "
        "SELECT DISTINCT provider_id FROM welfarekit_audit_events"
    )


def downgrade() -> None:
    op.drop_table(TABLE)
