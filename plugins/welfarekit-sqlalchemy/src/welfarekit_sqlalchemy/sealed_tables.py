"""The tables of sealed records, students' secrets and the audit trail (revision
``welfarekit_0003``), on :data:`welfarekit_sqlalchemy.tables.metadata`.

What the storage holds of confidential data is ciphertext (``LargeBinary``; on MariaDB a
``MEDIUMBLOB``, since an entry with its participants and measures may outgrow the 64 KiB of
a ``BLOB``) beside the metadata needed to find it (:mod:`welfarekit.sealed`).

* The sealed register (records, entries, disclosures) is append-only like the rest of the
  register. An entry and a disclosure point at their record and student. An entry's
  ``corrects`` and a disclosure's ``consent_id`` stay loose, as the register's other
  references: the core checks them, and a self-reference would make deleting a record's
  entries depend on their order on MariaDB, which checks each row at once.
* A student's secrets (keyset, blind index rows, sealed identity code) are replaced when
  keys rotate and deleted when the student is crypto-shredded; each is keyed by student.
* The audit trail is one hash chain per provider, keyed by ``(provider_id, sequence)``: the
  primary key refuses a second entry at a sequence (two writers that read the same head)
  and serves the head (the highest sequence) and reading in order. It has no foreign key:
  an attempt against a provider that does not exist must still be audited, and audit
  entries are never deleted.
  Appenders on a database server queue at their provider's row of
  :data:`welfarekit_sqlalchemy.chain_tables.audit_chain_locks`.

:mod:`welfarekit_sqlalchemy.tables` imports this module, so its ``metadata`` always holds
these tables too.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    Table,
    Text,
)
from sqlalchemy.dialects import mysql

from welfarekit_sqlalchemy.tables import (
    TABLE_PREFIX,
    _by,
    _enum,
    _flag,
    _id,
    _moment,
    _person,
    _refs,
    _text,
    metadata,
)

__all__ = [
    "access_requests",
    "audit_events",
    "blind_index",
    "keysets",
    "provider_secrets",
    "sealed_disclosures",
    "sealed_entries",
    "sealed_identity_codes",
    "sealed_records",
]


def _sealed(name: str) -> Column[bytes]:
    """Ciphertext: opaque bytes, never compared or indexed."""
    kind = LargeBinary().with_variant(mysql.MEDIUMBLOB(), "mysql", "mariadb")
    return Column(name, kind, nullable=False)


def _of_student(name: str, *columns: Any) -> Table:
    """A table whose rows belong to a student of the provider."""
    return Table(
        f"{TABLE_PREFIX}{name}",
        metadata,
        _id("provider_id"),
        *columns,
        _refs(["provider_id", "student_id"], "students", ["provider_id", "id"]),
    )


# -- the sealed register -------------------------------------------------------------------

sealed_records = _of_student(
    "sealed_records",
    _id("id"),
    _id("student_id"),
    _id("group_id"),
    _moment("opened_at"),
    *_person("opened_by"),
    _sealed("content"),
    PrimaryKeyConstraint("provider_id", "id"),
    _refs(["provider_id", "group_id"], "groups", ["provider_id", "id"]),
    _by("student_id"),
)

sealed_entries = _of_student(
    "sealed_entries",
    _id("id"),
    _id("record_id"),
    _id("student_id"),
    _id("kind"),
    Column("event_date", Date, nullable=False),
    _moment("recorded_at"),
    *_person("author"),
    Column("version", Integer, nullable=False),
    _id("corrects", nullable=True),
    _flag("entered_in_error"),
    _sealed("content"),
    PrimaryKeyConstraint("provider_id", "id"),
    _refs(["provider_id", "record_id"], "sealed_records", ["provider_id", "id"]),
    _by("record_id"),
    _by("student_id"),
)

sealed_disclosures = _of_student(
    "sealed_disclosures",
    _id("id"),
    _id("record_id"),
    _id("student_id"),
    _moment("disclosed_at"),
    *_person("by"),
    _text("basis", 40, nullable=True),
    _id("consent_id", nullable=True),
    _sealed("content"),
    PrimaryKeyConstraint("provider_id", "id"),
    _refs(["provider_id", "record_id"], "sealed_records", ["provider_id", "id"]),
    _by("record_id"),
    _by("student_id"),
)


# -- a student's secrets -------------------------------------------------------------------

keysets = _of_student(
    "keysets",
    _id("student_id"),
    _id("kek_id"),
    _sealed("blob"),
    _moment("updated_at"),
    PrimaryKeyConstraint("provider_id", "student_id"),
)

blind_index = _of_student(
    "blind_index",
    _id("name"),
    _id("student_id"),
    _id("value"),
    # The primary key serves the name filter; this index finds the students sharing a
    # value, by value alone or by name and value.
    PrimaryKeyConstraint("provider_id", "name", "student_id"),
    _by("value", "name"),
)

access_requests = _of_student(
    "access_requests",
    _id("id"),
    _id("student_id"),
    *_person("requested_by"),
    Column("received_on", Date, nullable=False),
    _flag("large"),
    Column("due_on", Date, nullable=False),
    Column(
        "answered_at",
        DateTime(timezone=True).with_variant(
            mysql.DATETIME(timezone=True, fsp=6), "mysql", "mariadb"
        ),
        nullable=True,
    ),
    PrimaryKeyConstraint("provider_id", "id"),
    _by("student_id"),
)

provider_secrets = Table(
    f"{TABLE_PREFIX}provider_secrets",
    metadata,
    _id("provider_id"),
    _id("name"),
    _id("kek_id"),
    _sealed("blob"),
    _moment("created_at"),
    PrimaryKeyConstraint("provider_id", "name"),
    _refs(["provider_id"], "providers", ["id"]),
)

sealed_identity_codes = _of_student(
    "sealed_identity_codes",
    _id("student_id"),
    _sealed("ciphertext"),
    PrimaryKeyConstraint("provider_id", "student_id"),
)


# -- the audit trail -----------------------------------------------------------------------

audit_events = Table(
    f"{TABLE_PREFIX}audit_events",
    metadata,
    _id("provider_id"),
    Column("sequence", BigInteger, nullable=False, autoincrement=False),
    _text("previous_hash", 64),
    _text("entry_hash", 64),
    _id("event_id"),
    _moment("occurred_at"),
    _text("actor", 200),
    _text("action", 80),
    _text("resource_type", 80),
    _text("resource_id", 300),
    _id("student_id", nullable=True),
    _enum("outcome"),
    Column("reason", Text, nullable=True),
    PrimaryKeyConstraint("provider_id", "sequence"),
)
Index(
    f"ix_{TABLE_PREFIX}audit_events_student",
    audit_events.c.provider_id,
    audit_events.c.student_id,
    audit_events.c.sequence,
)
