"""The one way in for a host: :class:`WelfareKit`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from types import TracebackType

import pluggy

from welfarekit.access import Actor
from welfarekit.audit_chain import AuditCheckpoint
from welfarekit.builtin import BUILTIN_PLUGINS
from welfarekit.crypto import Keyring
from welfarekit.directory import Directory
from welfarekit.errors import AdapterNotFound, ConfigurationError, PluginError
from welfarekit.notify import DeliveryReport, deliver
from welfarekit.plugins import AdapterRegistry, LoadedPlugin, installed_plugins, load_plugins
from welfarekit.session import Session
from welfarekit.settings import Settings
from welfarekit.storage import SchemaStatus, StorageAdapter
from welfarekit.vault import Vault

__all__ = ["WelfareKit"]


class WelfareKit:
    """An opened welfarekit: the loaded plugins, the chosen adapters and the operations.

    Open it once per process (it holds the database engine) and close it at shutdown, or
    use it as a context manager::

        with WelfareKit.open(Settings(database_url="sqlite:///welfare.db")) as kit:
            kit.upgrade_schema()
            kit.directory("sis-sync").put(provider)
    """

    def __init__(
        self,
        *,
        settings: Settings,
        plugin_manager: pluggy.PluginManager,
        registry: AdapterRegistry,
        plugins: Sequence[LoadedPlugin],
        storage: StorageAdapter,
        storage_name: str,
    ) -> None:
        self.settings = settings
        self.plugin_manager = plugin_manager
        self.registry = registry
        self.plugins = tuple(plugins)
        self.storage = storage
        self.storage_name = storage_name
        self.vault = Vault(self._open_keyring, lambda: dt.datetime.now(dt.UTC))
        self.notifier = self._open_notifier()

    def _open_notifier(self) -> object | None:
        name = self.settings.notifier
        if name is None:
            return None
        offer = self.registry.notifiers.get(name)
        if offer is None:
            loaded = ", ".join(sorted(self.registry.notifiers)) or "none"
            raise AdapterNotFound(
                f"no notifier adapter named {name!r} is loaded (loaded: {loaded})"
            )
        notifier = offer.factory(self.settings.options_for(name))
        if not callable(getattr(notifier, "welfarekit_notify", None)):
            raise PluginError(f"notifier adapter {name!r} has no welfarekit_notify")
        self.plugin_manager.register(notifier, name=f"notifier:{name}")
        return notifier

    def _open_keyring(self) -> Keyring:
        offer = self.registry.keyrings.get(self.settings.keyring)
        if offer is None:
            loaded = ", ".join(sorted(self.registry.keyrings)) or "none"
            raise AdapterNotFound(
                f"no keyring adapter named {self.settings.keyring!r} is loaded (loaded: {loaded})"
            )
        keyring = offer.factory(self.settings)
        if not isinstance(keyring, Keyring):
            raise PluginError(f"keyring adapter {offer.name!r} returned no Keyring")
        return keyring

    @property
    def keyring(self) -> Keyring:
        """The key-encryption keys, loaded on first use."""
        return self.vault.keyring

    def reload_keys(self) -> None:
        """Load the key-encryption keys again on next use: call it in a long-running host
        after ``welfarekit keys rotate`` ran elsewhere, so that keysets rewrapped under the
        new key open here too."""
        self.vault.reload_keyring()

    @classmethod
    def open(
        cls,
        settings: Settings | None = None,
        *,
        plugins: Iterable[object] = (),
        storage: StorageAdapter | None = None,
    ) -> WelfareKit:
        """Load plugins and adapters as ``settings`` say and return the opened kit.

        ``plugins`` are the host's own plugin objects (modules or instances implementing
        hooks); they are trusted as code the host passes in and need no allowlisting.
        ``storage`` is a storage adapter object to use instead of choosing one by name.

        Raises :class:`~welfarekit.errors.AdapterNotFound` when the settings name an
        adapter, or give a database URL, that nothing loaded provides; the message lists
        what is installed and loaded.
        """
        settings = settings if settings is not None else Settings.from_env()
        pm, registry, loaded = load_plugins(settings.plugins, plugins, builtins=BUILTIN_PLUGINS)
        if storage is not None:
            if settings.storage is not None:
                raise ConfigurationError(
                    "give either a storage object or settings.storage, not both"
                )
            chosen, name = storage, f"host:{type(storage).__name__}"
        else:
            chosen, name = _create_storage(settings, registry)
        return cls(
            settings=settings,
            plugin_manager=pm,
            registry=registry,
            plugins=loaded,
            storage=chosen,
            storage_name=name,
        )

    # -- schema ------------------------------------------------------------------------------

    def upgrade_schema(self) -> None:
        """Create or migrate welfarekit's own tables to the newest version."""
        self.storage.upgrade()

    def schema_status(self) -> SchemaStatus:
        return self.storage.schema_status()

    # -- operations -------------------------------------------------------------------------

    def directory(self, source: str) -> Directory:
        """The directory of providers, institutions, people and groups.

        ``source`` names the host process that keeps it in step with the host's own
        register (``"sis-sync"``, ``"roster-import"``, ``"demo"``); every read and write
        is audited as that system.
        """
        return Directory(self.storage, self.plugin_manager.hook, source, self.vault)

    def session(self, actor: Actor, *, now: dt.datetime | None = None) -> Session:
        """Operations on behalf of ``actor``; every one is decided by the rules and audited.

        ``now`` fixes the clock, for tests and for replaying a day.
        """
        return Session(self.storage, self.plugin_manager.hook, actor, vault=self.vault, now=now)

    def deliver_notifications(
        self,
        *,
        provider_id: str | None = None,
        limit: int = 500,
        now: dt.datetime | None = None,
    ) -> DeliveryReport:
        """Hand the outbox's pending notifications that are due to the notifier (see
        :mod:`welfarekit.notify`). Run it after requests, or from a scheduler; ``now``
        fixes the clock (for tests)."""
        return deliver(self.storage, self.plugin_manager.hook, provider_id=provider_id,
                       limit=limit, now=now)  # fmt: skip

    def checkpoint(self, provider_id: str, *, create_key: bool = False) -> AuditCheckpoint | None:
        """Sign the provider's audit chain head and hand the checkpoint to the
        ``welfarekit_audit_checkpoint`` hook; ``None`` when the chain is empty. A host calls
        this on its own schedule; a sink's failure is raised after the others ran."""
        from welfarekit.checkpoints import load_signing_key, take_checkpoint

        private_key, _ = load_signing_key(self.settings.signing_key_file, create=create_key)
        checkpoint = take_checkpoint(self.storage, provider_id, private_key)
        if checkpoint is not None:
            self.plugin_manager.hook.welfarekit_audit_checkpoint(checkpoint=checkpoint)
        return checkpoint

    # -- lifecycle ------------------------------------------------------------------------

    def close(self) -> None:
        self.storage.close()

    def __enter__(self) -> WelfareKit:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def _create_storage(settings: Settings, registry: AdapterRegistry) -> tuple[StorageAdapter, str]:
    offers = registry.storage
    url = settings.database_url
    if settings.storage is not None:
        offer = offers.get(settings.storage)
        if offer is None:
            raise AdapterNotFound(
                f"no storage adapter named {settings.storage!r} is loaded "
                f"(loaded: {_listing(offers)}; {_installed_listing()})"
            )
        if not offer.accepts(url):
            raise AdapterNotFound(
                f"storage adapter {offer.name!r} does not accept the database URL "
                f"{_scheme(url)}://… (loaded storage adapters: {_listing(offers)})"
            )
    else:
        accepting = [offer for offer in offers.values() if offer.accepts(url)]
        if not accepting:
            raise AdapterNotFound(
                f"no loaded storage adapter accepts a {_scheme(url)}:// database URL "
                f"(loaded: {_listing(offers)}; {_installed_listing()})"
            )
        if len(accepting) > 1:
            names = ", ".join(sorted(o.name for o in accepting))
            raise ConfigurationError(
                f"several storage adapters accept this database URL ({names}); "
                "choose one with settings.storage"
            )
        offer = accepting[0]
    try:
        storage = offer.factory(url, settings.options_for(offer.name))
    except (ConfigurationError, PluginError):
        raise
    except Exception as error:
        raise ConfigurationError(
            f"storage adapter {offer.name!r} could not open {_scheme(url)}:// database: "
            f"{type(error).__name__}: {error}"
        ) from error
    return storage, offer.name


def _scheme(url: str) -> str:
    return url.split("://", 1)[0]


def _listing(offers: object) -> str:
    names = sorted(offers) if isinstance(offers, dict) else []
    return ", ".join(names) or "none"


def _installed_listing() -> str:
    installed = ", ".join(p.name for p in installed_plugins()) or "none"
    return f"installed plugins: {installed}; allow one with settings.plugins"
