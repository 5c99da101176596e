"""Plugin discovery, the allowlist, the hook API check and adapter selection.

The ``welfarekit-example-adapter`` distribution under ``tests/adapters`` is installed into
the test environment, so these tests exercise real entry-point discovery.
"""

from __future__ import annotations

import importlib.metadata as metadata
import inspect
from types import SimpleNamespace

import pluggy
import pytest

import welfarekit
from welfarekit import (
    AdapterNotFound,
    AdapterRegistry,
    ConfigurationError,
    IncompatibleAdapter,
    PluginError,
    Settings,
    WelfareKit,
    hookspecs,
)
from welfarekit.builtin.memory import MemoryStorage
from welfarekit.plugins import api_version_allowed, installed_plugins

EXAMPLE_DIST = "welfarekit-example-adapter"


def test_example_adapter_distribution_is_installed() -> None:
    # The rest of this module means nothing unless the adapter is a real installed dist.
    assert metadata.version(EXAMPLE_DIST) == "1.2.3"
    names = {p.name for p in installed_plugins()}
    assert {"example", "example-incompatible", "example-misspelled"} <= names


def test_allowed_entry_point_adapter_is_loaded_and_its_storage_used() -> None:
    settings = Settings(database_url="example://school", plugins=["example"])
    with WelfareKit.open(settings) as kit:
        assert kit.storage_name == "example"
        assert type(kit.storage).__name__ == "ExampleStorage"
        loaded = {p.name: p for p in kit.plugins}
        assert loaded["example"].distribution == EXAMPLE_DIST
        assert loaded["example"].version == "1.2.3"
        assert loaded["example"].hooks == ("welfarekit_audit_event", "welfarekit_register_adapters")
        assert loaded["example"].adapters == ("storage:example",)


def test_adapter_options_reach_the_factory() -> None:
    settings = Settings(
        database_url="example://school",
        plugins=["example"],
        adapter_options={"example": {"bucket": "welfare"}},
    )
    with WelfareKit.open(settings) as kit:
        assert kit.storage.options == {"bucket": "welfare"}  # type: ignore[attr-defined]


def test_allowed_adapter_hooks_are_called(world: object) -> None:
    import welfarekit_example_adapter as example

    example.AUDITED.clear()
    with WelfareKit.open(Settings(database_url="example://x", plugins=["example"])) as kit:
        kit.directory("sync").put(*world())  # type: ignore[operator]
    assert [e.action for e in example.AUDITED] == ["directory.write"] * 8
    assert {e.actor for e in example.AUDITED} == {"system:sync"}


def test_installed_but_not_allowed_adapter_is_ignored() -> None:
    import welfarekit_example_adapter as example

    example.AUDITED.clear()
    with WelfareKit.open(Settings(database_url="memory://", plugins=())) as kit:
        assert "example" not in {p.name for p in kit.plugins}
        assert "example" not in kit.registry.storage
        kit.directory("sync").put(welfarekit.EducationProvider(id="p", name="P"))
    assert example.AUDITED == []


def test_not_allowed_adapter_url_gives_error_naming_installed_plugins() -> None:
    with pytest.raises(AdapterNotFound) as error:
        WelfareKit.open(Settings(database_url="example://school", plugins=()))
    message = str(error.value)
    assert "no loaded storage adapter accepts a example:// database URL" in message
    assert "loaded: memory" in message
    assert "example" in message.split("installed plugins:")[1]


def test_unknown_plugin_name_lists_installed_plugins() -> None:
    with pytest.raises(AdapterNotFound, match="'exampel'.*not installed.*example-incompatible"):
        WelfareKit.open(Settings(database_url="memory://", plugins=["exampel"]))


def test_unknown_storage_name_lists_loaded_adapters() -> None:
    with pytest.raises(AdapterNotFound, match=r"no storage adapter named 'postgres'.*memory"):
        WelfareKit.open(Settings(database_url="memory://", plugins=(), storage="postgres"))


def test_named_storage_must_accept_the_url() -> None:
    with pytest.raises(AdapterNotFound, match="'memory' does not accept"):
        WelfareKit.open(Settings(database_url="example://x", plugins=(), storage="memory"))


def test_incompatible_hook_api_is_refused_with_both_versions() -> None:
    with pytest.raises(IncompatibleAdapter) as error:
        WelfareKit.open(Settings(database_url="memory://", plugins=["example-incompatible"]))
    assert ">=2.0,<3" in str(error.value)
    assert welfarekit.HOOK_API_VERSION in str(error.value)


def test_undeclared_hook_api_is_refused_with_how_to_declare() -> None:
    with pytest.raises(IncompatibleAdapter, match="WELFAREKIT_HOOK_API = '>=1.0,<2'"):
        WelfareKit.open(Settings(database_url="memory://", plugins=["example-undeclared"]))


def test_misspelled_hook_is_refused() -> None:
    with pytest.raises(PluginError, match="welfarekit_register_adaptors") as refused:
        WelfareKit.open(Settings(database_url="memory://", plugins=["example-misspelled"]))
    # the plugin is named as the host allows it, not as a module's repr
    assert str(refused.value).startswith("plugin 'example-misspelled' implements an unknown hook")


def test_plugin_that_fails_to_import_is_reported() -> None:
    with pytest.raises(PluginError, match="'example-broken' failed to import: ModuleNotFound"):
        WelfareKit.open(Settings(database_url="memory://", plugins=["example-broken"]))


def test_host_plugin_object_is_registered_and_called(world: object) -> None:
    events = []

    class Sink:
        @welfarekit.hookimpl
        def welfarekit_audit_event(self, event: welfarekit.AuditEvent) -> None:
            events.append(event)

    with WelfareKit.open(Settings(database_url="memory://", plugins=()), plugins=[Sink()]) as kit:
        kit.directory("sync").put(*world())  # type: ignore[operator]
    assert len(events) == 8


def test_host_plugin_with_wrong_hook_arguments_is_refused() -> None:
    class Wrong:
        @welfarekit.hookimpl
        def welfarekit_audit_event(self, evnt: object) -> None:
            return None

    with pytest.raises(PluginError, match="cannot be registered"):
        WelfareKit.open(Settings(database_url="memory://", plugins=()), plugins=[Wrong()])


def test_host_plugin_with_incompatible_declared_api_is_refused() -> None:
    plugin = SimpleNamespace(WELFAREKIT_HOOK_API=">=9")
    with pytest.raises(IncompatibleAdapter):
        WelfareKit.open(Settings(database_url="memory://", plugins=()), plugins=[plugin])


def test_two_plugins_offering_one_name_is_an_error_naming_both() -> None:
    class Duplicate:
        @welfarekit.hookimpl
        def welfarekit_register_adapters(self, registry: AdapterRegistry) -> None:
            registry.add_storage("memory", MemoryStorage, accepts=lambda url: False)

    with pytest.raises(PluginError, match="two plugins offer a storage adapter named 'memory'"):
        WelfareKit.open(Settings(database_url="memory://", plugins=()), plugins=[Duplicate()])


def test_two_adapters_accepting_the_url_must_be_chosen_by_name() -> None:
    class AlsoMemory:
        @welfarekit.hookimpl
        def welfarekit_register_adapters(self, registry: AdapterRegistry) -> None:
            registry.add_storage(
                "memory2", MemoryStorage, accepts=lambda u: u.startswith("memory:")
            )

    settings = Settings(database_url="memory://", plugins=())
    with pytest.raises(ConfigurationError, match="several storage adapters.*memory, memory2"):
        WelfareKit.open(settings, plugins=[AlsoMemory()])
    chosen = Settings(database_url="memory://", plugins=(), storage="memory2")
    with WelfareKit.open(chosen, plugins=[AlsoMemory()]) as kit:
        assert kit.storage_name == "memory2"


def test_host_may_pass_a_storage_object() -> None:
    storage = MemoryStorage()
    with WelfareKit.open(Settings(database_url="memory://", plugins=()), storage=storage) as kit:
        assert kit.storage is storage


def test_adapter_names_are_validated() -> None:
    registry = AdapterRegistry()
    with pytest.raises(PluginError, match="adapter names are lower-case"):
        registry.add_storage("My Store", MemoryStorage, accepts=lambda u: True)


def test_factory_failure_is_a_configuration_error() -> None:
    def explode(url: str, options: object) -> MemoryStorage:
        raise OSError("disk on fire")

    class Exploding:
        @welfarekit.hookimpl
        def welfarekit_register_adapters(self, registry: AdapterRegistry) -> None:
            registry.add_storage("boom", explode, accepts=lambda u: u.startswith("boom:"))

    with pytest.raises(ConfigurationError, match="could not open boom:// database: OSError"):
        WelfareKit.open(Settings(database_url="boom://", plugins=()), plugins=[Exploding()])


@pytest.mark.parametrize(
    ("spec", "version", "allowed"),
    [
        (">=1.0,<2", "1.0", True),
        (">=1.0,<2", "1.9", True),
        (">=1.0,<2", "2.0", False),
        (">=1.1", "1.0", False),
        ("==1.0", "1.0", True),
        ("!=1.0", "1.0", False),
        (">1.0, <=1.5", "1.5", True),
        ("<1", "1.0", False),
    ],
)
def test_hook_api_ranges(spec: str, version: str, allowed: bool) -> None:
    assert api_version_allowed(spec, version) is allowed


@pytest.mark.parametrize("spec", ["", "1.0", "~=1.0", ">=one", ">=1.0;<2"])
def test_unreadable_hook_api_range_is_refused(spec: str) -> None:
    with pytest.raises(PluginError, match="range"):
        api_version_allowed(spec)


# -- the hook contract ----------------------------------------------------------------------

HOOKS = [name for name in hookspecs.__all__ if name.startswith("welfarekit_")]


@pytest.mark.parametrize("name", HOOKS)
def test_every_hook_documents_its_contract(name: str) -> None:
    doc = inspect.getdoc(getattr(hookspecs, name)) or ""
    for section in ("**When:**", "**Arguments:**", "**Returns:**", "Example::", "versionadded"):
        assert section in doc, f"{name} lacks {section}"


def test_every_hookspec_is_listed_in_all() -> None:
    declared = {
        n for n, v in vars(hookspecs).items() if n.startswith("welfarekit_") and callable(v)
    }
    assert declared == set(HOOKS)


@pytest.mark.parametrize("name", HOOKS)
def test_every_hook_is_exercised_by_a_test(name: str) -> None:
    # As in datasette: a hook nobody tests is a hook nobody can rely on.
    from pathlib import Path

    tests = Path(__file__).parent
    sources = [
        p.read_text(encoding="utf-8")
        for p in tests.rglob("test_*.py")
        if p.name != Path(__file__).name
    ]
    sources.append(Path(__file__).read_text(encoding="utf-8").split("# -- the hook contract")[0])
    assert any(f"def {name}(" in s for s in sources), f"no test implements {name}"


def test_hookimpl_signatures_are_checked_against_specs() -> None:
    pm = pluggy.PluginManager("welfarekit")
    pm.add_hookspecs(hookspecs)

    class Bad:
        @welfarekit.hookimpl
        def welfarekit_register_adapters(self, reg: object) -> None: ...

    with pytest.raises(pluggy.PluginValidationError):
        pm.register(Bad())
