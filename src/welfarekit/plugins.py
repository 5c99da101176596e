"""The plugin manager: discovery, the allowlist, the hook API check and the adapter registry.

A library that holds confidential data must not run every installed package's code by
accident, so plugins found through the ``welfarekit`` entry-point group are loaded only when
the host's settings name them. Built-in behaviour is registered as plugins too, through the
same hooks, as pytest does with its own.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from importlib import metadata
from types import ModuleType
from typing import Any, Protocol

import attrs
import pluggy

from welfarekit import hookspecs
from welfarekit.errors import AdapterNotFound, IncompatibleAdapter, PluginError
from welfarekit.storage import StorageAdapter

__all__ = [
    "ENTRY_POINT_GROUP",
    "AdapterRegistry",
    "InstalledPlugin",
    "LoadedPlugin",
    "StorageFactory",
    "api_version_allowed",
    "installed_plugins",
    "load_plugins",
]

ENTRY_POINT_GROUP = "welfarekit"
HOOK_PREFIX = "welfarekit_"
API_ATTRIBUTE = "WELFAREKIT_HOOK_API"


class StorageFactory(Protocol):
    def __call__(self, url: str, options: Mapping[str, Any]) -> StorageAdapter: ...


@attrs.frozen
class StorageOffer:
    name: str
    factory: StorageFactory
    accepts: Callable[[str], bool]
    description: str
    plugin: str


@attrs.frozen
class NotifierOffer:
    name: str
    factory: Callable[[Mapping[str, Any]], object]
    description: str
    plugin: str


@attrs.frozen
class KeyringOffer:
    name: str
    factory: Callable[[Any], object]
    description: str
    plugin: str


class AdapterRegistry:
    """Where plugins offer their adapters by name (``welfarekit_register_adapters``).

    Nothing is created here; the host's settings pick adapters by name afterwards.
    """

    def __init__(self) -> None:
        self._storage: dict[str, StorageOffer] = {}
        self._notifiers: dict[str, NotifierOffer] = {}
        self._keyrings: dict[str, KeyringOffer] = {}
        self._plugin = "<host>"

    def add_storage(
        self,
        name: str,
        factory: StorageFactory,
        *,
        accepts: Callable[[str], bool],
        description: str = "",
    ) -> None:
        """Offer a storage backend.

        ``factory(url, options)`` creates it; ``accepts(url)`` says whether it can serve a
        database URL, so that a host may give only a URL.
        """
        self._check_name("storage", name, self._storage)
        self._storage[name] = StorageOffer(name, factory, accepts, description, self._plugin)

    def add_notifier(
        self, name: str, factory: Callable[[Mapping[str, Any]], object], *, description: str = ""
    ) -> None:
        """Offer a notifier; ``factory(options)`` returns an object implementing
        ``welfarekit_notify``, registered as a plugin when the settings pick it."""
        self._check_name("notifier", name, self._notifiers)
        self._notifiers[name] = NotifierOffer(name, factory, description, self._plugin)

    def add_keyring(
        self, name: str, factory: Callable[[Any], object], *, description: str = ""
    ) -> None:
        """Offer a keyring; ``factory(settings)`` returns a
        :class:`welfarekit.crypto.Keyring` holding the key-encryption keys (a key file, an
        HSM through PKCS#11, a cloud KMS)."""
        self._check_name("keyring", name, self._keyrings)
        self._keyrings[name] = KeyringOffer(name, factory, description, self._plugin)

    @property
    def keyrings(self) -> Mapping[str, KeyringOffer]:
        return dict(self._keyrings)

    @property
    def storage(self) -> Mapping[str, StorageOffer]:
        return dict(self._storage)

    @property
    def notifiers(self) -> Mapping[str, NotifierOffer]:
        return dict(self._notifiers)

    def offered_by(self, plugin: str) -> list[str]:
        """``kind:name`` of every adapter the named plugin registered."""
        kinds = {StorageOffer: "storage", NotifierOffer: "notifier", KeyringOffer: "keyring"}
        offers: list[StorageOffer | NotifierOffer | KeyringOffer] = [
            *self._storage.values(),
            *self._notifiers.values(),
            *self._keyrings.values(),
        ]
        return sorted(f"{kinds[type(o)]}:{o.name}" for o in offers if o.plugin == plugin)

    def _check_name(self, kind: str, name: str, existing: Mapping[str, Any]) -> None:
        if not isinstance(name, str) or re.fullmatch(r"[a-z][a-z0-9_.-]{0,63}", name) is None:
            raise PluginError(
                f"plugin {self._plugin!r} offered a {kind} adapter named {name!r}; "
                "adapter names are lower-case letters, digits and . _ -"
            )
        if name in existing:
            raise PluginError(
                f"two plugins offer a {kind} adapter named {name!r}: "
                f"{existing[name].plugin!r} and {self._plugin!r}; uninstall one or leave one "
                "out of the settings' plugins"
            )


# -- hook API version ---------------------------------------------------------------------

_CLAUSE = re.compile(r"\s*(>=|<=|==|!=|>|<)\s*(\d+(?:\.\d+)*)\s*")
_COMPARE: Mapping[str, Callable[[tuple[int, ...], tuple[int, ...]], bool]] = {
    ">=": lambda a, b: a >= b,
    "<=": lambda a, b: a <= b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    ">": lambda a, b: a > b,
    "<": lambda a, b: a < b,
}


def _version_tuple(text: str) -> tuple[int, ...]:
    parts = tuple(int(p) for p in text.split("."))
    return parts + (0,) * (3 - len(parts))


def api_version_allowed(spec: str, version: str = hookspecs.HOOK_API_VERSION) -> bool:
    """Whether ``version`` satisfies a range such as ``">=1.0,<2"``.

    Raises :class:`~welfarekit.errors.PluginError` for a range that cannot be read.

    >>> api_version_allowed(">=1.0,<2", "1.3")
    True
    >>> api_version_allowed(">=2", "1.3")
    False
    """
    if not isinstance(spec, str) or not spec.strip():
        raise PluginError(f"{API_ATTRIBUTE} must be a version range like '>=1.0,<2', not {spec!r}")
    have = _version_tuple(version)
    for clause in spec.split(","):
        match = _CLAUSE.fullmatch(clause)
        if match is None:
            raise PluginError(
                f"cannot read {API_ATTRIBUTE} = {spec!r}: write a range like '>=1.0,<2'"
            )
        operator, wanted = match.groups()
        if not _COMPARE[operator](have, _version_tuple(wanted)):
            return False
    return True


# -- discovery and loading ------------------------------------------------------------------


@attrs.frozen
class InstalledPlugin:
    """A plugin distribution found through the entry-point group (loaded or not)."""

    name: str
    value: str
    distribution: str | None
    version: str | None


@attrs.frozen
class LoadedPlugin:
    """A plugin registered with the manager."""

    name: str
    source: str
    """``builtin``, ``entry point`` or ``host``."""
    distribution: str | None
    version: str | None
    hooks: tuple[str, ...]
    adapters: tuple[str, ...] = ()


def installed_plugins() -> list[InstalledPlugin]:
    """Every plugin installed in this environment under the ``welfarekit`` group."""
    found = []
    for entry_point in metadata.entry_points(group=ENTRY_POINT_GROUP):
        dist = entry_point.dist
        found.append(
            InstalledPlugin(
                name=entry_point.name,
                value=entry_point.value,
                distribution=dist.metadata["Name"] if dist is not None else None,
                version=dist.version if dist is not None else None,
            )
        )
    return sorted(found, key=lambda p: p.name)


class _PluginManager(pluggy.PluginManager):
    """Treats every ``welfarekit_*`` function as a hook implementation, marked or not, so that
    a misspelled hook name is refused by :meth:`check_pending` instead of ignored."""

    def parse_hookimpl_opts(self, plugin: object, name: str) -> pluggy.HookimplOpts | None:
        opts = super().parse_hookimpl_opts(plugin, name)
        if opts is None and name.startswith(HOOK_PREFIX):
            method = getattr(plugin, name, None)
            if inspect.isroutine(method):
                return {
                    "wrapper": False,
                    "hookwrapper": False,
                    "optionalhook": False,
                    "tryfirst": False,
                    "trylast": False,
                    "specname": None,
                }
        return opts


def _check_api(plugin: object, name: str, *, required: bool) -> None:
    spec = getattr(plugin, API_ATTRIBUTE, None)
    if spec is None:
        if required:
            raise IncompatibleAdapter(
                f"plugin {name!r} does not declare {API_ATTRIBUTE}; an adapter must state the "
                f"hook API it supports, e.g. {API_ATTRIBUTE} = '>=1.0,<2' "
                f"(this welfarekit provides {hookspecs.HOOK_API_VERSION})"
            )
        return
    try:
        allowed = api_version_allowed(spec)
    except PluginError as error:
        raise IncompatibleAdapter(f"plugin {name!r}: {error}") from None
    if not allowed:
        raise IncompatibleAdapter(
            f"plugin {name!r} supports hook API {spec}, but this welfarekit provides "
            f"{hookspecs.HOOK_API_VERSION}; install a version of the plugin made for it"
        )


def _hooks_of(pm: pluggy.PluginManager, plugin: object) -> tuple[str, ...]:
    callers = pm.get_hookcallers(plugin) or []
    return tuple(sorted(caller.name for caller in callers))


def _register(pm: pluggy.PluginManager, plugin: object, name: str) -> None:
    try:
        pm.register(plugin, name=name)
    except (pluggy.PluginValidationError, ValueError) as error:
        raise PluginError(f"plugin {name!r} cannot be registered: {error}") from None


def load_plugins(
    allowed: Sequence[str],
    extra: Iterable[object] = (),
    *,
    builtins: Iterable[tuple[str, ModuleType]] = (),
) -> tuple[pluggy.PluginManager, AdapterRegistry, list[LoadedPlugin]]:
    """Create the plugin manager: built-ins, the allowed entry-point plugins, then the host's
    own plugin objects; check the hook API and refuse misspelled hooks; collect adapters.

    Raises :class:`~welfarekit.errors.AdapterNotFound` for an allowed name that is not
    installed (listing what is), :class:`~welfarekit.errors.IncompatibleAdapter` for a hook
    API mismatch and :class:`~welfarekit.errors.PluginError` for any other defect.
    """
    pm = _PluginManager(ENTRY_POINT_GROUP)
    pm.add_hookspecs(hookspecs)
    loaded: list[LoadedPlugin] = []

    for name, module in builtins:
        _register(pm, module, f"builtin:{name}")
        loaded.append(LoadedPlugin(f"builtin:{name}", "builtin", "welfarekit", _own_version(), ()))

    installed = {p.name: p for p in installed_plugins()}
    entry_points = {ep.name: ep for ep in metadata.entry_points(group=ENTRY_POINT_GROUP)}
    for name in dict.fromkeys(allowed):
        if name not in entry_points:
            listing = ", ".join(sorted(installed)) or "none"
            raise AdapterNotFound(
                f"the settings allow plugin {name!r}, but it is not installed "
                f"(installed welfarekit plugins: {listing})"
            )
        try:
            plugin = entry_points[name].load()
        except Exception as error:
            raise PluginError(
                f"plugin {name!r} failed to import: {type(error).__name__}: {error}"
            ) from error
        _check_api(plugin, name, required=True)
        _register(pm, plugin, name)
        info = installed[name]
        loaded.append(LoadedPlugin(name, "entry point", info.distribution, info.version, ()))

    for index, plugin in enumerate(extra):
        _check_api(plugin, repr(plugin), required=False)
        name = getattr(plugin, "__name__", None) or f"host-plugin-{index}"
        _register(pm, plugin, f"host:{name}")
        loaded.append(LoadedPlugin(f"host:{name}", "host", None, None, ()))

    try:
        pm.check_pending()
    except pluggy.PluginValidationError as error:
        name = pm.get_name(error.plugin) or repr(error.plugin)
        raise PluginError(
            f"plugin {name!r} implements an unknown hook: {error}; "
            f"the hooks are: {', '.join(sorted(_hook_names()))}"
        ) from None

    registry = AdapterRegistry()
    caller = pm.hook.welfarekit_register_adapters
    for impl in caller.get_hookimpls():
        registry._plugin = impl.plugin_name
        impl.function(registry=registry)
    registry._plugin = "<host>"

    loaded = [
        attrs.evolve(
            info,
            hooks=_hooks_of(pm, pm.get_plugin(info.name)),
            adapters=tuple(registry.offered_by(info.name)),
        )
        for info in loaded
    ]
    return pm, registry, loaded


def _hook_names() -> list[str]:
    return [name for name in hookspecs.__all__ if name.startswith(HOOK_PREFIX)]


def _own_version() -> str:
    from welfarekit import __version__

    return __version__
