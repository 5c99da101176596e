"""How communal welfare maps to table rows, and back: policy documents, the groups' agendas
and minutes, initiatives, crisis events, and the welfare plan's section versions, state and
comments.

As in :mod:`welfarekit_sqlalchemy.casework_rows`: enum members are stored as their values
and converted back by the model classes, moments are written in UTC and read back as aware
UTC datetimes, ciphertext comes back as the same ``bytes``, and an optional person is two
``NULL`` columns when absent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from welfarekit.model import (
    CommunalDocument,
    CrisisEvent,
    Initiative,
    PlanComment,
    PlanSectionVersion,
    PlanState,
    PolicyDocument,
)
from welfarekit_sqlalchemy import communal_tables
from welfarekit_sqlalchemy.casework_rows import (
    _moment_in,
    _moment_out,
    _optional_person,
    _person,
    _person_row,
)
from welfarekit_sqlalchemy.shapes import Row, Shape, from_utc, same_names, to_utc

__all__ = ["COMMUNAL_SHAPES"]


def _policy_row(p: PolicyDocument) -> Row:
    return {
        "provider_id": p.provider_id,
        "scope": p.scope,
        "body": p.body,
        "updated_at": to_utc(p.updated_at),
        **_person_row("updated_by", p.updated_by),
    }


def _policy(r: Mapping[str, Any]) -> PolicyDocument:
    return PolicyDocument(
        provider_id=r["provider_id"],
        scope=r["scope"],
        body=r["body"],
        updated_at=from_utc(r["updated_at"]),
        updated_by=_person(r, "updated_by"),
    )


def _document_row(d: CommunalDocument) -> Row:
    return {
        "provider_id": d.provider_id,
        "id": d.id,
        "group_id": d.group_id,
        "kind": d.kind.value,
        "meeting_date": d.meeting_date,
        "title": d.title,
        "body": d.body,
        **_person_row("written_by", d.written_by),
        "written_at": to_utc(d.written_at),
    }


def _document(r: Mapping[str, Any]) -> CommunalDocument:
    return CommunalDocument(
        id=r["id"],
        provider_id=r["provider_id"],
        group_id=r["group_id"],
        kind=r["kind"],
        meeting_date=r["meeting_date"],
        title=r["title"],
        body=r["body"],
        written_by=_person(r, "written_by"),
        written_at=from_utc(r["written_at"]),
    )


def _initiative_row(i: Initiative) -> Row:
    return {
        "provider_id": i.provider_id,
        "id": i.id,
        "group_id": i.group_id,
        **_person_row("initiator", i.initiator),
        "received_at": to_utc(i.received_at),
        "status": i.status.value,
        "student_id": i.student_id,
        "routed_to": i.routed_to,
        "answered_at": _moment_in(i.answered_at),
        "kek_id": i.kek_id,
        "keyset": i.keyset,
        "content": i.content,
    }


def _initiative(r: Mapping[str, Any]) -> Initiative:
    return Initiative(
        id=r["id"],
        provider_id=r["provider_id"],
        group_id=r["group_id"],
        initiator=_optional_person(r, "initiator"),
        received_at=from_utc(r["received_at"]),
        status=r["status"],
        student_id=r["student_id"],
        routed_to=r["routed_to"],
        answered_at=_moment_out(r["answered_at"]),
        kek_id=r["kek_id"],
        keyset=bytes(r["keyset"]),
        content=bytes(r["content"]),
    )


def _crisis_row(c: CrisisEvent) -> Row:
    return {
        "provider_id": c.provider_id,
        "id": c.id,
        "institution_id": c.institution_id,
        "kind": c.kind.value,
        "title": c.title,
        **_person_row("activated_by", c.activated_by),
        "activated_at": to_utc(c.activated_at),
        "status": c.status.value,
        "checklist": c.checklist,
        "aftercare": c.aftercare,
        "debrief": c.debrief,
        "closed_at": _moment_in(c.closed_at),
    }


def _crisis(r: Mapping[str, Any]) -> CrisisEvent:
    return CrisisEvent(
        id=r["id"],
        provider_id=r["provider_id"],
        institution_id=r["institution_id"],
        kind=r["kind"],
        title=r["title"],
        activated_by=_person(r, "activated_by"),
        activated_at=from_utc(r["activated_at"]),
        status=r["status"],
        checklist=r["checklist"],
        aftercare=r["aftercare"],
        debrief=r["debrief"],
        closed_at=_moment_out(r["closed_at"]),
    )


def _section_row(s: PlanSectionVersion) -> Row:
    return {
        "provider_id": s.provider_id,
        "id": s.id,
        "section_key": s.section_key,
        "version": s.version,
        "title": s.title,
        "institution_id": s.institution_id,
        "body": s.body,
        "review_by": s.review_by,
        **_person_row("changed_by", s.changed_by),
        "changed_at": to_utc(s.changed_at),
        "note": s.note,
    }


def _section(r: Mapping[str, Any]) -> PlanSectionVersion:
    return PlanSectionVersion(
        id=r["id"],
        provider_id=r["provider_id"],
        section_key=r["section_key"],
        version=r["version"],
        title=r["title"],
        institution_id=r["institution_id"],
        body=r["body"],
        review_by=r["review_by"],
        changed_by=_person(r, "changed_by"),
        changed_at=from_utc(r["changed_at"]),
        note=r["note"],
    )


def _plan_state_row(s: PlanState) -> Row:
    return {
        "provider_id": s.provider_id,
        "id": s.id,
        "status": s.status.value,
        **_person_row("approved_by", s.approved_by),
        "approved_at": _moment_in(s.approved_at),
        "published_at": _moment_in(s.published_at),
    }


def _plan_state(r: Mapping[str, Any]) -> PlanState:
    return PlanState(
        id=r["id"],
        provider_id=r["provider_id"],
        status=r["status"],
        approved_by=_optional_person(r, "approved_by"),
        approved_at=_moment_out(r["approved_at"]),
        published_at=_moment_out(r["published_at"]),
    )


def _comment_row(c: PlanComment) -> Row:
    return {
        "provider_id": c.provider_id,
        "id": c.id,
        "section_key": c.section_key,
        **_person_row("author", c.author),
        "text": c.text,
        "created_at": to_utc(c.created_at),
    }


def _comment(r: Mapping[str, Any]) -> PlanComment:
    return PlanComment(
        id=r["id"],
        provider_id=r["provider_id"],
        section_key=r["section_key"],
        author=_person(r, "author"),
        text=r["text"],
        created_at=from_utc(r["created_at"]),
    )


COMMUNAL_SHAPES: Mapping[type[object], Shape] = {
    PolicyDocument: Shape(
        communal_tables.policy_documents,
        "provider_id",
        ("scope",),
        same_names(PolicyDocument),
        _policy_row,
        _policy,
    ),
    CommunalDocument: Shape(
        communal_tables.communal_documents,
        "provider_id",
        ("id",),
        same_names(CommunalDocument),
        _document_row,
        _document,
    ),
    Initiative: Shape(
        communal_tables.initiatives,
        "provider_id",
        ("id",),
        same_names(Initiative),
        _initiative_row,
        _initiative,
    ),
    CrisisEvent: Shape(
        communal_tables.crisis_events,
        "provider_id",
        ("id",),
        same_names(CrisisEvent),
        _crisis_row,
        _crisis,
    ),
    PlanSectionVersion: Shape(
        communal_tables.plan_section_versions,
        "provider_id",
        ("id",),
        same_names(PlanSectionVersion),
        _section_row,
        _section,
    ),
    PlanState: Shape(
        communal_tables.plan_states,
        "provider_id",
        ("id",),
        same_names(PlanState),
        _plan_state_row,
        _plan_state,
    ),
    PlanComment: Shape(
        communal_tables.plan_comments,
        "provider_id",
        ("id",),
        same_names(PlanComment),
        _comment_row,
        _comment,
    ),
}
"""The shapes of communal welfare, the kinds of :data:`welfarekit.storage.CASE_TYPES` after
casework; each key is :func:`welfarekit.storage.entity_key`'s, column by column."""
