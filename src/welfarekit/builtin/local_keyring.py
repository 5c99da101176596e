"""The built-in ``local`` keyring: key-encryption keys in an owner-only key file
(``Settings.key_file``), created by ``welfarekit keys init``."""

from __future__ import annotations

from welfarekit.crypto import LocalKeyFileKeyring
from welfarekit.hookspecs import hookimpl
from welfarekit.plugins import AdapterRegistry
from welfarekit.settings import Settings


def open_local_keyring(settings: Settings) -> LocalKeyFileKeyring:
    return LocalKeyFileKeyring.load(settings.key_file)


@hookimpl
def welfarekit_register_adapters(registry: AdapterRegistry) -> None:
    registry.add_keyring(
        "local", open_local_keyring, description="key-encryption keys in a local key file"
    )
