"""Every audit event queued for the provider's SIEM."""

from __future__ import annotations

import queue
from typing import Any

import welfarekit

WELFAREKIT_HOOK_API = ">=1.0,<2"


class SiemForwarder:
    """Puts each audit event on a queue that a background thread ships to the SIEM.

    The hook runs inside the audited operation's transaction, so it only queues: a network
    round trip per event would slow every operation, and raising fails the operation.
    """

    def __init__(self) -> None:
        self.queue: queue.SimpleQueue[dict[str, Any]] = queue.SimpleQueue()

    @welfarekit.hookimpl
    def welfarekit_audit_event(self, event: welfarekit.AuditEvent) -> None:
        # identifiers only: an audit event never carries confidential content
        self.queue.put({
            "at": event.occurred_at.isoformat(),
            "provider": event.provider_id,
            "who": event.actor,
            "did": event.action,
            "on": f"{event.resource_type}:{event.resource_id}",
            "student": event.student_id,
            "outcome": event.outcome.value,
        })  # fmt: skip
