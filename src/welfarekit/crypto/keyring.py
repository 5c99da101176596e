"""Key-encryption keys (KEKs): the :class:`Keyring` protocol and the local key file.

A keyring wraps small secrets — the per-student keysets — under its current KEK and
unwraps them under whichever of its KEKs wrapped them. The default keyring is a local JSON
key file readable by its owner only; an HSM (PKCS#11) or a cloud KMS implements the same
protocol in an adapter.

The key file (``welfarekit keys init`` creates it)::

    {
      "format": "welfarekit-keyring",
      "version": 1,
      "current": "3f9a0c1d2b4e5f60",
      "keys": [
        {"id": "3f9a0c1d2b4e5f60", "key": "<32 bytes, base64>",
         "created_at": "2026-11-23T08:00:00+00:00", "status": "active"}
      ]
    }

Exactly one key is ``active`` and it is the ``current`` one: it wraps. ``retired`` keys
only unwrap, until every keyset has been rewrapped (:func:`welfarekit.crypto.rewrap`).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import os
import secrets
from collections.abc import Sequence
from pathlib import Path
from typing import Literal, Protocol, runtime_checkable

import attrs
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from welfarekit.crypto import _keyfile
from welfarekit.crypto._framing import frame
from welfarekit.crypto.errors import KeyringError, SealBroken

__all__ = [
    "Keyring",
    "LocalKeyFileKeyring",
    "WrappedKey",
    "add_key",
    "init_key_file",
]

_WRAP_DOMAIN = "welfarekit/kek-wrap/v1"
_WRAP_VERSION = b"\x01"
_NONCE_BYTES = 12
_TAG_BYTES = 16
KEY_BYTES = 32


def _blob_repr(blob: bytes) -> str:
    return f"<{len(blob)} bytes>"


@attrs.frozen
class WrappedKey:
    """A secret wrapped under the key-encryption key ``kek_id``.

    ``blob`` is opaque to everyone but the keyring that made it; store both fields.
    """

    kek_id: str = attrs.field(validator=attrs.validators.instance_of(str))
    blob: bytes = attrs.field(validator=attrs.validators.instance_of(bytes), repr=_blob_repr)


@runtime_checkable
class Keyring(Protocol):
    """What welfarekit needs from a holder of key-encryption keys.

    Contract for implementers: ``wrap`` uses the current KEK and binds ``associated_data``
    (the same bytes must be given to ``unwrap``); ``unwrap`` raises
    :class:`~welfarekit.crypto.KeyringError` when it does not hold ``wrapped.kek_id`` and
    :class:`~welfarekit.crypto.SealBroken` when the blob does not authenticate. Key
    material never leaves the keyring except as the unwrapped secret.
    """

    @property
    def key_id(self) -> str:
        """The id of the current KEK, the one :meth:`wrap` uses."""
        ...

    def wrap(self, plaintext: bytes, *, associated_data: bytes) -> WrappedKey:
        """Encrypt ``plaintext`` under the current KEK, bound to ``associated_data``."""
        ...

    def unwrap(self, wrapped: WrappedKey, *, associated_data: bytes) -> bytes:
        """Decrypt ``wrapped`` under the KEK it names."""
        ...

    def key_ids(self) -> frozenset[str]:
        """The ids of every KEK this keyring can unwrap with (current and retired)."""
        ...


KekStatus = Literal["active", "retired"]


@attrs.frozen
class _Kek:
    kek_id: str
    secret: bytes = attrs.field(repr=False)
    created_at: dt.datetime
    status: KekStatus


class LocalKeyFileKeyring:
    """KEKs read from a local key file; build one with :meth:`load` or :func:`init_key_file`.

    The keyring is a snapshot of the file when it was loaded: after :func:`add_key`, load
    the file again to wrap under the new key.
    """

    __slots__ = ("_aads", "_aeads", "_current", "_path")

    def __init__(self, path: Path, keks: Sequence[_Kek]) -> None:
        active = [kek.kek_id for kek in keks if kek.status == "active"]
        if len(active) != 1:  # pragma: no cover - _parse guarantees it
            raise KeyringError(f"{path}: expected exactly one active key, found {len(active)}")
        self._path = path
        self._current = active[0]
        self._aeads = {kek.kek_id: AESGCM(kek.secret) for kek in keks}
        # The constant start of each KEK's associated data: frame(domain, kek id, ...).
        self._aads = {kek.kek_id: frame(_WRAP_DOMAIN, kek.kek_id) for kek in keks}

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> LocalKeyFileKeyring:
        """Read the key file at ``path``.

        Refuses (:class:`KeyringError`) a missing or unreadable file, a file that is not a
        welfarekit key file, and a file open to group or others.
        """
        file = Path(path)
        return cls(file, _parse(file, _keyfile.read_private(file)))

    @property
    def path(self) -> Path:
        return self._path

    @property
    def key_id(self) -> str:
        return self._current

    def key_ids(self) -> frozenset[str]:
        return frozenset(self._aeads)

    def wrap(self, plaintext: bytes, *, associated_data: bytes) -> WrappedKey:
        nonce = os.urandom(_NONCE_BYTES)
        current = self._current
        aad = self._aads[current] + frame(associated_data)
        body = self._aeads[current].encrypt(nonce, plaintext, aad)
        return WrappedKey(self._current, _WRAP_VERSION + nonce + body)

    def unwrap(self, wrapped: WrappedKey, *, associated_data: bytes) -> bytes:
        aead = self._aeads.get(wrapped.kek_id)
        if aead is None:
            raise KeyringError(
                f"the key file {self._path} holds no key-encryption key {wrapped.kek_id!r} "
                f"(it holds {', '.join(sorted(self._aeads))}): the key was wrapped under "
                "another key file, or its key was removed from this one"
            )
        blob = wrapped.blob
        if len(blob) < 1 + _NONCE_BYTES + _TAG_BYTES or blob[:1] != _WRAP_VERSION:
            raise SealBroken(f"the key wrapped under {wrapped.kek_id!r} is malformed")
        nonce, body = blob[1 : 1 + _NONCE_BYTES], blob[1 + _NONCE_BYTES :]
        try:
            aad = self._aads[wrapped.kek_id] + frame(associated_data)
            return aead.decrypt(nonce, body, aad)
        except InvalidTag:
            raise SealBroken(
                f"the key wrapped under {wrapped.kek_id!r} does not open: it belongs to "
                "another student or provider, or it was altered"
            ) from None

    def __repr__(self) -> str:
        return f"LocalKeyFileKeyring({str(self._path)!r}, current={self._current!r}, keys={len(self._aeads)})"


def init_key_file(path: str | os.PathLike[str]) -> LocalKeyFileKeyring:
    """Create a key file with one new KEK, readable by its owner only (mode 0o600).

    Refuses to overwrite an existing file: losing a key file makes everything sealed under
    its keys unreadable.
    """
    file = Path(path)
    kek = _new_kek(frozenset())
    try:
        _keyfile.create_private(file, _dump([kek]))
    except FileExistsError:
        raise KeyringError(
            f"a key file already exists at {file}; refusing to overwrite it, since everything "
            "wrapped under its keys would become unreadable. To rotate, add a key to it "
            "(`welfarekit keys add`)"
        ) from None
    return LocalKeyFileKeyring(file, [kek])


def add_key(path: str | os.PathLike[str]) -> str:
    """Add a new KEK to the key file at ``path``, make it current, and return its id.

    The old keys stay (retired) so existing keysets still unwrap; rewrap them with
    :func:`welfarekit.crypto.rewrap`. The file is rewritten atomically (a 0o600 temporary
    file, then ``os.replace``) under an exclusive lock, so two concurrent calls cannot lose
    a key.
    """
    file = Path(path)
    with _keyfile.locked(file):
        keks = _parse(file, _keyfile.read_private(file))
        new = _new_kek(frozenset(kek.kek_id for kek in keks))
        retired = [attrs.evolve(kek, status="retired") for kek in keks]
        _keyfile.replace_private(file, _dump([*retired, new]))
    return new.kek_id


def _new_kek(taken: frozenset[str]) -> _Kek:
    kek_id = secrets.token_hex(8)
    while kek_id in taken:  # pragma: no cover - 2**-64
        kek_id = secrets.token_hex(8)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    return _Kek(kek_id, AESGCM.generate_key(bit_length=256), now, "active")


def _dump(keks: Sequence[_Kek]) -> dict[str, object]:
    current = next(kek.kek_id for kek in keks if kek.status == "active")
    return {
        "format": _keyfile.FORMAT,
        "version": _keyfile.VERSION,
        "current": current,
        "keys": [
            {
                "id": kek.kek_id,
                "key": base64.b64encode(kek.secret).decode("ascii"),
                "created_at": kek.created_at.isoformat(),
                "status": kek.status,
            }
            for kek in keks
        ],
    }


def _parse(file: Path, document: dict[str, object]) -> list[_Kek]:
    """Validate a decoded key file; every problem is a :class:`KeyringError`."""

    def bad(detail: str) -> KeyringError:
        return KeyringError(f"{file} is not a usable welfarekit key file: {detail}")

    entries = document.get("keys")
    if not isinstance(entries, list) or not entries:
        raise bad('"keys" must be a non-empty list')
    keks: list[_Kek] = []
    for position, entry in enumerate(entries, start=1):
        where = f"key #{position}"
        if not isinstance(entry, dict):
            raise bad(f"{where} is not an object")
        kek_id, encoded = entry.get("id"), entry.get("key")
        created, status = entry.get("created_at"), entry.get("status")
        if not isinstance(kek_id, str) or not kek_id:
            raise bad(f'{where} has no "id"')
        where = f"key {kek_id!r}"
        try:
            secret = base64.b64decode(encoded, validate=True) if isinstance(encoded, str) else b""
        except binascii.Error:
            secret = b""
        if len(secret) != KEY_BYTES:
            raise bad(f'{where}: "key" must be {KEY_BYTES} bytes in base64')
        try:
            created_at = dt.datetime.fromisoformat(created) if isinstance(created, str) else None
        except ValueError:
            created_at = None
        if created_at is None or created_at.tzinfo is None:
            raise bad(f'{where}: "created_at" must be an ISO 8601 time with a UTC offset')
        if status not in ("active", "retired"):
            raise bad(f'{where}: "status" must be "active" or "retired", not {status!r}')
        keks.append(_Kek(kek_id, secret, created_at, status))
    ids = [kek.kek_id for kek in keks]
    if len(set(ids)) != len(ids):
        raise bad("two keys have the same id")
    active = [kek.kek_id for kek in keks if kek.status == "active"]
    if len(active) != 1:
        raise bad(f"exactly one key must be active, found {len(active)}")
    if document.get("current") != active[0]:
        raise bad(f'"current" must name the active key {active[0]!r}')
    return keks
