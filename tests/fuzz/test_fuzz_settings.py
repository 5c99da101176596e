"""Settings from the environment: any mapping of variables a process can be started with is
either settings a kit can open or ConfigurationError, never another exception."""

from __future__ import annotations

import os
from collections.abc import Mapping

from fuzz_support import attempt, fuzz
from hypothesis import example, given
from hypothesis import strategies as st

from welfarekit import Settings, WelfareKit
from welfarekit.errors import ConfigurationError
from welfarekit.settings import ENV_DB, ENV_KEY_FILE, ENV_NOTIFIER, ENV_PLUGINS, ENV_STORAGE

NAMES = (ENV_DB, ENV_PLUGINS, ENV_STORAGE, ENV_KEY_FILE, ENV_NOTIFIER, "XDG_DATA_HOME", "HOME")
# Any character a process's environment can hold, lone surrogates (what os.environ makes of
# undecodable bytes) and NUL included, and the values that mean something to the parser.
VALUES = st.one_of(
    st.text(st.characters(exclude_categories=()), max_size=30),
    st.sampled_from(["", " ", "~", "~nobody/x", "memory://", "sqlite:///x.db", "a\x00b",
                     "\udcff", "sqlalchemy,,memory", ",", "..", "/"]),
)  # fmt: skip
ENVIRONMENTS = st.dictionaries(st.sampled_from(NAMES), VALUES, max_size=len(NAMES))


def _check(settings: Settings) -> None:
    """What every accepted settings object promises the code that uses it."""
    assert "://" in settings.database_url
    assert "\x00" not in settings.database_url
    settings.database_url.encode("utf-8")
    assert all(name and name == name.strip() for name in settings.plugins)
    assert "\x00" not in str(settings.key_file)
    os.fsencode(settings.key_file)


@fuzz(300)
@given(ENVIRONMENTS, st.one_of(st.none(), VALUES))
@example({ENV_DB: "a\x00b"}, None)
@example({ENV_DB: "\ud800"}, None)
@example({"XDG_DATA_HOME": "\x00"}, None)
@example({ENV_KEY_FILE: "keys\x00.json"}, None)
@example({ENV_KEY_FILE: "\udcff"}, None)
@example({}, "school\x00.db")
def test_any_environment_gives_settings_or_configuration_error(
    environ: Mapping[str, str], database: str | None
) -> None:
    outcome = attempt(lambda: Settings.from_env(environ, database=database))
    assert isinstance(outcome, Settings | ConfigurationError), outcome
    if isinstance(outcome, Settings):
        _check(outcome)


@fuzz(60)
@given(st.dictionaries(st.sampled_from((ENV_PLUGINS, ENV_STORAGE, ENV_NOTIFIER)), VALUES))
@example({ENV_PLUGINS: "no-such-plugin"})
@example({ENV_STORAGE: "nowhere"})
@example({ENV_NOTIFIER: "\x00"})
def test_a_kit_opens_on_any_plugin_names_or_says_why_not(environ: Mapping[str, str]) -> None:
    """Plugin, storage and notifier names from the environment reach the plugin loader:
    an unknown or malformed name is a ConfigurationError naming what is installed."""
    settings = Settings.from_env({**environ, ENV_DB: "memory://"})
    outcome = attempt(lambda: WelfareKit.open(settings))
    assert isinstance(outcome, WelfareKit | ConfigurationError), outcome
    if isinstance(outcome, WelfareKit):
        outcome.close()
