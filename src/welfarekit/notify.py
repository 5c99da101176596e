"""Notifications through an outbox: written with the step they tell of, delivered after.

A step of casework (a booking, a referral, a group formed) writes an
:class:`~welfarekit.model.OutboxMessage` in its own transaction, so a step that rolls back
notifies no one and a notifier that is down loses nothing. :func:`deliver` hands pending
messages to the ``welfarekit_notify`` hook. A message is a fixed sentence chosen by its
topic (:class:`~welfarekit.model.NotificationTopic`): no operation can put the case's
content, the other person's name or the reason into it.

Delivery is at least once: a crash between the notifier accepting a message and the outbox
marking it sent sends it again; :attr:`Notification.id` is stable for a notifier to drop
repeats.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import attrs

from welfarekit.model import (
    EducationProvider,
    NotificationTopic,
    OutboxMessage,
    OutboxStatus,
    PersonRef,
)
from welfarekit.storage import StorageAdapter, StorageTransaction

__all__ = [
    "BACKOFF",
    "MAX_ATTEMPTS",
    "DeliveryReport",
    "MemoryNotifier",
    "Notification",
    "backoff",
    "deliver",
    "enqueue",
    "failed_messages",
]

MAX_ATTEMPTS = 5
"""Deliveries tried before a message is marked failed for a person to look at."""

BACKOFF = dt.timedelta(minutes=1)
"""The wait after the first failed delivery; it doubles with each further failure."""
MAX_BACKOFF = dt.timedelta(hours=1)


def backoff(attempts: int) -> dt.timedelta:
    """How long to wait after ``attempts`` failed deliveries: 1, 2, 4 … minutes, at most
    an hour."""
    return min(BACKOFF * (1 << min(max(attempts - 1, 0), 16)), MAX_BACKOFF)


@attrs.frozen(kw_only=True)
class Notification:
    """What the ``welfarekit_notify`` hook receives: whom to tell, and the fixed text.

    ``recipient`` is a reference the host resolves to an address (its own user directory
    holds e-mail addresses and phone numbers, welfarekit does not)."""

    id: str
    provider_id: str
    recipient: PersonRef
    topic: NotificationTopic
    text: str
    created_at: dt.datetime
    address: str | None = None
    """The recipient's e-mail address from the directory (staff and guardians), if any."""


@attrs.frozen(kw_only=True)
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    """Failed this time, left pending for the next run."""
    failed: int = 0
    """Failed for the last allowed time; marked failed."""
    waiting: int = 0
    """Left pending because no notifier is configured."""


def enqueue(
    tx: StorageTransaction,
    provider_id: str,
    recipient: PersonRef,
    topic: NotificationTopic,
    now: dt.datetime,
) -> OutboxMessage:
    """Write a notification to the outbox in the caller's transaction."""
    message = OutboxMessage(
        id=uuid.uuid4().hex, provider_id=provider_id, recipient=recipient, topic=topic,
        created_at=now,
    )  # fmt: skip
    tx.save(message)
    return message


def deliver(
    storage: StorageAdapter,
    hook: Any,
    *,
    provider_id: str | None = None,
    limit: int = 500,
    now: dt.datetime | None = None,
) -> DeliveryReport:
    """Hand pending outbox messages to the ``welfarekit_notify`` hook, oldest first, at most
    ``limit`` per provider. A notifier that raises leaves the message pending (with the
    error's type noted, never its text, which may quote an address) until
    :data:`MAX_ATTEMPTS`, each time after a longer wait (:func:`backoff`); with no
    notifier configured everything waits."""
    moment = now or dt.datetime.now(dt.UTC)
    with storage.transaction() as tx:
        providers = (
            [provider_id] if provider_id else [p.id for p in tx.list(EducationProvider, None)]
        )
        pending = [
            m
            for p in providers
            for m in sorted(
                (m for m in tx.list(OutboxMessage, p, status=OutboxStatus.PENDING.value)
                 if m.next_attempt_at is None or m.next_attempt_at <= moment),
                key=lambda m: (m.created_at, m.id),
            )[:limit]
        ]  # fmt: skip
        addresses = {m.id: _address(tx, m) for m in pending}
    if not hook.welfarekit_notify.get_hookimpls():
        return DeliveryReport(waiting=len(pending))
    sent = retried = failed = 0
    for message in pending:
        notification = Notification(
            id=message.id, provider_id=message.provider_id, recipient=message.recipient,
            topic=message.topic, text=message.text, created_at=message.created_at,
            address=addresses[message.id],
        )  # fmt: skip
        try:
            accepted = hook.welfarekit_notify(notification=notification)
        except Exception as error:  # a notifier's failure must not stop the others
            attempts = message.attempts + 1
            gave_up = attempts >= MAX_ATTEMPTS
            changed = attrs.evolve(
                message, attempts=attempts, last_error=type(error).__name__,
                status=OutboxStatus.FAILED if gave_up else OutboxStatus.PENDING,
                next_attempt_at=None if gave_up else moment + backoff(attempts),
            )  # fmt: skip
            failed, retried = failed + gave_up, retried + (not gave_up)
        else:
            if not accepted:
                continue  # no notifier took it: it waits
            changed = attrs.evolve(
                message,
                attempts=message.attempts + 1,
                status=OutboxStatus.SENT,
                sent_at=moment,
                next_attempt_at=None,
            )
            sent += 1
        with storage.transaction() as tx:
            tx.save(changed)
    return DeliveryReport(sent=sent, retried=retried, failed=failed)


def _address(tx: StorageTransaction, message: OutboxMessage) -> str | None:
    from welfarekit.model import Guardian, PersonKind, StaffMember

    kind = {PersonKind.STAFF: StaffMember, PersonKind.GUARDIAN: Guardian}.get(
        message.recipient.kind
    )
    if kind is None:
        return None
    person = tx.get(kind, message.provider_id, message.recipient.id)
    return person.email if person is not None else None


def failed_messages(storage: StorageAdapter, provider_id: str) -> list[OutboxMessage]:
    """The notifications that could not be delivered, for a person to look at."""
    with storage.transaction() as tx:
        found = tx.list(OutboxMessage, provider_id, status=OutboxStatus.FAILED.value)
    return sorted(found, key=lambda m: (m.created_at, m.id))


class MemoryNotifier:
    """The built-in ``memory`` notifier: keeps what it is given in :attr:`sent`, for hosts'
    tests and the demo."""

    def __init__(self, options: Any = None) -> None:
        self.sent: list[Notification] = []

    def welfarekit_notify(self, notification: Notification) -> bool:
        self.sent.append(notification)
        return True
