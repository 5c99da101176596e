"""Communal welfare as storage keeps it (DOMAIN.md §§ 2, 3, 11): the steering group's
policies, the communal groups' agendas and minutes, initiatives, crisis events and the
welfare plan with its versions and comments.

Communal artefacts hold no identifiable student (OHL § 14(2)): the session refuses a text
that names one before it gets here. An initiative may name one; its text is sealed under a
keyset of its own, like a confidential matter, and it is routed the individual way.
"""

from __future__ import annotations

import datetime as dt
import enum

import attrs

from welfarekit.model._validate import (
    aware_datetime,
    coerce_enum,
    identifier,
    instance_of,
    member_of,
    optional_calendar_date,
    optional_identifier,
    optional_text,
    text,
)
from welfarekit.model.people import PersonRef

__all__ = [
    "CommunalDocument",
    "CommunalDocumentKind",
    "CrisisEvent",
    "CrisisKind",
    "CrisisStatus",
    "Initiative",
    "InitiativeStatus",
    "PlanComment",
    "PlanSectionVersion",
    "PlanState",
    "PlanStatus",
    "PolicyDocument",
]

_ref = instance_of(PersonRef)
_optional_ref = attrs.validators.optional(_ref)
_optional_moment = attrs.validators.optional(aware_datetime)
_bytes = instance_of(bytes)
_date = instance_of(dt.date)


@attrs.frozen(kw_only=True)
class PolicyDocument:
    """The steering group's policy for the provider (``scope`` ``"provider"``) or an
    institution's overrides (``scope`` the institution's id), as JSON
    (:class:`welfarekit.policy.WelfarePolicy`)."""

    provider_id: str = attrs.field(validator=identifier)
    scope: str = attrs.field(validator=identifier)
    body: str = attrs.field(validator=text(20000, multiline=True))
    updated_at: dt.datetime = attrs.field(validator=aware_datetime)
    updated_by: PersonRef = attrs.field(validator=_ref)


class CommunalDocumentKind(enum.StrEnum):
    AGENDA = "agenda"
    """*esityslista*"""
    MINUTES = "minutes"
    """*muistio*, *pöytäkirja*"""


def to_document_kind(value: CommunalDocumentKind | str) -> CommunalDocumentKind:
    return coerce_enum(CommunalDocumentKind, value)


@attrs.frozen(kw_only=True)
class CommunalDocument:
    """An agenda or the minutes of a steering or institution welfare group meeting."""

    id: str = attrs.field(validator=identifier)
    provider_id: str = attrs.field(validator=identifier)
    group_id: str = attrs.field(validator=identifier)
    kind: CommunalDocumentKind = attrs.field(
        converter=to_document_kind, validator=member_of(CommunalDocumentKind)
    )
    meeting_date: dt.date = attrs.field(validator=_date)
    title: str = attrs.field(validator=text(200))
    body: str = attrs.field(validator=text(50000, multiline=True))
    written_by: PersonRef = attrs.field(validator=_ref)
    written_at: dt.datetime = attrs.field(validator=aware_datetime)


class InitiativeStatus(enum.StrEnum):
    RECEIVED = "received"
    """Received by the group; the initiator was sent an acknowledgement."""
    IN_PROGRESS = "in_progress"
    ANSWERED = "answered"
    """The group has answered; the initiator was told."""
    ROUTED = "routed"
    """It concerned a named student: turned into a referral or an expert-group proposal,
    never discussed by name in the communal group."""


def to_initiative_status(value: InitiativeStatus | str) -> InitiativeStatus:
    return coerce_enum(InitiativeStatus, value)


@attrs.frozen(kw_only=True)
class Initiative:
    """An initiative (*aloite*) to a welfare group. ``content`` seals its subject, text and
    the group's response under the initiative's own keyset (``kek_id``, ``keyset``)."""

    id: str = attrs.field(validator=identifier)
    provider_id: str = attrs.field(validator=identifier)
    group_id: str = attrs.field(validator=identifier)
    initiator: PersonRef | None = attrs.field(default=None, validator=_optional_ref)
    """``None``: sent anonymously through the host's own form."""
    received_at: dt.datetime = attrs.field(validator=aware_datetime)
    status: InitiativeStatus = attrs.field(
        default=InitiativeStatus.RECEIVED,
        converter=to_initiative_status,
        validator=member_of(InitiativeStatus),
    )
    student_id: str | None = attrs.field(default=None, validator=optional_identifier)
    """The student it names; such an initiative waits for its routing by the group's
    leader and is never listed to the group."""
    routed_to: str | None = attrs.field(default=None, validator=optional_text(200))
    """``referral:<id>`` or ``expert_group:<id>`` once routed."""
    answered_at: dt.datetime | None = attrs.field(default=None, validator=_optional_moment)
    kek_id: str = attrs.field(validator=identifier)
    keyset: bytes = attrs.field(validator=_bytes)
    content: bytes = attrs.field(validator=_bytes)


class CrisisKind(enum.StrEnum):
    ACCIDENT = "accident"
    LOSS = "loss"
    """A death or another loss touching the community."""
    THREAT = "threat"
    """A threat or danger situation."""
    OTHER = "other"
    """Another life crisis touching the community."""


def to_crisis_kind(value: CrisisKind | str) -> CrisisKind:
    return coerce_enum(CrisisKind, value)


class CrisisStatus(enum.StrEnum):
    ACTIVE = "active"
    AFTERCARE = "aftercare"
    """Psychosocial support and aftercare under way."""
    CLOSED = "closed"
    """Debriefed and closed."""


def to_crisis_status(value: CrisisStatus | str) -> CrisisStatus:
    return coerce_enum(CrisisStatus, value)


@attrs.frozen(kw_only=True)
class CrisisEvent:
    """A crisis the institution's crisis group responds to. ``checklist`` and
    ``aftercare`` are JSON: the plan's steps with who did what and when, and the aftercare
    given. The log is communal: it names no student (an individual follow-up goes the
    individual way)."""

    id: str = attrs.field(validator=identifier)
    provider_id: str = attrs.field(validator=identifier)
    institution_id: str = attrs.field(validator=identifier)
    kind: CrisisKind = attrs.field(converter=to_crisis_kind, validator=member_of(CrisisKind))
    title: str = attrs.field(validator=text(200))
    activated_by: PersonRef = attrs.field(validator=_ref)
    activated_at: dt.datetime = attrs.field(validator=aware_datetime)
    status: CrisisStatus = attrs.field(
        default=CrisisStatus.ACTIVE, converter=to_crisis_status, validator=member_of(CrisisStatus)
    )
    checklist: str = attrs.field(default="[]", validator=text(100000, multiline=True))
    aftercare: str = attrs.field(default="[]", validator=text(100000, multiline=True))
    debrief: str | None = attrs.field(default=None, validator=optional_text(20000, multiline=True))
    closed_at: dt.datetime | None = attrs.field(default=None, validator=_optional_moment)


@attrs.frozen(kw_only=True)
class PlanSectionVersion:
    """One version of a section of the provider's welfare plan (*opiskeluhuoltosuunnitelma*,
    § 13). Versions are never replaced: a change is a new version with who and why."""

    id: str = attrs.field(validator=identifier)
    """``<section key>.v<version>``"""
    provider_id: str = attrs.field(validator=identifier)
    section_key: str = attrs.field(validator=identifier)
    version: int = attrs.field(validator=attrs.validators.ge(1))
    title: str = attrs.field(validator=text(300))
    institution_id: str | None = attrs.field(default=None, validator=optional_identifier)
    """For a per-institution section (§ 13(2)); ``None`` for the provider as a whole."""
    body: str = attrs.field(validator=text(100000, multiline=True))
    review_by: dt.date | None = attrs.field(default=None, validator=optional_calendar_date)
    changed_by: PersonRef = attrs.field(validator=_ref)
    changed_at: dt.datetime = attrs.field(validator=aware_datetime)
    note: str | None = attrs.field(default=None, validator=optional_text(500))


class PlanStatus(enum.StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    PUBLISHED = "published"


def to_plan_status(value: PlanStatus | str) -> PlanStatus:
    return coerce_enum(PlanStatus, value)


@attrs.frozen(kw_only=True)
class PlanState:
    """Where the provider's welfare plan stands; keyed ``plan``."""

    id: str = attrs.field(default="plan", validator=identifier)
    provider_id: str = attrs.field(validator=identifier)
    status: PlanStatus = attrs.field(
        default=PlanStatus.DRAFT, converter=to_plan_status, validator=member_of(PlanStatus)
    )
    approved_by: PersonRef | None = attrs.field(default=None, validator=_optional_ref)
    approved_at: dt.datetime | None = attrs.field(default=None, validator=_optional_moment)
    published_at: dt.datetime | None = attrs.field(default=None, validator=_optional_moment)


@attrs.frozen(kw_only=True)
class PlanComment:
    """A comment on a section from staff, a student, a guardian or another stakeholder
    (the plan is prepared together, § 13(3))."""

    id: str = attrs.field(validator=identifier)
    provider_id: str = attrs.field(validator=identifier)
    section_key: str = attrs.field(validator=identifier)
    author: PersonRef = attrs.field(validator=_ref)
    text: str = attrs.field(validator=text(5000, multiline=True))
    created_at: dt.datetime = attrs.field(validator=aware_datetime)
