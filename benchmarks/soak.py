"""Soak and load: many sessions at once, reading and writing through the SQLAlchemy adapter
on a database server for a bounded time; then every write accounted for and the audit
chain verified.

    python benchmarks/soak.py --db postgresql --seconds 180 --workers 8
    python benchmarks/run.py --soak --db postgresql [--soak-seconds S]   # with the rest

A host serves requests from threads sharing one kit per process (a threaded WSGI server),
so the workers here are threads sharing one :class:`WelfareKit`, each opening a session per
operation as a host does per request. They run a mix for ``--seconds``:

- ``write``: a professional of the student's expert group adds an entry to the record;
- ``batch``: the same, three entries of a meeting in one ``Session.batch()``;
- ``read``: a professional of the group reads the record's timeline, which must hold every
  entry the worker wrote to it before;
- ``denied``: a teacher, or a professional of another student's group, tries to read it and
  is refused (an audited refusal);
- ``book``: the group's psychologist publishes a slot and the student books it.

A :class:`~welfarekit.ConflictError` (another transaction appended to the provider's audit
chain first, or the database gave up on a deadlock) is retried with a growing, jittered
pause, as a host would; any other welfarekit error is tallied and any other exception is a
failure. Each worker keeps the ids of what it wrote with success, and of what it gave up.

At the end, through the public API (:meth:`Session.audit_trail`, :meth:`Session.timeline`,
:meth:`Session.bookings`, :meth:`Session.available_slots`), :func:`account` checks:

- the audit chain verifies end to end;
- the audit events written during the soak are exactly those the successful operations
  write, counted by actor, action and outcome (one per entry written, read or refused, one
  per booking): no operation unaudited, and nothing audited of an operation that failed;
- every entry reported written is in its record with the text written, and the soak's
  records hold no entry that was not reported written (a failed write or batch left
  nothing, not even a part);
- every booking reported is the student's, no slot whose booking failed has one, and every
  slot published is either booked or still free.

Without a database server the soak refuses to run: SQLite takes one writer at a time, so on
it the soak would measure its busy timeout rather than the adapter under concurrency.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import datetime as dt
import importlib.util
import random
import sys
import tempfile
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_decisions import YEAR, P, provider_objects

from welfarekit import (
    AccessDenied,
    Actor,
    AuditTrail,
    ConflictError,
    Membership,
    PersonKind,
    PersonRef,
    Role,
    Session,
    Settings,
    StaffMember,
    WelfareKit,
    WelfareKitError,
)
from welfarekit.audit_chain import ChainedEvent
from welfarekit.crypto import init_key_file

if TYPE_CHECKING:
    from run import Database

T = TypeVar("T")

TEXT = ("Käytiin läpi tilanne ja sovittiin tukitoimista. " * 10).strip()  # about 500 bytes
KINDS = {"write": 30, "batch": 10, "read": 35, "denied": 15, "book": 10}
"""The operations and their weights in the mix."""
BATCH = 3
"""Entries per ``batch`` operation."""
ATTEMPTS = 10
"""Tries of one step before a worker gives it up (a ConflictError each time)."""
PRINCIPAL = "principal"


class SoakFailed(AssertionError):
    """The accounting at the end found a problem (listed in the message)."""


@dataclass(frozen=True)
class Case:
    """A student with a consented expert group and its record."""

    student_id: str
    record_id: str
    members: tuple[str, ...]
    """The staff ids of the group's professionals (psychologist first)."""
    outsiders: tuple[str, ...]
    """Staff who may not read the record: teachers, other groups' professionals."""


@dataclass(frozen=True)
class World:
    cases: tuple[Case, ...]


@dataclass
class Tally:
    """One worker's account of what it did."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: collections.defaultdict(list))
    """Seconds of each successful operation, its retries included."""
    done: collections.Counter[str] = field(default_factory=collections.Counter)
    retries: collections.Counter[str] = field(default_factory=collections.Counter)
    conflicts: collections.Counter[str] = field(default_factory=collections.Counter)
    """Every ConflictError met (retried or not), by its cause (:func:`_cause`)."""
    gave_up: collections.Counter[str] = field(default_factory=collections.Counter)
    errors: collections.Counter[str] = field(default_factory=collections.Counter)
    """Welfarekit errors other than a retried conflict, by ``"kind: ErrorType"``."""
    failures: list[str] = field(default_factory=list)
    """Anything else raised, or a success that should not have been (a refusal allowed)."""
    entries: dict[str, str] = field(default_factory=dict)
    """Entry id -> record id of every entry reported written."""
    failed_entries: dict[str, str] = field(default_factory=dict)
    """Entry id -> record id of every entry whose write gave up or failed."""
    slots: dict[str, str] = field(default_factory=dict)
    """Slot id -> staff id of every slot reported published."""
    bookings: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Booking id -> (student id, slot id) of every booking reported made."""
    failed_bookings: dict[str, str] = field(default_factory=dict)
    """Slot id -> student id of bookings that failed."""
    audited: collections.Counter[tuple[str, str, str]] = field(default_factory=collections.Counter)
    """The audit events the successful operations write: (actor, action, outcome)."""


@dataclass
class SoakRun:
    workers: int
    seconds: float
    """Wall time from the start until the last worker finished."""
    tallies: list[Tally]
    first_sequence: int
    """The soak's audit events have sequence numbers from here ..."""
    last_sequence: int
    """... to here, inclusive."""

    def total(self) -> Tally:
        whole = Tally()
        for tally in self.tallies:
            for kind, samples in tally.latencies.items():
                whole.latencies[kind].extend(samples)
            for name in ("done", "retries", "conflicts", "gave_up", "errors", "audited"):
                getattr(whole, name).update(getattr(tally, name))
            for name in ("entries", "failed_entries", "slots", "bookings", "failed_bookings"):
                getattr(whole, name).update(getattr(tally, name))
            whole.failures += tally.failures
        return whole


@dataclass
class Accounting:
    problems: list[str]
    audit_events: int
    """Events the soak wrote (its window of the chain)."""
    chain_length: int
    verify_seconds: float
    entries_found: int
    bookings_found: int


# -- the world ---------------------------------------------------------------------------------


def staff(kit: WelfareKit, staff_id: str) -> Session:
    return kit.session(Actor(provider_id=P, person=PersonRef(PersonKind.STAFF, staff_id)))


def student(kit: WelfareKit, student_id: str) -> Session:
    return kit.session(Actor(provider_id=P, person=PersonRef(PersonKind.STUDENT, student_id)))


@contextlib.contextmanager
def opened_kit(url: str, folder: Path) -> Iterator[WelfareKit]:
    """A kit on ``url`` with a key file in ``folder``, the schema upgraded."""
    init_key_file(folder / "keys.json")
    settings = Settings(database_url=url, key_file=folder / "keys.json")
    with WelfareKit.open(settings) as kit:
        kit.upgrade_schema()
        yield kit


def build_world(kit: WelfareKit, students: int) -> World:
    """The benchmarks' provider (:func:`bench_decisions.provider_objects`: a case group
    for every tenth student, a psychologist and a school social worker in each) with a
    principal; each group's student consents to the group, whose psychologist opens its
    record, through the API as in :func:`bench_storage.psychologist_with_record`."""
    objects = provider_objects(students)
    objects.append(StaffMember(id=PRINCIPAL, provider_id=P, given_names="Rehtori",
                               family_name="Soak", roles={Role.PRINCIPAL},
                               employer="education_provider"))  # fmt: skip
    kit.directory("soak").put(*objects)
    members: dict[str, list[Membership]] = collections.defaultdict(list)
    for obj in objects:
        if isinstance(obj, Membership):
            members[obj.group_id].append(obj)
    teachers = sorted(o.id for o in objects if isinstance(o, StaffMember)
                      and o.roles & {Role.TEACHER, Role.GROUP_ADVISOR})  # fmt: skip
    professionals = sorted({m.member.id for group in members.values() for m in group})
    cases = []
    for group_id, group in sorted(members.items()):
        student_id = f"s{group_id.removeprefix('case')}"
        grantor = PersonRef(PersonKind.STUDENT, student_id)
        student(kit, student_id).record_expression_of_will(
            student_id=student_id, grantor=grantor, kind="consent",
            purpose="form_expert_group", group_id=group_id,
            covers_roles={Role.PSYCHOLOGIST, Role.SCHOOL_SOCIAL_WORKER}, validity=YEAR,
            method="electronic",
        )  # fmt: skip
        ordered = sorted(group, key=lambda m: m.role is not Role.PSYCHOLOGIST)
        ids = tuple(m.member.id for m in ordered)
        record = staff(kit, ids[0]).open_record(
            student_id=student_id, group_id=group_id, subject="Soak", background="Soak",
            initiator="soak", record_id=f"record-{group_id}",
        )  # fmt: skip
        outsiders = tuple(teachers + [p for p in professionals if p not in ids])
        cases.append(Case(student_id, record.id, ids, outsiders))
    return World(cases=tuple(cases))


def entry_text(entry_id: str) -> str:
    return f"{entry_id}: {TEXT}"


# -- the workers -------------------------------------------------------------------------------


class Worker:
    def __init__(self, kit: WelfareKit, world: World, seed: int, deadline: float) -> None:
        self.kit, self.world, self.deadline = kit, world, deadline
        self.rng = random.Random(seed)  # noqa: S311 - a workload mix, not a secret
        self.tally = Tally()
        self._kinds, self._weights = list(KINDS), list(KINDS.values())

    def run(self) -> None:
        operations: dict[str, Callable[[Case], bool]] = {
            "write": self.write, "batch": self.batch, "read": self.read,
            "denied": self.denied, "book": self.book,
        }  # fmt: skip
        while time.monotonic() < self.deadline:
            kind = self.rng.choices(self._kinds, self._weights)[0]
            case = self.rng.choice(self.world.cases)
            start = time.perf_counter()
            try:
                succeeded = operations[kind](case)
            except Exception as error:  # not welfarekit's: a failure of the soak
                self.tally.failures.append(f"{kind}: {_described(error)}")
                continue
            if succeeded:
                self.tally.done[kind] += 1
                self.tally.latencies[kind].append(time.perf_counter() - start)

    def attempt(self, kind: str, step: Callable[[], T]) -> tuple[bool, T | None]:
        """Run ``step``, again after a ConflictError (at most :data:`ATTEMPTS` times):
        (True, its result), or (False, None) when it gave up or raised another welfarekit
        error (tallied). Anything else propagates."""
        for attempt in range(ATTEMPTS):
            try:
                return True, step()
            except ConflictError as conflict:
                self.tally.conflicts[_cause(conflict)] += 1
                if attempt == ATTEMPTS - 1:
                    break
                self.tally.retries[kind] += 1
                time.sleep(self.rng.uniform(0, min(0.2, 0.002 * 2**attempt)))
            except WelfareKitError as error:
                self.tally.errors[f"{kind}: {type(error).__name__}"] += 1
                return False, None
        self.tally.gave_up[kind] += 1
        return False, None

    def _writer(self, case: Case) -> str:
        return self.rng.choice(case.members)

    def write(self, case: Case) -> bool:
        return self._write(case, "write", 1)

    def batch(self, case: Case) -> bool:
        return self._write(case, "batch", BATCH)

    def _write(self, case: Case, kind: str, count: int) -> bool:
        writer = self._writer(case)
        ids = [uuid.uuid4().hex for _ in range(count)]
        day = dt.date.today()  # noqa: DTZ011 - an entry's date, as a host would give it

        def write() -> None:
            session = staff(self.kit, writer)
            with session.batch() if count > 1 else contextlib.nullcontext():
                for entry_id in ids:
                    session.add_entry(record_id=case.record_id, kind="measures",
                                      event_date=day, text=entry_text(entry_id),
                                      entry_id=entry_id)  # fmt: skip

        ok, _ = self.attempt(kind, write)
        written = self.tally.entries if ok else self.tally.failed_entries
        written.update(dict.fromkeys(ids, case.record_id))
        if ok:
            self.tally.audited[(f"staff:{writer}", "welfare_record.write", "success")] += count
        return ok

    def read(self, case: Case) -> bool:
        """Read the timeline, which must hold every entry this worker wrote to the record
        before (another connection of the pool wrote them, and they were committed)."""
        reader = self._writer(case)
        mine = {i for i, record in self.tally.entries.items() if record == case.record_id}
        ok, timeline = self.attempt(
            "read", lambda: staff(self.kit, reader).timeline(case.record_id)
        )  # fmt: skip
        if not ok or timeline is None:
            return False
        self.tally.audited[(f"staff:{reader}", "welfare_record.read", "success")] += 1
        unseen = mine - {entry.id for entry, _ in timeline.entries}
        if unseen:
            self.tally.failures.append(f"read: {case.record_id} lacks {len(unseen)} entries "
                                       f"written before, e.g. {min(unseen)}")  # fmt: skip
        return True

    def denied(self, case: Case) -> bool:
        outsider = self.rng.choice(case.outsiders)

        def try_to_read() -> bool:
            try:
                staff(self.kit, outsider).timeline(case.record_id)
            except AccessDenied:
                return True
            return False

        ok, refused = self.attempt("denied", try_to_read)
        if ok and not refused:
            self.tally.failures.append(f"denied: {outsider} read {case.record_id}")
            return False
        if ok:
            self.tally.audited[(f"staff:{outsider}", "welfare_record.read", "denied")] += 1
        return ok

    def book(self, case: Case) -> bool:
        psychologist, slot_id = case.members[0], uuid.uuid4().hex
        starts = dt.datetime.now(dt.UTC) + dt.timedelta(days=1 + self.rng.randrange(60),
                                                        minutes=self.rng.randrange(480))  # fmt: skip
        published, _ = self.attempt("book", lambda: staff(self.kit, psychologist)
                                    .publish_availability(service=Role.PSYCHOLOGIST,
                                                          starts_at=starts, slot_id=slot_id,
                                                          ends_at=starts + dt.timedelta(minutes=45)))  # fmt: skip
        if not published:
            return False
        self.tally.slots[slot_id] = psychologist
        booked, appointment = self.attempt(
            "book", lambda: student(self.kit, case.student_id).book(
                slot_id, student_id=case.student_id)
        )  # fmt: skip
        if not booked or appointment is None:
            self.tally.failed_bookings[slot_id] = case.student_id
            return False
        self.tally.bookings[appointment.booking.id] = (case.student_id, slot_id)
        self.tally.audited[(f"student:{case.student_id}", "booking.write", "success")] += 1
        return True


def _cause(conflict: ConflictError) -> str:
    """What a ConflictError met: another transaction appended to the audit chain first, the
    database broke a deadlock or a lock wait, or something else (its words)."""
    text = str(conflict).lower()
    for words, cause in (("audit entr", "audit chain"), ("deadlock", "deadlock"),
                         ("lock wait", "lock wait timeout"), ("serializ", "serialization")):  # fmt: skip
        if words in text:
            return cause
    return str(conflict)[:80]


def _described(error: BaseException) -> str:
    where = traceback.extract_tb(error.__traceback__)[-1:]
    at = f" at {where[0].filename}:{where[0].lineno}" if where else ""
    return f"{type(error).__module__}.{type(error).__name__}: {error}{at}"


def _chain_head(kit: WelfareKit) -> int:
    """The sequence of the newest audit event: the principal's own look at the trail."""
    trail = staff(kit, PRINCIPAL).audit_trail(newest=1)
    return trail.entries[0].sequence


def soak(kit: WelfareKit, world: World, *, seconds: float, workers: int, seed: int = 0) -> SoakRun:
    """Run ``workers`` threads on ``kit`` for ``seconds``; each finishes the operation it is
    in when the time is up."""
    first = _chain_head(kit) + 1
    deadline = time.monotonic() + seconds
    crew = [Worker(kit, world, seed + n, deadline) for n in range(workers)]
    threads = [threading.Thread(target=w.run, name=f"soak-{n}") for n, w in enumerate(crew)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    last = _chain_head(kit) - 1
    return SoakRun(workers=workers, seconds=elapsed, tallies=[w.tally for w in crew],
                   first_sequence=first, last_sequence=last)  # fmt: skip


# -- the accounting ----------------------------------------------------------------------------


def account(kit: WelfareKit, world: World, run: SoakRun) -> Accounting:
    """Check, through the public API, that the soak's writes and audit events are all there
    and nothing else is (see the module's text). Reading is audited too, after the soak's
    window of the chain, so this may run more than once."""
    whole = run.total()
    problems = [f"failed: {failure}" for failure in whole.failures]
    problems += [f"unexpected error, {name}: {n}×" for name, n in sorted(whole.errors.items())]
    start = time.perf_counter()
    trail = staff(kit, PRINCIPAL).audit_trail(newest=10**9)
    verify_seconds = time.perf_counter() - start
    window = [e for e in trail.entries if run.first_sequence <= e.sequence <= run.last_sequence]
    problems += _audit_problems(trail, window, run, whole)
    entries_found, entry_problems = _entry_problems(kit, world, whole)
    bookings_found, booking_problems = _booking_problems(kit, world, whole)
    return Accounting(problems=problems + entry_problems + booking_problems,
                      audit_events=len(window), chain_length=trail.total,
                      verify_seconds=verify_seconds, entries_found=entries_found,
                      bookings_found=bookings_found)  # fmt: skip


def _audit_problems(
    trail: AuditTrail, window: list[ChainedEvent], run: SoakRun, whole: Tally
) -> list[str]:
    """The chain verifies, and its soak window holds exactly the events the successful
    operations write, by (actor, action, outcome)."""
    problems = []
    if not trail.verification.ok:
        problems.append(f"the audit chain does not verify: {trail.verification.problem} "
                        f"(first broken: {trail.verification.first_broken})")  # fmt: skip
    if len(window) != run.last_sequence - run.first_sequence + 1:
        problems.append(f"the chain's window {run.first_sequence}..{run.last_sequence} has "
                        f"{len(window)} events")  # fmt: skip
    found = collections.Counter((e.event.actor, e.event.action, e.event.outcome.value)
                                for e in window)  # fmt: skip
    for key in sorted(set(found) | set(whole.audited)):
        if found[key] != whole.audited[key]:
            problems.append(f"audit events {key}: {found[key]} in the chain, "
                            f"{whole.audited[key]} by the successful operations")  # fmt: skip
    return problems


def _entry_problems(kit: WelfareKit, world: World, whole: Tally) -> tuple[int, list[str]]:
    """Every entry reported written is in its record as written; no other entry is."""
    problems, found = [], 0
    expected = whole.entries
    for case in world.cases:
        timeline = staff(kit, case.members[0]).timeline(case.record_id)
        stored = {entry.id: entry for entry, _ in timeline.entries}
        found += len(stored)
        wanted = {i for i, record in expected.items() if record == case.record_id}
        for entry_id in sorted(wanted - set(stored)):
            problems.append(f"lost write: entry {entry_id} of {case.record_id} was reported "
                            "written but is not in the record")  # fmt: skip
        for entry_id in sorted(set(stored) - wanted):
            why = "a write that failed" if entry_id in whole.failed_entries else "no write"
            problems.append(f"entry {entry_id} in {case.record_id} is from {why}")
        for entry_id in sorted(wanted & set(stored) & set(whole.entries)):
            if stored[entry_id].text != entry_text(entry_id):
                problems.append(f"entry {entry_id} does not read back as written")
    return found, problems


def _booking_problems(kit: WelfareKit, world: World, whole: Tally) -> tuple[int, list[str]]:
    """Every booking reported is the student's and no other is; every slot published is
    booked or free; no slot whose booking failed is booked."""
    problems, found = [], 0
    for case in world.cases:
        appointments = student(kit, case.student_id).bookings(student_id=case.student_id)
        have = {a.booking.id for a in appointments}
        found += len(have)
        wanted = {b for b, (s, _) in whole.bookings.items() if s == case.student_id}
        for booking_id in sorted(wanted - have):
            problems.append(f"lost write: booking {booking_id} was reported made but the "
                            f"student {case.student_id} has no such booking")  # fmt: skip
        for booking_id in sorted(have - wanted):
            problems.append(f"booking {booking_id} of {case.student_id} was never reported")
    booked = {slot for _, slot in whole.bookings.values()}
    free: set[str] = set()
    for psychologist in sorted({case.members[0] for case in world.cases}):
        free |= {s.id for s in staff(kit, psychologist).available_slots(staff_id=psychologist)}
    for slot_id in sorted(set(whole.slots) - booked - free):
        problems.append(f"lost write: slot {slot_id} was reported published but is neither "
                        "booked nor free")  # fmt: skip
    for slot_id in sorted(set(whole.failed_bookings) & booked):
        problems.append(f"slot {slot_id} has a booking although booking it failed")
    return found, problems


# -- figures -----------------------------------------------------------------------------------


def _benchmarks_run() -> Any:
    """benchmarks/run.py, found by its path: a test run may have put another folder with a
    ``run.py`` (the fuzz harnesses') before this one on ``sys.path``."""
    name = "welfarekit_benchmarks_run"
    found = sys.modules.get(name)
    if found is None:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("run.py"))
        assert spec is not None
        assert spec.loader is not None
        found = importlib.util.module_from_spec(spec)
        sys.modules[name] = found
        spec.loader.exec_module(found)
    return found


def figures(run: SoakRun, accounting: Accounting) -> list[dict[str, object]]:
    """The figures in the shape of :func:`run.summary`: per kind of operation its latency
    (p50, p99) with its rate, retries and give-ups in the name and as fields; then the
    audit chain's verification."""
    summary = _benchmarks_run().summary

    whole = run.total()
    results = []
    label = f"{run.workers} threads, {run.seconds:.0f} s"
    for kind in KINDS:
        samples = whole.latencies.get(kind) or [0.0]
        done, rate = whole.done[kind], whole.done[kind] / run.seconds
        retries, gave_up = whole.retries[kind], whole.gave_up[kind]
        results.append(summary(
            f"soak {kind} ({label}): {rate:.1f}/s, {retries} retries, {gave_up} gave up",
            samples, percentiles=True, operations=done, per_second=rate, retries=retries,
            gave_up=gave_up,
        ))  # fmt: skip
    results.append(summary(
        f"soak: verify the audit chain of {accounting.chain_length:,} events "
        f"({accounting.audit_events:,} from the soak)", [accounting.verify_seconds],
        audit_events=accounting.audit_events, chain_length=accounting.chain_length,
        entries=accounting.entries_found, bookings=accounting.bookings_found,
        conflicts=dict(whole.conflicts), errors=dict(whole.errors), problems=accounting.problems,
    ))  # fmt: skip
    return results


def report(run: SoakRun, accounting: Accounting) -> str:
    whole = run.total()
    total_ops = sum(whole.done.values())
    lines = [f"soak: {run.workers} threads for {run.seconds:.1f} s, {total_ops:,} operations "
             f"({total_ops / run.seconds:.1f}/s)"]  # fmt: skip
    for kind in KINDS:
        samples = sorted(whole.latencies.get(kind) or [0.0])
        p50 = samples[len(samples) // 2] * 1e3
        p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))] * 1e3
        lines.append(f"  {kind:<7} {whole.done[kind]:>7,} done  {whole.done[kind] / run.seconds:>7.1f}/s"
                     f"  p50 {p50:>7.1f} ms  p99 {p99:>7.1f} ms  {whole.retries[kind]:>6,} retries"
                     f"  {whole.gave_up[kind]:>4,} gave up")  # fmt: skip
    causes = ", ".join(f"{cause} {n:,}" for cause, n in whole.conflicts.most_common()) or "none"
    lines.append(f"  conflicts met: {causes}")
    errors = ", ".join(f"{k} {n}" for k, n in sorted(whole.errors.items())) or "none"
    lines.append(f"  other welfarekit errors: {errors}; failures: {len(whole.failures)}")
    lines.append(f"  audit: {accounting.audit_events:,} events from the soak, all accounted "
                 f"for; the chain of {accounting.chain_length:,} verified in "
                 f"{accounting.verify_seconds:.2f} s" if not accounting.problems else
                 f"  audit: {accounting.audit_events:,} events from the soak")  # fmt: skip
    lines.append(f"  read back: {accounting.entries_found:,} entries, "
                 f"{accounting.bookings_found:,} bookings; {len(whole.failed_entries):,} entries "
                 "of failed writes absent")  # fmt: skip
    lines += [f"  PROBLEM: {problem}" for problem in accounting.problems]
    return "\n".join(lines)


def soak_on(url: str, folder: Path, *, seconds: float, workers: int, students: int,
            before_accounting: Callable[[WelfareKit, World, SoakRun], None] | None = None,
            ) -> tuple[SoakRun, Accounting]:  # fmt: skip
    """Build the world on an empty database at ``url``, soak, and account."""
    with opened_kit(url, folder) as kit:
        world = build_world(kit, students)
        run = soak(kit, world, seconds=seconds, workers=workers)
        if before_accounting is not None:
            before_accounting(kit, world, run)
        return run, account(kit, world, run)


def run(
    timed: Callable[..., list[float]], *, quick: bool, database: Database,
    seconds: float | None = None, workers: int | None = None,
) -> list[dict[str, object]]:  # fmt: skip
    """For ``benchmarks/run.py --soak``: raises :class:`SoakFailed` when the accounting
    finds a problem (a benchmark never fails on a slow machine, but a lost write is no
    figure)."""
    seconds = seconds if seconds is not None else (3.0 if quick else 180.0)
    workers = workers if workers is not None else (4 if quick else 8)
    with tempfile.TemporaryDirectory() as folder, database(Path(folder)) as url:
        if url.startswith("sqlite"):
            raise SoakFailed("the soak needs a database server: --db postgresql (or mariadb)")
        soaked, accounting = soak_on(url, Path(folder), seconds=seconds, workers=workers,
                                     students=100 if quick else 1000)  # fmt: skip
    print(report(soaked, accounting), end="\n\n")
    if accounting.problems:
        raise SoakFailed("\n".join(accounting.problems))
    return figures(soaked, accounting)


def main(argv: list[str] | None = None) -> int:
    import os

    import run as runner

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="postgresql", metavar="postgresql|mariadb|URL")
    parser.add_argument("--seconds", type=float, default=180.0)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--students", type=int, default=1000)
    args = parser.parse_args(argv)
    variable = {"postgresql": "WELFAREKIT_TEST_POSTGRESQL_URL",
                "mariadb": "WELFAREKIT_TEST_MARIADB_URL"}.get(args.db)  # fmt: skip
    server = (os.environ.get(variable) or runner.DATABASES[args.db]) if variable else args.db
    if not server or server.startswith("sqlite"):
        parser.error("the soak needs a database server: --db postgresql, mariadb or a URL")
    database = runner.databases(server)
    with tempfile.TemporaryDirectory() as folder, database(Path(folder)) as url:
        soaked, accounting = soak_on(url, Path(folder), seconds=args.seconds,
                                     workers=args.workers, students=args.students)  # fmt: skip
    print(report(soaked, accounting))
    return 1 if accounting.problems else 0


if __name__ == "__main__":
    sys.exit(main())
