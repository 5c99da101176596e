"""Fixtures of the crypto tests: a fresh key file, a student's keyset and a record's context."""

from __future__ import annotations

from pathlib import Path

import pytest

from welfarekit.crypto import Keyset, LocalKeyFileKeyring, SealContext, init_key_file


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    return tmp_path / "keys.json"


@pytest.fixture
def keyring(key_file: Path) -> LocalKeyFileKeyring:
    return init_key_file(key_file)


@pytest.fixture
def keyset() -> Keyset:
    return Keyset.new()


@pytest.fixture
def context() -> SealContext:
    return SealContext(
        provider_id="provider-1",
        register="welfare_register",
        record_type="case_record",
        record_id="record-17",
        field="body",
        student_id="student-42",
        version=1,
    )
