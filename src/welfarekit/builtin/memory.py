"""The in-memory reference storage adapter (``memory://``).

For hosts' own tests and for trying the library: nothing survives the process. It keeps the
same contract as a database: transactions are all-or-nothing and isolated (a transaction
works on a snapshot and swaps it in on commit, under a lock).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar, cast

from welfarekit.errors import IntegrityError
from welfarekit.hookspecs import hookimpl
from welfarekit.model import EducationProvider
from welfarekit.plugins import AdapterRegistry
from welfarekit.storage import (
    FILTERS,
    REGISTER_TYPES,
    Entity,
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
    def __init__(self, rows: dict[_Key, Entity]) -> None:
        self.rows = rows

    def save(self, entity: Entity) -> None:
        provider = entity.id if isinstance(entity, EducationProvider) else entity.provider_id
        key = (type(entity), provider, entity_key(entity))
        if isinstance(entity, REGISTER_TYPES) and key in self.rows:
            raise IntegrityError(
                f"{type(entity).__name__} {entity_key(entity)!r} is already recorded; "
                "register entries are never replaced"
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
        self._lock = threading.RLock()

    @contextmanager
    def transaction(self) -> Iterator[StorageTransaction]:
        with self._lock:
            tx = _MemoryTransaction(dict(self._rows))
            yield tx
            self._rows = tx.rows

    def upgrade(self) -> None:
        """Nothing to migrate in memory."""

    def schema_status(self) -> SchemaStatus:
        return SchemaStatus(current=SCHEMA, head=SCHEMA)

    def describe(self) -> str:
        return f"{self.url} (in memory, not persisted)"

    def close(self) -> None:
        self._rows = {}


@hookimpl
def welfarekit_register_adapters(registry: AdapterRegistry) -> None:
    registry.add_storage(
        "memory",
        MemoryStorage,
        accepts=lambda url: url.startswith("memory://"),
        description="in-memory reference storage for tests; nothing is persisted",
    )
