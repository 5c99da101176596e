"""The adapter contract: the hooks a welfarekit plugin may implement.

A plugin is a module or an object with functions named after these hooks, marked with
:data:`welfarekit.hookimpl`. It is discovered through the ``welfarekit`` entry-point group,
loaded only if the host's settings name it, and must declare the hook API it was written
for::

    # my_adapter.py
    import welfarekit

    WELFAREKIT_HOOK_API = ">=1.0,<2"

    @welfarekit.hookimpl
    def welfarekit_register_adapters(registry):
        registry.add_notifier("sms", SmsNotifier)

Every hook below states when it is called, what its arguments are, what its return value
means and what it must never do. A function whose name starts with ``welfarekit_`` but
matches no hook here is refused at load time (a misspelling would otherwise be ignored).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from welfarekit.access import Action, Actor, Resource
    from welfarekit.audit import AuditEvent
    from welfarekit.audit_chain import AuditCheckpoint
    from welfarekit.notify import Notification
    from welfarekit.plugins import AdapterRegistry

__all__ = [
    "HOOK_API_VERSION",
    "hookimpl",
    "hookspec",
    "welfarekit_audit_checkpoint",
    "welfarekit_audit_event",
    "welfarekit_notify",
    "welfarekit_register_adapters",
    "welfarekit_veto",
]

HOOK_API_VERSION = "1.2"
"""The version of this contract. Adapters declare the range they support in a module or
object attribute ``WELFAREKIT_HOOK_API`` (e.g. ``">=1.0,<2"``); a minor version adds hooks
or optional arguments, a major version changes or removes them."""

hookspec = pluggy.HookspecMarker("welfarekit")
hookimpl = pluggy.HookimplMarker("welfarekit")


@hookspec
def welfarekit_register_adapters(registry: AdapterRegistry) -> None:
    """Offer adapters by name: storage backends, notifiers and the like.

    **When:** once, while :meth:`welfarekit.WelfareKit.open` loads plugins, for every loaded
    plugin that implements it.

    **Arguments:** ``registry`` is an :class:`~welfarekit.plugins.AdapterRegistry`; call its
    ``add_*`` methods. Registering is cheap and must not connect anywhere: the host's
    settings pick adapters **by name** afterwards, and only the picked ones are created.

    **Returns:** nothing.

    **Contract:** a name may be registered once across all plugins; a second registration
    of the same name is an error that names both plugins (there is no silent winner by load
    order).

    Example::

        @welfarekit.hookimpl
        def welfarekit_register_adapters(registry):
            registry.add_storage(
                "mystore",
                MyStorage,
                accepts=lambda url: url.startswith("mystore://"),
                description="The vendor's document store",
            )

    .. versionadded:: 0.1 (hook API 1.0)
    """


@hookspec
def welfarekit_audit_event(event: AuditEvent) -> None:
    """Receive every audit event, e.g. to forward it to a SIEM.

    **When:** inside the transaction of the operation being audited, before the operation's
    result is returned to the caller.

    **Arguments:** ``event`` is an :class:`~welfarekit.audit.AuditEvent`; it carries
    identifiers, never confidential content.

    **Returns:** nothing.

    **Contract:** raising fails the operation: its transaction is rolled back and the caller
    gets :class:`~welfarekit.errors.AuditFailure` (invariant 5: nothing happens unaudited).
    Keep it fast; queue rather than make a network round trip per event.

    Example::

        @welfarekit.hookimpl
        def welfarekit_audit_event(event):
            siem_queue.put({"at": event.occurred_at.isoformat(), "who": event.actor,
                            "did": event.action, "on": event.resource_id})

    .. versionadded:: 0.1 (hook API 1.0)
    """


@hookspec
def welfarekit_audit_checkpoint(checkpoint: AuditCheckpoint) -> None:
    """Store a signed head of a provider's audit chain out of the database's reach.

    **When:** whenever the host takes a checkpoint (``kit.checkpoint(provider_id)`` on its
    own schedule, or ``welfarekit audit checkpoint``), after the events it covers have
    committed.

    **Arguments:** ``checkpoint`` is an :class:`~welfarekit.audit.AuditCheckpoint`.

    **Returns:** nothing.

    **Contract:** store it append-only, somewhere a database administrator cannot rewrite
    (a WORM bucket, another system's log). ``welfarekit audit verify`` compares the chain
    against the stored checkpoints; a failure here is reported but does not undo the events.

    Example::

        @welfarekit.hookimpl
        def welfarekit_audit_checkpoint(checkpoint):
            worm_bucket.put(f"{checkpoint.provider_id}/{checkpoint.sequence}",
                            checkpoint.signature)

    .. versionadded:: 0.2 (hook API 1.1)
    """


@hookspec
def welfarekit_veto(actor: Actor, action: Action, resource: Resource) -> str | None:
    """Refuse an access the core rules would allow. Plugins can narrow access, never widen it.

    **When:** for every access decision, after the core rules allowed it (a denial by the core
    is final and the hook is not asked).

    **Arguments:** who (:class:`~welfarekit.access.Actor`), doing what
    (:class:`~welfarekit.access.Action`), to what (:class:`~welfarekit.access.Resource`).

    **Returns:** a reason string to refuse, or ``None`` to let the decision stand. There is
    no way to grant: any refusal wins, and an exception refuses too (fail closed).

    **Contract:** a mandatory notification (a child welfare or police notification under
    Lastensuojelulaki 25 §, a duty notwithstanding secrecy) is not put to this hook: the
    law does not let anyone block it.

    Example::

        @welfarekit.hookimpl
        def welfarekit_veto(actor, action, resource):
            if resource.type == "welfare_record" and actor.authentication_level < 2:
                return "Welfare records need strong authentication."
            return None

    .. versionadded:: 0.2 (hook API 1.1)
    """


@hookspec(firstresult=True)
def welfarekit_notify(notification: Notification) -> bool | None:
    """Deliver a notification to a person: by e-mail, text message or the portal's inbox.

    **When:** for each pending message of the outbox, when the host runs
    :meth:`welfarekit.WelfareKit.deliver_notifications` (or ``welfarekit outbox dispatch``), after
    the step that wrote it has committed.

    **Arguments:** ``notification`` is a :class:`~welfarekit.notify.Notification`: the
    recipient as a reference the host resolves to an address, the topic and the fixed text.

    **Returns:** ``True`` once the message is accepted for delivery; ``None`` to leave it to
    another notifier (the first ``True`` wins). Raise to have it retried later.

    **Contract:** send the text as it is, never more: welfarekit chose it so that it says
    nothing confidential ("You have a new booking confirmation in the welfare service"),
    and a notifier must not add whom, why or which service. Delivery is at least once:
    use ``notification.id`` to drop a repeat.

    Example::

        @welfarekit.hookimpl
        def welfarekit_notify(notification):
            address = portal_users.email_of(notification.recipient)
            if address is None:
                return None
            smtp.send(address, subject="Welfare service", body=notification.text)
            return True

    .. versionadded:: 0.3 (hook API 1.2)
    """
