"""Storing sealed record entries with their audit events, batched, against the peers a user
would pick instead, on the same database in the same run:

- plain SQLAlchemy Core ``executemany`` of the same rows, unencrypted (the floor);
- sqlalchemy-utils' ``StringEncryptedType`` with its AES-GCM engine, the usual way to
  encrypt a column (no access decisions, no audit).

welfarekit writes through ``Session.batch()``: every entry decided, sealed under the
student's key and audited, one commit. Reading is a record's timeline (decided, audited,
every entry opened) against a plain ``SELECT`` and a decrypting one.
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
            reads = {
                "plain Core select": _select(engine, plain),
                "sqlalchemy-utils select (decrypting)": _select(engine, encrypted),
                "welfarekit timeline (decide, audit, open)":
                    lambda: psychologist.timeline(record_id),
            }  # fmt: skip
            stored = len(psychologist.timeline(record_id).entries)
            read = {name: [s / stored for s in timed(read_all, repeats, 1)]
                    for name, read_all in reads.items()}  # fmt: skip
    floor, peer, mine = written.values()
    read_floor, read_peer, read_mine = read.values()
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
    encrypted = table("bench_encrypted_entries", StringEncryptedType(Text, key, AesGcmEngine))
    metadata.create_all(engine)
    return plain, encrypted


def _select(engine: Any, table: Any) -> Callable[[], list[Any]]:
    def read_all() -> list[Any]:
        with engine.connect() as connection:
            return list(connection.execute(table.select().where(table.c.student_id == "s0")))

    return read_all
