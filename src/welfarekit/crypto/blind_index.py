"""Blind indexes: find a student by identity code without storing the code searchably.

A blind index is a keyed HMAC-SHA256 of the normalised value, truncated to a few bits::

    index_key = blind_index_key(provider_secret, provider_id="p-1")   # once per provider
    stored    = blind_index(index_key, "010106A9018")                 # beside the sealed code
    # search: rows whose index equals blind_index(index_key, query), then open each
    # candidate's sealed code and compare — the index narrows, the comparison decides.

**Why truncate** (CipherSweet's rule). A full-length index would be a unique pseudonym: it
links rows across tables and backups, and whoever learns the index key can test every
identity code (there are only a few million plausible ones) and re-identify every row. A
truncated index maps many codes to each value, so it is only a hint. CipherSweet's guidance
is a *coincidence count* ``C = R / 2**bits`` of at least 2 — every index value should be
shared by two or more of the ``R`` indexed rows — while keeping ``C`` well below ``√R`` so a
search stays cheap. :func:`safe_bits` computes the largest ``bits`` that keeps ``C ≥ 2``.

The default is 16 bits (65,536 buckets). Against the few million valid identity codes an
attacker with the key would enumerate, each value matches dozens of codes; among a large
provider's ~10^5 students each value matches one or two (``C ≈ 1.5``), and a search opens
about two candidates. A smaller provider should pass ``bits=safe_bits(student_count)``
(e.g. 11 bits for 5,000 students) so that its index alone does not single anyone out.
Changing ``bits`` means recomputing the index column, so choose it per provider once.

**Keys.** Each provider's index key is derived with HKDF-SHA256 from a provider-level
secret of at least 32 random bytes (``secrets.token_bytes(32)``, stored wrapped by the
keyring like a keyset), the provider id and the index name, so indexes of different
providers or different columns never compare equal. Erasing a student deletes their index
rows along with their keyset.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from welfarekit.crypto._framing import frame
from welfarekit.errors import InvalidValue

__all__ = [
    "DEFAULT_BITS",
    "MAX_BITS",
    "blind_index",
    "blind_index_key",
    "normalise",
    "safe_bits",
]

DEFAULT_BITS = 16
MAX_BITS = 32
MIN_KEY_BYTES = 32
_INDEX_DOMAIN = "welfarekit/blind-index/v1"


def normalise(value: str) -> str:
    """The form that is indexed: Unicode NFKC, surrounding whitespace removed, upper case.

    ``"010106a9018 "`` and ``"010106A9018"`` give the same index.
    """
    return unicodedata.normalize("NFKC", value).strip().upper()


def blind_index(key: bytes, value: str, *, bits: int = DEFAULT_BITS) -> str:
    """The first ``bits`` bits of HMAC-SHA256(``key``, normalised ``value``), as hex.

    The result has ``ceil(bits / 4)`` lowercase hex digits (4 for the default 16 bits) and
    is deterministic for a key, so it can be stored and compared in SQL.
    """
    if not isinstance(key, bytes) or len(key) < MIN_KEY_BYTES:
        raise InvalidValue("blind_index.key", f"must be at least {MIN_KEY_BYTES} bytes")
    if not isinstance(value, str):
        raise InvalidValue("blind_index.value", "must be a string")
    if not isinstance(bits, int) or isinstance(bits, bool) or not 1 <= bits <= MAX_BITS:
        raise InvalidValue("blind_index.bits", f"must be a whole number from 1 to {MAX_BITS}")
    digest = hmac.new(key, normalise(value).encode("utf-8"), hashlib.sha256).digest()
    truncated = int.from_bytes(digest, "big") >> (8 * len(digest) - bits)
    return f"{truncated:0{(bits + 3) // 4}x}"


def blind_index_key(
    provider_secret: bytes, *, provider_id: str, index: str = "identity_code"
) -> bytes:
    """Derive the 32-byte key of blind index ``index`` for ``provider_id`` (HKDF-SHA256)."""
    if not isinstance(provider_secret, bytes) or len(provider_secret) < MIN_KEY_BYTES:
        raise InvalidValue(
            "blind_index_key.provider_secret", f"must be at least {MIN_KEY_BYTES} random bytes"
        )
    for name, text in (("provider_id", provider_id), ("index", index)):
        if not isinstance(text, str) or not text:
            raise InvalidValue(f"blind_index_key.{name}", "must be a non-empty string")
    hkdf = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=None,
        info=frame(_INDEX_DOMAIN, provider_id, index),
    )
    return hkdf.derive(provider_secret)


def safe_bits(population: int) -> int:
    """The most bits that keep CipherSweet's coincidence count ``population / 2**bits ≥ 2``.

    ``population`` is the number of indexed rows (students) of the provider; e.g. 15 for
    100,000 and 11 for 5,000. Never less than 1 nor more than :data:`MAX_BITS`.
    """
    if not isinstance(population, int) or isinstance(population, bool) or population < 0:
        raise InvalidValue("safe_bits.population", "must be a whole number, 0 or more")
    return max(1, min(MAX_BITS, (population // 2).bit_length() - 1))
