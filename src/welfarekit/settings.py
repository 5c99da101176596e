"""The host's settings: which database, which plugins, which adapters.

Settings are explicit: plugins found on the system are loaded only when ``plugins`` names
them, and adapters are chosen by name, never by whichever loaded last.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from welfarekit.errors import ConfigurationError

__all__ = [
    "DEFAULT_PLUGINS",
    "Settings",
    "default_database_path",
    "default_key_file",
    "normalize_database_url",
]

DEFAULT_PLUGINS: tuple[str, ...] = ("sqlalchemy",)
"""Plugins allowed when the host says nothing: welfarekit's own SQL storage, which the
embedded default database needs. Pass ``plugins=()`` to load none."""

ENV_DB = "WELFAREKIT_DB"
ENV_PLUGINS = "WELFAREKIT_PLUGINS"
ENV_STORAGE = "WELFAREKIT_STORAGE"
ENV_KEY_FILE = "WELFAREKIT_KEY_FILE"
ENV_NOTIFIER = "WELFAREKIT_NOTIFIER"


def default_database_path(environ: Mapping[str, str] | None = None) -> Path:
    """The embedded default: a SQLite file in the user's data directory
    (``$XDG_DATA_HOME/welfarekit/welfarekit.sqlite3``)."""
    env = os.environ if environ is None else environ
    base = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "welfarekit" / "welfarekit.sqlite3"


def default_key_file(environ: Mapping[str, str] | None = None) -> Path:
    """The local keyring's key file beside the embedded database
    (``$XDG_DATA_HOME/welfarekit/keys.json``); create it with ``welfarekit keys init``."""
    return default_database_path(environ).with_name("keys.json")


def normalize_database_url(value: str) -> str:
    """A database URL, or a path to a SQLite file turned into a ``sqlite:///`` URL.

    >>> normalize_database_url("sqlite:///:memory:")
    'sqlite:///:memory:'
    >>> normalize_database_url("/tmp/school.db")
    'sqlite:////tmp/school.db'
    """
    if not isinstance(value, str) or not value.strip():
        raise ConfigurationError("the database must be a URL or a path to a SQLite file")
    # The value is not repeated in the errors: a URL may hold a password.
    _check_text(value, "the database URL or path")
    value = value.strip()
    if "://" in value:
        return value
    try:
        return f"sqlite:///{Path(value).expanduser().resolve()}"
    except (OSError, RuntimeError) as error:  # RuntimeError: no home directory for "~"
        raise ConfigurationError(
            f"the database path cannot be resolved: {type(error).__name__}"
        ) from None


def _check_text(value: str, what: str, *, path: bool = False) -> None:
    """Refuse what no driver or file system takes: a NUL, or text with no byte form — for a
    URL, a lone surrogate (what undecodable bytes in the environment become); for a path, one
    the file system's encoding cannot turn back into bytes."""
    if "\x00" in value:
        raise ConfigurationError(f"{what} contains a NUL character")
    try:
        os.fsencode(value) if path else value.encode("utf-8")
    except UnicodeEncodeError:
        raise ConfigurationError(f"{what} is not valid text (undecodable bytes?)") from None


def _key_file(value: str | os.PathLike[str]) -> Path:
    path = Path(value)
    _check_text(str(path), "the key file's path", path=True)
    return path


def _names(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    if isinstance(value, list | tuple):
        return tuple(value)
    return value  # type: ignore[return-value]  # reported by the validator


def _check_names(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple) or not all(isinstance(v, str) and v for v in value):
        raise ConfigurationError(f"Settings.{attribute.name} must be a list of names")


@attrs.frozen(kw_only=True)
class Settings:
    """How a host opens welfarekit.

    >>> Settings(database_url="memory://", plugins=()).storage is None
    True
    """

    database_url: str = attrs.field(
        factory=lambda: normalize_database_url(str(default_database_path())),
        converter=normalize_database_url,
    )
    """A SQLAlchemy-style URL, or a path to a SQLite file."""
    plugins: tuple[str, ...] = attrs.field(
        default=DEFAULT_PLUGINS, converter=_names, validator=_check_names
    )
    """Entry-point names of the installed plugins that may load (the allowlist)."""
    storage: str | None = None
    """The storage adapter's name; ``None`` picks the one adapter that accepts the URL."""
    adapter_options: Mapping[str, Mapping[str, Any]] = attrs.field(factory=dict)
    """Options per adapter name, handed to the adapter's factory."""
    keyring: str = "local"
    """The keyring adapter holding the key-encryption keys; ``local`` is a key file."""
    key_file: Path = attrs.field(factory=default_key_file, converter=_key_file)
    """The local keyring's key file (``WELFAREKIT_KEY_FILE``)."""
    notifier: str | None = None
    """The notifier adapter that delivers the outbox (``WELFAREKIT_NOTIFIER``); ``None``
    leaves notifications waiting in the outbox. ``memory`` keeps them in the process."""

    @property
    def signing_key_file(self) -> Path:
        """The audit checkpoints' Ed25519 signing key, beside the key file."""
        return self.key_file.with_name("audit-signing.pem")

    @property
    def checkpoint_file(self) -> Path:
        """Where the command line appends checkpoints (JSON lines), beside the key file."""
        return self.key_file.with_name("audit-checkpoints.jsonl")

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, *, database: str | None = None
    ) -> Settings:
        """Settings from ``WELFAREKIT_DB``, ``WELFAREKIT_PLUGINS`` (comma-separated) and
        ``WELFAREKIT_STORAGE``; ``database`` (e.g. a ``--db`` option) wins over the
        environment, which wins over the embedded default."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        if database is not None and not database.strip():
            # an empty --db is a mistake (an unset variable in a script), not "the default"
            raise ConfigurationError("the database is empty: give a URL or a SQLite path")
        url = database or env.get(ENV_DB)
        values["database_url"] = url or normalize_database_url(str(default_database_path(env)))
        if ENV_PLUGINS in env:
            values["plugins"] = env[ENV_PLUGINS]
        if env.get(ENV_STORAGE):
            values["storage"] = env[ENV_STORAGE]
        values["key_file"] = env.get(ENV_KEY_FILE) or default_key_file(env)
        if env.get(ENV_NOTIFIER):
            values["notifier"] = env[ENV_NOTIFIER]
        return cls(**values)

    def options_for(self, adapter: str) -> Mapping[str, Any]:
        return self.adapter_options.get(adapter, {})
