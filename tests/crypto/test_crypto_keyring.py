"""The local key file: created owner-only, never overwritten, refused when open or broken."""

from __future__ import annotations

import base64
import json
import os
import stat
import threading
from pathlib import Path
from typing import Any

import pytest

from welfarekit.crypto import (
    Keyring,
    KeyringError,
    LocalKeyFileKeyring,
    SealBroken,
    WrappedKey,
    add_key,
    init_key_file,
)

posix_only = pytest.mark.skipif(os.name != "posix", reason="mode bits are POSIX")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def document(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(path.read_text())
    return loaded


@posix_only
def test_init_creates_an_owner_only_key_file_with_one_current_key(key_file: Path) -> None:
    keyring = init_key_file(key_file)

    assert mode(key_file) == 0o600
    content = document(key_file)
    assert content["format"] == "welfarekit-keyring"
    assert content["version"] == 1
    assert content["current"] == keyring.key_id
    (key,) = content["keys"]
    assert key["id"] == keyring.key_id
    assert key["status"] == "active"
    assert len(base64.b64decode(key["key"])) == 32
    assert keyring.key_ids() == frozenset({keyring.key_id})


@posix_only
def test_init_ignores_a_permissive_umask(key_file: Path) -> None:
    previous = os.umask(0)
    try:
        init_key_file(key_file)
    finally:
        os.umask(previous)

    assert mode(key_file) == 0o600


def test_init_refuses_to_overwrite_an_existing_key_file(key_file: Path) -> None:
    init_key_file(key_file)
    before = key_file.read_bytes()

    with pytest.raises(KeyringError, match="refusing to overwrite"):
        init_key_file(key_file)

    assert key_file.read_bytes() == before


def test_init_in_a_missing_directory_says_so(tmp_path: Path) -> None:
    with pytest.raises(KeyringError, match="cannot create the key file"):
        init_key_file(tmp_path / "no-such-dir" / "keys.json")


def test_a_loaded_key_file_unwraps_what_the_created_one_wrapped(key_file: Path) -> None:
    created = init_key_file(key_file)
    wrapped = created.wrap(b"secret", associated_data=b"student-42")

    loaded = LocalKeyFileKeyring.load(key_file)

    assert loaded.key_id == created.key_id
    assert loaded.unwrap(wrapped, associated_data=b"student-42") == b"secret"
    assert isinstance(loaded, Keyring)


def test_a_missing_key_file_says_how_to_create_one(key_file: Path) -> None:
    with pytest.raises(KeyringError, match="`welfarekit keys init`") as caught:
        LocalKeyFileKeyring.load(key_file)

    assert str(key_file) in str(caught.value)


@posix_only
@pytest.mark.parametrize("permissions", [0o640, 0o604, 0o660, 0o620])
def test_a_key_file_open_to_group_or_others_is_refused(key_file: Path, permissions: int) -> None:
    init_key_file(key_file)
    key_file.chmod(permissions)

    with pytest.raises(KeyringError, match=r"chmod 600") as caught:
        LocalKeyFileKeyring.load(key_file)

    assert f"{permissions:o}" in str(caught.value)


def test_an_unreadable_key_file_is_refused(
    key_file: Path, keyring: LocalKeyFileKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_open = os.open

    def open_denied(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if Path(path) == key_file:
            raise PermissionError(13, "Permission denied")
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", open_denied)  # chmod 000 does not stop root

    with pytest.raises(KeyringError, match="cannot read the key file .*Permission denied"):
        LocalKeyFileKeyring.load(key_file)


@posix_only
def test_a_fifo_is_not_a_key_file(key_file: Path) -> None:
    os.mkfifo(key_file, 0o600)

    with pytest.raises(KeyringError, match="not a regular file"):
        LocalKeyFileKeyring.load(key_file)


def test_a_directory_is_not_a_key_file(tmp_path: Path) -> None:
    with pytest.raises(KeyringError, match="not a regular file"):
        LocalKeyFileKeyring.load(tmp_path)


def write_private(path: Path, content: str) -> None:
    path.write_text(content)
    path.chmod(0o600)


def test_corrupt_json_is_refused(key_file: Path) -> None:
    write_private(key_file, '{"format": "welfarekit-keyring", "version": 1, "keys": [')

    with pytest.raises(KeyringError, match="not a welfarekit key file: not JSON"):
        LocalKeyFileKeyring.load(key_file)


def valid_document(tmp_path: Path) -> dict[str, Any]:
    init_key_file(tmp_path / "template.json")
    return document(tmp_path / "template.json")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: ["not", "an", "object"], "expected a JSON object"),
        (lambda d: {**d, "format": "something-else"}, "expected a JSON object"),
        (lambda d: {**d, "version": 2}, "version 2"),
        (lambda d: {**d, "keys": []}, "non-empty list"),
        (lambda d: {**d, "keys": ["x"]}, "not an object"),
        (lambda d: {**d, "keys": [{**d["keys"][0], "id": ""}]}, 'no "id"'),
        (lambda d: {**d, "keys": [{**d["keys"][0], "key": "c2hvcnQ="}]}, "must be 32 bytes"),
        (lambda d: {**d, "keys": [{**d["keys"][0], "key": "not base64!"}]}, "must be 32 bytes"),
        (lambda d: {**d, "keys": [{**d["keys"][0], "created_at": "2026-11-23"}]}, "UTC offset"),
        (lambda d: {**d, "keys": [{**d["keys"][0], "status": "lost"}]}, '"status"'),
        (lambda d: {**d, "keys": [{**d["keys"][0], "status": "retired"}]}, "exactly one"),
        (lambda d: {**d, "keys": d["keys"] * 2}, "same id"),
        (lambda d: {**d, "current": "0000"}, '"current" must name'),
    ],
)
def test_a_key_file_of_the_wrong_shape_is_refused(
    tmp_path: Path, key_file: Path, change: Any, message: str
) -> None:
    write_private(key_file, json.dumps(change(valid_document(tmp_path))))

    with pytest.raises(KeyringError, match=message):
        LocalKeyFileKeyring.load(key_file)


def test_wrap_binds_the_associated_data(keyring: LocalKeyFileKeyring) -> None:
    wrapped = keyring.wrap(b"secret", associated_data=b"student-42")

    with pytest.raises(SealBroken, match="does not open"):
        keyring.unwrap(wrapped, associated_data=b"student-43")


def test_a_flipped_bit_in_a_wrapped_key_is_refused(keyring: LocalKeyFileKeyring) -> None:
    wrapped = keyring.wrap(b"secret", associated_data=b"ad")

    for position in range(len(wrapped.blob)):
        blob = bytearray(wrapped.blob)
        blob[position] ^= 0x01
        with pytest.raises(SealBroken):
            keyring.unwrap(WrappedKey(wrapped.kek_id, bytes(blob)), associated_data=b"ad")


def test_the_keyring_repr_shows_no_key_material(
    key_file: Path, keyring: LocalKeyFileKeyring
) -> None:
    secret = document(key_file)["keys"][0]["key"]

    assert secret not in repr(keyring)
    assert keyring.key_id in repr(keyring)


class TestAddKey:
    def test_the_new_key_becomes_current_and_the_old_ones_stay_for_unwrapping(
        self, key_file: Path, keyring: LocalKeyFileKeyring
    ) -> None:
        old = keyring.wrap(b"secret", associated_data=b"ad")

        new_id = add_key(key_file)
        reloaded = LocalKeyFileKeyring.load(key_file)

        assert reloaded.key_id == new_id != keyring.key_id
        assert reloaded.key_ids() == {keyring.key_id, new_id}
        assert reloaded.wrap(b"x", associated_data=b"ad").kek_id == new_id
        assert reloaded.unwrap(old, associated_data=b"ad") == b"secret"
        statuses = {key["id"]: key["status"] for key in document(key_file)["keys"]}
        assert statuses == {keyring.key_id: "retired", new_id: "active"}

    @posix_only
    def test_the_rewritten_file_is_owner_only_and_no_temporary_file_is_left(
        self, key_file: Path, keyring: LocalKeyFileKeyring
    ) -> None:
        add_key(key_file)

        assert mode(key_file) == 0o600
        leftovers = {p.name for p in key_file.parent.iterdir()} - {"keys.json", "keys.json.lock"}
        assert leftovers == set()

    def test_concurrent_additions_lose_no_key(
        self, key_file: Path, keyring: LocalKeyFileKeyring
    ) -> None:
        added: list[str] = []
        threads = [
            threading.Thread(target=lambda: added.append(add_key(key_file))) for _ in range(8)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert LocalKeyFileKeyring.load(key_file).key_ids() == {keyring.key_id, *added}

    def test_adding_to_a_missing_file_says_how_to_create_one(self, key_file: Path) -> None:
        with pytest.raises(KeyringError, match="welfarekit keys init"):
            add_key(key_file)

    @posix_only
    def test_adding_to_an_open_key_file_is_refused(
        self, key_file: Path, keyring: LocalKeyFileKeyring
    ) -> None:
        key_file.chmod(0o644)

        with pytest.raises(KeyringError, match="chmod 600"):
            add_key(key_file)
