"""The smallest host: open welfarekit on a SQLite file, mirror part of a school register
into its directory, and read it back.

    python examples/embed_minimal.py /tmp/school.sqlite3
"""

from __future__ import annotations

import datetime as dt
import sys

import welfarekit
from welfarekit import (
    EducationProvider,
    Guardian,
    Guardianship,
    Institution,
    Period,
    Settings,
    Student,
    WelfareKit,
)


class PrintingAuditSink:
    """A host's own plugin object: sees every audit event (here it only counts them)."""

    def __init__(self) -> None:
        self.count = 0

    @welfarekit.hookimpl
    def welfarekit_audit_event(self, event: welfarekit.AuditEvent) -> None:
        self.count += 1


def main(database: str) -> int:
    sink = PrintingAuditSink()
    with WelfareKit.open(Settings(database_url=database), plugins=[sink]) as kit:
        kit.upgrade_schema()
        directory = kit.directory("sis-sync")
        born = dt.date(2010, 3, 1)
        directory.put(
            EducationProvider(id="harjula", name="Harjulan koulutuskuntayhtymä"),
            Institution(id="lukio", provider_id="harjula", name="Harjulan lukio",
                        kind="general_upper_secondary"),
            Student(id="aino", provider_id="harjula", institution_id="lukio",
                    given_names="Aino", family_name="Korhonen", date_of_birth=born,
                    home_municipality="Jyväskylä"),
            Guardian(id="sanna", provider_id="harjula", given_names="Sanna",
                     family_name="Korhonen", email="sanna@koti.example"),
            Guardianship(provider_id="harjula", guardian_id="sanna", student_id="aino",
                         validity=Period(start=born)),
        )  # fmt: skip
        aino = directory.get(Student, "harjula", "aino")
        guardians = directory.list(Guardianship, "harjula", student_id="aino")
        print(f"{aino.full_name}: {len(guardians)} guardian(s); {sink.count} audit events")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "sqlite:///welfarekit-example.sqlite3"))
