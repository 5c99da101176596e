"""Scale: the per-operation figures on a database of 10,000 and of 1,000,000 record entries.

A welfare register grows for years; an operation on one student must not slow down with it
(no hidden linear cost: a scan, an unindexed filter, a count over the whole chain). The
same operations on one student — a decision, writing an entry, reading the timeline, the
subject access copy — are timed with the rest of the register small and large, and the
ratio printed (target: within 1.5×).

The other students' entries are filler: sealed-looking rows written straight into the
storage's tables in large batches (they are never opened), so that building a million of
them takes a minute rather than an hour. The measured student's data goes through the API.

The directory is the same at both sizes (10,000 students, their staff and groups): only the
register grows, so that the figures show its cost alone. (With the directory growing too,
the measured psychologist's caseload grew from 7 to 30 groups, and a decision on them with
it: a cost of the actor's own caseload, not of the register's size.)
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench_decisions import NOW, RECORD, P, provider_objects
from bench_storage import psychologist_with_record

from welfarekit import Action, Actor, PersonKind, PersonRef, Settings, WelfareKit
from welfarekit.crypto import init_key_file
from welfarekit.sealed import SealedEntry, SealedRecord

if TYPE_CHECKING:
    from run import Database

TEXT = ("Käytiin läpi tilanne ja sovittiin tukitoimista. " * 42).strip()  # about 2 KiB
OWN_ENTRIES = 50


def run(
    timed: Callable[..., list[float]], *, quick: bool, database: Database
) -> list[dict[str, object]]:
    from run import summary

    sizes = (2_000, 20_000) if quick else (10_000, 1_000_000)
    students = 200 if quick else 10_000
    repeats, inner = (2, 3) if quick else (5, 20)
    figures: dict[str, list[list[float]]] = {}
    for total in sizes:
        with tempfile.TemporaryDirectory() as folder, database(Path(folder)) as url:
            for name, samples in _measure(
                Path(folder), url, total, students, timed, repeats=repeats, inner=inner
            ):
                figures.setdefault(name, []).append(samples)
    results = []
    small, large = sizes
    for name, (at_small, at_large) in figures.items():
        results.append(summary(f"{name}, {small:,} entries in the register", at_small))
        results.append(summary(f"{name}, {large:,} entries in the register", at_large,
                               ratio=min(at_large) / min(at_small),
                               against=f"{small:,} (target ≤ 1.5×)"))  # fmt: skip
    return results


def _measure(
    folder: Path, url: str, total: int, students: int, timed: Callable[..., list[float]], *,
    repeats: int, inner: int,
) -> Iterator[tuple[str, list[float]]]:  # fmt: skip
    init_key_file(folder / "keys.json")
    with WelfareKit.open(Settings(database_url=url, key_file=folder / "keys.json")) as kit:
        kit.upgrade_schema()
        kit.directory("bench").put(*provider_objects(students))
        _fill(kit, students, total)
        psychologist, record_id = psychologist_with_record(kit)
        student = kit.session(Actor(provider_id=P, person=PersonRef(PersonKind.STUDENT, "s0")),
                              now=NOW)  # fmt: skip
        for _ in range(OWN_ENTRIES):
            psychologist.add_entry(record_id=record_id, kind="measures",
                                   event_date=NOW.date(), text=TEXT)  # fmt: skip
        yield "session.decide", timed(lambda: psychologist.decide(Action.READ, RECORD), repeats,
                                      inner)  # fmt: skip
        yield "write one entry", timed(
            lambda: psychologist.add_entry(record_id=record_id, kind="measures",
                                           event_date=NOW.date(), text=TEXT),
            repeats, inner)  # fmt: skip
        yield (f"read a timeline of {OWN_ENTRIES}+ entries",
               timed(lambda: psychologist.timeline(record_id), repeats, max(1, inner // 4)))  # fmt: skip
        yield "subject access copy", timed(lambda: student.export_subject_data("s0"), repeats,
                                           max(1, inner // 10))  # fmt: skip


def _fill(kit: WelfareKit, students: int, total: int) -> None:
    """``total`` filler entries spread over one record per case group but the measured
    student's, written in large batches through the storage's own row conversion."""
    from sqlalchemy import insert

    from welfarekit_sqlalchemy.storage import _shape

    groups = list(range(10, students, 10))  # case0 is the measured student's
    per_record = max(1, total // max(1, len(groups)))
    at = dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC)
    author = PersonRef(PersonKind.STAFF, "staff0")
    content = os.urandom(len(TEXT) + 60)
    engine = kit.storage.engine  # type: ignore[attr-defined]
    record_shape, entry_shape = _shape(SealedRecord), _shape(SealedEntry)

    def rows() -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
        for index in groups:
            student_id, record_id = f"s{index}", f"r{index}"
            header = SealedRecord(id=record_id, provider_id=P, student_id=student_id,
                                  group_id=f"case{index}", opened_at=at, opened_by=author,
                                  content=content)  # fmt: skip
            entries = [
                entry_shape.to_row(
                    SealedEntry(
                        id=f"{record_id}.{n}",
                        provider_id=P,
                        record_id=record_id,
                        student_id=student_id,
                        kind="meeting",
                        event_date=at.date(),
                        recorded_at=at,
                        author=author,
                        version=1,
                        content=content,
                    )
                )
                for n in range(per_record)
            ]
            yield record_shape.to_row(header), entries

    batch: list[dict[str, Any]] = []
    with engine.begin() as connection:
        for header, entries in rows():
            connection.execute(insert(record_shape.table), [header])
            batch += entries
            if len(batch) >= 20_000:
                connection.execute(insert(entry_shape.table), batch)
                batch = []
        if batch:
            connection.execute(insert(entry_shape.table), batch)
