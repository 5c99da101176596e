"""The one exception hierarchy of welfarekit.

Every error the library raises on purpose is a :class:`WelfareKitError`, so a host can
catch them all in one place, and each carries a message a person can act on. Errors about
bad input are also the matching built-in (``InvalidValue`` is a ``ValueError``,
``NotFound`` is a ``LookupError``) so that ordinary Python handling keeps working.
"""

from __future__ import annotations

__all__ = [
    "AdapterNotFound",
    "AuditFailure",
    "ConfigurationError",
    "IncompatibleAdapter",
    "IntegrityError",
    "InvalidValue",
    "NotFound",
    "PluginError",
    "StorageError",
    "WelfareKitError",
]


class WelfareKitError(Exception):
    """Base class of every error welfarekit raises on purpose."""


class InvalidValue(WelfareKitError, ValueError):
    """A value was refused when a domain object was built.

    ``field`` names the offending field as ``ClassName.field`` so that a form or an import
    can point at it.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.reason = message


class NotFound(WelfareKitError, LookupError):
    """A referenced object does not exist (within the education provider asked about)."""


class IntegrityError(WelfareKitError):
    """An operation would break a rule that ties objects together.

    Examples: a study group whose advisor is not a group advisor, a membership of a case
    expert group for a staff member of another provider.
    """


class ConfigurationError(WelfareKitError):
    """The host's settings cannot be used as given."""


class PluginError(ConfigurationError):
    """An adapter plugin could not be loaded or used."""


class AdapterNotFound(PluginError):
    """The settings name an adapter, or a database URL, that no loaded plugin provides.

    The message lists what is installed and what is loaded, so the fix is visible.
    """


class IncompatibleAdapter(PluginError):
    """An adapter declares a hook API range that excludes this welfarekit's version."""


class StorageError(WelfareKitError):
    """The storage backend failed; the operation was rolled back and nothing was written."""


class AuditFailure(WelfareKitError):
    """An audit sink refused or failed to take an event, so the operation was not carried out
    (invariant 5: no access or change without its audit event)."""
