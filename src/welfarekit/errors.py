"""The one exception hierarchy of welfarekit.

Every error the library raises on purpose is a :class:`WelfareKitError`, so a host can
catch them all in one place, and each carries a message a person can act on. Errors about
bad input are also the matching built-in (``InvalidValue`` is a ``ValueError``,
``NotFound`` is a ``LookupError``) so that ordinary Python handling keeps working.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from welfarekit.rules.access import Decision
    from welfarekit.rules.consent import ConsentRequirement

__all__ = [
    "AccessDenied",
    "AdapterNotFound",
    "AuditFailure",
    "ConfigurationError",
    "ConflictError",
    "ConsentRequired",
    "CryptoError",
    "IncompatibleAdapter",
    "IntegrityError",
    "InvalidValue",
    "KeyringError",
    "NotFound",
    "PluginError",
    "SealBroken",
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


class AccessDenied(WelfareKitError, PermissionError):
    """The rules (or a plugin's veto) refused the operation.

    ``decision`` says who asked to do what to which resource, why it was refused and on
    what basis; the refusal itself was audited.
    """

    def __init__(self, decision: Decision) -> None:
        super().__init__(decision.reason)
        self.decision = decision


class ConsentRequired(WelfareKitError):
    """The operation needs a consent that is not in force.

    ``requirement`` names whose consent it takes (the student's, or the guardian's when a
    professional assessed that the student cannot assess its meaning), for what purpose, and
    whether it must be specific and written.
    """

    def __init__(self, requirement: ConsentRequirement) -> None:
        super().__init__(requirement.describe())
        self.requirement = requirement


class ConflictError(StorageError):
    """Another transaction changed the same data first; nothing of this one was written and
    the operation can be retried as a whole."""


# -- the encryption layer's errors: none ever carries plaintext or key material; messages
# name the key file, the key id or the record type and field, never the content


class CryptoError(WelfareKitError):
    """Base class of the encryption layer's errors; raised itself for a malformed keyset."""


class KeyringError(CryptoError):
    """A key-encryption key cannot be used.

    The key file is missing, unreadable, not a welfarekit key file, open to group or
    others, or it does not hold the key a wrapped key names. The message says what to do.
    """


class SealBroken(CryptoError):
    """A sealed value or a wrapped key does not open.

    It was moved to another row, field, version, student, register or provider; a bit was
    flipped; its key id is unknown or its key disabled; or the keyset was destroyed
    (crypto-shredding). Treat it as an integrity failure: never retry with other keys.
    """
