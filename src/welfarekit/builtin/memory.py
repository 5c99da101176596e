"""The in-memory reference storage adapter (``memory://``).

For hosts' own tests and for trying the library: nothing survives the process. It keeps the
same contract as a database: transactions are all-or-nothing and isolated (a transaction
works on a snapshot and swaps it in on commit, under a lock).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar, cast

import attrs

from welfarekit.audit_chain import ChainedEvent
from welfarekit.errors import ConflictError, IntegrityError, NotFound
from welfarekit.hookspecs import hookimpl
from welfarekit.model import EducationProvider
from welfarekit.notify import MemoryNotifier
from welfarekit.plugins import AdapterRegistry
from welfarekit.sealed import StoredKeyset
from welfarekit.storage import (
    FILTERS,
    REGISTER_TYPES,
    Entity,
    KeysetRewrap,
    SchemaStatus,
    StorageTransaction,
    check_filters,
    entity_key,
)

__all__ = ["MemoryStorage"]

E = TypeVar("E", bound=Entity)
_Key = tuple[type[Entity], str, str]
SCHEMA = "memory-1"


class _MemoryTransaction:
    def __init__(self, rows: dict[_Key, Entity], audit: dict[str, list[ChainedEvent]]) -> None:
        self.rows = rows
        self.audit = audit

    def delete(self, kind: type[Entity], provider_id: str, key: str, /) -> bool:
        return self.rows.pop((kind, provider_id, key), None) is not None

    def replace_ciphertext(
        self, kind: type[Entity], provider_id: str, key: str, ciphertext: bytes, /
    ) -> None:
        found = self.rows.get((kind, provider_id, key))
        if found is None:
            raise NotFound(f"no {kind.__name__} {key!r} in provider {provider_id!r}")
        field = "ciphertext" if hasattr(found, "ciphertext") else "content"
        changed: Entity = attrs.evolve(found, **{field: ciphertext})  # type: ignore[arg-type]
        self.rows[(kind, provider_id, key)] = changed

    def append_audit(self, entry: ChainedEvent) -> None:
        chain = self.audit.setdefault(entry.event.provider_id, [])
        if chain and chain[-1].sequence >= entry.sequence:
            raise ConflictError(f"audit entry {entry.sequence} exists already; retry")
        chain.append(entry)

    def append_audit_many(self, entries: Sequence[ChainedEvent], /) -> None:
        for entry in entries:
            self.append_audit(entry)  # a conflict rolls the whole transaction back

    def replace_keysets(
        self, provider_id: str, rewraps: Sequence[KeysetRewrap], updated_at: dt.datetime, /
    ) -> int:
        replaced = 0
        for rewrap in rewraps:
            key = (StoredKeyset, provider_id, rewrap.student_id)
            found = self.rows.get(key)
            if isinstance(found, StoredKeyset) and found.blob == rewrap.old_blob:
                self.rows[key] = attrs.evolve(
                    found, kek_id=rewrap.kek_id, blob=rewrap.blob, updated_at=updated_at
                )
                replaced += 1
        return replaced

    def audit_head(self, provider_id: str) -> ChainedEvent | None:
        chain = self.audit.get(provider_id)
        return chain[-1] if chain else None

    def audit_entries(
        self,
        provider_id: str,
        *,
        after: int = 0,
        limit: int | None = None,
        student_id: str | None = None,
    ) -> list[ChainedEvent]:
        if limit is not None and limit < 0:
            raise ValueError("limit must be 0 or more")
        found = [
            e
            for e in self.audit.get(provider_id, [])
            if e.sequence > after and (student_id is None or e.event.student_id == student_id)
        ]
        return found if limit is None else found[:limit]

    def save(self, entity: Entity) -> None:
        provider = entity.id if isinstance(entity, EducationProvider) else entity.provider_id
        key = (type(entity), provider, entity_key(entity))
        if isinstance(entity, REGISTER_TYPES) and key in self.rows:
            raise IntegrityError(
                f"{type(entity).__name__} {entity_key(entity)!r} is already recorded; "
                "register entries are never replaced"
            )
        self.rows[key] = entity

    def save_many(self, entities: Sequence[Entity], /) -> None:
        not_register = [type(e).__name__ for e in entities if not isinstance(e, REGISTER_TYPES)]
        if not_register:
            raise TypeError(f"save_many takes objects of the register only, not {not_register}")
        for entity in entities:
            self.save(entity)  # a taken key rolls the whole transaction back

    def insert(self, entity: Entity) -> None:
        provider = entity.id if isinstance(entity, EducationProvider) else entity.provider_id
        key = (type(entity), provider, entity_key(entity))
        if key in self.rows:
            raise ConflictError(
                f"{type(entity).__name__} {entity_key(entity)!r} exists already (another "
                "request made it first)"
            )
        self.rows[key] = entity

    def get(self, kind: type[E], provider_id: str, key: str, /) -> E | None:
        found = self.rows.get((cast(type[Entity], kind), provider_id, key))
        return found if isinstance(found, kind) else None

    def list(self, kind: type[E], provider_id: str | None, /, **filters: str) -> list[E]:
        names = list(check_filters(kind, filters))
        if provider_id is None and kind is not EducationProvider:
            raise TypeError(f"listing {kind.__name__} needs a provider_id")
        getters = FILTERS[cast(type[Entity], kind)]
        found = [
            (key, entity)
            for (row_kind, provider, key), entity in self.rows.items()
            if row_kind is kind
            and (provider_id is None or provider == provider_id)
            and all(str(getters[n](entity)) == str(filters[n]) for n in names)
        ]
        return [entity for _, entity in sorted(found, key=lambda pair: pair[0])]  # type: ignore[misc]


class MemoryStorage:
    """Keeps everything in a dict; see the module docstring."""

    def __init__(self, url: str = "memory://", options: Mapping[str, Any] | None = None) -> None:
        self.url = url
        self._rows: dict[_Key, Entity] = {}
        self._audit: dict[str, list[ChainedEvent]] = {}
        self._lock = threading.RLock()

    @contextmanager
    def transaction(self) -> Iterator[StorageTransaction]:
        with self._lock:
            tx = _MemoryTransaction(
                dict(self._rows), {p: list(chain) for p, chain in self._audit.items()}
            )
            yield tx
            self._rows, self._audit = tx.rows, tx.audit

    def upgrade(self) -> None:
        """Nothing to migrate in memory."""

    def schema_status(self) -> SchemaStatus:
        return SchemaStatus(current=SCHEMA, head=SCHEMA)

    def describe(self) -> str:
        return f"{self.url} (in memory, not persisted)"

    def close(self) -> None:
        self._rows, self._audit = {}, {}


@hookimpl
def welfarekit_register_adapters(registry: AdapterRegistry) -> None:
    registry.add_storage(
        "memory",
        MemoryStorage,
        accepts=lambda url: url.startswith("memory://"),
        description="in-memory reference storage for tests; nothing is persisted",
    )
    registry.add_notifier(
        "memory",
        MemoryNotifier,
        description="keeps notifications in the process (kit.notifier.sent), for tests",
    )
