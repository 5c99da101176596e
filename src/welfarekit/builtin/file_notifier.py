"""The built-in ``file`` notifier: notifications appended to a file as JSON lines.

For development and the demo, where no mail server is configured: every notification the
outbox delivers becomes one line (``id``, ``at``, ``to``, ``address``, ``text``). Choose it
with ``Settings(notifier="file", adapter_options={"file": {"path": "…"}})`` or
``WELFAREKIT_NOTIFIER=file``; without a path it writes ``welfarekit-notifications.jsonl``
in the current directory.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from welfarekit.hookspecs import hookimpl
from welfarekit.notify import Notification
from welfarekit.plugins import AdapterRegistry

__all__ = ["FileNotifier"]


class FileNotifier:
    def __init__(self, options: Mapping[str, Any] | None = None) -> None:
        self.path = Path((options or {}).get("path", "welfarekit-notifications.jsonl"))

    def welfarekit_notify(self, notification: Notification) -> bool:
        line = {
            "id": notification.id,
            "at": notification.created_at.isoformat(),
            "to": str(notification.recipient),
            "address": notification.address,
            "text": notification.text,
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
        return True


@hookimpl
def welfarekit_register_adapters(registry: AdapterRegistry) -> None:
    registry.add_notifier(
        "file", FileNotifier, description="notifications as JSON lines in a file, for development"
    )
