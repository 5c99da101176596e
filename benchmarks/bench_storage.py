"""Storing sealed record entries with their audit events, batched, against the peers a user
would pick instead, on the same database in the same run:

- plain SQLAlchemy Core ``executemany`` of the same rows, unencrypted (the floor);
- sqlalchemy-utils' ``StringEncryptedType`` with its AES-GCM engine, the usual way to
  encrypt a column (no access decisions, no audit).

welfarekit writes through ``Session.batch()``: every entry decided, sealed under the
student's key and audited, one commit. Reading is a record's timeline (decided, audited,
every entry opened) against a plain ``SELECT`` and a decrypting one.

The design floor, measured in the same run: what any design that seals each entry and
writes an audit row per entry pays at least, with no Python of its own. Writing: plain Core
``executemany`` of rows shaped exactly as welfarekit's (a sealed entry row with the same
columns, sizes, key and indexes, and an audit event row likewise), plus one raw AES-GCM
encrypt per entry. Reading: a plain Core select of those sealed entry rows as stored, plus
one raw AES-GCM decrypt per row. Each is printed with the ratio it alone would reach
against the peers, so that the targets' reach on this design is a measured figure.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench_decisions import NOW, YEAR, P, provider_objects

from welfarekit import Actor, PersonKind, PersonRef, Role, Settings, WelfareKit
from welfarekit.crypto import init_key_file

if TYPE_CHECKING:
    from run import Database

TEXT = ("Käytiin läpi tilanne ja sovittiin tukitoimista. " * 42).strip()  # about 2 KiB


def run(
    timed: Callable[..., list[float]], *, quick: bool, database: Database
) -> list[dict[str, object]]:
    from run import summary

    rows = 200 if quick else 2000
    repeats = 2 if quick else 5
    with tempfile.TemporaryDirectory() as folder, database(Path(folder)) as url:
        init_key_file(Path(folder) / "keys.json")
        settings = Settings(database_url=url, key_file=Path(folder) / "keys.json")
        with WelfareKit.open(settings) as kit:
            kit.upgrade_schema()
            kit.directory("bench").put(*provider_objects(200))
            psychologist, record_id = psychologist_with_record(kit)
            engine = kit.storage.engine  # type: ignore[attr-defined]
            plain, encrypted = _peer_tables(engine)
            texts = [f"{TEXT} {n}" for n in range(rows)]

            def ours() -> None:
                with psychologist.batch():
                    for text in texts:
                        psychologist.add_entry(record_id=record_id, kind="measures",
                                               event_date=NOW.date(), text=text)  # fmt: skip

            def core(table: Any) -> Callable[[], None]:
                def write() -> None:
                    with engine.begin() as connection:
                        connection.execute(table.insert(), [
                            {"student_id": "s0", "record_id": record_id, "text": text}
                            for text in texts
                        ])  # fmt: skip

                return write

            per_row = [
                ("plain Core executemany", core(plain)),
                ("sqlalchemy-utils StringEncryptedType (AES-GCM)", core(encrypted)),
                ("welfarekit: decide, seal, audit in one batch", ours),
            ]
            written = {name: [s / rows for s in timed(write, repeats, 1)]
                       for name, write in per_row}  # fmt: skip
            design = _Floor(engine, record_id, rows)  # shaped as the rows just written
            written["design floor"] = [s / rows for s in timed(design.write, repeats, 1)]
            reads = {
                "plain Core select": _select(engine, plain),
                "sqlalchemy-utils select (decrypting)": _select(engine, encrypted),
                "welfarekit timeline (decide, audit, open)":
                    lambda: psychologist.timeline(record_id),
            }  # fmt: skip
            reads["design floor"] = design.read
            stored = len(psychologist.timeline(record_id).entries)
            assert design.stored() == stored, "the floor reads as many rows as the timeline"
            read = {name: [s / stored for s in timed(read_all, repeats, 1)]
                    for name, read_all in reads.items()}  # fmt: skip
    floor, peer, mine, write_floor = written.values()
    read_floor, read_peer, read_mine, read_design = read.values()
    names = list(written)
    return [
        summary(f"write {rows} entries: {names[0]} (per row)", floor),
        summary(f"write {rows} entries: {names[1]} (per row)", peer),
        summary(f"write {rows} entries: {names[2]} (per row)", mine,
                ratio=min(floor) / min(mine), against="plain throughput (target ≥ 0.4×)"),
        summary("  the same against sqlalchemy-utils", mine, ratio=min(peer) / min(mine),
                against="sqlalchemy-utils throughput (target ≥ 2×)"),
        summary(f"read {stored} entries: plain Core select (per row)", read_floor),
        summary(f"read {stored} entries: sqlalchemy-utils select (per row)", read_peer),
        summary(f"read {stored} entries: welfarekit timeline (per row)", read_mine,
                ratio=min(read_peer) / min(read_mine),
                against="sqlalchemy-utils throughput (target ≥ 4×)"),
        summary(f"design floor, write {rows}: Core executemany of an entry row and an audit "
                "row, raw AES-GCM encrypt (per entry)", write_floor,
                ratio=min(floor) / min(write_floor), against="plain throughput (target ≥ 0.4×)"),
        summary("  the same against sqlalchemy-utils", write_floor,
                ratio=min(peer) / min(write_floor),
                against="sqlalchemy-utils throughput (target ≥ 2×)"),
        summary(f"design floor, read {stored}: Core select of the sealed entry rows, raw AES-GCM "
                "decrypt (per row)", read_design,
                ratio=min(read_floor) / min(read_design), against="plain throughput"),
        summary("  the same against sqlalchemy-utils", read_design,
                ratio=min(read_peer) / min(read_design),
                against="sqlalchemy-utils throughput (target ≥ 4×)"),
    ]  # fmt: skip


def psychologist_with_record(kit: WelfareKit) -> tuple[Any, str]:
    """The psychologist of student s0's expert group, with the group's record opened."""
    student = PersonRef(PersonKind.STUDENT, "s0")
    kit.session(Actor(provider_id=P, person=student), now=NOW).record_expression_of_will(
        student_id="s0", grantor=student, kind="consent", purpose="form_expert_group",
        group_id="case0", covers_roles={Role.PSYCHOLOGIST}, validity=YEAR, method="electronic",
    )  # fmt: skip
    psychologist = kit.session(Actor(provider_id=P, person=PersonRef(PersonKind.STAFF,
                                                                     "staff0")), now=NOW)  # fmt: skip
    record = psychologist.open_record(student_id="s0", group_id="case0", subject="Bench",
                                      background="Bench", initiator="bench")  # fmt: skip
    return psychologist, record.id


def _peer_tables(engine: Any) -> tuple[Any, Any]:
    from sqlalchemy import Column, Integer, MetaData, String, Table, Text
    from sqlalchemy_utils import StringEncryptedType  # type: ignore[import-untyped]
    from sqlalchemy_utils.types.encrypted.encrypted_type import (  # type: ignore[import-untyped]
        AesGcmEngine,
    )

    metadata = MetaData()
    key = os.urandom(32).hex()

    def table(name: str, kind: Any) -> Table:
        return Table(name, metadata, Column("id", Integer, primary_key=True),
                     Column("student_id", String(64)), Column("record_id", String(64)),
                     Column("text", kind))  # fmt: skip

    plain = table("bench_plain_entries", Text)
    # its column is a VARCHAR of the ciphertext in base64, which MySQL and MariaDB want sized
    encrypted = table("bench_encrypted_entries",
                      StringEncryptedType(Text, key, AesGcmEngine, length=8192))  # fmt: skip
    metadata.create_all(engine)
    return plain, encrypted


class _Floor:
    """The design floor: welfarekit's own rows, written and read by plain Core, with one raw
    AES-GCM call per entry and no Python of welfarekit's.

    Its tables copy the columns, primary keys and indexes of welfarekit's sealed entries
    and audit events (without the foreign keys, which SQLite does not check anyway); each
    written row is the newest stored one with a new id (and audit sequence) and its content
    sealed afresh: the same sizes. Reading selects a record's rows as the timeline does
    and decrypts each content."""

    def __init__(self, engine: Any, record_id: str, rows: int) -> None:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM
        from sqlalchemy import Column, Index, MetaData, PrimaryKeyConstraint, Table, select

        from welfarekit_sqlalchemy.sealed_tables import audit_events, sealed_entries

        metadata = MetaData()

        def copy(table: Table) -> Table:
            name = f"bench_floor_{table.name}"
            columns = [Column(c.name, c.type, nullable=c.nullable) for c in table.columns]
            made = Table(name, metadata, *columns,
                         PrimaryKeyConstraint(*(c.name for c in table.primary_key.columns)))  # fmt: skip
            for n, index in enumerate(table.indexes):
                Index(f"{name}_{n}", *(made.c[c.name] for c in index.columns))
            return made

        self._engine, self._record_id, self._rows = engine, record_id, rows
        self._entries, self._events = copy(sealed_entries), copy(audit_events)
        metadata.create_all(engine)
        with engine.connect() as connection:
            entry = connection.execute(select(sealed_entries).where(
                sealed_entries.c.record_id == record_id).limit(1)).mappings().one()  # fmt: skip
            event = connection.execute(select(audit_events).order_by(
                audit_events.c.sequence.desc()).limit(1)).mappings().one()  # fmt: skip
        self._entry, self._event = dict(entry), dict(event)
        content = bytes(entry["content"])
        self._prefix = content[:9]  # version and key id, as stored
        self._payload = os.urandom(len(content) - 9 - 12 - 16)  # the sealed JSON's size
        self._aad = os.urandom(120)  # about the size of an entry's associated data
        self._cipher = AESGCM(AESGCM.generate_key(bit_length=256))
        self._written = 0

    def write(self) -> None:
        cipher, payload, aad, prefix = self._cipher, self._payload, self._aad, self._prefix
        start, self._written = self._written, self._written + self._rows
        entries, events = [], []
        for n in range(start, start + self._rows):
            nonce = os.urandom(12)
            entries.append(self._entry | {
                "id": f"{n:032x}", "content": prefix + nonce + cipher.encrypt(nonce, payload, aad)
            })  # fmt: skip
            events.append(self._event | {"sequence": n + 1, "event_id": f"{n:032x}"})
        with self._engine.begin() as connection:
            connection.execute(self._entries.insert(), entries)
            connection.execute(self._events.insert(), events)

    def read(self) -> int:
        table, cipher, aad = self._entries, self._cipher, self._aad
        with self._engine.connect() as connection:
            rows = connection.execute(table.select().where(
                table.c.provider_id == self._entry["provider_id"],
                table.c.record_id == self._record_id)).all()  # fmt: skip
        for row in rows:
            content = bytes(row.content)
            cipher.decrypt(content[9:21], content[21:], aad)
        return len(rows)

    def stored(self) -> int:
        return self._written


def _select(engine: Any, table: Any) -> Callable[[], list[Any]]:
    def read_all() -> list[Any]:
        with engine.connect() as connection:
            return list(connection.execute(table.select().where(table.c.student_id == "s0")))

    return read_all
