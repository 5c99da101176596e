"""A student's keyset: one primary data key, rotation, wrapping bound to provider and student."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from pathlib import Path

import pytest

from welfarekit.crypto import (
    CryptoError,
    DataKey,
    KeyringError,
    Keyset,
    KeyStatus,
    LocalKeyFileKeyring,
    SealBroken,
    SealContext,
    WrappedKeyset,
    add_key,
    init_key_file,
    keyset_associated_data,
    open_sealed,
    rewrap,
    seal,
)
from welfarekit.errors import InvalidValue

STUDENT = keyset_associated_data("provider-1", "student-42")


def test_a_new_keyset_has_one_primary_key_with_a_short_random_id(keyset: Keyset) -> None:
    (only,) = keyset.keys

    assert only.status is KeyStatus.PRIMARY
    assert keyset.primary == only
    assert re.fullmatch(r"[0-9a-f]{16}", only.key_id)
    assert only.created_at.tzinfo is not None
    assert len(keyset.key(only.key_id)) == 32
    assert Keyset.new().primary.key_id != only.key_id


def test_rotation_returns_a_new_keyset_and_keeps_the_old_primary_active(keyset: Keyset) -> None:
    before = keyset.keys
    rotated = keyset.rotate()

    old, new = rotated.keys
    assert old.key_id == keyset.primary.key_id
    assert old.status is KeyStatus.ACTIVE
    assert new.status is KeyStatus.PRIMARY
    assert rotated.key(old.key_id) == keyset.key(old.key_id)
    assert keyset.keys == before  # the original is unchanged


def test_an_unknown_key_id_is_a_broken_seal(keyset: Keyset) -> None:
    with pytest.raises(SealBroken, match="no data key '0000000000000000'"):
        keyset.key("0000000000000000")


def test_the_primary_key_cannot_be_disabled(keyset: Keyset) -> None:
    with pytest.raises(CryptoError, match="rotate first"):
        keyset.disable(keyset.primary.key_id)


def test_serialisation_round_trips(keyset: Keyset) -> None:
    keys = keyset.rotate().rotate().disable(keyset.primary.key_id)

    again = Keyset.from_bytes(keys.to_bytes())

    assert again.keys == keys.keys
    assert again.to_bytes() == keys.to_bytes()


@pytest.mark.parametrize(
    "data",
    [
        b"not json",
        b"[]",
        b'{"v": 2, "keys": []}',
        b'{"v": 1, "keys": {}}',
        b'{"v": 1, "keys": []}',
        b'{"v": 1, "keys": [{"id": "zz"}]}',
    ],
)
def test_a_malformed_keyset_is_refused(data: bytes) -> None:
    with pytest.raises(CryptoError, match="malformed keyset"):
        Keyset.from_bytes(data)


def test_two_primaries_are_refused(keyset: Keyset) -> None:
    document = json.loads(keyset.rotate().to_bytes())
    document["keys"][0]["status"] = "primary"

    with pytest.raises(CryptoError, match="exactly one key must be primary"):
        Keyset.from_bytes(json.dumps(document).encode())


def test_a_data_key_needs_a_hex_id_and_an_aware_time() -> None:
    now = dt.datetime.now(dt.UTC)
    with pytest.raises(InvalidValue, match="DataKey.key_id"):
        DataKey("not-hex", KeyStatus.PRIMARY, now)
    with pytest.raises(InvalidValue, match="DataKey.created_at"):
        DataKey("0123456789abcdef", KeyStatus.PRIMARY, now.replace(tzinfo=None))


def test_repr_shows_no_key_material(keyset: Keyset) -> None:
    material = keyset.key(keyset.primary.key_id)

    assert base64.b64encode(material).decode() not in repr(keyset)
    assert material.hex() not in repr(keyset)
    assert repr(keyset) == f"Keyset(primary={keyset.primary.key_id!r}, keys=1)"


class TestWrapping:
    def test_a_wrapped_keyset_unwraps_for_its_own_student(
        self, keyring: LocalKeyFileKeyring, keyset: Keyset
    ) -> None:
        wrapped = keyset.wrap(keyring, STUDENT)

        assert wrapped.kek_id == keyring.key_id
        assert keyset.to_bytes() not in wrapped.blob
        assert keyset.key(keyset.primary.key_id) not in wrapped.blob
        assert wrapped.unwrap(keyring, STUDENT).to_bytes() == keyset.to_bytes()

    @pytest.mark.parametrize(
        "other",
        [
            keyset_associated_data("provider-1", "student-43"),
            keyset_associated_data("provider-2", "student-42"),
        ],
    )
    def test_a_keyset_copied_to_another_student_or_provider_does_not_unwrap(
        self, keyring: LocalKeyFileKeyring, keyset: Keyset, other: bytes
    ) -> None:
        wrapped = keyset.wrap(keyring, STUDENT)

        with pytest.raises(SealBroken, match="another student or provider"):
            wrapped.unwrap(keyring, other)

    def test_associated_data_is_unambiguous(self) -> None:
        assert keyset_associated_data("p", "1-2") != keyset_associated_data("p-1", "2")
        with pytest.raises(InvalidValue, match="student_id"):
            keyset_associated_data("provider-1", "")

    def test_a_keyset_wrapped_under_another_key_file_is_a_keyring_error(
        self, keyring: LocalKeyFileKeyring, keyset: Keyset, tmp_path: Path
    ) -> None:
        other = init_key_file(tmp_path / "other-keys.json")
        wrapped = keyset.wrap(other, STUDENT)

        with pytest.raises(KeyringError, match="another key file") as caught:
            wrapped.unwrap(keyring, STUDENT)

        assert other.key_id in str(caught.value)
        assert str(keyring.path) in str(caught.value)

    def test_the_blob_is_not_shown_in_repr(
        self, keyring: LocalKeyFileKeyring, keyset: Keyset
    ) -> None:
        wrapped = keyset.wrap(keyring, STUDENT)

        assert repr(wrapped) == (
            f"WrappedKeyset(kek_id={keyring.key_id!r}, blob=<{len(wrapped.blob)} bytes>)"
        )


class TestKekRotation:
    def test_add_key_and_rewrap_keep_the_data_keys_and_every_sealed_value(
        self,
        key_file: Path,
        keyring: LocalKeyFileKeyring,
        keyset: Keyset,
        context: SealContext,
    ) -> None:
        sealed = seal(keyset, "note", context)
        wrapped = keyset.wrap(keyring, STUDENT)

        new_kek = add_key(key_file)
        reloaded = LocalKeyFileKeyring.load(key_file)
        rewrapped = rewrap(wrapped, reloaded, reloaded, STUDENT)

        assert reloaded.key_id == new_kek != keyring.key_id
        assert rewrapped.kek_id == new_kek
        assert rewrapped.blob != wrapped.blob
        unwrapped = rewrapped.unwrap(reloaded, STUDENT)
        assert unwrapped.to_bytes() == keyset.to_bytes()
        assert open_sealed(unwrapped, sealed, context).reveal() == "note"
        # not yet rewrapped keysets still unwrap under the retired KEK
        assert wrapped.unwrap(reloaded, STUDENT).to_bytes() == keyset.to_bytes()

    def test_rewrap_from_one_keyring_to_another(
        self, keyring: LocalKeyFileKeyring, keyset: Keyset, tmp_path: Path
    ) -> None:
        target = init_key_file(tmp_path / "new-keys.json")
        wrapped = keyset.wrap(keyring, STUDENT)

        moved = rewrap(wrapped, keyring, target, STUDENT)

        assert moved.kek_id == target.key_id
        assert moved.unwrap(target, STUDENT).to_bytes() == keyset.to_bytes()

    def test_rewrap_leaves_a_keyset_already_under_the_current_kek_alone(
        self, keyring: LocalKeyFileKeyring, keyset: Keyset
    ) -> None:
        wrapped = keyset.wrap(keyring, STUDENT)

        assert rewrap(wrapped, keyring, keyring, STUDENT) is wrapped

    def test_rewrap_checks_the_student(
        self, key_file: Path, keyring: LocalKeyFileKeyring, keyset: Keyset
    ) -> None:
        wrapped = keyset.wrap(keyring, STUDENT)
        add_key(key_file)
        reloaded = LocalKeyFileKeyring.load(key_file)

        with pytest.raises(SealBroken):
            rewrap(wrapped, reloaded, reloaded, keyset_associated_data("provider-1", "x"))

    def test_a_wrapped_keyset_with_a_foreign_blob_is_refused(
        self, keyring: LocalKeyFileKeyring
    ) -> None:
        with pytest.raises(SealBroken, match="malformed"):
            WrappedKeyset(keyring.key_id, b"\x01short").unwrap(keyring, STUDENT)
