"""How each kind of domain object maps to table rows, and back.

One :class:`~welfarekit_sqlalchemy.shapes.Shape` per kind in
:data:`welfarekit.storage.ENTITY_TYPES`: the directory's here, the register's in
:mod:`welfarekit_sqlalchemy.register_rows`, the sealed kinds and students' secrets in
:mod:`welfarekit_sqlalchemy.sealed_rows`, casework in
:mod:`welfarekit_sqlalchemy.casework_rows`, communal welfare in
:mod:`welfarekit_sqlalchemy.communal_rows`. Building objects back goes through the model
classes, so their validators run on what the database returns.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs
from sqlalchemy import Table

from welfarekit.errors import StorageError
from welfarekit.model import (
    EducationProvider,
    GroupDisplayNames,
    Guardian,
    Guardianship,
    Institution,
    Membership,
    Period,
    PersonRef,
    StaffMember,
    Student,
    StudyGroup,
    WelfareGroup,
)
from welfarekit.storage import Entity
from welfarekit_sqlalchemy import tables
from welfarekit_sqlalchemy.casework_rows import CASEWORK_SHAPES
from welfarekit_sqlalchemy.communal_rows import COMMUNAL_SHAPES
from welfarekit_sqlalchemy.register_rows import REGISTER_SHAPES
from welfarekit_sqlalchemy.sealed_rows import SEALED_SHAPES
from welfarekit_sqlalchemy.shapes import Children, Row, Shape, same_names

__all__ = ["SHAPES", "Children", "Row", "Shape"]


def _provider_row(p: EducationProvider) -> Row:
    return {
        "id": p.id,
        "name": p.name,
        "business_id": p.business_id,
        "group_name_steering": p.group_names.steering,
        "group_name_institution": p.group_names.institution,
        "group_name_case": p.group_names.case,
        "register_responsible_role": p.register_responsible_role.value,
    }


def _provider(r: Mapping[str, Any]) -> EducationProvider:
    return EducationProvider(
        id=r["id"],
        name=r["name"],
        business_id=r["business_id"],
        group_names=GroupDisplayNames(
            steering=r["group_name_steering"],
            institution=r["group_name_institution"],
            case=r["group_name_case"],
        ),
        register_responsible_role=r["register_responsible_role"],
    )


def _institution_row(i: Institution) -> Row:
    return {"provider_id": i.provider_id, "id": i.id, "name": i.name, "kind": i.kind.value}


def _study_group_row(g: StudyGroup) -> Row:
    return attrs.asdict(g)


def _student_row(s: Student) -> Row:
    if s.personal_identity_code is not None:
        raise StorageError(
            f"student {s.id!r} was not saved: personal identity codes are stored only sealed "
            "(encrypted), and sealed storage arrives with the records/encryption work; save "
            "the student without personal_identity_code for now"
        )
    row = attrs.asdict(s)
    del row["personal_identity_code"]
    return row


def _guardian_row(g: Guardian) -> Row:
    return attrs.asdict(g)


def _guardianship_row(g: Guardianship) -> Row:
    return {
        "provider_id": g.provider_id,
        "guardian_id": g.guardian_id,
        "student_id": g.student_id,
        "kind": g.kind.value,
        "valid_from": g.validity.start,
        "valid_until": g.validity.end,
    }


def _guardianship(r: Mapping[str, Any]) -> Guardianship:
    return Guardianship(
        provider_id=r["provider_id"],
        guardian_id=r["guardian_id"],
        student_id=r["student_id"],
        kind=r["kind"],
        validity=Period(start=r["valid_from"], end=r["valid_until"]),
    )


def _staff_row(s: StaffMember) -> Row:
    """The staff row only; roles and institutions go to child tables."""
    return {
        "provider_id": s.provider_id,
        "id": s.id,
        "given_names": s.given_names,
        "family_name": s.family_name,
        "employer": s.employer.value,
        "title": s.title,
        "email": s.email,
    }


def _staff(r: Mapping[str, Any]) -> StaffMember:
    """Expects ``roles`` and ``institution_ids`` gathered from the child tables."""
    return StaffMember(
        id=r["id"],
        provider_id=r["provider_id"],
        given_names=r["given_names"],
        family_name=r["family_name"],
        roles=r["roles"],
        employer=r["employer"],
        institution_ids=r["institution_ids"],
        title=r["title"],
        email=r["email"],
    )


def _staff_roles(s: StaffMember) -> list[str]:
    return [role.value for role in s.roles]


def _staff_institutions(s: StaffMember) -> list[str]:
    return list(s.institution_ids)


def _welfare_group_row(g: WelfareGroup) -> Row:
    return {
        "provider_id": g.provider_id,
        "id": g.id,
        "kind": g.kind.value,
        "institution_id": g.institution_id,
        "student_id": g.student_id,
        "name": g.name,
    }


def _membership_row(m: Membership) -> Row:
    return {
        "provider_id": m.provider_id,
        "id": m.id,
        "group_id": m.group_id,
        "member_kind": m.member.kind.value,
        "member_id": m.member.id,
        "role": m.role.value,
        "position": m.position.value,
        "valid_from": m.validity.start,
        "valid_until": m.validity.end,
    }


def _membership(r: Mapping[str, Any]) -> Membership:
    return Membership(
        id=r["id"],
        provider_id=r["provider_id"],
        group_id=r["group_id"],
        member=PersonRef(r["member_kind"], r["member_id"]),
        role=r["role"],
        position=r["position"],
        validity=Period(start=r["valid_from"], end=r["valid_until"]),
    )


def _by_id(kind: type[Entity], table: Table, to_row: Callable[[Any], Row]) -> Shape:
    """A kind whose columns are its attributes' names, keyed by ``(provider_id, id)``."""

    def from_row(row: Mapping[str, Any]) -> Entity:
        return kind(**row)

    return Shape(table, "provider_id", ("id",), same_names(kind), to_row, from_row)


SHAPES: Mapping[type[object], Shape] = {
    EducationProvider: Shape(tables.providers, "id", ("id",), {}, _provider_row, _provider),
    Institution: _by_id(Institution, tables.institutions, _institution_row),
    StudyGroup: _by_id(StudyGroup, tables.study_groups, _study_group_row),
    Student: _by_id(Student, tables.students, _student_row),
    Guardian: _by_id(Guardian, tables.guardians, _guardian_row),
    Guardianship: Shape(
        tables.guardianships,
        "provider_id",
        ("guardian_id", "student_id"),
        same_names(Guardianship),
        _guardianship_row,
        _guardianship,
    ),
    StaffMember: Shape(
        tables.staff,
        "provider_id",
        ("id",),
        {},
        _staff_row,
        _staff,
        children=(
            Children(tables.staff_roles, "staff_id", ("role",), "roles", _staff_roles),
            Children(
                tables.staff_institutions,
                "staff_id",
                ("institution_id",),
                "institution_ids",
                _staff_institutions,
            ),
        ),
    ),
    WelfareGroup: _by_id(WelfareGroup, tables.welfare_groups, _welfare_group_row),
    Membership: Shape(
        tables.memberships,
        "provider_id",
        ("id",),
        same_names(Membership),
        _membership_row,
        _membership,
    ),
    **REGISTER_SHAPES,
    **SEALED_SHAPES,
    **CASEWORK_SHAPES,
    **COMMUNAL_SHAPES,
}
"""The shape of every kind :data:`welfarekit.storage.ENTITY_TYPES` lists."""
