"""Key-encryption-key rotation at the size of a large provider: every student's keyset
rewrapped under a new KEK (``welfarekit keys rotate``), against the issue's target of
20,000 keysets a second.

The students and their keysets are written straight into the storage's tables in large
batches (real keysets, wrapped under the current KEK with each student's associated data,
so that the rotation unwraps and rewraps every one); the rotation itself runs through the
public function a host calls, :func:`welfarekit.keys.rewrap_keysets`.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench_decisions import P

from welfarekit import Settings, WelfareKit
from welfarekit.crypto import Keyset, LocalKeyFileKeyring, add_key, init_key_file
from welfarekit.crypto.keyset import keyset_associated_data
from welfarekit.keys import rewrap_keysets
from welfarekit.model import EducationProvider, Institution, Student
from welfarekit.sealed import StoredKeyset

if TYPE_CHECKING:
    from run import Database

TARGET_PER_SECOND = 20_000


def run(
    timed: Callable[..., list[float]], *, quick: bool, database: Database
) -> list[dict[str, object]]:
    from run import summary

    students = 2_000 if quick else 100_000
    with tempfile.TemporaryDirectory() as folder, database(Path(folder)) as url:
        key_file = Path(folder) / "keys.json"
        init_key_file(key_file)
        with WelfareKit.open(Settings(database_url=url, key_file=key_file)) as kit:
            kit.upgrade_schema()
            kit.directory("bench").put(
                EducationProvider(id=P, name="Bench"),
                Institution(id="school", provider_id=P, name="School", kind="vocational"),
            )
            _fill(kit, LocalKeyFileKeyring.load(key_file), students)
            add_key(key_file)
            keyring = LocalKeyFileKeyring.load(key_file)
            reports = []
            seconds = timed(lambda: reports.append(rewrap_keysets(kit.storage, keyring)), 1, 1)
    (report,) = reports
    assert report.rewrapped == students, report
    rate = students / min(seconds)
    return [
        summary(
            f"KEK rotation: rewrap {students:,} keysets (per keyset; {rate:,.0f} a second)",
            [s / students for s in seconds],
            ratio=rate / TARGET_PER_SECOND,
            against=f"the target of {TARGET_PER_SECOND:,} keysets a second (≥ 1×)",
        )
    ]


def _fill(kit: WelfareKit, keyring: Any, students: int) -> None:
    """``students`` students, each with a keyset wrapped under the current KEK."""
    from sqlalchemy import insert

    from welfarekit_sqlalchemy.storage import _shape

    engine = kit.storage.engine  # type: ignore[attr-defined]
    student_shape, keyset_shape = _shape(Student), _shape(StoredKeyset)
    at = dt.datetime(2026, 11, 30, 8, tzinfo=dt.UTC)
    chunk = 10_000
    with engine.begin() as connection:
        for start in range(0, students, chunk):
            ids = [f"s{n}" for n in range(start, min(students, start + chunk))]
            connection.execute(insert(student_shape.table), [
                student_shape.to_row(Student(
                    id=i, provider_id=P, institution_id="school", given_names="S",
                    family_name=i, date_of_birth=dt.date(2009, 1, 1), home_municipality="X",
                )) for i in ids
            ])  # fmt: skip
            rows = []
            for i in ids:
                wrapped = Keyset.new().wrap(keyring, keyset_associated_data(P, i))
                rows.append(keyset_shape.to_row(StoredKeyset(
                    provider_id=P, student_id=i, kek_id=wrapped.kek_id, blob=wrapped.blob,
                    updated_at=at,
                )))  # fmt: skip
            connection.execute(insert(keyset_shape.table), rows)
