"""Sealing confidential fields: AES-256-GCM under a student's data key, bound to its row.

A sealed value is::

    format version (1 byte, = 1) ‖ key id (8 bytes) ‖ nonce (12 bytes) ‖ ciphertext ‖ tag (16 bytes)

The associated data is rebuilt on opening from the :class:`SealContext` — the trusted row
metadata the caller holds (provider, register, record type, record id, field, student,
version) — and never parsed from the sealed bytes, so a value moved to another row, field,
version, student, register or provider does not open. The key is chosen by the id in the
header, never by trying keys in turn.
"""

from __future__ import annotations

import hmac
import os
from typing import Any, final

import attrs
from cryptography.exceptions import InvalidTag

from welfarekit.crypto._framing import frame
from welfarekit.crypto.errors import SealBroken
from welfarekit.crypto.keyset import KEY_ID_BYTES, Keyset
from welfarekit.errors import InvalidValue

__all__ = [
    "FORMAT_VERSION",
    "Plaintext",
    "SealContext",
    "open_sealed",
    "reseal",
    "seal",
    "sealed_key_id",
]

FORMAT_VERSION = 1
_NONCE_BYTES = 12
_TAG_BYTES = 16
_PREFIX_BYTES = 1 + KEY_ID_BYTES  # version ‖ key id: authenticated as associated data
_HEADER_BYTES = _PREFIX_BYTES + _NONCE_BYTES
_SEAL_DOMAIN = "welfarekit/seal/v1"
_CONTEXT_DOMAIN = "welfarekit/seal-context/v1"


def _name(instance: SealContext, attribute: attrs.Attribute[Any], value: object) -> None:
    where = f"SealContext.{attribute.name}"
    if not isinstance(value, str) or not value:
        raise InvalidValue(where, "must be a non-empty string")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidValue(where, "must be valid Unicode text") from None


def _version(instance: SealContext, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InvalidValue("SealContext.version", "must be a whole number, 0 or more")


@attrs.frozen
class SealContext:
    """Where a sealed value belongs: built from trusted row metadata, on sealing and opening.

    ``register`` names the controller's register (``"welfare_register"``); ``version`` is the
    record's version, so that a ciphertext of version 1 cannot stand in for version 2.
    """

    provider_id: str = attrs.field(validator=_name)
    register: str = attrs.field(validator=_name)
    record_type: str = attrs.field(validator=_name)
    record_id: str = attrs.field(validator=_name)
    field: str = attrs.field(validator=_name)
    student_id: str = attrs.field(validator=_name)
    version: int = attrs.field(validator=_version)

    def associated_data(self) -> bytes:
        """The canonical bytes of this context: length-prefixed fields in a fixed order."""
        return frame(
            _CONTEXT_DOMAIN,
            self.provider_id,
            self.register,
            self.record_type,
            self.record_id,
            self.field,
            self.student_id,
            str(self.version),
        )

    def describe(self) -> str:
        """A name for messages: record type, record id, field and version — no content."""
        return (
            f"{self.record_type} {self.record_id!r} field {self.field!r} (version {self.version})"
        )


@final
class Plaintext:
    """Opened text. ``repr`` and ``str`` are redacted; call :meth:`reveal` on purpose.

    Not a ``str``: it does not concatenate, join or compare equal to one by accident, and a
    stray ``print``, log line or traceback shows ``Plaintext(<redacted>)``.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError(f"Plaintext wraps a str, not {type(value).__name__}")
        self._value = value

    def reveal(self) -> str:
        """The text itself — only after the access decision and its audit event."""
        return self._value

    def __repr__(self) -> str:
        return "Plaintext(<redacted>)"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Plaintext):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash((Plaintext, self._value))


def _aad(prefix: bytes, context: SealContext) -> bytes:
    return frame(_SEAL_DOMAIN, prefix, context.associated_data())


def seal(keyset: Keyset, plaintext: str | Plaintext, context: SealContext) -> bytes:
    """Encrypt ``plaintext`` under the keyset's primary key, bound to ``context``."""
    text = plaintext.reveal() if isinstance(plaintext, Plaintext) else plaintext
    if not isinstance(text, str):
        raise TypeError(f"seal() takes text, not {type(text).__name__}")
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidValue("seal.plaintext", "must be valid Unicode text") from None
    key_id = keyset.primary.key_id
    prefix = bytes([FORMAT_VERSION]) + bytes.fromhex(key_id)
    nonce = os.urandom(_NONCE_BYTES)
    return prefix + nonce + keyset.aead(key_id).encrypt(nonce, data, _aad(prefix, context))


def sealed_key_id(ciphertext: bytes) -> str:
    """The data key id in a sealed value's header (not authenticated until it is opened)."""
    return bytes(ciphertext[1:_PREFIX_BYTES]).hex()


def open_sealed(keyset: Keyset, ciphertext: bytes, context: SealContext) -> Plaintext:
    """Decrypt a sealed value of ``context``; :class:`SealBroken` if it does not open.

    The message names the record type, id, field and version, never the content.
    """
    data = bytes(ciphertext)  # storage drivers may hand back memoryview or bytearray

    def broken(reason: str) -> SealBroken:
        return SealBroken(f"the sealed {context.describe()} does not open: {reason}")

    if len(data) < _HEADER_BYTES + _TAG_BYTES:
        raise broken(f"{len(data)} bytes is too short for a sealed value")
    if data[0] != FORMAT_VERSION:
        raise broken(f"unknown format version {data[0]}")
    try:
        aead = keyset.aead(sealed_key_id(data))
    except SealBroken as exc:
        raise broken(str(exc)) from None
    nonce, body = data[_PREFIX_BYTES:_HEADER_BYTES], data[_HEADER_BYTES:]
    try:
        raw = aead.decrypt(nonce, body, _aad(data[:_PREFIX_BYTES], context))
    except InvalidTag:
        raise broken(
            "authentication failed: it belongs to another record, field, version, student, "
            "register or provider, or it was altered"
        ) from None
    try:
        return Plaintext(raw.decode("utf-8"))
    except UnicodeDecodeError:  # pragma: no cover - seal() only encrypts UTF-8
        raise broken("the content is not UTF-8 text") from None


def reseal(keyset: Keyset, ciphertext: bytes, context: SealContext) -> bytes:
    """Re-encrypt a sealed value under the keyset's primary key (after :meth:`Keyset.rotate`).

    Opens it first (so a broken value raises :class:`SealBroken`); a value already under the
    primary key is returned unchanged. Used lazily on write-back or by a batch job.
    """
    plaintext = open_sealed(keyset, ciphertext, context)
    if sealed_key_id(ciphertext) == keyset.primary.key_id:
        return bytes(ciphertext)
    return seal(keyset, plaintext, context)
