"""Blind indexes of identity codes: keyed, normalised, and truncated so that values collide."""

from __future__ import annotations

import secrets

import pytest

from welfarekit.crypto import DEFAULT_BITS, blind_index, blind_index_key, normalise, safe_bits
from welfarekit.errors import InvalidValue

SECRET = bytes(range(32))
KEY = blind_index_key(SECRET, provider_id="provider-1")
CODES = [f"{day:02d}0110A{number:03d}X" for day in range(1, 29) for number in range(2, 40)]


def test_the_index_is_deterministic_for_a_key() -> None:
    assert blind_index(KEY, "010110A123X") == blind_index(KEY, "010110A123X")


def test_lower_and_upper_case_codes_and_stray_spaces_give_the_same_index() -> None:
    assert normalise(" 010110a123x\n") == "010110A123X"
    assert blind_index(KEY, "010110a123x") == blind_index(KEY, " 010110A123X ")


def test_another_key_gives_other_indexes() -> None:
    other = blind_index_key(secrets.token_bytes(32), provider_id="provider-1")

    differing = sum(blind_index(KEY, code) != blind_index(other, code) for code in CODES)

    assert differing > len(CODES) * 0.9


def test_default_is_16_bits_as_four_hex_digits() -> None:
    assert DEFAULT_BITS == 16
    index = blind_index(KEY, "010110A123X")
    assert len(index) == 4
    assert int(index, 16) < 2**16


@pytest.mark.parametrize("bits", [1, 4, 8, 11, 13, 16, 24, 32])
def test_the_index_is_truncated_to_the_configured_bits(bits: int) -> None:
    values = {int(blind_index(KEY, code, bits=bits), 16) for code in CODES}

    assert all(len(blind_index(KEY, code, bits=bits)) == (bits + 3) // 4 for code in CODES[:5])
    assert max(values) < 2**bits
    assert len(values) <= 2**bits


def test_a_shorter_index_is_a_prefix_of_a_longer_one() -> None:
    long = int(blind_index(KEY, "010110A123X", bits=32), 16)

    assert int(blind_index(KEY, "010110A123X", bits=12), 16) == long >> 20


def test_with_safe_bits_every_bucket_is_shared_on_average() -> None:
    bits = safe_bits(len(CODES))
    buckets = {blind_index(KEY, code, bits=bits) for code in CODES}

    assert len(CODES) / len(buckets) >= 2


@pytest.mark.parametrize(
    ("population", "bits"), [(0, 1), (4, 1), (5_000, 11), (100_000, 15), (131_072, 16)]
)
def test_safe_bits_follows_the_coincidence_rule(population: int, bits: int) -> None:
    assert safe_bits(population) == bits
    if population >= 4:
        assert population / 2**bits >= 2
        assert population / 2 ** (bits + 1) < 2


def test_the_index_key_is_bound_to_provider_and_index() -> None:
    assert blind_index_key(SECRET, provider_id="provider-1") == KEY
    assert blind_index_key(SECRET, provider_id="provider-2") != KEY
    assert blind_index_key(SECRET, provider_id="provider-1", index="phone") != KEY
    assert len(KEY) == 32


@pytest.mark.parametrize("bits", [0, 33, -1, True])
def test_bits_out_of_range_are_refused(bits: int) -> None:
    with pytest.raises(InvalidValue, match="bits"):
        blind_index(KEY, "010110A123X", bits=bits)


def test_short_keys_and_secrets_are_refused() -> None:
    with pytest.raises(InvalidValue, match="key"):
        blind_index(b"short", "010110A123X")
    with pytest.raises(InvalidValue, match="provider_secret"):
        blind_index_key(b"short", provider_id="provider-1")
    with pytest.raises(InvalidValue, match="provider_id"):
        blind_index_key(SECRET, provider_id="")
