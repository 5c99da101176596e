"""Sealing a confidential field binds it to its row; opening it hands back redacted text."""

from __future__ import annotations

import copy
import datetime as dt
import pickle
from typing import Any
from unittest import mock

import attrs
import pytest

from welfarekit.crypto import (
    FORMAT_VERSION,
    DataKey,
    Keyset,
    KeyStatus,
    Plaintext,
    SealBroken,
    SealContext,
    open_sealed,
    reseal,
    seal,
    sealed_key_id,
)
from welfarekit.crypto.seal import _utf8_plaintext
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


@pytest.mark.parametrize("length", [9, 21, 36])
def test_a_truncated_value_under_a_key_in_use_is_too_short(
    keyset: Keyset, context: SealContext, length: int
) -> None:
    sealed = seal(keyset, NOTE, context)
    open_sealed(keyset, sealed, context)  # the key's cipher is cached: the fast path

    with pytest.raises(SealBroken, match="too short"):
        open_sealed(keyset, sealed[:length], context)


def test_a_str_subclass_seals_as_its_text(keyset: Keyset, context: SealContext) -> None:
    class Note(str):
        pass

    assert open_sealed(keyset, seal(keyset, Note(NOTE), context), context) == Plaintext(NOTE)


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


# Sealed by welfarekit before sealing cached the encoded context and the ciphers: with this
# key, this context and a nonce of twelve 7s. Databases hold values like it; they must open.
FORMAT_1_VECTOR = bytes.fromhex(
    "010123456789abcdef070707070707070707070707401ad635036ea4d4adf861f4ef38d4f0c829fe12e99a"
    "e86a9bc82a9b24a8f1bf4b2d850bef2e9dfe6e9f8f9c551f72b1318dc1decccd6235d53ff5"
)
VECTOR_KEYSET = Keyset(
    [
        (
            DataKey("0123456789abcdef", KeyStatus.PRIMARY, dt.datetime(2026, 1, 1, tzinfo=dt.UTC)),
            bytes(range(32)),
        )
    ]
)
VECTOR_CONTEXT = SealContext(
    provider_id="provider-1",
    register="welfare_register",
    record_type="entry",
    record_id="entry-7",
    field="content",
    student_id="student-42",
    version=3,
)


def test_a_value_sealed_by_an_earlier_release_opens_and_seals_the_same_bytes() -> None:
    assert open_sealed(VECTOR_KEYSET, FORMAT_1_VECTOR, VECTOR_CONTEXT).reveal() == NOTE
    with mock.patch("os.urandom", lambda n: bytes([7]) * n):
        assert seal(VECTOR_KEYSET, NOTE, VECTOR_CONTEXT) == FORMAT_1_VECTOR


def test_the_context_keeps_its_seven_fields_and_survives_copy_and_pickle(
    keyset: Keyset, context: SealContext
) -> None:
    sealed = seal(keyset, NOTE, context)

    assert [f.name for f in attrs.fields(SealContext)] == [
        "provider_id", "register", "record_type", "record_id", "field", "student_id", "version",
    ]  # fmt: skip
    assert "associated" not in repr(context)
    assert "framed" not in repr(context)
    for same in (copy.copy(context), copy.deepcopy(context), pickle.loads(pickle.dumps(context))):
        assert same == context
        assert same.associated_data() == context.associated_data()
        assert open_sealed(keyset, sealed, same).reveal() == NOTE


def test_a_key_disabled_after_it_opened_values_opens_nothing_in_the_new_keyset(
    keyset: Keyset, context: SealContext
) -> None:
    rotated = keyset.rotate()
    old = seal(keyset, NOTE, context)
    assert open_sealed(rotated, old, context).reveal() == NOTE  # its cipher is now cached

    disabled = rotated.disable(keyset.primary.key_id)

    with pytest.raises(SealBroken, match="disabled"):
        open_sealed(disabled, old, context)
    assert open_sealed(rotated, old, context).reveal() == NOTE  # keysets are immutable


def test_an_opened_value_is_resealed_without_being_decoded(
    keyset: Keyset, context: SealContext
) -> None:
    rotated = keyset.rotate()
    old = seal(keyset, NOTE, context)

    with mock.patch.object(Plaintext, "reveal", side_effect=AssertionError("decoded")):
        moved = reseal(rotated, old, context)

    assert open_sealed(rotated, moved, context).reveal() == NOTE


def test_an_opened_value_equals_and_hashes_like_the_text_it_holds(
    keyset: Keyset, context: SealContext
) -> None:
    opened = open_sealed(keyset, seal(keyset, NOTE, context), context)

    assert opened == Plaintext(NOTE)
    assert hash(opened) == hash(Plaintext(NOTE))
    assert repr(opened) == "Plaintext(<redacted>)"
    assert opened.reveal() == NOTE
    assert opened == Plaintext(NOTE)
    assert hash(opened) == hash(Plaintext(NOTE))


def test_text_that_is_not_unicode_is_refused(keyset: Keyset, context: SealContext) -> None:
    with pytest.raises(InvalidValue, match="plaintext"):
        seal(keyset, "lone \udc80 surrogate", context)
    with pytest.raises(InvalidValue, match="plaintext"):
        seal(keyset, Plaintext("lone \udc80 surrogate"), context)


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


def test_empty_text_opens_on_a_keyset_that_has_opened_nothing_yet(context: SealContext) -> None:
    # the shortest sealed value there is: header and tag, nothing between
    sealer = Keyset.new()
    sealed = seal(sealer, "", context)
    stored = Keyset.from_bytes(sealer.to_bytes())  # as read back from storage: nothing cached
    assert open_sealed(stored, sealed, context).reveal() == ""


def test_text_the_caller_encoded_already_seals_as_that_text(
    keyset: Keyset, context: SealContext
) -> None:
    # the records' path: the entry's JSON is encoded once, then sealed as those bytes
    encoded = "Käytiin läpi tilanne.".encode()
    sealed = seal(keyset, _utf8_plaintext(encoded), context)
    assert open_sealed(keyset, sealed, context).reveal() == "Käytiin läpi tilanne."
