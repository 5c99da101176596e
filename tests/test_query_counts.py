"""Access paths issue a fixed number of statements, whatever the number of rows: a student's
timeline and a professional's caseload (counted on SQLite, where every statement goes through
SQLAlchemy's engine)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from casework_world import KURAATTORI, NOW, PSY, TEACHER, P, as_, form_expert_group, open_kit
from sqlalchemy import event

from welfarekit import Period, Role, Student, WelfareKit

YEAR = Period(start=dt.date(2026, 8, 1))


@pytest.fixture
def kit(tmp_path: Path) -> Iterator[WelfareKit]:
    with open_kit(tmp_path, database_url=f"sqlite:///{tmp_path / 'count.db'}") as opened:
        yield opened


@pytest.fixture
def statements(kit: WelfareKit) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(args[2])

    engine = kit.storage.engine  # type: ignore[attr-defined]
    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


def test_a_timeline_costs_the_same_with_1_and_40_entries(
    kit: WelfareKit, statements: list[str]
) -> None:
    form_expert_group(kit, [(KURAATTORI, Role.SCHOOL_SOCIAL_WORKER)])
    social_worker = as_(kit, KURAATTORI)
    social_worker.open_record(student_id="aino", group_id="g1", record_id="r1", subject="s",
                              background="b", initiator="i")  # fmt: skip
    counts = []
    for size in (1, 40):
        while len(social_worker.timeline("r1").entries) < size:
            social_worker.add_entry(record_id="r1", kind="measures", event_date=NOW.date(),
                                    text="Tapaaminen")  # fmt: skip
        statements.clear()
        assert len(social_worker.timeline("r1").entries) == size
        counts.append(len(statements))
    assert counts[0] == counts[1]


def test_a_caseload_costs_the_same_with_1_and_8_students(
    kit: WelfareKit, statements: list[str]
) -> None:
    counts = []
    for n in range(1, 9):
        kit.directory("sync").put(Student(
            id=f"s{n}", provider_id=P, institution_id="lukio", given_names="Opiskelija",
            family_name=f"Numero{n}", date_of_birth=dt.date(2010, 1, 1), home_municipality="X",
        ))  # fmt: skip
        as_(kit, TEACHER).refer(student_id=f"s{n}", professional_id="psy", concern="huoli")
        if n in (1, 8):
            statements.clear()
            caseload = as_(kit, PSY).caseload()
            counts.append(len(statements))
            assert len(caseload.items) == n
    assert counts[0] == counts[1]
    assert {item.student_id for item in caseload.items} == {f"s{n}" for n in range(1, 9)}
    assert as_(kit, TEACHER).caseload().items == ()  # a teacher's own caseload is empty
