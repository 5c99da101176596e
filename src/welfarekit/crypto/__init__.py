"""welfarekit's encryption layer: envelope encryption of confidential fields.

- :mod:`~welfarekit.crypto.keyring` — key-encryption keys (KEKs) behind the
  :class:`Keyring` protocol; the default is a local key file readable by its owner only.
- :mod:`~welfarekit.crypto.keyset` — per-student data keys (one primary), stored wrapped
  under a KEK and bound to the provider and student.
- :mod:`~welfarekit.crypto.seal` — seal and open a field, bound to its row by
  :class:`SealContext`; opened text comes back as a redacted :class:`Plaintext`.
- :mod:`~welfarekit.crypto.blind_index` — truncated keyed-HMAC indexes for searching by
  identity code.

Typical use::

    keyring = LocalKeyFileKeyring.load("/etc/welfarekit/keys.json")
    ad = keyset_associated_data(provider_id, student_id)
    wrapped = Keyset.new().wrap(keyring, ad)                 # store kek_id and blob
    keyset = wrapped.unwrap(keyring, ad)
    sealed = seal(keyset, "text", context)                   # store the bytes
    text = open_sealed(keyset, sealed, context).reveal()     # after access check and audit
"""

from welfarekit.crypto.blind_index import (
    DEFAULT_BITS,
    blind_index,
    blind_index_key,
    normalise,
    safe_bits,
)
from welfarekit.crypto.errors import CryptoError, KeyringError, SealBroken
from welfarekit.crypto.keyring import (
    Keyring,
    LocalKeyFileKeyring,
    WrappedKey,
    add_key,
    init_key_file,
)
from welfarekit.crypto.keyset import (
    DataKey,
    Keyset,
    KeyStatus,
    WrappedKeyset,
    keyset_associated_data,
    rewrap,
)
from welfarekit.crypto.seal import (
    FORMAT_VERSION,
    Plaintext,
    SealContext,
    open_sealed,
    reseal,
    seal,
    sealed_key_id,
)

__all__ = [
    "DEFAULT_BITS",
    "FORMAT_VERSION",
    "CryptoError",
    "DataKey",
    "KeyStatus",
    "Keyring",
    "KeyringError",
    "Keyset",
    "LocalKeyFileKeyring",
    "Plaintext",
    "SealBroken",
    "SealContext",
    "WrappedKey",
    "WrappedKeyset",
    "add_key",
    "blind_index",
    "blind_index_key",
    "init_key_file",
    "keyset_associated_data",
    "normalise",
    "open_sealed",
    "reseal",
    "rewrap",
    "safe_bits",
    "seal",
    "sealed_key_id",
]
