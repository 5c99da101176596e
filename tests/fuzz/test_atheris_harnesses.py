"""The atheris harnesses in fuzz/ run on their seeds and a few hostile inputs with the suite,
without atheris: a harness that no longer runs, or a seed that now crashes, fails here
before anyone spends an hour fuzzing with it."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

FUZZ = Path(__file__).resolve().parents[2] / "fuzz"
HARNESSES = sorted(p.stem.removeprefix("fuzz_") for p in FUZZ.glob("fuzz_*.py"))
HOSTILE = [b"", b"\x00", b"\xff\xfe\xfd", b"\x01\n\x02\n", b"a" * 300, "ä€𝄞".encode(),
           b'"unterminated', b"..", b"e30.e30.e30"]  # fmt: skip


def harness(name: str) -> Callable[[bytes], None]:
    if str(FUZZ) not in sys.path:
        sys.path.insert(0, str(FUZZ))
    spec = importlib.util.spec_from_file_location(f"fuzz_{name}", FUZZ / f"fuzz_{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    test_one_input: Callable[[bytes], None] = module.test_one_input
    return test_one_input


def test_every_harness_has_seeds() -> None:
    assert HARNESSES == ["identity_codes", "oneroster", "settings", "token_header"]
    for name in HARNESSES:
        assert list((FUZZ / "seeds" / name).iterdir()), name


@pytest.mark.parametrize("name", HARNESSES)
def test_a_harness_runs_on_its_seeds_and_hostile_input(name: str) -> None:
    if name in ("oneroster",):
        pytest.importorskip("welfarekit_oneroster")
    if name == "token_header":
        pytest.importorskip("welfarekit_oidc")
    test_one_input = harness(name)
    for seed in sorted((FUZZ / "seeds" / name).iterdir()):
        test_one_input(seed.read_bytes())
    for data in HOSTILE:
        test_one_input(data)
