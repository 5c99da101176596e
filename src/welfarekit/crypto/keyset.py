"""Per-student data keys: a small keyset with one primary key, stored wrapped.

Each student of each provider has a keyset of AES-256 data keys. The primary key seals new
values; older keys stay (``ACTIVE``) so that what they sealed still opens, until a batch job
has resealed it and the key is ``DISABLED``. A keyset is stored only wrapped under the
provider's keyring, bound to the provider and the student
(:func:`keyset_associated_data`), so destroying the wrapped keyset erases the student's
sealed data (crypto-shredding), and a keyset copied to another student does not unwrap.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import enum
import json
import re
import secrets
from collections.abc import Iterable
from typing import Any, final

import attrs
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from welfarekit.crypto._framing import frame
from welfarekit.crypto.errors import CryptoError, SealBroken
from welfarekit.crypto.keyring import Keyring, WrappedKey
from welfarekit.errors import InvalidValue

__all__ = [
    "DataKey",
    "KeyStatus",
    "Keyset",
    "WrappedKeyset",
    "keyset_associated_data",
    "rewrap",
]

KEY_BYTES = 32
KEY_ID_BYTES = 8
_KEY_ID = re.compile(r"[0-9a-f]{16}")
_KEYSET_DOMAIN = "welfarekit/keyset/v1"
_SERIAL_VERSION = 1


class KeyStatus(enum.Enum):
    """What a data key may be used for."""

    PRIMARY = "primary"  #: seals new values (exactly one per keyset) and opens
    ACTIVE = "active"  #: opens what it sealed earlier
    DISABLED = "disabled"  #: kept, but opens nothing (its values have been resealed)


def _key_id(instance: DataKey, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or _KEY_ID.fullmatch(value) is None:
        raise InvalidValue("DataKey.key_id", f"must be 16 lowercase hex digits, not {value!r}")


def _aware(instance: DataKey, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, dt.datetime) or value.tzinfo is None:
        raise InvalidValue("DataKey.created_at", "must be a datetime with a time zone")


@attrs.frozen
class DataKey:
    """A data key's public description: its id, status and creation time (no key material)."""

    key_id: str = attrs.field(validator=_key_id)
    status: KeyStatus = attrs.field(validator=attrs.validators.instance_of(KeyStatus))
    created_at: dt.datetime = attrs.field(validator=_aware)


def _now(now: dt.datetime | None) -> dt.datetime:
    return now if now is not None else dt.datetime.now(dt.UTC).replace(microsecond=0)


def _malformed(detail: str) -> CryptoError:
    return CryptoError(f"malformed keyset: {detail}")


@final
class Keyset:
    """A student's data keys; immutable — :meth:`rotate` and :meth:`disable` return new ones.

    Build one with :meth:`new`, :meth:`from_bytes` or :meth:`WrappedKeyset.unwrap`. The
    ``AESGCM`` object of each key is built once and cached on the keyset, so it lives as long
    as the keyset does.
    """

    __slots__ = ("_aeads", "_keys", "_material", "_primary", "_primary_id", "_sealer", "_sealing")

    def __init__(self, keys: Iterable[tuple[DataKey, bytes]]) -> None:
        pairs = list(keys)
        ids = [key.key_id for key, _ in pairs]
        if len(set(ids)) != len(ids):
            raise _malformed("two keys have the same id")
        primaries = sum(key.status is KeyStatus.PRIMARY for key, _ in pairs)
        if primaries != 1:
            raise _malformed(f"exactly one key must be primary, found {primaries}")
        if any(not isinstance(m, bytes) or len(m) != KEY_BYTES for _, m in pairs):
            raise _malformed(f"every data key must be {KEY_BYTES} bytes")
        self._keys = tuple(key for key, _ in pairs)
        self._material = {key.key_id: material for key, material in pairs}
        self._aeads: dict[str, AESGCM] = {}
        # Filled by welfarekit.crypto.seal: each key's cipher by the header a sealed value
        # starts with (format version, raw key id), with the start of its associated data.
        self._sealing: dict[bytes, tuple[AESGCM, bytes]] = {}
        # ... and the primary key's header, cipher and start of associated data.
        self._sealer: tuple[bytes, AESGCM, bytes] | None = None
        self._primary = next(key for key, _ in pairs if key.status is KeyStatus.PRIMARY)
        self._primary_id = bytes.fromhex(self._primary.key_id)

    @classmethod
    def new(cls, *, now: dt.datetime | None = None) -> Keyset:
        """A keyset with one fresh primary key."""
        return cls([(DataKey(_new_key_id(()), KeyStatus.PRIMARY, _now(now)), _new_material())])

    @property
    def primary(self) -> DataKey:
        return self._primary

    @property
    def keys(self) -> tuple[DataKey, ...]:
        """Every data key, oldest first (descriptions only)."""
        return self._keys

    def rotate(self, *, now: dt.datetime | None = None) -> Keyset:
        """A new keyset whose new primary key seals from now on; the old primary stays ACTIVE."""

        def demote(key: DataKey) -> DataKey:
            if key.status is KeyStatus.PRIMARY:
                return attrs.evolve(key, status=KeyStatus.ACTIVE)
            return key

        pairs = [(demote(key), self._material[key.key_id]) for key in self._keys]
        new = DataKey(_new_key_id(self._material), KeyStatus.PRIMARY, _now(now))
        return Keyset([*pairs, (new, _new_material())])

    def disable(self, key_id: str) -> Keyset:
        """A new keyset in which ``key_id`` opens nothing (after its values were resealed)."""
        if key_id not in self._material:
            raise SealBroken(f"no data key {key_id!r} in this keyset")
        if key_id == self.primary.key_id:
            raise CryptoError("the primary data key cannot be disabled; rotate first")
        return Keyset(
            (
                attrs.evolve(key, status=KeyStatus.DISABLED) if key.key_id == key_id else key,
                self._material[key.key_id],
            )
            for key in self._keys
        )

    def key(self, key_id: str) -> bytes:
        """The material of data key ``key_id``; :class:`SealBroken` if unknown or disabled."""
        material = self._material.get(key_id)
        if material is None:
            raise SealBroken(
                f"no data key {key_id!r} in the keyset (it belongs to another student, "
                "or the key was destroyed)"
            )
        if next(k for k in self._keys if k.key_id == key_id).status is KeyStatus.DISABLED:
            raise SealBroken(f"data key {key_id!r} is disabled")
        return material

    def aead(self, key_id: str) -> AESGCM:
        """The cached AES-256-GCM cipher of data key ``key_id`` (as :meth:`key` checks)."""
        aead = self._aeads.get(key_id)
        if aead is None:
            aead = self._aeads[key_id] = AESGCM(self.key(key_id))
        return aead

    def to_bytes(self) -> bytes:
        """Compact JSON of the keyset, key material included: wrap it, never store it bare."""
        keys = [
            {
                "id": key.key_id,
                "status": key.status.value,
                "created_at": key.created_at.isoformat(),
                "key": base64.b64encode(self._material[key.key_id]).decode("ascii"),
            }
            for key in self._keys
        ]
        return json.dumps({"v": _SERIAL_VERSION, "keys": keys}, separators=(",", ":")).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> Keyset:
        """Read :meth:`to_bytes` output; :class:`CryptoError` if it is malformed."""
        try:
            document = json.loads(data)
        except ValueError:
            raise _malformed("not JSON") from None
        if not isinstance(document, dict) or document.get("v") != _SERIAL_VERSION:
            raise _malformed(f"expected an object with version {_SERIAL_VERSION}")
        entries = document.get("keys")
        if not isinstance(entries, list):
            raise _malformed('"keys" must be a list')
        pairs: list[tuple[DataKey, bytes]] = []
        for entry in entries:
            try:
                key = DataKey(
                    entry["id"],
                    KeyStatus(entry["status"]),
                    dt.datetime.fromisoformat(entry["created_at"]),
                )
                material = base64.b64decode(entry["key"], validate=True)
            except (KeyError, TypeError, ValueError, binascii.Error) as exc:
                raise _malformed(f"bad key entry ({type(exc).__name__})") from None
            pairs.append((key, material))
        return cls(pairs)

    def wrap(self, keyring: Keyring, associated_data: bytes) -> WrappedKeyset:
        """Wrap under ``keyring``'s current KEK; see :func:`keyset_associated_data`."""
        wrapped = keyring.wrap(self.to_bytes(), associated_data=associated_data)
        return WrappedKeyset(wrapped.kek_id, wrapped.blob)

    def __repr__(self) -> str:
        return f"Keyset(primary={self.primary.key_id!r}, keys={len(self._keys)})"


def _blob_repr(blob: bytes) -> str:
    return f"<{len(blob)} bytes>"


@attrs.frozen
class WrappedKeyset:
    """A keyset wrapped under the KEK ``kek_id``: what storage keeps (both fields)."""

    kek_id: str = attrs.field(validator=attrs.validators.instance_of(str))
    blob: bytes = attrs.field(validator=attrs.validators.instance_of(bytes), repr=_blob_repr)

    def unwrap(self, keyring: Keyring, associated_data: bytes) -> Keyset:
        """Unwrap with ``keyring``; :class:`KeyringError` if it lacks the KEK,
        :class:`SealBroken` if the keyset is another student's or was altered."""
        wrapped = WrappedKey(self.kek_id, self.blob)
        return Keyset.from_bytes(keyring.unwrap(wrapped, associated_data=associated_data))


def keyset_associated_data(provider_id: str, student_id: str) -> bytes:
    """The associated data that binds a wrapped keyset to its provider and student."""
    for name, value in (("provider_id", provider_id), ("student_id", student_id)):
        if not isinstance(value, str) or not value:
            raise InvalidValue(f"keyset_associated_data.{name}", "must be a non-empty string")
    return _KEYSET_HEAD + frame(provider_id, student_id)


_KEYSET_HEAD = frame(_KEYSET_DOMAIN)


def rewrap(
    wrapped: WrappedKeyset, source: Keyring, target: Keyring, associated_data: bytes
) -> WrappedKeyset:
    """Rewrap a keyset under ``target``'s current KEK (KEK rotation).

    The wrapped bytes are unwrapped with ``source`` (which may be ``target`` itself, a key
    file holding both old and new KEKs) and wrapped again unchanged: the data keys, and so
    every sealed value, stay as they are. Already under the current KEK: returned as is.
    """
    if wrapped.kek_id == target.key_id:
        return wrapped
    secret = source.unwrap(
        WrappedKey(wrapped.kek_id, wrapped.blob), associated_data=associated_data
    )
    again = target.wrap(secret, associated_data=associated_data)
    return WrappedKeyset(again.kek_id, again.blob)


def _new_key_id(taken: Iterable[str]) -> str:
    used = set(taken)
    key_id = secrets.token_hex(KEY_ID_BYTES)
    while key_id in used:  # pragma: no cover - 2**-64
        key_id = secrets.token_hex(KEY_ID_BYTES)
    return key_id


def _new_material() -> bytes:
    return AESGCM.generate_key(bit_length=256)
