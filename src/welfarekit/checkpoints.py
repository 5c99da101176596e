"""Signed checkpoints of the audit chain's head, published out of the database's reach.

A checkpoint is an Ed25519 signature over a provider's chain head (sequence, hash, time).
The signing key lives in its own owner-only file; the ``welfarekit_audit_checkpoint`` hook
hands each checkpoint to whoever stores it append-only (a WORM bucket, another system's
log; the command line writes JSON lines to a file). ``welfarekit audit verify
--checkpoints FILE`` then also finds a chain whose tail was cut.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from welfarekit.audit_chain import AuditCheckpoint, sign_checkpoint
from welfarekit.crypto import KeyringError
from welfarekit.errors import InvalidValue
from welfarekit.storage import StorageAdapter

__all__ = [
    "checkpoint_from_json",
    "checkpoint_to_json",
    "load_signing_key",
    "read_checkpoints",
    "take_checkpoint",
]


def load_signing_key(path: Path, *, create: bool = False) -> tuple[Ed25519PrivateKey, str]:
    """The audit signing key and its id (a digest of the public key). With ``create``, a
    new key is made when the file does not exist, readable by its owner only."""
    if not path.exists():
        if not create:
            raise KeyringError(
                f"no audit signing key at {path}; create one with `welfarekit audit checkpoint`"
            )
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(pem)
    if path.stat().st_mode & 0o077:
        raise KeyringError(f"{path} is readable by others; run `chmod 600 {path}`")
    try:
        loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except ValueError as error:
        raise KeyringError(f"{path} is not an audit signing key: {error}") from None
    if not isinstance(loaded, Ed25519PrivateKey):
        raise KeyringError(f"{path} holds another kind of key; an Ed25519 key is needed")
    return loaded, key_id(loaded.public_key())


def key_id(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def take_checkpoint(
    storage: StorageAdapter,
    provider_id: str,
    private_key: Ed25519PrivateKey,
    *,
    now: dt.datetime | None = None,
) -> AuditCheckpoint | None:
    """Sign the provider's current chain head; ``None`` for an empty chain."""
    with storage.transaction() as tx:
        head = tx.audit_head(provider_id)
    if head is None:
        return None
    return sign_checkpoint(
        head, private_key, key_id(private_key.public_key()), now or dt.datetime.now(dt.UTC)
    )


def checkpoint_to_json(checkpoint: AuditCheckpoint) -> str:
    return json.dumps(
        {
            "provider_id": checkpoint.provider_id,
            "sequence": checkpoint.sequence,
            "head_hash": checkpoint.head_hash,
            "taken_at": checkpoint.taken_at.isoformat(),
            "key_id": checkpoint.key_id,
            "signature": base64.b64encode(checkpoint.signature).decode("ascii"),
        },
        sort_keys=True,
    )


def checkpoint_from_json(line: str, *, where: str = "checkpoint") -> AuditCheckpoint:
    try:
        data: dict[str, Any] = json.loads(line)
        return AuditCheckpoint(
            provider_id=data["provider_id"],
            sequence=int(data["sequence"]),
            head_hash=data["head_hash"],
            taken_at=dt.datetime.fromisoformat(data["taken_at"]),
            key_id=data["key_id"],
            signature=base64.b64decode(data["signature"], validate=True),
        )
    except (ValueError, KeyError, TypeError, OverflowError) as error:  # 1e999 is inf
        raise InvalidValue(where, f"not a checkpoint: {error}") from None


def read_checkpoints(path: Path) -> list[AuditCheckpoint]:
    """The checkpoints of a JSON-lines file, as the command line writes them."""
    lines: Iterable[str] = path.read_text(encoding="utf-8").splitlines()
    return [
        checkpoint_from_json(line, where=f"{path}:{number}")
        for number, line in enumerate(lines, 1)
        if line.strip()
    ]
