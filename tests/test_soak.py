"""The soak and load test (benchmarks/soak.py) in small, on PostgreSQL: a second and a half of
concurrent sessions, then the accounting — which passes, and which fails when a write is
lost, when a failed write left a row, or when the audit chain is rewritten.

One soak serves every check (a soak is seconds, not milliseconds), so they are one test, in
order: the clean accounting first, then each sabotage on top of the previous ones."""

from __future__ import annotations

import sys
from pathlib import Path

from sqlalchemy import delete, update

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import soak

from welfarekit_sqlalchemy.sealed_tables import audit_events, sealed_entries
from welfarekit_sqlalchemy.testing import SharedDatabases


def test_every_write_is_accounted_for_and_the_accounting_can_fail(
    tmp_path: Path, shared_databases: SharedDatabases
) -> None:
    url = shared_databases.clean("postgresql")  # skipped unless the server's URL is set
    with soak.opened_kit(url, tmp_path) as kit:
        world = soak.build_world(kit, students=20)
        run = soak.soak(kit, world, seconds=1.5, workers=3)
        whole = run.total()
        assert all(whole.done[kind] for kind in ("write", "read", "denied"))

        accounting = soak.account(kit, world, run)
        assert accounting.problems == []
        assert accounting.audit_events == sum(whole.audited.values())
        assert accounting.entries_found == len(whole.entries)
        assert accounting.bookings_found == len(whole.bookings)
        assert soak.account(kit, world, run).problems == []  # reading back counts nothing
        figures = soak.figures(run, accounting)
        assert sum(int(f.get("operations", 0)) for f in figures) == sum(whole.done.values())  # type: ignore[call-overload]

        # a row left behind by a write that reported failure (the worker's tally says so;
        # its audit event is left counted, so that only the entry's check can see it)
        tally = next(t for t in run.tallies if t.entries)
        entry_id, record_id = next(iter(tally.entries.items()))
        tally.failed_entries[entry_id] = tally.entries.pop(entry_id)
        problems = soak.account(kit, world, run).problems
        assert problems == [f"entry {entry_id} in {record_id} is from a write that failed"]
        tally.entries[entry_id] = tally.failed_entries.pop(entry_id)
        assert soak.account(kit, world, run).problems == []

        # a write reported as done that the database lost
        engine = kit.storage.engine  # type: ignore[attr-defined]
        lost, its_record = next(iter(run.total().entries.items()))
        with engine.begin() as connection:
            connection.execute(delete(sealed_entries).where(sealed_entries.c.id == lost))
        problems = soak.account(kit, world, run).problems
        assert problems == [f"lost write: entry {lost} of {its_record} was reported written "
                            "but is not in the record"]  # fmt: skip

        # an audit event rewritten
        with engine.begin() as connection:
            connection.execute(update(audit_events)
                               .where(audit_events.c.sequence == run.first_sequence)
                               .values(reason="rewritten"))  # fmt: skip
        problems = soak.account(kit, world, run).problems
        assert problems[0].startswith("the audit chain does not verify")
        assert f"(first broken: {run.first_sequence})" in problems[0]
