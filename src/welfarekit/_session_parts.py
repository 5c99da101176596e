"""What the operation mixins of :class:`~welfarekit.session.Session` use of it.

Each group of operations (records, casework, appointments, ...) is a mixin of Session, and
they all decide, refuse, audit and tell through Session's own helpers. This base declares
those helpers once, for the type checker; at run time it is empty and Session provides them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from welfarekit.access import Action, Actor, Resource
    from welfarekit.model import NotificationTopic, PersonRef
    from welfarekit.rules import Decision, Facts, LegalBasis
    from welfarekit.storage import StorageAdapter, StorageTransaction
    from welfarekit.vault import Vault


class SessionParts:
    """Session's state and helpers as its mixins see them (declared only)."""

    if TYPE_CHECKING:  # provided by Session
        actor: Actor
        _storage: StorageAdapter
        _vault: Vault
        _hook: Any

        @property
        def now(self) -> dt.datetime: ...

        def _transaction(self) -> AbstractContextManager[StorageTransaction]: ...

        def _facts(
            self, tx: StorageTransaction, student_id: str | None, now: dt.datetime
        ) -> Facts | None: ...

        def _decide(
            self,
            tx: StorageTransaction,
            action: Action,
            resource: Resource,
            basis: LegalBasis | None,
        ) -> tuple[Decision, Facts | None]: ...

        def _require(
            self,
            tx: StorageTransaction,
            action: Action,
            resource: Resource,
            basis: LegalBasis | None = None,
        ) -> tuple[Decision, Facts]: ...

        def _refuse(
            self, tx: StorageTransaction, action: Action, resource: Resource, reason: str
        ) -> NoReturn: ...

        def _tell(
            self,
            tx: StorageTransaction,
            who: Iterable[PersonRef],
            topic: NotificationTopic,
            *,
            include_actor: bool = False,
        ) -> None: ...
