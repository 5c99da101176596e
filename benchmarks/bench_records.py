"""The record's life on the embedded SQLite, through the public API, on the demo provider.

- writing one record entry (decide, audit, seal, store in one transaction), against a bare
  ``sqlite3`` insert and commit of the same amount of bytes in the same kind of file;
- reading a record's timeline (decide, audit, open every entry);
- exporting a student's complete copy;
- rewrapping every keyset under a new key-encryption key, and rotating every student's
  data key with re-encryption (per keyset / student).
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from welfarekit import Actor, PersonRef, Settings, WelfareKit
from welfarekit.crypto import LocalKeyFileKeyring, add_key, init_key_file
from welfarekit.demo import DEMO_PROVIDER_ID, build_consent_demo, build_demo, build_record_demo
from welfarekit.keys import rewrap_keysets, rotate_data_keys, rotation_cutoff

if TYPE_CHECKING:
    from run import Database

TEXT = ("Käytiin läpi tilanne ja sovittiin tukitoimista. " * 42).strip()  # about 2 KiB
RECORD = "demo-record-aino"


def run(
    timed: Callable[..., list[float]], *, quick: bool, database: Database
) -> list[dict[str, object]]:
    from run import summary
    from sqlalchemy import Column, Integer, LargeBinary, MetaData, Table, create_engine

    repeats, inner = (2, 5) if quick else (5, 60)
    with tempfile.TemporaryDirectory() as folder, database(Path(folder)) as url:
        root = Path(folder)
        init_key_file(root / "keys.json")
        settings = Settings(database_url=url, key_file=root / "keys.json")
        now = dt.datetime.now(dt.UTC)
        with WelfareKit.open(settings) as kit:
            build_demo(kit)
            build_consent_demo(kit, now)
            build_record_demo(kit, now)
            minna = kit.session(Actor(provider_id=DEMO_PROVIDER_ID,
                                      person=PersonRef("staff", "minna.lehtonen")))  # fmt: skip
            aino = kit.session(Actor(provider_id=DEMO_PROVIDER_ID,
                                     person=PersonRef("student", "aino.korhonen")))  # fmt: skip

            # the floor: a plain SQLAlchemy Core insert and commit of as many bytes, in a
            # table of the same database
            engine = create_engine(url)
            table = Table("bench_floor", MetaData(), Column("id", Integer, primary_key=True),
                          Column("body", LargeBinary))  # fmt: skip
            table.create(engine)
            payload = os.urandom(len(TEXT.encode()) + 28)

            def bare_insert() -> None:
                with engine.begin() as connection:
                    connection.execute(table.insert(), {"body": payload})

            floor = timed(bare_insert, repeats, inner)
            results = [summary("Core insert+commit of 2 KiB (the floor)", floor)]
            writing = timed(lambda: minna.add_entry(record_id=RECORD, kind="measures",
                                                    event_date=now.date(), text=TEXT),
                            repeats, inner)  # fmt: skip
            results.append(summary("write one record entry (decide, audit, seal, store)",
                                   writing, ratio=min(floor) / min(writing),
                                   against="bare insert"))  # fmt: skip
            # the figures are for a record of 1,000 entries: top it up
            wanted = 100 if quick else 1000
            before = len(minna.timeline(RECORD).entries)
            fewer = _statements(kit, lambda: minna.timeline(RECORD))
            for _ in range(wanted - len(minna.timeline(RECORD).entries)):
                minna.add_entry(record_id=RECORD, kind="measures", event_date=now.date(),
                                text=TEXT)  # fmt: skip
            entries = len(minna.timeline(RECORD).entries)
            queries = _statements(kit, lambda: minna.timeline(RECORD))
            reading = timed(lambda: minna.timeline(RECORD), repeats, max(1, inner // 5))
            results.append(summary(
                f"read a timeline of {entries} entries ({queries} queries; {fewer} at "
                f"{before} entries)", reading,
                target="< 50 ms at 1,000 entries; a fixed number of queries"))  # fmt: skip
            exporting = timed(lambda: aino.export_subject_data("aino.korhonen").to_json(),
                              repeats, max(1, inner // 20))  # fmt: skip
            html = timed(lambda: aino.export_subject_data("aino.korhonen").to_html(), 1, 1)
            results.append(summary(f"export a student's complete copy ({entries} entries, JSON)",
                                   exporting, target="< 1 s (JSON + HTML)"))  # fmt: skip
            results.append(summary("  the same as HTML", html))

            results += _rotation_figures(kit, root, timed)
            engine.dispose()
    return results


def _statements(kit: WelfareKit, operation: Callable[[], object]) -> int:
    """How many SQL statements ``operation`` sends (the storage's engine, counted)."""
    from sqlalchemy import event

    engine = kit.storage.engine  # type: ignore[attr-defined]
    count = 0

    def seen(*_: object) -> None:
        nonlocal count
        count += 1

    event.listen(engine, "before_cursor_execute", seen)
    try:
        operation()
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    return count


def _rotation_figures(
    kit: WelfareKit, root: Path, timed: Callable[..., list[float]]
) -> list[dict[str, object]]:
    """Rewrapping every keyset under a new key-encryption key, and rotating every student's
    data key with re-encryption (per keyset / student)."""
    from run import summary

    results: list[dict[str, object]] = []
    add_key(root / "keys.json")
    keyring = LocalKeyFileKeyring.load(root / "keys.json")
    rewrapped = timed(lambda: rewrap_keysets(kit.storage, keyring), 1, 1)
    keysets = rewrap_keysets(kit.storage, keyring).keysets
    results.append(summary(f"KEK rotation: rewrap {keysets} keysets (per keyset)",
                           [s / keysets for s in rewrapped]))  # fmt: skip
    kit.reload_keys()
    report = None

    def rotate() -> None:
        nonlocal report
        report = rotate_data_keys(kit.storage, kit.vault, primary_before=rotation_cutoff())

    rotating = timed(rotate, 1, 1)
    assert report is not None
    results.append(summary(
        f"data-key rotation: {report.students} students, {report.resealed} values "
        "(per student, with the wait for the cutoff second)",
        [s / max(1, report.students) for s in rotating],
    ))  # fmt: skip
    return results
