"""Behaviour that ships with welfarekit, registered as plugins through the same hooks as any
third-party adapter."""

from types import ModuleType

from welfarekit.builtin import file_notifier, local_keyring, memory

BUILTIN_PLUGINS: tuple[tuple[str, ModuleType], ...] = (
    ("memory", memory),
    ("local-keyring", local_keyring),
    ("file-notifier", file_notifier),
)

__all__ = ["BUILTIN_PLUGINS"]
