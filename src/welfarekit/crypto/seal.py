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

import functools
import hmac
import os
from typing import Any, final

import attrs
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from welfarekit.crypto._framing import frame
from welfarekit.crypto.errors import SealBroken
from welfarekit.crypto.keyset import KEY_ID_BYTES, Keyset
from welfarekit.errors import InvalidValue

__all__ = [
    "FORMAT_VERSION",
    "Plaintext",
    "SealContext",
    "SealContexts",
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


@functools.lru_cache(maxsize=1024)
def _framed_shared(*parts: str) -> bytes:
    """:func:`frame` of context parts that many contexts share (identifiers, not secrets)."""
    return frame(*parts)


def _name(instance: SealContext, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not value:
        raise InvalidValue(f"SealContext.{attribute.name}", "must be a non-empty string")


def _version(instance: SealContext, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InvalidValue("SealContext.version", "must be a whole number, 0 or more")


_NAMES = ("provider_id", "register", "record_type", "record_id", "field", "student_id")


class _Encoded:
    """Declares what :class:`SealContext` keeps besides its fields (attrs leaves a plain base
    class's annotations alone, so this is no field: not in ``attrs.fields``, equality or
    ``repr``)."""

    _framed: bytes
    """The associated data as one framed part: its 4-byte length, then its bytes."""


@attrs.frozen(slots=False)  # the encoded associated data is kept in the instance's dict
class SealContext(_Encoded):
    """Where a sealed value belongs: built from trusted row metadata, on sealing and opening.

    ``register`` names the controller's register (``"welfare_register"``); ``version`` is the
    record's version, so that a ciphertext of version 1 cannot stand in for version 2.

    The associated data is encoded once, when the context is made (a context is immutable),
    so sealing and opening many values of one context encode it once.
    """

    provider_id: str = attrs.field(validator=_name)
    register: str = attrs.field(validator=_name)
    record_type: str = attrs.field(validator=_name)
    record_id: str = attrs.field(validator=_name)
    field: str = attrs.field(validator=_name)
    student_id: str = attrs.field(validator=_name)
    version: int = attrs.field(validator=_version)

    def __attrs_post_init__(self) -> None:
        try:
            # frame(a, b) == frame(a) + frame(b): the parts a student's records share are
            # framed once and kept, and only the record's own id and version each time.
            associated = (
                _framed_shared(_CONTEXT_DOMAIN, self.provider_id, self.register, self.record_type)
                + frame(self.record_id)
                + _framed_shared(self.field, self.student_id)
                + frame(str(self.version))
            )
        except UnicodeEncodeError:
            name = next(n for n in _NAMES if not _encodable(getattr(self, n)))
            raise InvalidValue(f"SealContext.{name}", "must be valid Unicode text") from None
        object.__setattr__(self, "_framed", frame(associated))

    def associated_data(self) -> bytes:
        """The canonical bytes of this context: length-prefixed fields in a fixed order."""
        return self._framed[4:]

    def describe(self) -> str:
        """A name for messages: record type, record id, field and version — no content."""
        return (
            f"{self.record_type} {self.record_id!r} field {self.field!r} (version {self.version})"
        )


@final
class SealContexts:
    """Makes many :class:`SealContext` that share their provider, register, record type,
    field and student and differ only in record id and version: a timeline's thousand
    entries, or one student's values resealed.

    The shared parts are checked and framed once, when the first context is made (so a bad
    one is refused as the constructor refuses it); each context then checks its record id
    and version as the constructor does and frames the same associated data, without
    running the constructor's validators again. ``contexts(record_id, version)`` equals
    ``SealContext(..., record_id=record_id, version=version)``.
    """

    __slots__ = ("_after", "_before", "_head", "_suffixes", "_tail")

    _before: dict[str, str]
    _after: dict[str, str]
    _head: bytes
    _tail: bytes
    _suffixes: dict[int, bytes]  # version -> the framed field, student and version

    def __init__(
        self, *, provider_id: str, register: str, record_type: str, field: str, student_id: str
    ) -> None:
        self._before = {"provider_id": provider_id, "register": register,
                        "record_type": record_type}  # fmt: skip
        self._after = {"field": field, "student_id": student_id}
        self._head = b""  # checked and framed on the first context
        self._suffixes = {}

    def __call__(self, record_id: str, version: int = 1) -> SealContext:
        head = self._head
        if not head:  # the first: the constructor checks and frames the shared parts
            first = SealContext(**self._before, record_id=record_id, **self._after,
                                version=version)  # fmt: skip
            self._tail = _framed_shared(*self._after.values())
            self._head = _framed_shared(_CONTEXT_DOMAIN, *self._before.values())  # the last
            return first
        if not isinstance(record_id, str) or not record_id:
            raise InvalidValue("SealContext.record_id", "must be a non-empty string")
        suffix = self._suffixes.get(version) if type(version) is int else None
        if suffix is None:
            if not isinstance(version, int) or isinstance(version, bool) or version < 0:
                raise InvalidValue("SealContext.version", "must be a whole number, 0 or more")
            suffix = self._tail + frame(str(version))
            if type(version) is int and len(self._suffixes) < 64:
                self._suffixes[version] = suffix
        try:
            own = record_id.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidValue("SealContext.record_id", "must be valid Unicode text") from None
        # As __attrs_post_init__: frame(record_id) and frame(str(version)) between the
        # shared parts, the whole framed once more.
        size = len(own)
        framed = b"".join((
            (len(head) + 4 + size + len(suffix)).to_bytes(4, "big"),
            head, size.to_bytes(4, "big"), own, suffix,
        ))  # fmt: skip
        context: SealContext = object.__new__(SealContext)
        values = context.__dict__  # as attrs' __init__ fills it, in the fields' order
        values.update(self._before)
        values["record_id"] = record_id
        values.update(self._after)
        values["version"] = version
        values["_framed"] = framed
        return context


def _encodable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@final
class Plaintext:
    """Opened text. ``repr`` and ``str`` are redacted; call :meth:`reveal` on purpose.

    Not a ``str``: it does not concatenate, join or compare equal to one by accident, and a
    stray ``print``, log line or traceback shows ``Plaintext(<redacted>)``.

    An opened value keeps the decrypted UTF-8 bytes and decodes them on the first
    :meth:`reveal`, so a value that is only resealed (data-key rotation) is never decoded.
    """

    __slots__ = ("_value",)

    _value: str | bytes  # the text, or the authenticated UTF-8 bytes of an opened value

    def __init__(self, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError(f"Plaintext wraps a str, not {type(value).__name__}")
        self._value = value

    def reveal(self) -> str:
        """The text itself — only after the access decision and its audit event."""
        value = self._value
        if isinstance(value, str):
            return value
        try:
            text = self._value = value.decode("utf-8")
        except UnicodeDecodeError:  # pragma: no cover - seal() only encrypts UTF-8
            raise SealBroken("the opened value is not UTF-8 text") from None
        return text

    def _utf8(self) -> bytes:
        value = self._value
        if isinstance(value, bytes):
            return value
        try:
            return value.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidValue("seal.plaintext", "must be valid Unicode text") from None

    def __repr__(self) -> str:
        return "Plaintext(<redacted>)"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Plaintext):
            return NotImplemented
        return hmac.compare_digest(self._utf8(), other._utf8())

    def __hash__(self) -> int:
        return hash((Plaintext, self._utf8()))


# The associated data of a sealed value is frame(_SEAL_DOMAIN, prefix, context's data):
# its constant start, then the 9-byte prefix's length, are written once here.
_AAD_HEAD = frame(_SEAL_DOMAIN) + _PREFIX_BYTES.to_bytes(4, "big")
_VERSION_BYTE = bytes([FORMAT_VERSION])
_MIN_BYTES = _HEADER_BYTES + _TAG_BYTES
_new = object.__new__  # an opened Plaintext is made without __init__: its bytes, not yet text


def _utf8_plaintext(data: bytes) -> Plaintext:
    """A :class:`Plaintext` of text its caller has encoded as UTF-8 already (sealed as these
    bytes, decoded only if revealed)."""
    value: Plaintext = _new(Plaintext)
    value._value = data
    return value


def seal(keyset: Keyset, plaintext: str | Plaintext, context: SealContext) -> bytes:
    """Encrypt ``plaintext`` under the keyset's primary key, bound to ``context``."""
    if type(plaintext) is str or isinstance(plaintext, str):
        try:
            data = plaintext.encode()
        except UnicodeEncodeError:
            raise InvalidValue("seal.plaintext", "must be valid Unicode text") from None
    elif isinstance(plaintext, Plaintext):
        data = plaintext._utf8()
    else:
        raise TypeError(f"seal() takes text, not {type(plaintext).__name__}")
    prefix, cipher, head = keyset._sealer or _sealer(keyset)
    nonce = os.urandom(_NONCE_BYTES)
    return prefix + nonce + cipher.encrypt(nonce, data, head + context._framed)


def sealed_key_id(ciphertext: bytes) -> str:
    """The data key id in a sealed value's header (not authenticated until it is opened)."""
    return bytes(ciphertext[1:_PREFIX_BYTES]).hex()


def open_sealed(keyset: Keyset, ciphertext: bytes, context: SealContext) -> Plaintext:
    """Decrypt a sealed value of ``context``; :class:`SealBroken` if it does not open.

    The message names the record type, id, field and version, never the content.
    """
    # Storage drivers may hand back memoryview or bytearray.
    data = ciphertext if type(ciphertext) is bytes else bytes(ciphertext)
    found = keyset._sealing.get(data[:_PREFIX_BYTES])
    if found is None or len(data) < _MIN_BYTES:  # not yet cached, unknown, or too short
        if len(data) < _MIN_BYTES:
            raise _broken(context, f"{len(data)} bytes is too short for a sealed value")
        if data[0] != FORMAT_VERSION:
            raise _broken(context, f"unknown format version {data[0]}")
        try:
            found = _sealing(keyset, data[:_PREFIX_BYTES])
        except SealBroken as exc:
            raise _broken(context, str(exc)) from None
    cipher, head = found
    try:
        raw = cipher.decrypt(
            data[_PREFIX_BYTES:_HEADER_BYTES], data[_HEADER_BYTES:], head + context._framed
        )
    except InvalidTag:
        raise _broken(
            context,
            "authentication failed: it belongs to another record, field, version, student, "
            "register or provider, or it was altered",
        ) from None
    opened: Plaintext = _new(Plaintext)
    opened._value = raw
    return opened


def _sealing(keyset: Keyset, prefix: bytes) -> tuple[AESGCM, bytes]:
    """The cipher of the key a header names (:class:`SealBroken` if unknown or disabled) and
    the start of the associated data, cached on the keyset."""
    found = keyset._sealing[prefix] = (keyset.aead(prefix[1:].hex()), _AAD_HEAD + prefix)
    return found


def _sealer(keyset: Keyset) -> tuple[bytes, AESGCM, bytes]:
    prefix = _VERSION_BYTE + keyset._primary_id
    found = keyset._sealer = (prefix, *_sealing(keyset, prefix))
    return found


def _broken(context: SealContext, reason: str) -> SealBroken:
    return SealBroken(f"the sealed {context.describe()} does not open: {reason}")


def reseal(keyset: Keyset, ciphertext: bytes, context: SealContext) -> bytes:
    """Re-encrypt a sealed value under the keyset's primary key (after :meth:`Keyset.rotate`).

    Opens it first (so a broken value raises :class:`SealBroken`); a value already under the
    primary key is returned unchanged. Used lazily on write-back or by a batch job.
    """
    plaintext = open_sealed(keyset, ciphertext, context)
    if sealed_key_id(ciphertext) == keyset.primary.key_id:
        return bytes(ciphertext)
    return seal(keyset, plaintext, context)
