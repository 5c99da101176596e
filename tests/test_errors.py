"""One exception hierarchy: every error welfarekit exports is defined in
``welfarekit.errors`` under ``WelfareKitError``, so a host catches them in one place."""

from __future__ import annotations

import welfarekit
import welfarekit.errors
from welfarekit.crypto import errors as crypto_errors


def test_every_exported_error_lives_in_the_one_errors_module() -> None:
    exported = [
        getattr(welfarekit, name)
        for name in welfarekit.__all__
        if isinstance(getattr(welfarekit, name), type)
        and issubclass(getattr(welfarekit, name), BaseException)
    ]
    assert exported
    for error in exported:
        assert error.__module__ == "welfarekit.errors", error
        assert issubclass(error, welfarekit.WelfareKitError), error
        assert error.__name__ in welfarekit.errors.__all__


def test_the_encryption_layers_module_names_the_same_classes() -> None:
    assert crypto_errors.SealBroken is welfarekit.errors.SealBroken
    assert crypto_errors.KeyringError is welfarekit.errors.KeyringError
    assert issubclass(welfarekit.errors.SealBroken, welfarekit.errors.CryptoError)
