"""The errors of welfarekit's encryption layer, as :mod:`welfarekit.errors` defines them
(the one exception hierarchy); kept here so that ``welfarekit.crypto.errors`` imports keep
working."""

from __future__ import annotations

from welfarekit.errors import CryptoError, KeyringError, SealBroken

__all__ = ["CryptoError", "KeyringError", "SealBroken"]
