"""Writing audit events: chained into the provider's audit trail in the caller's
transaction, then handed to the audit-sink plugins. A failure anywhere fails the operation
(DESIGN.md invariant 5), and the chain is written before any plaintext is returned.

:func:`emit` writes one event; :func:`emit_many` writes the several events of one
operation (or of a batch) with one read of each provider's chain head and one append per
provider (:meth:`~welfarekit.storage.StorageTransaction.append_audit_many`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from welfarekit.audit import AuditEvent
from welfarekit.audit_chain import ChainedEvent, chain
from welfarekit.errors import AuditFailure, WelfareKitError
from welfarekit.storage import StorageTransaction

__all__ = ["emit", "emit_many"]


def emit(tx: StorageTransaction, hook: Any, event: AuditEvent) -> None:
    """Append ``event`` to its provider's chain in ``tx`` and forward it to the sinks."""
    head = tx.audit_head(event.provider_id)
    (entry,) = chain([event], head=head)
    tx.append_audit(entry)
    _forward(hook, [event])


def emit_many(tx: StorageTransaction, hook: Any, events: Iterable[AuditEvent]) -> None:
    """Append ``events`` to their providers' chains in ``tx``, in order within each
    provider, and forward them to the sinks in the order given."""
    ordered = list(events)
    by_provider: dict[str, list[AuditEvent]] = {}
    for event in ordered:
        by_provider.setdefault(event.provider_id, []).append(event)
    for provider_id, mine in by_provider.items():
        append_chained(tx, chain(mine, head=tx.audit_head(provider_id)))
    _forward(hook, ordered)


def append_chained(tx: StorageTransaction, entries: list[ChainedEvent]) -> None:
    """Append entries already chained, in one round trip where the adapter allows."""
    append_many = getattr(tx, "append_audit_many", None)  # an adapter older than the method
    if append_many is not None:
        append_many(entries)
        return
    for entry in entries:
        tx.append_audit(entry)


def _forward(hook: Any, events: list[AuditEvent]) -> None:
    try:
        for event in events:
            hook.welfarekit_audit_event(event=event)
    except WelfareKitError:
        raise
    except Exception as error:
        raise AuditFailure(
            f"an audit sink failed ({type(error).__name__}: {error}); "
            "the operation was not carried out"
        ) from error
