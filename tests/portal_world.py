"""The example portal's world: a kit on a SQLite file with the portal's demo built, as
``python -m examples.portal`` builds it."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from examples.portal.demo import load_demo
from welfarekit import Settings, WelfareKit
from welfarekit.crypto import init_key_file

FILES = ("portal.db", "keys.json")
"""The files in a world's directory: the database and the key file."""


def open_kit(directory: Path) -> WelfareKit:
    """The kit on the database and key file in ``directory``."""
    return WelfareKit.open(Settings(database_url=f"sqlite:///{directory / 'portal.db'}",
                                    key_file=directory / "keys.json"))  # fmt: skip


def demo_kit(directory: Path, now: dt.datetime | None = None) -> WelfareKit:
    """A kit whose database and key file live in ``directory``, with the portal's demo built
    as of ``now`` (the present by default). The caller closes it."""
    init_key_file(directory / "keys.json")
    kit = open_kit(directory)
    load_demo(kit, now)
    return kit


def copy_world(source: Path, target: Path) -> WelfareKit:
    """A kit on a copy of the closed world in ``source`` (the key file stays owner-only): the
    same demo in ``target`` for a fraction of the time that building it takes."""
    for name in FILES:
        shutil.copy2(source / name, target / name)
    return open_kit(target)
