"""FHIR R5 export: expressions of will as ``Consent``, the audit trail as ``AuditEvent``.

Welfare data moves to health and social care systems (and Finland's national archive) in
FHIR. These functions turn welfarekit's own records into FHIR R5 resources as plain JSON
values (no FHIR library at run time; the tests validate every resource against the
maintained ``fhir.resources`` models). People are named by identifiers in welfarekit's own
systems (``urn:welfarekit:<provider>:<kind>``): the receiving system maps them to its
records; nothing here invents a national identifier.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from welfarekit.audit_chain import ChainedEvent
from welfarekit.model import ExpressionOfWill, PersonKind, PersonRef, WillKind, Withdrawal
from welfarekit.rules.consent import PURPOSE_BASIS

__all__ = ["audit_event_resource", "bundle", "consent_resource"]

_SYSTEM = "urn:welfarekit"
_OUTCOME = "http://terminology.hl7.org/CodeSystem/audit-event-outcome"
_ACTION = "http://hl7.org/fhir/audit-event-action"
_FHIR_TYPE = {
    PersonKind.STUDENT: "Patient",
    PersonKind.GUARDIAN: "RelatedPerson",
    PersonKind.STAFF: "Practitioner",
    PersonKind.EXTERNAL: "RelatedPerson",
}


def _person(provider_id: str, person: PersonRef) -> dict[str, Any]:
    return {
        "type": _FHIR_TYPE[person.kind],
        "identifier": {"system": f"{_SYSTEM}:{provider_id}:{person.kind.value}",
                       "value": person.id},
    }  # fmt: skip


def _moment(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def consent_resource(
    will: ExpressionOfWill, withdrawals: Iterable[Withdrawal] = ()
) -> dict[str, Any]:
    """A FHIR R5 ``Consent`` for one expression of will (*tahdonilmaisu*): a consent is a
    ``permit``, a refusal a ``deny``; a withdrawn one is ``inactive`` (withdrawal is
    prospective: the record stays)."""
    provider = will.provider_id
    withdrawn = any(w.withdraws == will.id for w in withdrawals)
    resource: dict[str, Any] = {
        "resourceType": "Consent",
        "id": will.id,
        "status": "inactive" if withdrawn else "active",
        "category": [
            {"coding": [{"system": f"{_SYSTEM}:consent-purpose", "code": will.purpose.value}]}
        ],
        "subject": _person(provider, PersonRef(PersonKind.STUDENT, will.student_id)),
        "date": will.evidence.recorded_at.date().isoformat(),
        "grantor": [_person(provider, will.grantor)],
        "decision": "deny" if will.kind is WillKind.REFUSAL else "permit",
        "period": {"start": will.validity.start.isoformat()},
        "regulatoryBasis": [{"text": PURPOSE_BASIS[will.purpose]}],
        "verification": [
            {
                "verified": True,
                "verificationType": {
                    "coding": [
                        {"system": f"{_SYSTEM}:evidence-method", "code": will.evidence.method.value}
                    ]
                },
                "verifiedBy": _person(provider, will.evidence.recorded_by),
                "verificationDate": [_moment(will.evidence.recorded_at)],
            }
        ],
    }
    if will.validity.end is not None:
        resource["period"]["end"] = will.validity.end.isoformat()
    grantees = [_person(provider, person) for person in sorted(will.covers, key=str)]
    if will.recipient:
        grantees.append({"display": will.recipient})
    if grantees:
        resource["grantee"] = grantees
    actors = [{"role": {"coding": [{"system": f"{_SYSTEM}:role", "code": role.value}]}}
              for role in sorted(will.covers_roles, key=lambda r: r.value)]  # fmt: skip
    if actors or will.group_id:
        provision: dict[str, Any] = {}
        if actors:
            provision["actor"] = actors
        if will.group_id:
            provision["data"] = [{"meaning": "related", "reference": {
                "identifier": {"system": f"{_SYSTEM}:{provider}:group",
                               "value": will.group_id}}}]  # fmt: skip
        resource["provision"] = [provision]
    return resource


def audit_event_resource(entry: ChainedEvent) -> dict[str, Any]:
    """A FHIR R5 ``AuditEvent`` for one entry of the audit trail, with its place in the
    hash chain kept as an identifier-like extension-free detail."""
    event = entry.event
    verb = event.action.rsplit(".", 1)[-1]
    action = {"read": "R", "list": "R", "export": "R", "search": "R", "write": "C",
              "manage": "U", "disclose": "E", "destroy": "D", "archive": "E"}.get(verb, "E")  # fmt: skip
    denied = event.outcome.value != "success"
    resource: dict[str, Any] = {
        "resourceType": "AuditEvent",
        "id": f"{event.provider_id}-{entry.sequence}",
        "category": [{"coding": [{"system": f"{_SYSTEM}:resource-type",
                                  "code": event.resource_type}]}],
        "code": {"coding": [{"system": f"{_SYSTEM}:action", "code": event.action}]},
        "action": action,
        "recorded": _moment(event.occurred_at),
        "outcome": {"code": {"system": _OUTCOME, "code": "4" if denied else "0",
                             "display": "Minor failure" if denied else "Success"}},
        "agent": [{"who": {"identifier": {"system": f"{_SYSTEM}:{event.provider_id}:actor",
                                          "value": event.actor}},
                   "requestor": True}],
        "source": {"observer": {"display": "welfarekit"}},
        "entity": [{"what": {"identifier": {
            "system": f"{_SYSTEM}:{event.provider_id}:{event.resource_type}",
            "value": event.resource_id}}}],
    }  # fmt: skip
    if event.reason:
        resource["outcome"]["detail"] = [{"text": event.reason}]
    if event.student_id:
        resource["patient"] = _person(event.provider_id,
                                      PersonRef(PersonKind.STUDENT, event.student_id))  # fmt: skip
    return resource


def bundle(resources: Iterable[dict[str, Any]], *, timestamp: dt.datetime) -> dict[str, Any]:
    """A FHIR ``Bundle`` of type ``collection`` holding the resources."""
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": _moment(timestamp),
        "entry": [{"resource": resource} for resource in resources],
    }
