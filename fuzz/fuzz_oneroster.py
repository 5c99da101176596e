"""atheris: a OneRoster bundle with one CSV file made of any bytes (the first byte picks
which; the others are the plugin's sample), read and imported into an in-memory kit. A
refused import must leave the directory as it was."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, os.path.dirname(__file__))

from harness import fuzz_main, typed
from welfarekit_oneroster import FILES, ImportReport, RosterMapping, import_bundle

from welfarekit import EducationProvider, Settings, Student, WelfareKit
from welfarekit.errors import WelfareKitError

SAMPLE = Path(__file__).resolve().parents[1] / "plugins/welfarekit-oneroster/tests/bundle"
NAMES = sorted(FILES)
MAPPING = RosterMapping.load(SAMPLE / "mapping.toml")
KIT = WelfareKit.open(Settings(database_url="memory://", plugins=()))
FOLDER = Path(tempfile.mkdtemp(prefix="fuzz-oneroster-"))
for source in SAMPLE.iterdir():
    shutil.copy(source, FOLDER / source.name)


def state() -> tuple[object, ...]:
    with KIT.storage.transaction() as tx:
        return (tuple(tx.list(EducationProvider, None)),
                tuple(sorted(repr(s) for s in tx.list(Student, MAPPING.provider_id))))  # fmt: skip


def test_one_input(data: bytes) -> None:
    name = NAMES[data[0] % len(NAMES)] if data else NAMES[0]
    (FOLDER / name).write_bytes(data[1:])
    try:
        before = state()
        outcome = typed(lambda: import_bundle(KIT, FOLDER, MAPPING))
        assert isinstance(outcome, ImportReport | WelfareKitError)
        if isinstance(outcome, WelfareKitError):
            assert state() == before, "a refused import wrote something"
    finally:
        shutil.copy(SAMPLE / name, FOLDER / name)


if __name__ == "__main__":
    fuzz_main(test_one_input)
