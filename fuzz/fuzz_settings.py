"""atheris: settings from an environment made of any bytes (``NAME=value`` lines, the name
picked by its first byte), decoded as the operating system decodes the environment."""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))

from harness import fuzz_main, typed

from welfarekit.errors import ConfigurationError
from welfarekit.settings import Settings

NAMES = ("WELFAREKIT_DB", "WELFAREKIT_PLUGINS", "WELFAREKIT_STORAGE", "WELFAREKIT_KEY_FILE",
         "WELFAREKIT_NOTIFIER", "XDG_DATA_HOME")  # fmt: skip


def environment(data: bytes) -> dict[str, str]:
    env = {}
    for line in data.split(b"\n"):
        if line:
            env[NAMES[line[0] % len(NAMES)]] = os.fsdecode(line[1:])
    return env


def test_one_input(data: bytes) -> None:
    settings = typed(lambda: Settings.from_env(environment(data)))
    if isinstance(settings, Settings):
        assert "://" in settings.database_url
        assert "\x00" not in settings.database_url
        os.fsencode(settings.key_file)
    else:
        assert isinstance(settings, ConfigurationError)


if __name__ == "__main__":
    fuzz_main(test_one_input)
