"""The audit chain's lock rows (revision ``welfarekit_0009``), on
:data:`welfarekit_sqlalchemy.tables.metadata`.

One row per provider with an audit chain, and nothing in it but the provider's id: a
transaction about to append to the chain locks the row (``SELECT ... FOR UPDATE``) before it
reads the head (:func:`welfarekit_sqlalchemy.audit_log.head`), so that concurrent appenders
on a database server queue instead of chaining after the same head. No foreign key, as the
chain itself has none.
"""

from __future__ import annotations

from sqlalchemy import PrimaryKeyConstraint, Table

from welfarekit_sqlalchemy.tables import TABLE_PREFIX, _id, metadata

__all__ = ["audit_chain_locks"]

audit_chain_locks = Table(
    f"{TABLE_PREFIX}audit_chain_locks",
    metadata,
    _id("provider_id"),
    PrimaryKeyConstraint("provider_id"),
)
