"""Implements a hook under a misspelled name: must be refused, not silently ignored."""

import welfarekit

WELFAREKIT_HOOK_API = ">=1.0,<2"


def welfarekit_register_adaptors(registry: welfarekit.AdapterRegistry) -> None:
    raise AssertionError("never called")
