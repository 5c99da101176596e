"""What the atheris harnesses share: the allowed outcome, and running one under atheris."""

from __future__ import annotations

import sys
from collections.abc import Callable

from welfarekit.errors import WelfareKitError

__all__ = ["fuzz_main", "typed"]


def typed(call: Callable[[], object]) -> object:
    """``call()``'s result, or the WelfareKitError it raised; anything else propagates, which
    atheris reports as a crash with the input that caused it."""
    try:
        return call()
    except WelfareKitError as error:
        return error


def fuzz_main(test_one_input: Callable[[bytes], None]) -> None:
    """Instrument what is loaded and fuzz ``test_one_input`` with libFuzzer's arguments."""
    import atheris  # type: ignore[import-not-found]

    atheris.instrument_all()
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
