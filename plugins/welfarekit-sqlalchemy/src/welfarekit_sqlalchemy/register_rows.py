"""How the student welfare register's records map to table rows, and back.

Moments are written in UTC and read back as aware UTC datetimes, equal to what was saved
(aware datetimes compare as instants). The covered people and roles of an expression of will
and the guardians of a veto are child rows (:class:`~welfarekit_sqlalchemy.shapes.Children`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Table

from welfarekit.model import (
    CapacityAssessment,
    Evidence,
    ExpressionOfWill,
    GuardianVeto,
    Period,
    PersonKind,
    PersonRef,
    Withdrawal,
)
from welfarekit.storage import Entity
from welfarekit_sqlalchemy import tables
from welfarekit_sqlalchemy.shapes import Children, Row, Shape, from_utc, same_names, to_utc

__all__ = ["REGISTER_SHAPES"]


def _person_row(name: str, person: PersonRef) -> Row:
    return {f"{name}_kind": person.kind.value, f"{name}_id": person.id}


def _person(r: Mapping[str, Any], name: str) -> PersonRef:
    return PersonRef(r[f"{name}_kind"], r[f"{name}_id"])


def _evidence_row(e: Evidence) -> Row:
    return {
        **_person_row("recorded_by", e.recorded_by),
        "recorded_at": to_utc(e.recorded_at),
        "method": e.method.value,
    }


def _evidence(r: Mapping[str, Any]) -> Evidence:
    return Evidence(
        recorded_by=_person(r, "recorded_by"),
        recorded_at=from_utc(r["recorded_at"]),
        method=r["method"],
    )


def _staff(staff_id: str) -> PersonRef:
    return PersonRef(PersonKind.STAFF, staff_id)


def _expression_row(e: ExpressionOfWill) -> Row:
    return {
        "provider_id": e.provider_id,
        "id": e.id,
        "student_id": e.student_id,
        **_person_row("grantor", e.grantor),
        "kind": e.kind.value,
        "purpose": e.purpose.value,
        "group_id": e.group_id,
        "recipient": e.recipient,
        "valid_from": e.validity.start,
        "valid_until": e.validity.end,
        "written_and_specific": e.written_and_specific,
        **_evidence_row(e.evidence),
    }


def _expression(r: Mapping[str, Any]) -> ExpressionOfWill:
    """Expects ``covers`` as (kind, id) pairs and ``covers_roles`` from the child tables."""
    return ExpressionOfWill(
        id=r["id"],
        provider_id=r["provider_id"],
        student_id=r["student_id"],
        grantor=_person(r, "grantor"),
        kind=r["kind"],
        purpose=r["purpose"],
        group_id=r["group_id"],
        covers=frozenset(PersonRef(kind, person_id) for kind, person_id in r["covers"]),
        covers_roles=r["covers_roles"],
        recipient=r["recipient"],
        validity=Period(start=r["valid_from"], end=r["valid_until"]),
        written_and_specific=r["written_and_specific"],
        evidence=_evidence(r),
    )


def _covered_people(e: ExpressionOfWill) -> list[tuple[str, str]]:
    return [(person.kind.value, person.id) for person in e.covers]


def _covered_roles(e: ExpressionOfWill) -> list[str]:
    return [role.value for role in e.covers_roles]


def _withdrawal_row(w: Withdrawal) -> Row:
    return {
        "provider_id": w.provider_id,
        "id": w.id,
        "student_id": w.student_id,
        "withdraws": w.withdraws,
        **_person_row("by", w.by),
        **_evidence_row(w.evidence),
    }


def _withdrawal(r: Mapping[str, Any]) -> Withdrawal:
    return Withdrawal(
        id=r["id"],
        provider_id=r["provider_id"],
        student_id=r["student_id"],
        withdraws=r["withdraws"],
        by=_person(r, "by"),
        evidence=_evidence(r),
    )


def _assessment_row(a: CapacityAssessment) -> Row:
    return {
        "provider_id": a.provider_id,
        "id": a.id,
        "student_id": a.student_id,
        "can_assess": a.can_assess,
        "assessed_by_id": a.assessed_by.id,
        "assessed_at": to_utc(a.assessed_at),
    }


def _assessment(r: Mapping[str, Any]) -> CapacityAssessment:
    return CapacityAssessment(
        id=r["id"],
        provider_id=r["provider_id"],
        student_id=r["student_id"],
        can_assess=r["can_assess"],
        assessed_by=_staff(r["assessed_by_id"]),
        assessed_at=from_utc(r["assessed_at"]),
    )


def _veto_row(v: GuardianVeto) -> Row:
    return {
        "provider_id": v.provider_id,
        "id": v.id,
        "student_id": v.student_id,
        "participation": v.participation,
        "access": v.access,
        "assessed_by_id": v.assessed_by.id,
        **_evidence_row(v.evidence),
    }


def _veto(r: Mapping[str, Any]) -> GuardianVeto:
    """Expects ``guardian_ids`` from the child table (none: the veto concerns every one)."""
    return GuardianVeto(
        id=r["id"],
        provider_id=r["provider_id"],
        student_id=r["student_id"],
        guardian_ids=r["guardian_ids"],
        participation=r["participation"],
        access=r["access"],
        assessed_by=_staff(r["assessed_by_id"]),
        evidence=_evidence(r),
    )


def _vetoed_guardians(v: GuardianVeto) -> list[str]:
    return list(v.guardian_ids)


def _record(
    kind: type[Entity],
    table: Table,
    to_row: Callable[[Any], Row],
    from_row: Callable[[Mapping[Any, Any]], Entity],
    *children: Children,
) -> Shape:
    """A register kind: keyed by ``(provider_id, id)``, filtered by column name."""
    return Shape(table, "provider_id", ("id",), same_names(kind), to_row, from_row, children)


REGISTER_SHAPES: Mapping[type[object], Shape] = {
    ExpressionOfWill: _record(
        ExpressionOfWill,
        tables.expressions_of_will,
        _expression_row,
        _expression,
        Children(
            tables.will_covers,
            "expression_id",
            ("person_kind", "person_id"),
            "covers",
            _covered_people,
        ),
        Children(
            tables.will_cover_roles, "expression_id", ("role",), "covers_roles", _covered_roles
        ),
    ),
    Withdrawal: _record(Withdrawal, tables.withdrawals, _withdrawal_row, _withdrawal),
    CapacityAssessment: _record(
        CapacityAssessment, tables.capacity_assessments, _assessment_row, _assessment
    ),
    GuardianVeto: _record(
        GuardianVeto,
        tables.guardian_vetoes,
        _veto_row,
        _veto,
        Children(
            tables.veto_guardians, "veto_id", ("guardian_id",), "guardian_ids", _vetoed_guardians
        ),
    ),
}
"""The shapes of :data:`welfarekit.storage.REGISTER_TYPES`."""
