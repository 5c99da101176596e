"""A well-behaved example adapter: offers a storage backend and an audit sink."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import welfarekit
from welfarekit.builtin.memory import MemoryStorage

WELFAREKIT_HOOK_API = ">=1.0,<2"

AUDITED: list[welfarekit.AuditEvent] = []
"""Every audit event this sink received, for the tests to inspect."""


class ExampleStorage(MemoryStorage):
    """The reference in-memory storage under another name and URL scheme."""

    def __init__(self, url: str, options: Mapping[str, Any]) -> None:
        super().__init__(url, options)
        self.options = dict(options)


@welfarekit.hookimpl
def welfarekit_register_adapters(registry: welfarekit.AdapterRegistry) -> None:
    registry.add_storage(
        "example",
        ExampleStorage,
        accepts=lambda url: url.startswith("example://"),
        description="example third-party storage",
    )


@welfarekit.hookimpl
def welfarekit_audit_event(event: welfarekit.AuditEvent) -> None:
    AUDITED.append(event)
