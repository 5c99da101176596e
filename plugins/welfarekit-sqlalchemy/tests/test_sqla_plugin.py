"""The plugin as welfarekit finds it: entry point, hook API, registration, and a kit on it."""

from __future__ import annotations

import datetime as dt
import importlib.metadata
from pathlib import Path

import pytest

from welfarekit.model import EducationProvider, Institution, InstitutionKind, Student
from welfarekit.plugins import AdapterRegistry, api_version_allowed, load_plugins
from welfarekit.storage import StorageAdapter, StorageTransaction
from welfarekit_sqlalchemy import SQLAlchemyStorage, plugin


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:///welfare.db",
        "sqlite:////var/lib/welfarekit/welfare.sqlite3",
        "sqlite://",
        "postgresql://welfare@db/welfare",
        "postgresql+psycopg://welfare@db/welfare",
        "mysql+pymysql://welfare@db/welfare",
        "mariadb+mariadbconnector://welfare@db/welfare",
    ],
)
def test_accepts_the_databases_it_serves(url: str) -> None:
    assert plugin.accepts(url)


@pytest.mark.parametrize(
    "url", ["memory://", "mongodb://db/welfare", "oracle://db", "welfare.db", "/tmp/welfare.db"]
)
def test_leaves_other_urls_to_other_adapters(url: str) -> None:
    assert not plugin.accepts(url)


def test_the_entry_point_names_the_plugin_module() -> None:
    found = {ep.name: ep.value for ep in importlib.metadata.entry_points(group="welfarekit")}
    assert found.get("sqlalchemy") == "welfarekit_sqlalchemy.plugin"


def test_the_hook_api_fits_this_welfarekit() -> None:
    assert api_version_allowed(plugin.WELFAREKIT_HOOK_API)


def test_registers_the_sqlalchemy_storage(tmp_path: Path) -> None:
    registry = AdapterRegistry()
    plugin.welfarekit_register_adapters(registry=registry)
    offer = registry.storage["sqlalchemy"]
    assert offer.accepts("sqlite:///x.db")
    storage = offer.factory(f"sqlite:///{tmp_path / 'x.db'}", {})
    assert isinstance(storage, SQLAlchemyStorage)
    assert isinstance(storage, StorageAdapter)
    storage.upgrade()
    with storage.transaction() as tx:
        assert isinstance(tx, StorageTransaction)
    storage.close()


def test_load_plugins_picks_it_by_name() -> None:
    _, registry, loaded = load_plugins(["sqlalchemy"])
    assert "sqlalchemy" in registry.storage
    assert [p.adapters for p in loaded if p.name == "sqlalchemy"] == [("storage:sqlalchemy",)]


def test_a_kit_works_on_a_sqlite_file(tmp_path: Path) -> None:
    from welfarekit import Settings, WelfareKit

    settings = Settings(database_url=str(tmp_path / "kit.sqlite3"), plugins=["sqlalchemy"])
    with WelfareKit.open(settings) as kit:
        assert kit.storage_name == "sqlalchemy"
        assert not kit.schema_status().up_to_date
        kit.upgrade_schema()
        student = Student(
            id="s1", provider_id="p1", institution_id="lukio", given_names="Aino",
            family_name="Korhonen", date_of_birth=dt.date(2010, 3, 1),
            home_municipality="Jyväskylä",
        )  # fmt: skip
        kit.directory("test").put(
            EducationProvider(id="p1", name="Koulutuskuntayhtymä"),
            Institution(
                id="lukio", provider_id="p1", name="Lukio", kind=InstitutionKind.VOCATIONAL
            ),
            student,
        )
    with WelfareKit.open(settings) as reopened:
        assert reopened.directory("test").get(Student, "p1", "s1") == student
