"""Writing an audit event: chained into the provider's audit trail in the caller's
transaction, then handed to the audit-sink plugins. A failure anywhere fails the operation
(DESIGN.md invariant 5), and the chain is written before any plaintext is returned."""

from __future__ import annotations

from typing import Any

from welfarekit.audit import AuditEvent
from welfarekit.audit_chain import chain
from welfarekit.errors import AuditFailure, WelfareKitError
from welfarekit.storage import StorageTransaction

__all__ = ["emit"]


def emit(tx: StorageTransaction, hook: Any, event: AuditEvent) -> None:
    """Append ``event`` to its provider's chain in ``tx`` and forward it to the sinks."""
    head = tx.audit_head(event.provider_id)
    (entry,) = chain([event], head=head)
    tx.append_audit(entry)
    try:
        hook.welfarekit_audit_event(event=event)
    except WelfareKitError:
        raise
    except Exception as error:
        raise AuditFailure(
            f"an audit sink failed ({type(error).__name__}: {error}); "
            "the operation was not carried out"
        ) from error
