"""What the crypto layer promises at its edges: the exact refusal an operator reads, the
formats other code depends on, and the corners mutation testing found no test for
(docs/mutation-testing.md)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import os
import re
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from welfarekit.crypto import (
    CryptoError,
    DataKey,
    KeyringError,
    Keyset,
    KeyStatus,
    LocalKeyFileKeyring,
    Plaintext,
    SealBroken,
    SealContext,
    WrappedKey,
    _keyfile,
    add_key,
    blind_index,
    blind_index_key,
    init_key_file,
    keyset_associated_data,
    open_sealed,
    safe_bits,
    seal,
)
from welfarekit.crypto import keyring as keyring_module
from welfarekit.crypto import keyset as keyset_module
from welfarekit.crypto._framing import frame
from welfarekit.errors import InvalidValue

posix_only = pytest.mark.skipif(os.name != "posix", reason="mode bits are POSIX")


def write_private(path: Path, document: object) -> None:
    path.write_text(json.dumps(document) if not isinstance(document, str) else document)
    path.chmod(0o600)


def valid_document(tmp_path: Path) -> dict[str, Any]:
    template = tmp_path / "template.json"
    init_key_file(template)
    loaded: dict[str, Any] = json.loads(template.read_text())
    return loaded


# -- the key file ---------------------------------------------------------------------------


def test_the_loaded_keyring_names_its_file(key_file: Path, keyring: LocalKeyFileKeyring) -> None:
    loaded = LocalKeyFileKeyring.load(key_file)

    assert loaded.path == key_file
    assert repr(loaded) == (
        f"LocalKeyFileKeyring({str(key_file)!r}, current={keyring.key_id!r}, keys=1)"
    )


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda d: {**d, "keys": {}}, '"keys" must be a non-empty list'),
        (lambda d: {**d, "keys": [d["keys"][0], 7]}, "key #2 is not an object"),
        (lambda d: {**d, "keys": [{**d["keys"][0], "id": 7}]}, 'key #1 has no "id"'),
        (lambda d: {**d, "keys": [{**d["keys"][0], "id": "k1", "key": 32}]},
         "key 'k1': \"key\" must be 32 bytes in base64"),
        (lambda d: {**d, "keys": [{**d["keys"][0], "id": "k1", "key": "!!"}]},
         "key 'k1': \"key\" must be 32 bytes in base64"),
        (lambda d: {**d, "keys": [{**d["keys"][0], "id": "k1", "created_at": 1700000000}]},
         "key 'k1': \"created_at\" must be an ISO 8601 time with a UTC offset"),
        (lambda d: {**d, "keys": [{**d["keys"][0], "id": "k1", "created_at": "yesterday"}]},
         "key 'k1': \"created_at\" must be an ISO 8601 time with a UTC offset"),
        (lambda d: {**d, "keys": d["keys"] * 2}, "two keys have the same id"),
    ],
)  # fmt: skip
def test_a_broken_key_file_is_refused_saying_which_key_and_what(
    tmp_path: Path, key_file: Path, change: Any, problem: str
) -> None:
    write_private(key_file, change(valid_document(tmp_path)))

    with pytest.raises(KeyringError) as refused:
        LocalKeyFileKeyring.load(key_file)
    assert str(refused.value) == f"{key_file} is not a usable welfarekit key file: {problem}"
    with pytest.raises(KeyringError) as refused_again:
        add_key(key_file)
    assert str(refused_again.value) == str(refused.value)


def test_a_key_with_a_stray_character_is_refused_not_read_as_another_key(
    tmp_path: Path, key_file: Path
) -> None:
    """base64 that a lenient decoder would read by skipping the stray character."""
    document = valid_document(tmp_path)
    document["keys"][0]["key"] = "*" + document["keys"][0]["key"]
    write_private(key_file, document)

    with pytest.raises(KeyringError, match='"key" must be 32 bytes in base64'):
        LocalKeyFileKeyring.load(key_file)


def test_an_empty_secret_wraps_and_unwraps(keyring: LocalKeyFileKeyring) -> None:
    wrapped = keyring.wrap(b"", associated_data=b"ad")

    assert len(wrapped.blob) == 1 + 12 + 16
    assert keyring.unwrap(wrapped, associated_data=b"ad") == b""
    with pytest.raises(SealBroken) as refused:
        keyring.unwrap(WrappedKey(wrapped.kek_id, wrapped.blob[:-1]), associated_data=b"ad")
    assert str(refused.value) == f"the key wrapped under {wrapped.kek_id!r} is malformed"


def test_unwrapping_refusals_say_why(key_file: Path, keyring: LocalKeyFileKeyring) -> None:
    second = add_key(key_file)
    both = LocalKeyFileKeyring.load(key_file)
    wrapped = both.wrap(b"secret", associated_data=b"ad")

    with pytest.raises(SealBroken) as altered:
        both.unwrap(wrapped, associated_data=b"other")
    assert str(altered.value) == (
        f"the key wrapped under {second!r} does not open: it belongs to another student or "
        "provider, or it was altered"
    )
    with pytest.raises(KeyringError) as unknown:
        both.unwrap(WrappedKey("0000", wrapped.blob), associated_data=b"ad")
    held = ", ".join(sorted([keyring.key_id, second]))
    assert str(unknown.value) == (
        f"the key file {key_file} holds no key-encryption key '0000' (it holds {held}): the "
        "key was wrapped under another key file, or its key was removed from this one"
    )


def test_a_failed_rewrite_keeps_the_old_file_and_leaves_no_temporary_file(
    key_file: Path, keyring: LocalKeyFileKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = key_file.read_bytes()
    renamed: list[tuple[Path, Path]] = []

    def refuse(source: str, target: Path) -> None:
        renamed.append((Path(source), Path(target)))
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(_keyfile.os, "replace", refuse)
    with pytest.raises(OSError, match="No space left"):
        add_key(key_file)

    ((temporary, target),) = renamed
    assert target == key_file
    # beside the key file (so the rename is atomic), hidden, and named for it
    assert temporary.parent == key_file.parent
    assert temporary.name.startswith(f".{key_file.name}.")
    assert temporary.name.endswith(".tmp")
    assert key_file.read_bytes() == before
    assert sorted(p.name for p in key_file.parent.iterdir()) == sorted(
        [key_file.name, f"{key_file.name}.lock"]
    )


def test_a_key_file_that_cannot_be_rewritten_says_where(
    key_file: Path, keyring: LocalKeyFileKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(**kwargs: object) -> tuple[int, str]:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(_keyfile.tempfile, "mkstemp", refuse)
    with pytest.raises(KeyringError) as refused:
        add_key(key_file)
    assert str(refused.value) == (f"cannot write beside the key file {key_file}: Permission denied")


# -- keysets --------------------------------------------------------------------------------


def test_a_keyset_serialises_as_compact_json(keyset: Keyset) -> None:
    data = keyset.to_bytes()

    assert b" " not in data
    assert b"\n" not in data
    assert Keyset.from_bytes(data).to_bytes() == data


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"{", "not JSON"),
        (b'{"v": 2, "keys": []}', "expected an object with version 1"),
        (b'{"v": 1, "keys": {}}', '"keys" must be a list'),
        (b'{"v": 1, "keys": [{"id": "0123456789abcdef"}]}', "bad key entry (KeyError)"),
        (b'{"v": 1, "keys": [7]}', "bad key entry (TypeError)"),
    ],
)
def test_a_malformed_keyset_says_what_is_wrong(data: bytes, problem: str) -> None:
    with pytest.raises(CryptoError) as refused:
        Keyset.from_bytes(data)
    assert str(refused.value) == f"malformed keyset: {problem}"


def test_a_keyset_key_with_a_stray_character_is_refused(keyset: Keyset) -> None:
    document = json.loads(keyset.to_bytes())
    document["keys"][0]["key"] = "*" + document["keys"][0]["key"]

    with pytest.raises(CryptoError, match=r"bad key entry \(Error\)"):
        Keyset.from_bytes(json.dumps(document).encode())


def test_disabling_refusals_say_why(keyset: Keyset) -> None:
    with pytest.raises(SealBroken) as unknown:
        keyset.disable("0000000000000000")
    assert str(unknown.value) == "no data key '0000000000000000' in this keyset"
    with pytest.raises(CryptoError) as primary:
        keyset.disable(keyset.primary.key_id)
    assert str(primary.value) == "the primary data key cannot be disabled; rotate first"


# -- sealing --------------------------------------------------------------------------------


def test_the_associated_data_is_the_framed_context(context: SealContext) -> None:
    assert context.associated_data() == frame(
        "welfarekit/seal-context/v1",
        "provider-1", "welfare_register", "case_record", "record-17", "body", "student-42", "1",
    )  # fmt: skip


def test_opened_text_that_is_not_utf8_is_a_broken_seal(
    keyset: Keyset, context: SealContext
) -> None:
    """A value sealed under the student's key by other software, holding bytes that are
    not UTF-8 text: it authenticates, and revealing it is a SealBroken, not a crash."""
    prefix = b"\x01" + bytes.fromhex(keyset.primary.key_id)
    nonce = os.urandom(12)
    aad = frame("welfarekit/seal/v1", prefix, context.associated_data())
    body = AESGCM(keyset.key(keyset.primary.key_id)).encrypt(nonce, b"\xff\xfe", aad)

    opened = open_sealed(keyset, prefix + nonce + body, context)
    with pytest.raises(SealBroken) as refused:
        opened.reveal()
    assert str(refused.value) == "the opened value is not UTF-8 text"


def test_different_texts_hash_apart(keyset: Keyset, context: SealContext) -> None:
    texts = [Plaintext(f"note {n}") for n in range(50)]

    assert len({hash(text) for text in texts}) > 1
    assert len(set(texts)) == 50
    assert open_sealed(keyset, seal(keyset, "note 7", context), context) in set(texts)


# -- blind indexes --------------------------------------------------------------------------


@pytest.mark.parametrize("population", [-1, True, 2.5, "100"])
def test_safe_bits_refuses_what_is_not_a_count(population: Any) -> None:
    with pytest.raises(InvalidValue) as refused:
        safe_bits(population)
    assert refused.value.field == "safe_bits.population"
    assert refused.value.reason == "must be a whole number, 0 or more"


# -- blind indexes: the values stored in databases stay the same ----------------------------

INDEX_SECRET = bytes(range(32))
INDEX_KEY = bytes.fromhex("7bf220067f7a4573a09573e9528118aca2177d441af41fb0d61ed44265219776")


def test_blind_index_keys_and_values_are_those_stored_by_earlier_releases() -> None:
    """HKDF-SHA256 of the secret, no salt, info framed from domain, provider and index; the
    index is the top bits of HMAC-SHA256 of the normalised value, big-endian."""
    assert blind_index_key(INDEX_SECRET, provider_id="p-1") == INDEX_KEY
    full = hmac.new(INDEX_KEY, b"010106A9018", hashlib.sha256).hexdigest()
    assert blind_index(INDEX_KEY, " 010106a9018", bits=32) == full[:8] == "9da0ca95"
    assert blind_index(INDEX_KEY, "010106A9018") == full[:4]
    assert blind_index(INDEX_KEY, "010106A9018", bits=5) == f"{int(full[:2], 16) >> 3:02x}"


def test_different_values_get_different_indexes() -> None:
    indexes = {blind_index(INDEX_KEY, f"0101{n:02d}A901{n % 10}", bits=32) for n in range(20)}

    assert len(indexes) == 20


@pytest.mark.parametrize(
    ("call", "field", "reason"),
    [
        (lambda: blind_index(b"short", "x"), "blind_index.key", "must be at least 32 bytes"),
        (lambda: blind_index(INDEX_KEY, 7), "blind_index.value", "must be a string"),
        (lambda: blind_index(INDEX_KEY, "x", bits=33), "blind_index.bits",
         "must be a whole number from 1 to 32"),
        (lambda: blind_index_key(b"short", provider_id="p"), "blind_index_key.provider_secret",
         "must be at least 32 random bytes"),
        (lambda: blind_index_key(INDEX_SECRET, provider_id=""), "blind_index_key.provider_id",
         "must be a non-empty string"),
        (lambda: blind_index_key(INDEX_SECRET, provider_id="p", index=""),
         "blind_index_key.index", "must be a non-empty string"),
        (lambda: DataKey("ABC", KeyStatus.ACTIVE, NOW), "DataKey.key_id",
         "must be 16 lowercase hex digits, not 'ABC'"),
        (lambda: DataKey("0123456789abcdef", KeyStatus.ACTIVE, NOW.replace(tzinfo=None)),
         "DataKey.created_at", "must be a datetime with a time zone"),
        (lambda: keyset_associated_data("", "s"), "keyset_associated_data.provider_id",
         "must be a non-empty string"),
        (lambda: keyset_associated_data("p", ""), "keyset_associated_data.student_id",
         "must be a non-empty string"),
    ],
)  # fmt: skip
def test_a_refused_value_names_its_field_and_why(
    call: Callable[[], object], field: str, reason: str
) -> None:
    with pytest.raises(InvalidValue) as refused:
        call()
    assert (refused.value.field, refused.value.reason) == (field, reason)


# -- keysets: ids, times and bindings -------------------------------------------------------

NOW = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)


def test_a_keyset_binds_both_provider_and_student() -> None:
    assert keyset_associated_data("p1", "s1") == frame("welfarekit/keyset/v1") + frame("p1", "s1")
    assert keyset_associated_data("p1", "s1") != keyset_associated_data("p2", "s1")
    assert keyset_associated_data("p1", "s1") != keyset_associated_data("p1", "s2")


def test_new_and_rotated_keys_are_dated_as_told_or_now_to_the_second() -> None:
    keyset = Keyset.new(now=NOW)
    rotated = keyset.rotate(now=NOW + dt.timedelta(days=1))
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    fresh = Keyset.new()

    assert keyset.primary.created_at == NOW
    assert rotated.primary.created_at == NOW + dt.timedelta(days=1)
    assert before <= fresh.primary.created_at <= dt.datetime.now(dt.UTC)
    assert fresh.primary.created_at.microsecond == 0


def test_a_new_key_id_never_repeats_one_in_the_keyset(
    keyset: Keyset, monkeypatch: pytest.MonkeyPatch
) -> None:
    taken = keyset.primary.key_id
    drawn = iter([taken, taken, "00000000000000aa"])
    monkeypatch.setattr(keyset_module.secrets, "token_hex", lambda n: next(drawn)[: 2 * n])

    rotated = keyset.rotate()

    assert [k.key_id for k in rotated.keys] == [taken, "00000000000000aa"]


@pytest.mark.parametrize(
    ("pairs", "problem"),
    [
        ([(DataKey("0123456789abcdef", KeyStatus.PRIMARY, NOW), bytes(31))],
         "every data key must be 32 bytes"),
        ([(DataKey("0123456789abcdef", KeyStatus.PRIMARY, NOW), "k" * 32)],
         "every data key must be 32 bytes"),
        ([(DataKey("0123456789abcdef", KeyStatus.PRIMARY, NOW), bytes(32)),
          (DataKey("0123456789abcdef", KeyStatus.ACTIVE, NOW), bytes(32))],
         "two keys have the same id"),
    ],
)  # fmt: skip
def test_a_keyset_of_bad_keys_is_refused(pairs: list[tuple[DataKey, Any]], problem: str) -> None:
    with pytest.raises(CryptoError) as refused:
        Keyset(pairs)
    assert str(refused.value) == f"malformed keyset: {problem}"


# -- reading the key file -------------------------------------------------------------------


def capped_reads(monkeypatch: pytest.MonkeyPatch, cap: int) -> list[int]:
    """Make every read return at most ``cap`` bytes, as some file systems do; count them."""
    read = os.read
    got: list[int] = []

    def short(fd: int, size: int) -> bytes:
        chunk = read(fd, min(size, cap))
        got.append(len(chunk))
        return chunk

    monkeypatch.setattr(_keyfile.os, "read", short)
    return got


def test_a_key_file_read_in_short_pieces_loads(
    key_file: Path, keyring: LocalKeyFileKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    got = capped_reads(monkeypatch, 7)

    assert LocalKeyFileKeyring.load(key_file).key_id == keyring.key_id
    assert sum(got) == key_file.stat().st_size


def test_a_huge_key_file_is_refused_after_reading_just_past_the_limit(
    key_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_private(key_file, " " * (3 << 20))
    got = capped_reads(monkeypatch, 1 << 16)

    with pytest.raises(KeyringError) as refused:
        LocalKeyFileKeyring.load(key_file)
    assert str(refused.value) == f"{key_file} is not a welfarekit key file: it is larger than 1 MiB"
    assert sum(got) == (1 << 20) + 1


def test_a_key_file_of_exactly_the_limit_is_read(key_file: Path) -> None:
    write_private(key_file, "[" + " " * ((1 << 20) - 2) + "]")

    with pytest.raises(KeyringError, match='expected a JSON object with "format"'):
        LocalKeyFileKeyring.load(key_file)


def test_reading_refusals_say_what_to_do(
    key_file: Path, keyring: LocalKeyFileKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = key_file.with_name("missing.json")
    with pytest.raises(KeyringError) as absent:
        LocalKeyFileKeyring.load(missing)
    assert str(absent.value) == (
        f"no key file at {missing}; create one with `welfarekit keys init` "
        "(or point the settings at the existing key file)"
    )

    def failing(fd: int, size: int) -> bytes:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(_keyfile.os, "read", failing)
    with pytest.raises(KeyringError) as unreadable:
        LocalKeyFileKeyring.load(key_file)
    assert str(unreadable.value) == f"cannot read the key file {key_file}: Input/output error"


def test_a_key_file_that_is_not_utf8_says_so(key_file: Path) -> None:
    key_file.write_bytes(b'{"format": "\xff"}')
    key_file.chmod(0o600)

    with pytest.raises(KeyringError) as refused:
        LocalKeyFileKeyring.load(key_file)
    assert str(refused.value) == f"{key_file} is not a welfarekit key file: not JSON (not UTF-8)"


# -- creating the key file ------------------------------------------------------------------


def test_a_new_key_file_is_indented_json_with_a_sixteen_digit_whole_second_key(
    key_file: Path,
) -> None:
    keyring = init_key_file(key_file)
    text = key_file.read_text()
    document = json.loads(text)

    assert text == json.dumps(document, indent=2) + "\n"
    assert keyring.path == key_file
    assert re.fullmatch(r"[0-9a-f]{16}", keyring.key_id)
    assert dt.datetime.fromisoformat(document["keys"][0]["created_at"]).microsecond == 0


def test_a_new_kek_id_never_repeats_one_in_the_file(
    key_file: Path, keyring: LocalKeyFileKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    taken = keyring.key_id + "0" * 16
    drawn = iter([taken, taken, "00000000000000aa" + "1" * 16])
    monkeypatch.setattr(keyring_module.secrets, "token_hex", lambda n: next(drawn)[: 2 * n])

    assert add_key(key_file) == "00000000000000aa"


def test_an_existing_key_file_is_never_overwritten_and_the_message_says_what_to_do(
    key_file: Path, keyring: LocalKeyFileKeyring
) -> None:
    with pytest.raises(KeyringError) as refused:
        init_key_file(key_file)
    assert str(refused.value) == (
        f"a key file already exists at {key_file}; refusing to overwrite it, since everything "
        "wrapped under its keys would become unreadable. To rotate, add a key to it "
        "(`welfarekit keys add`)"
    )


@posix_only
def test_the_key_file_is_owner_only_from_the_moment_it_exists(
    key_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not readable by others even before its mode is set, whatever the umask."""
    modes: list[int] = []
    fchmod = os.fchmod

    def watched(fd: int, mode: int) -> None:
        modes.append(stat.S_IMODE(os.fstat(fd).st_mode))
        fchmod(fd, mode)

    monkeypatch.setattr(_keyfile.os, "fchmod", watched)
    old = os.umask(0)
    try:
        init_key_file(key_file)
    finally:
        os.umask(old)
    assert modes == [0o600]


def test_a_failed_first_write_leaves_no_key_file(
    key_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(fd: int, data: object) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(_keyfile.os, "write", full)
    with pytest.raises(OSError, match="No space left on device"):
        init_key_file(key_file)
    assert not key_file.exists()


@posix_only
def test_writing_the_key_file_syncs_its_directory(
    key_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """So that the new file, or the renamed one, survives a crash."""
    synced: list[int] = []
    fsync = os.fsync

    def watched(fd: int) -> None:
        synced.append(os.fstat(fd).st_ino)
        fsync(fd)

    monkeypatch.setattr(_keyfile.os, "fsync", watched)
    init_key_file(key_file)
    add_key(key_file)

    assert synced.count(key_file.parent.stat().st_ino) == 2


def test_a_kek_wraps_as_earlier_releases_did(
    key_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keysets wrapped by earlier releases are in databases: the format cannot drift."""
    kek_id, secret = "3f9a0c1d2b4e5f60", bytes(range(32))
    write_private(
        key_file,
        {"format": "welfarekit-keyring", "version": 1, "current": kek_id,
         "keys": [{"id": kek_id, "key": base64.b64encode(secret).decode(),
                   "created_at": "2026-11-23T08:00:00+00:00", "status": "active"}]},
    )  # fmt: skip
    monkeypatch.setattr(keyring_module.os, "urandom", lambda n: bytes([7]) * n)

    wrapped = LocalKeyFileKeyring.load(key_file).wrap(b"keyset", associated_data=b"student-42")

    aad = frame("welfarekit/kek-wrap/v1", kek_id) + frame(b"student-42")
    body = AESGCM(secret).encrypt(bytes([7]) * 12, b"keyset", aad)
    assert wrapped == WrappedKey(kek_id, b"\x01" + bytes([7]) * 12 + body)


# -- sealing: what a caller is told ---------------------------------------------------------


def test_sealing_refusals_name_the_field_and_why(keyset: Keyset, context: SealContext) -> None:
    with pytest.raises(InvalidValue) as lone:
        seal(keyset, "\ud800", context)
    assert (lone.value.field, lone.value.reason) == ("seal.plaintext", "must be valid Unicode text")
    with pytest.raises(InvalidValue) as wrapped:
        seal(keyset, Plaintext("\ud800"), context)
    assert (wrapped.value.field, wrapped.value.reason) == (
        "seal.plaintext",
        "must be valid Unicode text",
    )
    with pytest.raises(TypeError, match=r"^seal\(\) takes text, not bytes$"):
        seal(keyset, b"note", context)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="^Plaintext wraps a str, not bytes$"):
        Plaintext(b"note")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"record_id": ""}, "SealContext.record_id", "must be a non-empty string"),
        ({"version": -1}, "SealContext.version", "must be a whole number, 0 or more"),
    ],
)
def test_a_bad_context_names_its_field(
    context: SealContext, change: dict[str, Any], field: str, reason: str
) -> None:
    with pytest.raises(InvalidValue) as refused:
        attrs.evolve(context, **change)
    assert (refused.value.field, refused.value.reason) == (field, reason)


def test_opening_refusals_say_why(keyset: Keyset, context: SealContext) -> None:
    sealed = seal(keyset, "note", context)
    where = "the sealed case_record 'record-17' field 'body' (version 1) does not open"

    with pytest.raises(SealBroken) as version:
        open_sealed(keyset, b"\x02" + sealed[1:], context)
    assert str(version.value) == f"{where}: unknown format version 2"
    with pytest.raises(SealBroken) as moved:
        open_sealed(keyset, sealed, attrs.evolve(context, version=2))
    assert str(moved.value) == (
        "the sealed case_record 'record-17' field 'body' (version 2) does not open: "
        "authentication failed: it belongs to another record, field, version, student, "
        "register or provider, or it was altered"
    )
    other = Keyset.new()
    with pytest.raises(SealBroken) as foreign:
        open_sealed(other, sealed, context)
    assert str(foreign.value) == (
        f"{where}: no data key {keyset.primary.key_id!r} in the keyset (it belongs to another "
        "student, or the key was destroyed)"
    )


def test_a_sealed_value_opens_from_a_bytearray(keyset: Keyset, context: SealContext) -> None:
    sealed = seal(keyset, "note", context)

    assert open_sealed(keyset, bytearray(sealed), context).reveal() == "note"
    assert open_sealed(keyset, memoryview(bytearray(sealed)), context).reveal() == "note"


def test_a_corrupt_key_file_says_where_the_json_breaks(key_file: Path) -> None:
    write_private(key_file, '{"format": ')

    with pytest.raises(KeyringError) as refused:
        LocalKeyFileKeyring.load(key_file)
    assert (
        str(refused.value) == f"{key_file} is not a welfarekit key file: not JSON (Expecting value)"
    )


def test_a_context_that_is_not_unicode_names_its_field(context: SealContext) -> None:
    with pytest.raises(InvalidValue) as refused:
        attrs.evolve(context, field="body\ud800")
    assert (refused.value.field, refused.value.reason) == (
        "SealContext.field",
        "must be valid Unicode text",
    )
