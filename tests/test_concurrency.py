"""Optimistic locking with real threads (and, on the servers, real connections): a stale
write raises ConflictError and overwrites nothing; of simultaneous writes one wins."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from casework_world import (
    KURAATTORI,
    PRINCIPAL,
    SECRET,
    as_,
    form_expert_group,
    open_kit,
)

from welfarekit import ConflictError, Period, Role, StorageError, WelfareKit

YEAR = Period(start=__import__("datetime").date(2026, 8, 1))


@pytest.fixture
def kit(tmp_path: Path, database_url: str) -> Iterator[WelfareKit]:
    with open_kit(tmp_path, database_url=database_url) as opened:
        yield opened


def race(attempts: list[Callable[[], object]]) -> list[str]:
    """Run the attempts at the same moment; each outcome is "won", "conflict" or the error."""
    barrier, lock, outcomes = threading.Barrier(len(attempts)), threading.Lock(), []

    def run(attempt: Callable[[], object]) -> None:
        barrier.wait()
        try:
            attempt()
            result = "won"
        except ConflictError:
            result = "conflict"
        except StorageError as error:  # SQLite may report a busy database: retry-safe too
            result = "conflict" if "locked" in str(error) else repr(error)
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run, args=(a,)) for a in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


def record(kit: WelfareKit) -> str:
    form_expert_group(kit, [(KURAATTORI, Role.SCHOOL_SOCIAL_WORKER)])
    social_worker = as_(kit, KURAATTORI)
    social_worker.open_record(student_id="aino", group_id="g1", record_id="r1", subject="s",
                              background=SECRET, initiator="i")  # fmt: skip
    social_worker.add_entry(record_id="r1", kind="measures", event_date=YEAR.start,
                            text="Ensimmäinen versio", entry_id="e1")  # fmt: skip
    return "e1"


def test_a_stale_correction_is_refused_and_overwrites_nothing(kit: WelfareKit) -> None:
    entry = record(kit)
    social_worker = as_(kit, KURAATTORI)
    corrected = social_worker.correct_entry(
        entry_id=entry, text="Toinen versio", reason="tarkennus"
    )
    assert corrected.id == "e1.v2"
    with pytest.raises(ConflictError, match="corrected meanwhile"):
        social_worker.correct_entry(entry_id=entry, text="Vanhan päälle", reason="vanha näkymä")
    newest = social_worker.correct_entry(entry_id="e1.v2", text="Kolmas", reason="lisäys")
    assert newest.id == "e1.v3"
    texts = [e.text for e in social_worker.timeline("r1").current]
    assert texts == ["Kolmas"]


def test_simultaneous_corrections_of_one_version_give_one(kit: WelfareKit) -> None:
    entry = record(kit)
    attempts = [
        lambda n=n: as_(kit, KURAATTORI).correct_entry(
            entry_id=entry, text=f"Versio {n}", reason="samaan aikaan"
        )
        for n in range(3)
    ]
    assert race(attempts) == ["conflict", "conflict", "won"]
    timeline = as_(kit, KURAATTORI).timeline("r1")
    assert len(timeline.entries) == 2
    assert len(timeline.current) == 1


def test_a_stale_plan_edit_is_refused_and_simultaneous_edits_give_one(kit: WelfareKit) -> None:
    principal = as_(kit, PRINCIPAL)
    principal.start_welfare_plan()
    principal.edit_plan_section("goals", body="Toinen", expected_version=1)
    with pytest.raises(ConflictError, match="at version 2 now, not 1"):
        principal.edit_plan_section("goals", body="Vanhan päälle", expected_version=1)
    attempts = [  # three editors who all read version 2
        lambda n=n: as_(kit, PRINCIPAL).edit_plan_section(
            "goals", body=f"Samaan aikaan {n}", expected_version=2
        )
        for n in range(3)
    ]
    assert race(attempts) == ["conflict", "conflict", "won"]
    assert [v.version for v in principal.plan_history("goals")] == [1, 2, 3]
