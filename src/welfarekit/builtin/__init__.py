"""Behaviour that ships with welfarekit, registered as plugins through the same hooks as any
third-party adapter."""

from types import ModuleType

from welfarekit.builtin import memory

BUILTIN_PLUGINS: tuple[tuple[str, ModuleType], ...] = (("memory", memory),)

__all__ = ["BUILTIN_PLUGINS"]
