"""The errors of welfarekit's encryption layer.

All are :class:`~welfarekit.errors.WelfareKitError`, so a host that catches welfarekit's
errors in one place catches these too. None of them ever carries plaintext or key material:
messages name the key file, the key id or the record type and field, never the content.
"""

from __future__ import annotations

from welfarekit.errors import WelfareKitError

__all__ = ["CryptoError", "KeyringError", "SealBroken"]


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
