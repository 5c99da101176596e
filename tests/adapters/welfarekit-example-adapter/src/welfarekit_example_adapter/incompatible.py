"""Written for a future hook API: must be refused at load time."""

import welfarekit

WELFAREKIT_HOOK_API = ">=2.0,<3"


@welfarekit.hookimpl
def welfarekit_register_adapters(registry: welfarekit.AdapterRegistry) -> None:
    raise AssertionError("an incompatible adapter must never be called")
