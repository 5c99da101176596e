"""Notifications into the school portal's own inbox: a notifier offered by name.

The host picks it in its settings and hands it the inbox through the adapter's options::

    WelfareKit.open(
        Settings(notifier="portal-inbox", adapter_options={"portal-inbox": {"inbox": inbox}}),
        plugins=[portal_inbox],
    )
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from typing import Any

import welfarekit
from welfarekit import PersonKind

WELFAREKIT_HOOK_API = ">=1.2,<2"  # welfarekit_notify came with hook API 1.2


class InboxNotifier:
    """Delivers each notification as a message in the portal's inbox.

    ``options["inbox"]`` maps a notification's id to ``(recipient, text)``: the portal's
    message table. Keying it by the notification's id makes a repeated delivery harmless
    (delivery is at least once).
    """

    def __init__(self, options: Mapping[str, Any]) -> None:
        self.inbox: MutableMapping[str, tuple[str, str]] = options["inbox"]

    @welfarekit.hookimpl
    def welfarekit_notify(self, notification: welfarekit.Notification) -> bool | None:
        if notification.recipient.kind is PersonKind.EXTERNAL:
            return None  # not a portal user: leave it to another notifier
        # the text as welfarekit wrote it: it says nothing confidential, and nothing is added
        self.inbox[notification.id] = (str(notification.recipient), notification.text)
        return True


@welfarekit.hookimpl
def welfarekit_register_adapters(registry: welfarekit.AdapterRegistry) -> None:
    registry.add_notifier(
        "portal-inbox", InboxNotifier, description="messages in the school portal's inbox"
    )
