"""The migrations build exactly the tables of tables.py, beside a host's tables, both ways."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, create_engine, inspect, text

from welfarekit.model import CapacityAssessment, ExpressionOfWill, GuardianVeto, Withdrawal
from welfarekit.storage import FILTERS, REGISTER_TYPES
from welfarekit_sqlalchemy import (
    MIGRATIONS_DIR,
    VERSION_TABLE,
    VERSIONS_DIR,
    current,
    downgrade,
    head,
    metadata,
    upgrade,
)
from welfarekit_sqlalchemy.rows import SHAPES
from welfarekit_sqlalchemy.tables import include_name, include_object
from welfarekit_sqlalchemy.testing import backend_url

WELFAREKIT_TABLES = set(metadata.tables)
REGISTER_TABLES = {
    "welfarekit_expressions_of_will",
    "welfarekit_will_covers",
    "welfarekit_will_cover_roles",
    "welfarekit_withdrawals",
    "welfarekit_capacity_assessments",
    "welfarekit_guardian_vetoes",
    "welfarekit_veto_guardians",
}
"""What welfarekit_0002 adds to the directory of welfarekit_0001."""
SEALED_TABLES = {
    "welfarekit_sealed_records",
    "welfarekit_sealed_entries",
    "welfarekit_sealed_disclosures",
    "welfarekit_keysets",
    "welfarekit_blind_index",
    "welfarekit_sealed_identity_codes",
    "welfarekit_audit_events",
}
"""What welfarekit_0003 adds (test_sqla_sealed_migrations.py)."""
SECRETS_TABLES = {"welfarekit_provider_secrets", "welfarekit_access_requests"}
"""What welfarekit_0004 and 0005 add."""
CASEWORK_TABLES = {
    "welfarekit_expert_groups",
    "welfarekit_availability_slots",
    "welfarekit_bookings",
    "welfarekit_transfers",
    "welfarekit_outbox",
    "welfarekit_sealed_matters",
    "welfarekit_sealed_referrals",
}
"""What welfarekit_0006 adds (test_sqla_casework.py)."""
COMMUNAL_TABLES = {
    "welfarekit_policy_documents",
    "welfarekit_communal_documents",
    "welfarekit_initiatives",
    "welfarekit_crisis_events",
    "welfarekit_plan_section_versions",
    "welfarekit_plan_states",
    "welfarekit_plan_comments",
}
"""What welfarekit_0007 adds (test_sqla_communal.py)."""
CHAIN_LOCK_TABLES = {"welfarekit_audit_chain_locks"}
"""What welfarekit_0009 adds (test_sqla_audit.py)."""
LATER_TABLES = (
    SEALED_TABLES | SECRETS_TABLES | CASEWORK_TABLES | COMMUNAL_TABLES | CHAIN_LOCK_TABLES
)
"""Everything after the register."""
DIRECTORY_TABLES = WELFAREKIT_TABLES - REGISTER_TABLES - LATER_TABLES


@pytest.fixture
def engine(backend: str, tmp_path: Path) -> Iterator[Engine]:
    """An empty database of its own on each backend: the migrations run there from nothing."""
    with backend_url(backend, tmp_path) as url:
        created = create_engine(url)
        yield created
        created.dispose()


@pytest.fixture
def host_table(engine: Engine) -> Engine:
    """The host's own table with rows, there before welfarekit."""
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE school_users (id INTEGER PRIMARY KEY, name TEXT)"))
        connection.execute(text("INSERT INTO school_users VALUES (1, 'Aino'), (2, 'Eetu')"))
    return engine


def table_names(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def host_rows(engine: Engine) -> list[tuple[int, str]]:
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT id, name FROM school_users ORDER BY id"))
        return [tuple(row) for row in rows]


def differences(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "version_table": VERSION_TABLE,
                "include_name": include_name,
                "include_object": include_object,
                "compare_type": True,
                "target_metadata": metadata,
            },
        )
        return list(compare_metadata(context, metadata))


def table_of(diff: Any) -> str:
    """The table an autogenerate difference (``add_table``, ``add_index``, ``add_column``)
    is about."""
    if diff[0] in ("add_column", "remove_column"):  # (kind, schema, table name, column)
        return str(diff[2])
    obj = diff[1]
    return str(getattr(obj, "table", obj).name)


def test_the_package_ships_its_alembic_environment() -> None:
    assert (MIGRATIONS_DIR / "env.py").is_file()
    assert (MIGRATIONS_DIR / "script.py.mako").is_file()
    assert (MIGRATIONS_DIR / "versions" / "0001_directory.py").is_file()
    assert (MIGRATIONS_DIR / "versions" / "0002_register.py").is_file()


def test_upgrade_creates_welfarekit_tables_and_version_table(engine: Engine) -> None:
    assert current(engine) is None
    upgrade(engine)
    assert table_names(engine) == WELFAREKIT_TABLES | {VERSION_TABLE}
    assert all(name.startswith("welfarekit_") for name in WELFAREKIT_TABLES)
    assert len(DIRECTORY_TABLES) == 11
    assert REGISTER_TABLES < WELFAREKIT_TABLES
    assert current(engine) == head() == "welfarekit_0009"


def test_the_register_tables_hold_the_register_kinds() -> None:
    kinds = (ExpressionOfWill, Withdrawal, CapacityAssessment, GuardianVeto)
    register = {SHAPES[kind].table.name for kind in kinds}
    children = {c.table.name for kind in kinds for c in SHAPES[kind].children}
    assert register | children == REGISTER_TABLES


def test_the_register_revision_adds_and_drops_only_its_tables(host_table: Engine) -> None:
    """From welfarekit_0001 (with data) up to the register and back: the directory's
    tables, their rows and the host's table stay as they are."""
    upgrade(host_table, "welfarekit_0001")
    assert table_names(host_table) == DIRECTORY_TABLES | {VERSION_TABLE, "school_users"}
    with host_table.begin() as connection:
        connection.execute(
            text("INSERT INTO welfarekit_providers VALUES ('p1', 'KKY', NULL, 'a', 'b', 'c', 'x')")
        )

    upgrade(host_table, "welfarekit_0002")
    assert current(host_table) == "welfarekit_0002"
    assert table_names(host_table) == WELFAREKIT_TABLES - LATER_TABLES | {
        VERSION_TABLE,
        "school_users",
    }
    assert {table_of(diff) for diff in differences(host_table)} == LATER_TABLES

    downgrade(host_table, "welfarekit_0001")
    assert current(host_table) == "welfarekit_0001"
    assert table_names(host_table) == DIRECTORY_TABLES | {VERSION_TABLE, "school_users"}
    with host_table.connect() as connection:
        ids = connection.execute(text("SELECT id FROM welfarekit_providers")).scalars().all()
    assert ids == ["p1"]
    assert host_rows(host_table) == [(1, "Aino"), (2, "Eetu")]

    upgrade(host_table)
    assert table_names(host_table) == WELFAREKIT_TABLES | {VERSION_TABLE, "school_users"}
    assert differences(host_table) == []


def test_upgrade_accepts_a_url(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'by-url.db'}"
    upgrade(url)
    assert current(url) == head()


def test_upgrade_is_idempotent(engine: Engine) -> None:
    upgrade(engine)
    upgrade(engine)
    assert current(engine) == head()


def test_host_tables_are_left_alone_both_ways(host_table: Engine) -> None:
    upgrade(host_table)
    assert table_names(host_table) == WELFAREKIT_TABLES | {VERSION_TABLE, "school_users"}
    assert host_rows(host_table) == [(1, "Aino"), (2, "Eetu")]

    downgrade(host_table, "base")
    remaining = table_names(host_table)
    assert remaining == {"school_users", VERSION_TABLE}
    assert host_rows(host_table) == [(1, "Aino"), (2, "Eetu")]
    assert current(host_table) is None


def test_upgrade_downgrade_upgrade(engine: Engine) -> None:
    upgrade(engine)
    downgrade(engine, "base")
    assert table_names(engine) & WELFAREKIT_TABLES == set()
    upgrade(engine)
    assert table_names(engine) == WELFAREKIT_TABLES | {VERSION_TABLE}
    assert differences(engine) == []


def test_the_models_match_the_migrations(host_table: Engine) -> None:
    upgrade(host_table)
    assert differences(host_table) == []


@pytest.mark.parametrize(
    "index",
    [
        "ix_welfarekit_students_provider_id_study_group_id",
        "ix_welfarekit_guardian_vetoes_provider_id_student_id",
    ],
)
def test_the_comparison_would_notice_a_difference(engine: Engine, index: str) -> None:
    """Guards the test above: an empty diff must not come from comparing nothing."""
    if engine.dialect.name == "mysql":
        pytest.skip("MariaDB will not drop an index a foreign key needs; PostgreSQL shows it")
    upgrade(engine)
    with engine.begin() as connection:
        connection.execute(text(f"DROP INDEX {index}"))
    assert [diff[0] for diff in differences(engine)] == ["add_index"]  # type: ignore[index]


def test_every_filter_has_an_index_within_the_provider() -> None:
    assert set(FILTERS) == set(SHAPES)
    assert all(FILTERS[kind] for kind in REGISTER_TYPES), "the register is read by student"
    for kind, filters in FILTERS.items():
        shape = SHAPES[kind]
        leading = [
            [column.name for column in index.columns][:2] for index in shape.table.indexes
        ] + [[column.name for column in shape.table.primary_key.columns][:2]]
        for name in filters:
            assert [shape.tenant, shape.filters[name]] in leading, f"{kind.__name__}.{name}"


def test_constraint_names_fit_every_database(engine: Engine) -> None:
    """PostgreSQL cuts names at 63 characters, MariaDB refuses more than 64."""
    upgrade(engine)
    inspector = inspect(engine)
    mysql = engine.dialect.name == "mysql"  # MariaDB calls every primary key PRIMARY
    keys: list[str | None] = []
    indexes: list[str | None] = []
    for table in WELFAREKIT_TABLES:
        if not mysql:
            keys.append(inspector.get_pk_constraint(table)["name"])
        keys += [fk["name"] for fk in inspector.get_foreign_keys(table)]
        indexes += [ix["name"] for ix in inspector.get_indexes(table)]
    names = keys + indexes
    assert all(names)
    assert max(len(name or "") for name in names) <= 63
    # constraint names are unique in the schema, index names (MariaDB names the index a
    # foreign key needs after the key) at least within it too
    assert len(keys) == len(set(keys))
    assert len(indexes) == len(set(indexes))


HOST_ENV = """
from alembic import context

context.configure(connection=context.config.attributes["connection"])
with context.begin_transaction():
    context.run_migrations()
"""

HOST_REVISION = """
import sqlalchemy as sa
from alembic import op

revision = "host_0001"
down_revision = None
branch_labels = ("host",)
depends_on = None


def upgrade():
    op.create_table("school_users", sa.Column("id", sa.Integer, primary_key=True))


def downgrade():
    op.drop_table("school_users")
"""


def test_a_host_alembic_can_take_welfarekit_as_a_branch(engine: Engine, tmp_path: Path) -> None:
    """The second way the db module documents: welfarekit's versions in the host's
    version_locations, both branches in the host's own version table."""
    script = tmp_path / "host_migrations"
    (script / "versions").mkdir(parents=True)
    (script / "env.py").write_text(HOST_ENV)
    (script / "versions" / "host_0001.py").write_text(HOST_REVISION)
    with engine.begin() as connection:
        config = Config()
        config.set_main_option("script_location", str(script))
        config.set_main_option("path_separator", "os")
        config.set_main_option(
            "version_locations", os.pathsep.join([str(script / "versions"), str(VERSIONS_DIR)])
        )
        config.attributes["connection"] = connection
        command.upgrade(config, "heads")
        versions = {row[0] for row in connection.execute(text("SELECT * FROM alembic_version"))}
        assert versions == {"host_0001", head()}
        command.downgrade(config, "welfarekit@base")
    assert table_names(engine) == {"school_users", "alembic_version"}
