"""Sealing a confidential field binds it to its row; opening it hands back redacted text."""

from __future__ import annotations

from typing import Any

import attrs
import pytest

from welfarekit.crypto import (
    FORMAT_VERSION,
    Keyset,
    Plaintext,
    SealBroken,
    SealContext,
    open_sealed,
    reseal,
    seal,
    sealed_key_id,
)
from welfarekit.errors import InvalidValue, WelfareKitError

NOTE = "Oppilas kertoi kiusaamisesta välitunnilla."


def test_sealed_note_opens_in_its_own_context(keyset: Keyset, context: SealContext) -> None:
    sealed = seal(keyset, NOTE, context)

    assert open_sealed(keyset, sealed, context).reveal() == NOTE


def test_sealed_value_is_version_key_id_nonce_and_ciphertext(
    keyset: Keyset, context: SealContext
) -> None:
    sealed = seal(keyset, NOTE, context)

    assert sealed[0] == FORMAT_VERSION == 1
    assert sealed[1:9] == bytes.fromhex(keyset.primary.key_id)
    assert len(sealed) == 1 + 8 + 12 + len(NOTE.encode()) + 16
    assert NOTE.encode() not in sealed


def test_the_same_note_seals_differently_each_time(keyset: Keyset, context: SealContext) -> None:
    assert seal(keyset, NOTE, context) != seal(keyset, NOTE, context)


def test_empty_text_seals_and_opens(keyset: Keyset, context: SealContext) -> None:
    assert open_sealed(keyset, seal(keyset, "", context), context).reveal() == ""


@pytest.mark.parametrize(
    ("field", "other"),
    [
        ("provider_id", "provider-2"),
        ("register", "patient_register"),
        ("record_type", "welfare_plan"),
        ("record_id", "record-18"),
        ("field", "summary"),
        ("student_id", "student-43"),
        ("version", 2),
    ],
)
def test_a_value_moved_to_another_row_does_not_open(
    keyset: Keyset, context: SealContext, field: str, other: Any
) -> None:
    sealed = seal(keyset, NOTE, context)
    elsewhere = attrs.evolve(context, **{field: other})

    with pytest.raises(SealBroken, match="authentication failed") as caught:
        open_sealed(keyset, sealed, elsewhere)

    assert elsewhere.record_type in str(caught.value)
    assert repr(elsewhere.field) in str(caught.value)
    assert NOTE not in str(caught.value)


def test_shifting_a_boundary_between_context_fields_changes_the_binding(
    keyset: Keyset, context: SealContext
) -> None:
    one = attrs.evolve(context, record_type="case", record_id="_record-17")
    other = attrs.evolve(context, record_type="case_", record_id="record-17")
    assert one.associated_data() != other.associated_data()

    with pytest.raises(SealBroken):
        open_sealed(keyset, seal(keyset, NOTE, one), other)


def test_a_flipped_bit_anywhere_breaks_the_seal(keyset: Keyset, context: SealContext) -> None:
    sealed = seal(keyset, "short note", context)

    for position in range(len(sealed)):
        for bit in range(8):
            tampered = bytearray(sealed)
            tampered[position] ^= 1 << bit
            with pytest.raises(SealBroken):
                open_sealed(keyset, bytes(tampered), context)


@pytest.mark.parametrize("length", [0, 1, 9, 21, 36])
def test_a_truncated_value_breaks_the_seal(
    keyset: Keyset, context: SealContext, length: int
) -> None:
    sealed = seal(keyset, NOTE, context)

    with pytest.raises(SealBroken, match="too short|authentication failed"):
        open_sealed(keyset, sealed[:length], context)


def test_an_unknown_format_version_breaks_the_seal(keyset: Keyset, context: SealContext) -> None:
    sealed = bytes([2]) + seal(keyset, NOTE, context)[1:]

    with pytest.raises(SealBroken, match="unknown format version 2"):
        open_sealed(keyset, sealed, context)


def test_another_students_keyset_does_not_open_the_value(
    keyset: Keyset, context: SealContext
) -> None:
    sealed = seal(keyset, NOTE, context)

    with pytest.raises(SealBroken, match="no data key") as caught:
        open_sealed(Keyset.new(), sealed, context)

    assert isinstance(caught.value, WelfareKitError)
    assert "case_record" in str(caught.value)


def test_a_destroyed_keyset_leaves_nothing_to_open_with(
    keyset: Keyset, context: SealContext
) -> None:
    sealed = seal(keyset, NOTE, context)
    del keyset  # crypto-shredding: the only copy of the keys is gone
    replacement = Keyset.new()

    with pytest.raises(SealBroken):
        open_sealed(replacement, sealed, context)


def test_rotation_keeps_old_values_readable_and_seals_new_ones_under_the_new_primary(
    keyset: Keyset, context: SealContext
) -> None:
    old = seal(keyset, NOTE, context)
    rotated = keyset.rotate()

    new = seal(rotated, NOTE, context)

    assert sealed_key_id(old) == keyset.primary.key_id
    assert sealed_key_id(new) == rotated.primary.key_id != keyset.primary.key_id
    assert open_sealed(rotated, old, context).reveal() == NOTE
    assert open_sealed(rotated, new, context).reveal() == NOTE
    with pytest.raises(SealBroken, match="no data key"):
        open_sealed(keyset, new, context)


def test_reseal_moves_a_value_to_the_primary_key_and_then_leaves_it(
    keyset: Keyset, context: SealContext
) -> None:
    old = seal(keyset, NOTE, context)
    rotated = keyset.rotate()

    moved = reseal(rotated, old, context)

    assert sealed_key_id(moved) == rotated.primary.key_id
    assert open_sealed(rotated, moved, context).reveal() == NOTE
    assert reseal(rotated, moved, context) == moved


def test_a_disabled_key_opens_nothing(keyset: Keyset, context: SealContext) -> None:
    old = seal(keyset, NOTE, context)
    disabled = keyset.rotate().disable(keyset.primary.key_id)

    with pytest.raises(SealBroken, match="disabled"):
        open_sealed(disabled, old, context)


def test_storage_may_hand_back_a_memoryview(keyset: Keyset, context: SealContext) -> None:
    sealed = seal(keyset, NOTE, context)

    assert open_sealed(keyset, memoryview(sealed), context).reveal() == NOTE  # type: ignore[arg-type]


def test_plaintext_can_be_sealed_again(keyset: Keyset, context: SealContext) -> None:
    opened = open_sealed(keyset, seal(keyset, NOTE, context), context)

    assert open_sealed(keyset, seal(keyset, opened, context), context) == opened


def test_text_that_is_not_unicode_is_refused(keyset: Keyset, context: SealContext) -> None:
    with pytest.raises(InvalidValue, match="plaintext"):
        seal(keyset, "lone \udc80 surrogate", context)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("record_id", ""),
        ("student_id", 42),
        ("register", "bad \udc80"),
        ("version", -1),
        ("version", True),
        ("version", "1"),
    ],
)
def test_a_context_with_a_missing_or_wrong_part_is_refused(
    context: SealContext, field: str, value: Any
) -> None:
    with pytest.raises(InvalidValue, match=f"SealContext.{field}"):
        attrs.evolve(context, **{field: value})


class TestPlaintext:
    def test_repr_and_str_are_redacted(self) -> None:
        text = Plaintext(NOTE)

        assert repr(text) == str(text) == f"{text}" == format(text) == "Plaintext(<redacted>)"
        assert NOTE not in repr([text])

    def test_is_not_a_str_and_does_not_concatenate(self) -> None:
        text = Plaintext(NOTE)

        assert not isinstance(text, str)
        with pytest.raises(TypeError):
            _ = "note: " + text  # type: ignore[operator]
        with pytest.raises(TypeError):
            _ = text + "!"  # type: ignore[operator]
        with pytest.raises(TypeError):
            "".join([text])  # type: ignore[list-item]

    def test_equal_by_value_and_never_equal_to_a_str(self) -> None:
        assert Plaintext(NOTE) == Plaintext(NOTE)
        assert Plaintext(NOTE) != Plaintext("other")
        assert Plaintext(NOTE) != NOTE
        assert len({Plaintext(NOTE), Plaintext(NOTE)}) == 1

    def test_wraps_only_text(self) -> None:
        with pytest.raises(TypeError):
            Plaintext(b"bytes")  # type: ignore[arg-type]
