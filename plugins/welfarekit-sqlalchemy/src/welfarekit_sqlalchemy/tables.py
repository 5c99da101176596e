"""The welfarekit tables, in SQLAlchemy Core.

Every table is named ``welfarekit_*`` so that it can live beside a host's own tables, and
every per-provider table leads with ``provider_id``: keys are unique only within a
provider (invariant 8), and foreign keys carry the provider so no row can point across
tenants. Types are the portable subset (lengths on every string, enums as their value), so
the same schema serves SQLite, PostgreSQL and MariaDB.

The student welfare register (expressions of will, withdrawals, capacity assessments and
§ 18(2) vetoes) is append-only: its rows are inserted and never updated.

Sealed records, students' secrets and the audit trail are in
:mod:`welfarekit_sqlalchemy.sealed_tables`, casework (expert groups, bookings, transfers,
the notification outbox, confidential matters and referrals) in
:mod:`welfarekit_sqlalchemy.casework_tables`, communal welfare (policies, the groups'
documents, initiatives, crises and the welfare plan) in
:mod:`welfarekit_sqlalchemy.communal_tables`, on the same ``metadata``.

This module describes the *current* schema; the migrations build it step by step and a
test checks that the two agree.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKeyConstraint,
    Index,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
)
from sqlalchemy.dialects import mysql
from sqlalchemy.types import TypeEngine

__all__ = [
    "TABLE_PREFIX",
    "VERSION_TABLE",
    "capacity_assessments",
    "expressions_of_will",
    "guardian_vetoes",
    "guardians",
    "guardianships",
    "include_name",
    "include_object",
    "institutions",
    "memberships",
    "metadata",
    "providers",
    "staff",
    "staff_institutions",
    "staff_roles",
    "students",
    "study_groups",
    "veto_guardians",
    "welfare_groups",
    "will_cover_roles",
    "will_covers",
    "withdrawals",
]

TABLE_PREFIX = "welfarekit_"
VERSION_TABLE = "welfarekit_alembic_version"
"""Alembic's version table for welfarekit, apart from any version table of the host."""

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s",
    "pk": "pk_%(table_name)s",
}
"""Deterministic constraint names, so that later migrations can drop them by name on every
database (all stay within the 63 characters PostgreSQL allows; a test checks)."""

metadata = MetaData(naming_convention=NAMING_CONVENTION)


def identifier_type() -> TypeEngine[str]:
    """A host-given identifier. MariaDB compares strings case-insensitively by default,
    which would make ``P1`` and ``p1`` the same provider; a binary collation keeps
    identifiers exact there as everywhere else."""
    return String(128).with_variant(mysql.VARCHAR(128, collation="utf8mb4_bin"), "mysql", "mariadb")


def _id(name: str, *, nullable: bool = False) -> Column[str]:
    return Column(name, identifier_type(), nullable=nullable)


def _text(name: str, length: int, *, nullable: bool = False) -> Column[str]:
    return Column(name, String(length), nullable=nullable)


def _enum(name: str) -> Column[str]:
    """An enum member stored as its value: portable, and new members need no migration."""
    return Column(name, String(40), nullable=False)


def _moment(name: str, *, nullable: bool = False) -> Column[Any]:
    """A moment, written in UTC (see :func:`welfarekit_sqlalchemy.shapes.to_utc`); on MariaDB
    with microseconds, which its plain DATETIME would drop."""
    kind = DateTime(timezone=True).with_variant(
        mysql.DATETIME(timezone=True, fsp=6), "mysql", "mariadb"
    )
    return Column(name, kind, nullable=nullable)


def _flag(name: str) -> Column[bool]:
    return Column(name, Boolean, nullable=False)


def _person(name: str) -> tuple[Column[str], Column[str]]:
    """A :class:`~welfarekit.model.PersonRef` as kind and id, without a foreign key: it may
    be a student, guardian, staff member or someone outside the directory."""
    return _enum(f"{name}_kind"), _id(f"{name}_id")


def _evidence() -> tuple[Column[Any], ...]:
    """An :class:`~welfarekit.model.Evidence`: who recorded it, when and how."""
    return (*_person("recorded_by"), _moment("recorded_at"), _enum("method"))


def _refs(columns: list[str], table: str, referred: list[str]) -> ForeignKeyConstraint:
    return ForeignKeyConstraint(columns, [f"{TABLE_PREFIX}{table}.{c}" for c in referred])


def _by(*columns: str) -> Index:
    """An index for a filter: every query is within one provider."""
    return Index(None, "provider_id", *columns)


providers = Table(
    "welfarekit_providers",
    metadata,
    _id("id"),
    _text("name", 200),
    _text("business_id", 16, nullable=True),
    _text("group_name_steering", 120),
    _text("group_name_institution", 120),
    _text("group_name_case", 120),
    _enum("register_responsible_role"),
    PrimaryKeyConstraint("id"),
)

institutions = Table(
    "welfarekit_institutions",
    metadata,
    _id("provider_id"),
    _id("id"),
    _text("name", 200),
    _enum("kind"),
    PrimaryKeyConstraint("provider_id", "id"),
    _refs(["provider_id"], "providers", ["id"]),
    _by("kind"),
)

study_groups = Table(
    "welfarekit_study_groups",
    metadata,
    _id("provider_id"),
    _id("id"),
    _id("institution_id"),
    _text("name", 120),
    # No foreign key to staff: study groups come before staff in the order hosts save them
    # (welfarekit.storage.ENTITY_TYPES); the core checks the advisor's role instead.
    _id("advisor_id", nullable=True),
    _text("description", 500, nullable=True),
    PrimaryKeyConstraint("provider_id", "id"),
    _refs(["provider_id", "institution_id"], "institutions", ["provider_id", "id"]),
    _by("institution_id"),
)

students = Table(
    "welfarekit_students",
    metadata,
    _id("provider_id"),
    _id("id"),
    _id("institution_id"),
    _text("given_names", 120),
    _text("family_name", 120),
    Column("date_of_birth", Date, nullable=False),
    _text("home_municipality", 100),
    _id("study_group_id", nullable=True),
    # No personal identity code: it is stored only sealed, which arrives with the
    # records/encryption work (the storage adapter refuses a student that carries one).
    PrimaryKeyConstraint("provider_id", "id"),
    _refs(["provider_id", "institution_id"], "institutions", ["provider_id", "id"]),
    _refs(["provider_id", "study_group_id"], "study_groups", ["provider_id", "id"]),
    _by("institution_id"),
    _by("study_group_id"),
)

guardians = Table(
    "welfarekit_guardians",
    metadata,
    _id("provider_id"),
    _id("id"),
    _text("given_names", 120),
    _text("family_name", 120),
    _text("email", 254, nullable=True),
    _text("phone", 32, nullable=True),
    PrimaryKeyConstraint("provider_id", "id"),
    _refs(["provider_id"], "providers", ["id"]),
)

guardianships = Table(
    "welfarekit_guardianships",
    metadata,
    _id("provider_id"),
    _id("guardian_id"),
    _id("student_id"),
    _enum("kind"),
    Column("valid_from", Date, nullable=False),
    Column("valid_until", Date, nullable=True),
    # The primary key serves the guardian_id filter.
    PrimaryKeyConstraint("provider_id", "guardian_id", "student_id"),
    _refs(["provider_id", "guardian_id"], "guardians", ["provider_id", "id"]),
    _refs(["provider_id", "student_id"], "students", ["provider_id", "id"]),
    _by("student_id"),
)

staff = Table(
    "welfarekit_staff",
    metadata,
    _id("provider_id"),
    _id("id"),
    _text("given_names", 120),
    _text("family_name", 120),
    _enum("employer"),
    _text("title", 120, nullable=True),
    _text("email", 254, nullable=True),
    PrimaryKeyConstraint("provider_id", "id"),
    _refs(["provider_id"], "providers", ["id"]),
)

staff_roles = Table(
    "welfarekit_staff_roles",
    metadata,
    _id("provider_id"),
    _id("staff_id"),
    _enum("role"),
    PrimaryKeyConstraint("provider_id", "staff_id", "role"),
    _refs(["provider_id", "staff_id"], "staff", ["provider_id", "id"]),
)

staff_institutions = Table(
    "welfarekit_staff_institutions",
    metadata,
    _id("provider_id"),
    _id("staff_id"),
    _id("institution_id"),
    PrimaryKeyConstraint("provider_id", "staff_id", "institution_id"),
    _refs(["provider_id", "staff_id"], "staff", ["provider_id", "id"]),
    _refs(["provider_id", "institution_id"], "institutions", ["provider_id", "id"]),
    _by("institution_id"),
)

welfare_groups = Table(
    "welfarekit_groups",
    metadata,
    _id("provider_id"),
    _id("id"),
    _enum("kind"),
    _id("institution_id", nullable=True),
    _id("student_id", nullable=True),
    _text("name", 200, nullable=True),
    PrimaryKeyConstraint("provider_id", "id"),
    _refs(["provider_id"], "providers", ["id"]),
    _refs(["provider_id", "institution_id"], "institutions", ["provider_id", "id"]),
    _refs(["provider_id", "student_id"], "students", ["provider_id", "id"]),
    _by("kind"),
    _by("institution_id"),
    _by("student_id"),
)

memberships = Table(
    "welfarekit_memberships",
    metadata,
    _id("provider_id"),
    _id("id"),
    _id("group_id"),
    # A member may be a student, guardian, staff member or someone outside the directory,
    # so the reference is a kind and an id without a foreign key.
    _enum("member_kind"),
    _id("member_id"),
    _enum("role"),
    _enum("position"),
    Column("valid_from", Date, nullable=False),
    Column("valid_until", Date, nullable=True),
    PrimaryKeyConstraint("provider_id", "id"),
    _refs(["provider_id", "group_id"], "groups", ["provider_id", "id"]),
    _by("group_id"),
    _by("member_kind", "member_id"),
    _by("member_id"),
)


# -- the student welfare register ----------------------------------------------------------
# Never updated. A record points at its student; the other references stay loose: a consent
# to form an expert group may come before the group, a withdrawal names an expression of
# will or a veto, and the people are kind and id.


def _record(name: str, *columns: Column[Any]) -> Table:
    """A register table: keyed by ``(provider_id, id)``, about a student of the provider,
    listed by student."""
    return Table(
        f"{TABLE_PREFIX}{name}",
        metadata,
        _id("provider_id"),
        _id("id"),
        _id("student_id"),
        *columns,
        PrimaryKeyConstraint("provider_id", "id"),
        _refs(["provider_id", "student_id"], "students", ["provider_id", "id"]),
        _by("student_id"),
    )


def _elements(name: str, parent: str, parent_table: str, *columns: Column[Any]) -> Table:
    """A child table: one row per element of a record's collection; the primary key leads
    with the record's key, so it also finds a record's elements."""
    return Table(
        f"{TABLE_PREFIX}{name}",
        metadata,
        _id("provider_id"),
        _id(parent),
        *columns,
        PrimaryKeyConstraint("provider_id", parent, *(column.name for column in columns)),
        _refs(["provider_id", parent], parent_table, ["provider_id", "id"]),
    )


expressions_of_will = _record(
    "expressions_of_will",
    *_person("grantor"),
    _enum("kind"),
    _enum("purpose"),
    _id("group_id", nullable=True),
    _text("recipient", 200, nullable=True),
    Column("valid_from", Date, nullable=False),
    Column("valid_until", Date, nullable=True),
    _flag("written_and_specific"),
    *_evidence(),
)
will_covers = _elements("will_covers", "expression_id", "expressions_of_will", *_person("person"))
"""The people an expression of will names (``covers``)."""
will_cover_roles = _elements(
    "will_cover_roles", "expression_id", "expressions_of_will", _enum("role")
)
"""The roles an expression of will covers (``covers_roles``)."""

withdrawals = _record("withdrawals", _id("withdraws"), *_person("by"), *_evidence())

capacity_assessments = _record(
    "capacity_assessments",
    _flag("can_assess"),
    _id("assessed_by_id"),  # always a staff member (the model checks): the id is enough
    _moment("assessed_at"),
)

guardian_vetoes = _record(
    "guardian_vetoes",
    _flag("participation"),
    _flag("access"),
    _id("assessed_by_id"),  # a staff member, as for capacity assessments
    *_evidence(),
)
veto_guardians = _elements("veto_guardians", "veto_id", "guardian_vetoes", _id("guardian_id"))
"""The guardians a veto concerns; none means every guardian."""


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic's reflection filter: only welfarekit's tables exist as far as its migrations
    and autogenerate are concerned, so a host's own tables are never touched nor reported."""
    if type_ == "table":
        return name is not None and name.startswith(TABLE_PREFIX)
    return True


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Alembic's object filter, the metadata-side twin of :func:`include_name`."""
    if type_ == "table":
        return name is not None and name.startswith(TABLE_PREFIX)
    table = getattr(obj, "table", None)
    return table is None or str(table.name).startswith(TABLE_PREFIX)


# Last, as they build on the helpers above: put their tables in ``metadata`` on every import.
from welfarekit_sqlalchemy import (  # noqa: E402, F401
    casework_tables,
    chain_tables,
    communal_tables,
    sealed_tables,
)
