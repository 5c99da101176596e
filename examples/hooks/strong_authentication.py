"""A policy plugin: welfare records are read only by people who signed in strongly.

Allow it by name in the settings (``plugins=["sqlalchemy", "strong-authentication"]``) when
it is installed as a distribution, or pass the module in ``WelfareKit.open(plugins=[...])``.
"""

from __future__ import annotations

import welfarekit
from welfarekit import Action, Actor, AuthenticationLevel, Resource, ResourceType

WELFAREKIT_HOOK_API = ">=1.1,<2"  # welfarekit_veto came with hook API 1.1

READING = {Action.READ, Action.LIST, Action.EXPORT}


@welfarekit.hookimpl
def welfarekit_veto(actor: Actor, action: Action, resource: Resource) -> str | None:
    if actor.person is None:
        return None  # the host's own system processes are not people signing in
    if (
        resource.type is ResourceType.WELFARE_RECORD
        and action in READING
        and actor.authentication_level < AuthenticationLevel.STRONG
    ):
        return "reading welfare records needs strong electronic identification; sign in with it"
    return None  # let the core's decision stand: a plugin can refuse, never grant
