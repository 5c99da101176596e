"""Settings: explicit allowlists, the database URL and where it comes from."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from welfarekit import ConfigurationError, Settings
from welfarekit.settings import default_database_path, normalize_database_url


def test_defaults_allow_only_the_first_party_storage_and_use_the_embedded_file(
    tmp_path: Path,
) -> None:
    settings = Settings.from_env({"XDG_DATA_HOME": str(tmp_path)})
    assert settings.plugins == ("sqlalchemy",)
    assert settings.database_url == f"sqlite:///{tmp_path}/welfarekit/welfarekit.sqlite3"
    assert settings.storage is None


def test_default_path_without_xdg_is_under_home(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_database_path({}) == tmp_path / ".local/share/welfarekit/welfarekit.sqlite3"


def test_option_wins_over_environment_which_wins_over_default(tmp_path: Path) -> None:
    env = {"WELFAREKIT_DB": "postgresql+psycopg://db/welfare", "XDG_DATA_HOME": str(tmp_path)}
    assert Settings.from_env(env).database_url == "postgresql+psycopg://db/welfare"
    assert Settings.from_env(env, database="memory://").database_url == "memory://"


def test_plugins_and_storage_from_environment() -> None:
    settings = Settings.from_env(
        {
            "WELFAREKIT_DB": "memory://",
            "WELFAREKIT_PLUGINS": "sqlalchemy, example,",
            "WELFAREKIT_STORAGE": "memory",
        }
    )
    assert settings.plugins == ("sqlalchemy", "example")
    assert settings.storage == "memory"
    assert Settings.from_env({"WELFAREKIT_PLUGINS": ""}).plugins == ()


def test_a_path_becomes_an_absolute_sqlite_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert normalize_database_url("school.db") == f"sqlite:///{tmp_path}/school.db"
    assert Settings(database_url="school.db").database_url == f"sqlite:///{tmp_path}/school.db"


@pytest.mark.parametrize("value", ["", "   "])
def test_empty_database_is_refused(value: str) -> None:
    with pytest.raises(ConfigurationError, match="URL or a path"):
        Settings(database_url=value)


def test_plugins_must_be_names() -> None:
    with pytest.raises(ConfigurationError, match="Settings.plugins must be a list of names"):
        Settings(plugins=[1, 2])  # type: ignore[list-item]
    with pytest.raises(ConfigurationError):
        Settings(plugins=None)  # type: ignore[arg-type]


def test_adapter_options_by_name() -> None:
    settings = Settings(adapter_options={"smtp": {"host": "mail"}})
    assert settings.options_for("smtp") == {"host": "mail"}
    assert settings.options_for("other") == {}


@pytest.mark.parametrize(
    ("environ", "database", "reason"),
    [
        ({"WELFAREKIT_DB": "school\x00.db"}, None, "database URL or path contains a NUL"),
        ({"WELFAREKIT_DB": "sqlite:///a\x00b"}, None, "database URL or path contains a NUL"),
        ({"WELFAREKIT_DB": "\udcff.db"}, None, "database URL or path is not valid text"),
        ({}, "school\x00.db", "database URL or path contains a NUL"),
        # an empty --db (an unset shell variable) is refused, not taken as the default
        ({"WELFAREKIT_DB": "sqlite:///school.db"}, "", "the database is empty"),
        ({}, "  ", "the database is empty"),
        ({"XDG_DATA_HOME": "/tmp/\x00"}, None, "database URL or path contains a NUL"),
        ({"WELFAREKIT_DB": "memory://", "WELFAREKIT_KEY_FILE": "k\x00.json"}, None,
         "key file's path contains a NUL"),
        ({"WELFAREKIT_DB": "memory://", "WELFAREKIT_KEY_FILE": "\ud800"}, None,
         "key file's path is not valid text"),
    ],
)  # fmt: skip
def test_what_no_file_system_takes_is_a_configuration_error(
    environ: dict[str, str], database: str | None, reason: str
) -> None:
    """A NUL or undecodable bytes in the environment was a ValueError from deep in pathlib
    (or a key file path that failed only when opened)."""
    with pytest.raises(ConfigurationError, match=reason) as refused:
        Settings.from_env(environ, database=database)
    assert "school" not in str(refused.value)  # the value itself is not repeated


def test_a_key_file_path_of_undecodable_bytes_is_kept_as_the_file_system_gives_it() -> None:
    settings = Settings.from_env({"WELFAREKIT_DB": "memory://", "WELFAREKIT_KEY_FILE": "\udcff"})
    assert os.fsencode(settings.key_file) == b"\xff"
