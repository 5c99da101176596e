"""The tables of communal welfare (revision ``welfarekit_0007``), on
:data:`welfarekit_sqlalchemy.tables.metadata`.

Communal welfare's state moves on (an initiative is answered, a crisis closed, the plan
approved), so these rows are replaced on save, like casework's
(:data:`welfarekit.storage.CASE_TYPES`). Every table is keyed by ``(provider_id, <key>)``.

* A policy document is keyed by its scope: ``provider`` or an institution's id. The scope
  stays loose (``provider`` is no institution); the core checks it.
* An agenda or minutes and an initiative point at their welfare group. An initiative may
  name a student (nullable; once named, the student must exist). Its ``content`` is
  ciphertext sealed under a keyset kept in its own row, wrapped (``kek_id``, ``keyset``),
  as a confidential matter's (:mod:`welfarekit_sqlalchemy.casework_tables`); an anonymous
  initiative's initiator is two ``NULL`` columns.
* A crisis event points at its institution; a version of a plan section at its institution
  when the section is an institution's (nullable). Versions are keyed by
  ``<section key>.v<version>``, so a second version with the same number is refused.
* The plan's state is one row per provider, keyed ``plan``; comments name their section by
  key, loose, as a section is its versions.

Long free text (policies, minutes, plan sections, a crisis's checklist and aftercare, a
debrief, a comment) is ``TEXT``; on MariaDB a ``MEDIUMTEXT``, since 100,000 characters
(up to four bytes each in ``utf8mb4``) outgrow the 64 KiB of a ``TEXT``. Tables that point
at no other table of the provider point at the provider. Enum-valued fields are stored as
their values (new members need no migration).
"""

from __future__ import annotations

from sqlalchemy import Column, Date, Integer, PrimaryKeyConstraint, Table, Text
from sqlalchemy.dialects import mysql

from welfarekit_sqlalchemy.casework_tables import _optional_person
from welfarekit_sqlalchemy.sealed_tables import _sealed
from welfarekit_sqlalchemy.tables import (
    TABLE_PREFIX,
    _by,
    _enum,
    _id,
    _moment,
    _person,
    _refs,
    _text,
    metadata,
)

__all__ = [
    "communal_documents",
    "crisis_events",
    "initiatives",
    "plan_comments",
    "plan_section_versions",
    "plan_states",
    "policy_documents",
]


def _long_text(name: str, *, nullable: bool = False) -> Column[str]:
    """Free text up to 100,000 characters: a ``MEDIUMTEXT`` on MariaDB."""
    kind = Text().with_variant(mysql.MEDIUMTEXT(), "mysql", "mariadb")
    return Column(name, kind, nullable=nullable)


# -- the steering group's policy and the groups' documents -----------------------------------

policy_documents = Table(
    f"{TABLE_PREFIX}policy_documents",
    metadata,
    _id("provider_id"),
    _id("scope"),
    _long_text("body"),
    _moment("updated_at"),
    *_person("updated_by"),
    PrimaryKeyConstraint("provider_id", "scope"),
    _refs(["provider_id"], "providers", ["id"]),
)
""":class:`~welfarekit.model.PolicyDocument`, the provider's policy and an institution's
overrides."""

communal_documents = Table(
    f"{TABLE_PREFIX}communal_documents",
    metadata,
    _id("provider_id"),
    _id("id"),
    _id("group_id"),
    _enum("kind"),
    Column("meeting_date", Date, nullable=False),
    _text("title", 200),
    _long_text("body"),
    *_person("written_by"),
    _moment("written_at"),
    PrimaryKeyConstraint("provider_id", "id"),
    _refs(["provider_id", "group_id"], "groups", ["provider_id", "id"]),
    _by("group_id"),
)
""":class:`~welfarekit.model.CommunalDocument`, an agenda or the minutes of a meeting."""

initiatives = Table(
    f"{TABLE_PREFIX}initiatives",
    metadata,
    _id("provider_id"),
    _id("id"),
    _id("group_id"),
    *_optional_person("initiator"),
    _moment("received_at"),
    _enum("status"),
    _id("student_id", nullable=True),
    _text("routed_to", 200, nullable=True),
    _moment("answered_at", nullable=True),
    _id("kek_id"),
    _sealed("keyset"),
    _sealed("content"),
    PrimaryKeyConstraint("provider_id", "id"),
    _refs(["provider_id", "group_id"], "groups", ["provider_id", "id"]),
    _refs(["provider_id", "student_id"], "students", ["provider_id", "id"]),
    _by("group_id"),
    _by("status"),
    # Not a filter: finds a student's initiatives when the student is removed.
    _by("student_id"),
)
""":class:`~welfarekit.model.Initiative`, its subject, text and response sealed."""


# -- crises ----------------------------------------------------------------------------------

crisis_events = Table(
    f"{TABLE_PREFIX}crisis_events",
    metadata,
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
    PrimaryKeyConstraint("provider_id", "id"),
    _refs(["provider_id", "institution_id"], "institutions", ["provider_id", "id"]),
    _by("institution_id"),
    _by("status"),
)
""":class:`~welfarekit.model.CrisisEvent`; its checklist and aftercare are JSON."""


# -- the welfare plan ------------------------------------------------------------------------

plan_section_versions = Table(
    f"{TABLE_PREFIX}plan_section_versions",
    metadata,
    _id("provider_id"),
    _id("id"),
    _id("section_key"),
    Column("version", Integer, nullable=False),
    _text("title", 300),
    _id("institution_id", nullable=True),
    _long_text("body"),
    Column("review_by", Date, nullable=True),
    *_person("changed_by"),
    _moment("changed_at"),
    _text("note", 500, nullable=True),
    PrimaryKeyConstraint("provider_id", "id"),
    _refs(["provider_id"], "providers", ["id"]),
    _refs(["provider_id", "institution_id"], "institutions", ["provider_id", "id"]),
    _by("section_key"),
    # Not a filter: finds an institution's sections when the institution is removed.
    _by("institution_id"),
)
""":class:`~welfarekit.model.PlanSectionVersion`, never replaced by the core: a change is
a new version."""

plan_states = Table(
    f"{TABLE_PREFIX}plan_states",
    metadata,
    _id("provider_id"),
    _id("id"),
    _enum("status"),
    *_optional_person("approved_by"),
    _moment("approved_at", nullable=True),
    _moment("published_at", nullable=True),
    PrimaryKeyConstraint("provider_id", "id"),
    _refs(["provider_id"], "providers", ["id"]),
)
""":class:`~welfarekit.model.PlanState`, one row per provider."""

plan_comments = Table(
    f"{TABLE_PREFIX}plan_comments",
    metadata,
    _id("provider_id"),
    _id("id"),
    _id("section_key"),
    *_person("author"),
    _long_text("text"),
    _moment("created_at"),
    PrimaryKeyConstraint("provider_id", "id"),
    _refs(["provider_id"], "providers", ["id"]),
    _by("section_key"),
)
""":class:`~welfarekit.model.PlanComment`."""
