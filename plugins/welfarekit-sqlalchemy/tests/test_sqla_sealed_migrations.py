"""Revision welfarekit_0003 (sealed records, secrets, audit trail): up, down and up again
beside older data, the same as tables.py, and DDL that PostgreSQL and MariaDB accept."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import URL, Engine, create_engine, inspect, text
from sqlalchemy.schema import CreateIndex, CreateTable
from test_sqla_migrations import differences, table_of

from welfarekit.sealed import (
    BlindIndexEntry,
    SealedDisclosure,
    SealedEntry,
    SealedIdentityCode,
    SealedRecord,
    StoredKeyset,
)
from welfarekit.storage import FILTERS
from welfarekit_sqlalchemy import (
    VERSION_TABLE,
    VERSIONS_DIR,
    casework_tables,
    chain_tables,
    communal_tables,
    current,
    downgrade,
    head,
    sealed_tables,
    tables,
    upgrade,
)
from welfarekit_sqlalchemy.rows import SHAPES

SEALED_KINDS = (
    SealedRecord,
    SealedEntry,
    SealedDisclosure,
    StoredKeyset,
    BlindIndexEntry,
    SealedIdentityCode,
)
NEW_TABLES = {
    t.name for t in (*(SHAPES[k].table for k in SEALED_KINDS), sealed_tables.audit_events)
}

SECRETS_TABLES = {"welfarekit_provider_secrets", "welfarekit_access_requests"}
"""Added by revisions 0004 and 0005, in sealed_tables.py too."""
LATER_TABLES = SECRETS_TABLES | {
    getattr(module, name).name
    for module in (casework_tables, communal_tables, chain_tables)
    for name in module.__all__
}
"""Added by revisions 0004 to 0009."""

OLDER_ROWS = [
    "INSERT INTO welfarekit_providers VALUES ('p1', 'KKY', NULL, 'a', 'b', 'c', 'x')",
    "INSERT INTO welfarekit_institutions VALUES ('p1', 'lukio', 'Lukio', 'vocational')",
    "INSERT INTO welfarekit_students VALUES ('p1', 's1', 'lukio', 'Aino', 'K', '2010-03-01',"
    " 'Jyväskylä', NULL)",
    "INSERT INTO welfarekit_capacity_assessments VALUES ('p1', 'ca1', 's1', 1, 'nurse',"
    " '2026-11-02 07:15:30.000000')",
]
"""Rows of welfarekit_0001 and welfarekit_0002, there before welfarekit_0003."""

NEW_ROWS = [
    "INSERT INTO welfarekit_keysets VALUES ('p1', 's1', 'kek-1', X'00ff', '2026-11-02 07:15:30')",
    "INSERT INTO welfarekit_audit_events VALUES ('p1', 1, '" + "0" * 64 + "', '" + "a" * 64 + "',"
    " 'ev1', '2026-11-02 07:15:30.000000', 'system:x', 'directory.write', 'Student', 's1', NULL,"
    " 'success', NULL)",
]


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    created = create_engine(f"sqlite:///{tmp_path / 'host.db'}")
    with created.begin() as connection:
        connection.execute(text("CREATE TABLE school_users (id INTEGER PRIMARY KEY, name TEXT)"))
        connection.execute(text("INSERT INTO school_users VALUES (1, 'Aino')"))
    yield created
    created.dispose()


def table_names(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def count(engine: Engine, table: str) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def test_the_revision_is_shipped_and_is_the_head() -> None:
    assert (VERSIONS_DIR / "0003_sealed_and_audit.py").is_file()
    assert head() == "welfarekit_0009"  # 0004 to 0009: secrets, requests, casework, communal, ...


def test_the_new_tables_hold_the_new_kinds() -> None:
    assert {
        getattr(sealed_tables, name).name for name in sealed_tables.__all__
    } == NEW_TABLES | SECRETS_TABLES
    assert len(NEW_TABLES) == 7


def test_up_down_and_up_again_beside_older_data(engine: Engine) -> None:
    upgrade(engine, "welfarekit_0002")
    older = table_names(engine)
    assert not older & NEW_TABLES
    with engine.begin() as connection:
        for statement in OLDER_ROWS:
            connection.execute(text(statement))

    upgrade(engine, "welfarekit_0003")
    assert current(engine) == "welfarekit_0003"
    assert table_names(engine) == older | NEW_TABLES
    assert {table_of(diff) for diff in differences(engine)} == LATER_TABLES
    with engine.begin() as connection:
        for statement in NEW_ROWS:
            connection.execute(text(statement))

    downgrade(engine, "welfarekit_0002")
    assert current(engine) == "welfarekit_0002"
    assert table_names(engine) == older
    assert {table_of(diff) for diff in differences(engine)} == NEW_TABLES | LATER_TABLES
    assert [count(engine, t) for t in ("welfarekit_students", "welfarekit_capacity_assessments")]
    assert count(engine, "school_users") == 1

    upgrade(engine)
    assert table_names(engine) == older | NEW_TABLES | LATER_TABLES
    assert differences(engine) == []
    assert count(engine, "welfarekit_keysets") == count(engine, "welfarekit_audit_events") == 0
    downgrade(engine, "base")
    assert table_names(engine) == {"school_users", VERSION_TABLE}


def test_the_audit_trail_is_keyed_by_provider_and_sequence(engine: Engine) -> None:
    upgrade(engine)
    inspector = inspect(engine)
    key = inspector.get_pk_constraint("welfarekit_audit_events")
    assert key["constrained_columns"] == ["provider_id", "sequence"]
    assert inspector.get_foreign_keys("welfarekit_audit_events") == []
    columns = {c["name"]: c for c in inspector.get_columns("welfarekit_audit_events")}
    assert str(columns["sequence"]["type"]) == "BIGINT"
    assert columns["reason"]["nullable"]
    assert not columns["previous_hash"]["nullable"]


EXPECTED_INDEXES = {
    "welfarekit_sealed_records": [["provider_id", "student_id"]],
    "welfarekit_sealed_entries": [["provider_id", "record_id"], ["provider_id", "student_id"]],
    "welfarekit_sealed_disclosures": [["provider_id", "record_id"], ["provider_id", "student_id"]],
    "welfarekit_blind_index": [["provider_id", "value", "name"]],
}


def test_every_sealed_filter_has_its_index_in_the_database(engine: Engine) -> None:
    upgrade(engine)
    inspector = inspect(engine)
    for table, expected in EXPECTED_INDEXES.items():
        found = sorted(ix["column_names"] for ix in inspector.get_indexes(table))
        assert found == sorted(expected), table
    primary = inspector.get_pk_constraint("welfarekit_blind_index")["constrained_columns"]
    assert primary == ["provider_id", "name", "student_id"]  # serves the name filter
    for kind in SEALED_KINDS:
        leading: list[Any] = [
            ix["column_names"][:2] for ix in inspector.get_indexes(SHAPES[kind].table.name)
        ]
        leading.append(
            inspector.get_pk_constraint(SHAPES[kind].table.name)["constrained_columns"][:2]
        )
        for name in FILTERS[kind]:
            assert ["provider_id", name] in leading, f"{kind.__name__}.{name}"


@pytest.mark.parametrize(
    "index",
    [
        "ix_welfarekit_blind_index_provider_id_value_name",
        "ix_welfarekit_sealed_entries_provider_id_record_id",
    ],
)
def test_the_comparison_would_notice_a_dropped_index(engine: Engine, index: str) -> None:
    upgrade(engine)
    with engine.begin() as connection:
        connection.execute(text(f"DROP INDEX {index}"))
    assert [diff[0] for diff in differences(engine)] == ["add_index"]  # type: ignore[index]


@pytest.mark.parametrize(
    ("backend", "blob", "identifier"),
    [
        ("postgresql", "BYTEA", "VARCHAR(128)"),
        ("mariadb", "MEDIUMBLOB", "VARCHAR(128) COLLATE utf8mb4_bin"),
        ("mysql", "MEDIUMBLOB", "VARCHAR(128) COLLATE utf8mb4_bin"),
    ],
)
def test_the_tables_compile_for_postgresql_and_mariadb(
    backend: str, blob: str, identifier: str
) -> None:
    """Ciphertext as the database's binary type, identifiers exact, moments with their
    microseconds, no native enums and no auto-increment on the audit sequence."""
    dialect = URL.create(backend).get_dialect()()
    quoted = dialect.identifier_preparer.quote
    ddl = {
        table.name: str(CreateTable(table).compile(dialect=dialect))
        for table in tables.metadata.sorted_tables
        if table.name in NEW_TABLES
    }
    assert f"content {blob} NOT NULL" in ddl["welfarekit_sealed_entries"]
    assert f"ciphertext {blob} NOT NULL" in ddl["welfarekit_sealed_identity_codes"]
    assert f"{quoted('blob')} {blob} NOT NULL" in ddl["welfarekit_keysets"]  # BLOB is reserved
    assert f"student_id {identifier} NOT NULL" in ddl["welfarekit_blind_index"]
    audit = ddl["welfarekit_audit_events"]
    assert "sequence BIGINT NOT NULL" in audit
    assert "AUTO_INCREMENT" not in audit
    assert "SERIAL" not in audit
    assert "reason TEXT" in audit
    assert "ENUM" not in " ".join(ddl.values())
    if blob == "MEDIUMBLOB":
        assert "DATETIME(6)" in audit
    for table in tables.metadata.sorted_tables:
        for index in table.indexes if table.name in NEW_TABLES else ():
            assert str(CreateIndex(index).compile(dialect=dialect))
