"""What the fuzz tests share: bounded, deterministic settings and the outcome they allow.

Every test here feeds outside input to a parser or a public entry point and allows exactly
two outcomes: success, or a typed :class:`~welfarekit.errors.WelfareKitError`. Any other
exception is a bug. The runs are derandomized, so CI sees the same examples every time;
``WELFAREKIT_TEST_FUZZ_SCALE=20`` multiplies every test's number of examples for a longer
run on a developer's machine.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TypeVar

from hypothesis import HealthCheck, settings

from welfarekit.errors import WelfareKitError

__all__ = ["SCALE", "attempt", "fuzz"]

T = TypeVar("T")

SCALE = float(os.environ.get("WELFAREKIT_TEST_FUZZ_SCALE", "1"))


def fuzz(max_examples: int) -> settings:
    """Settings for one fuzz test: ``max_examples`` (times the scale), derandomized, no
    example database, no deadline (a slow example is not a failure here)."""
    return settings(
        max_examples=max(1, round(max_examples * SCALE)),
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
            HealthCheck.function_scoped_fixture,
        ],
    )


def attempt(call: Callable[[], T]) -> T | WelfareKitError:
    """The result of ``call()``, or the typed error it raised; any other exception goes
    through to fail the test."""
    try:
        return call()
    except WelfareKitError as error:
        return error
