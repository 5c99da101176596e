"""Audit events: who did what to which personal data, and with what outcome.

Every operation on personal data produces an :class:`AuditEvent` inside the same
transaction as the change, and hands it to the ``welfarekit_audit_event`` hook; a sink that
fails makes the operation fail (invariant 5 of DESIGN.md).
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid

import attrs

from welfarekit.model._validate import identifier, member_of, text

__all__ = ["AuditEvent", "AuditOutcome"]


class AuditOutcome(enum.StrEnum):
    SUCCESS = "success"
    DENIED = "denied"
    FAILED = "failed"


def _aware(instance: object, attribute: attrs.Attribute[dt.datetime], value: object) -> None:
    if not isinstance(value, dt.datetime) or value.tzinfo is None:
        raise ValueError(f"{type(instance).__name__}.{attribute.name} must be timezone-aware")


@attrs.frozen(kw_only=True)
class AuditEvent:
    """One audited operation. Carries identifiers only, never the content that was read or
    written, so an audit sink (a SIEM, a log) learns nothing confidential."""

    id: str = attrs.field(factory=lambda: uuid.uuid4().hex, validator=identifier)
    provider_id: str = attrs.field(validator=identifier)
    occurred_at: dt.datetime = attrs.field(
        factory=lambda: dt.datetime.now(dt.UTC), validator=_aware
    )
    actor: str = attrs.field(validator=text(200))
    """Who acted: ``staff:<id>``, ``student:<id>``, ``guardian:<id>`` or ``system:<name>``
    for the host's own provisioning."""
    action: str = attrs.field(validator=text(80))
    """What was done, e.g. ``directory.write`` or ``directory.read``."""
    resource_type: str = attrs.field(validator=text(80))
    resource_id: str = attrs.field(validator=text(300))
    outcome: AuditOutcome = attrs.field(
        default=AuditOutcome.SUCCESS, validator=member_of(AuditOutcome)
    )
    reason: str | None = attrs.field(default=None)
