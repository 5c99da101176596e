"""Faults during a sealed write: whatever step fails — the sealed data, the keyset, the
audit event, the notification, the commit — either everything of the operation is there
afterwards or nothing is, and the error is a typed, retry-safe StorageError."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from casework_world import PSY, SECRET, TEACHER, P, as_, open_kit

from welfarekit import StorageError, WelfareKit
from welfarekit.model import OutboxMessage
from welfarekit.sealed import SealedReferral, StoredKeyset
from welfarekit.storage import StorageAdapter, StorageTransaction

WRITES = (
    "save",
    "save_many",
    "insert",
    "append_audit",
    "append_audit_many",
    "delete",
    "replace_ciphertext",
    "replace_keysets",
)


class FaultyStorage:
    """Wraps a storage adapter and fails the ``fail_at``-th write of the next operation (or
    the commit of the transaction after its last write, when ``fail_at`` is one past it), as
    a dropped connection or a full disk would."""

    def __init__(self, inner: StorageAdapter) -> None:
        self.inner = inner
        self.fail_at: int | None = None
        self.writes = 0

    @contextmanager
    def transaction(self) -> Iterator[StorageTransaction]:
        with self.inner.transaction() as tx:
            yield _FaultyTransaction(tx, self)  # type: ignore[misc]
            if self.fail_at is not None and self.fail_at == self.writes + 1:
                raise StorageError("the connection was lost at commit (injected)")

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


class _FaultyTransaction:
    def __init__(self, tx: StorageTransaction, owner: FaultyStorage) -> None:
        self._tx, self._owner = tx, owner

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._tx, name)
        if name not in WRITES:
            return attribute

        def write(*args: Any, **kwargs: Any) -> Any:
            owner = self._owner
            owner.writes += 1
            if owner.fail_at is not None and owner.writes == owner.fail_at:
                raise StorageError(f"the disk is full (injected at write {owner.writes})")
            return attribute(*args, **kwargs)

        return write


def _state(kit: WelfareKit) -> tuple[int, int, int, int]:
    with kit.storage.transaction() as tx:
        return (
            len(tx.list(SealedReferral, P)),
            len(tx.list(OutboxMessage, P)),
            len(tx.audit_entries(P)),
            len(tx.list(StoredKeyset, P)),
        )


@pytest.fixture
def kit(tmp_path: Path, database_url: str) -> Iterator[WelfareKit]:
    with open_kit(tmp_path, database_url=database_url) as opened:
        yield opened


def test_a_fault_at_any_step_of_a_sealed_write_leaves_all_or_nothing(kit: WelfareKit) -> None:
    """A first referral for a student writes the student's keyset, the sealed referral, its
    audit events and the notifications: fail each write in turn, then the commit."""
    faulty = FaultyStorage(kit.storage)
    kit.storage = faulty  # type: ignore[assignment]
    before = _state(kit)
    errors: list[str] = []
    for fail_at in itertools.count(1):
        faulty.writes, faulty.fail_at = 0, fail_at
        try:
            as_(kit, TEACHER).refer(student_id="aino", professional_id="psy", concern=SECRET)
        except StorageError as error:
            faulty.fail_at = None
            errors.append(str(error))
            assert _state(kit) == before, f"a partial write after a fault at step {fail_at}"
            continue
        break  # past the commit: it went through, and the retries were safe
    faulty.fail_at = None
    assert all("injected" in error for error in errors)
    assert fail_at >= 5  # keyset, referral, audit, two notifications, at least
    after = _state(kit)
    assert after[0] == before[0] + 1
    assert after[3] == before[3] + 1  # the keyset came with it
    assert [r.concern for r in as_(kit, PSY).referrals()] == [SECRET]


def test_a_fault_in_a_booking_leaves_the_slot_free(kit: WelfareKit) -> None:
    import datetime as dt

    from casework_world import AINO, NOW

    faulty = FaultyStorage(kit.storage)
    kit.storage = faulty  # type: ignore[assignment]
    start = NOW + dt.timedelta(days=1)
    slot = as_(kit, PSY).publish_availability(service="psychologist", starts_at=start,
                                              ends_at=start + dt.timedelta(hours=1))  # fmt: skip
    for fail_at in itertools.count(1):
        faulty.writes, faulty.fail_at = 0, fail_at
        try:
            as_(kit, AINO).book(slot.id, student_id="aino")
        except StorageError:
            faulty.fail_at = None
            assert [s.id for s in as_(kit, AINO).available_slots()] == [slot.id]
            continue
        break  # past the last step: the booking went through
    faulty.fail_at = None
    assert as_(kit, AINO).available_slots() == []
    assert len(as_(kit, PSY).bookings()) == 1


KILLED_WRITER = """
import os, signal, sys
sys.path.insert(0, sys.argv[2])
from casework_world import SECRET, TEACHER, as_, open_kit
from pathlib import Path

kit = open_kit(Path(sys.argv[1]), database_url="sqlite:///" + sys.argv[1] + "/killed.db")
storage = kit.storage
original = storage.transaction


class Dying:
    def __init__(self):
        self.writes = 0

    def __call__(self):
        manager = original()

        class Wrapped:
            def __enter__(inner):
                tx = manager.__enter__()
                real_save = tx.save

                def save(entity):
                    real_save(entity)
                    self.writes += 1
                    if type(entity).__name__ == "SealedReferral":
                        os.kill(os.getpid(), signal.SIGKILL)  # the process dies mid-write

                tx.save = save
                return tx

            def __exit__(inner, *exc):
                return manager.__exit__(*exc)

        return Wrapped()


storage.transaction = Dying()
as_(kit, TEACHER).refer(student_id="aino", professional_id="psy", concern=SECRET)
"""


def test_a_process_killed_mid_write_leaves_nothing(tmp_path: Path) -> None:
    import subprocess
    import sys

    script = tmp_path / "killed_writer.py"
    script.write_text(KILLED_WRITER, encoding="utf-8")
    tests = Path(__file__).resolve().parent
    result = subprocess.run([sys.executable, str(script), str(tmp_path), str(tests)],
                            capture_output=True, text=True, check=False, timeout=60)  # fmt: skip
    assert result.returncode == -9, result.stderr  # killed, not finished
    kit = open_kit(tmp_path, database_url=f"sqlite:///{tmp_path / 'killed.db'}")
    with kit.storage.transaction() as tx:
        assert tx.list(SealedReferral, P) == []
        assert tx.list(OutboxMessage, P) == []
    assert as_(kit, PSY).referrals() == []
    as_(kit, TEACHER).refer(student_id="aino", professional_id="psy", concern=SECRET)
    assert [r.concern for r in as_(kit, PSY).referrals()] == [SECRET]
    kit.close()
