"""Declares no hook API range: must be refused with a message saying how to declare it."""

import welfarekit


@welfarekit.hookimpl
def welfarekit_register_adapters(registry: welfarekit.AdapterRegistry) -> None:
    raise AssertionError("never called")
