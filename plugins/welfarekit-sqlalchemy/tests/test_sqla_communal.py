"""Communal welfare (revision welfarekit_0007): every kind read back exactly and filtered as
the reference adapter filters it, replaced on save, create-only insert of a plan section's
version, the longest texts the models allow, references within the provider, and the
migration up and down."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import attrs
import pytest
from communal_world import CHECKLIST_LENGTH, MINUTES_LENGTH, PRINCIPAL, long_text
from sqlalchemy import URL, Engine, create_engine, func, inspect, select, text
from sqlalchemy.schema import CreateTable
from test_sqla_migrations import differences, table_of

from welfarekit.builtin.memory import MemoryStorage
from welfarekit.errors import ConflictError, StorageError
from welfarekit.model import (
    CommunalDocument,
    CrisisEvent,
    CrisisStatus,
    EducationProvider,
    Initiative,
    InitiativeStatus,
    PersonKind,
    PersonRef,
    PlanComment,
    PlanSectionVersion,
    PlanState,
    PlanStatus,
    PolicyDocument,
    WelfareGroup,
)
from welfarekit.storage import CASE_TYPES, FILTERS, Entity, entity_key
from welfarekit_sqlalchemy import (
    VERSION_TABLE,
    VERSIONS_DIR,
    SQLAlchemyStorage,
    communal_tables,
    current,
    downgrade,
    head,
    tables,
    upgrade,
)
from welfarekit_sqlalchemy.communal_rows import COMMUNAL_SHAPES
from welfarekit_sqlalchemy.rows import SHAPES

World = Callable[[str], list[Entity]]
E = TypeVar("E", bound=Entity)

COMMUNAL_KINDS: tuple[type[Entity], ...] = (
    PolicyDocument,
    CommunalDocument,
    Initiative,
    CrisisEvent,
    PlanSectionVersion,
    PlanState,
    PlanComment,
)
COMMUNAL_TABLES = {getattr(communal_tables, name).name for name in communal_tables.__all__}
CHAIN_LOCKS = "welfarekit_audit_chain_locks"
"""Added after communal welfare, by welfarekit_0009 (test_sqla_audit.py)."""
LONG_TEXT_TABLES = {
    "welfarekit_policy_documents": ["body"],
    "welfarekit_communal_documents": ["body"],
    "welfarekit_crisis_events": ["checklist", "aftercare", "debrief"],
    "welfarekit_plan_section_versions": ["body"],
    "welfarekit_plan_comments": ["text"],
}
"""Where free text may outgrow a MariaDB ``TEXT`` (64 KiB)."""
NURSE = PersonRef(PersonKind.STAFF, "nurse")
LATER = dt.datetime(2026, 12, 2, 8, 30, 0, 654321, tzinfo=dt.UTC)


def of_kind(entities: list[Entity], kind: type[Entity]) -> list[Any]:
    return [e for e in entities if type(e) is kind]


def the(world: World, kind: type[E], key: str) -> E:
    """The one object of ``kind`` with ``key`` in provider p1."""
    (found,) = [e for e in world("p1") if isinstance(e, kind) and entity_key(e) == key]
    return found


def rows(storage: SQLAlchemyStorage, kind: type[Entity]) -> int:
    table = SHAPES[kind].table
    with storage.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


@pytest.fixture
def memory(world: World) -> MemoryStorage:
    """The reference adapter holding the same world."""
    reference = MemoryStorage()
    with reference.transaction() as tx:
        for entity in world("p1"):
            tx.save(entity)
    return reference


# -- the shapes -----------------------------------------------------------------------------


def test_the_communal_kinds_are_case_kinds_with_their_own_tables() -> None:
    assert set(COMMUNAL_KINDS) == set(COMMUNAL_SHAPES)
    assert set(COMMUNAL_KINDS) <= set(CASE_TYPES)
    assert {SHAPES[kind].table.name for kind in COMMUNAL_KINDS} == COMMUNAL_TABLES
    assert len(COMMUNAL_TABLES) == 7


@pytest.mark.parametrize("kind", COMMUNAL_KINDS, ids=lambda k: k.__name__)
def test_every_field_has_its_columns(world: World, kind: type[Entity]) -> None:
    """A field the model gains is not dropped silently: each has a column (a person two),
    and each column of the table is written."""
    for entity in of_kind(world("p1"), kind):
        row = SHAPES[kind].to_row(entity)
        for field in attrs.fields(kind):
            assert field.name in row or {f"{field.name}_kind", f"{field.name}_id"} <= set(row), (
                field.name
            )
        assert set(row) == {column.name for column in SHAPES[kind].table.columns}


# -- exact round trip and filters -----------------------------------------------------------


@pytest.mark.parametrize("kind", COMMUNAL_KINDS, ids=lambda k: k.__name__)
def test_each_kind_reads_back_equal(
    filled: SQLAlchemyStorage, world: World, kind: type[Entity]
) -> None:
    expected = sorted(of_kind(world("p1"), kind), key=entity_key)
    assert len(expected) >= (1 if kind is PlanState else 2)  # one plan per provider
    with filled.transaction() as tx:
        for entity in expected:
            assert tx.get(kind, "p1", entity_key(entity)) == entity
        assert tx.list(kind, "p1") == expected
        assert tx.get(kind, "p2", entity_key(expected[0])) is None
        assert tx.list(kind, "p2") == []


def test_moments_come_back_as_aware_utc_and_ciphertext_as_bytes(
    filled: SQLAlchemyStorage,
) -> None:
    with filled.transaction() as tx:
        initiatives = tx.list(Initiative, "p1")
        crises = tx.list(CrisisEvent, "p1")
        sections = tx.list(PlanSectionVersion, "p1")
    moments = [i.received_at for i in initiatives] + [c.activated_at for c in crises]
    moments += [i.answered_at for i in initiatives if i.answered_at is not None]
    moments += [c.closed_at for c in crises if c.closed_at is not None]
    moments += [s.changed_at for s in sections]
    assert {m.tzinfo for m in moments} == {dt.UTC}
    blobs = [i.content for i in initiatives] + [i.keyset for i in initiatives]
    assert all(type(blob) is bytes for blob in blobs)
    assert {len(blob) for blob in blobs} >= {0, 141, 900, 100_000}
    assert {s.id: s.review_by for s in sections} == {
        "goals.v1": None,
        "goals.v2": dt.date(2027, 8, 1),
        "lukio-crisis.v1": None,
    }


def test_optional_people_are_kept_or_left_empty(filled: SQLAlchemyStorage) -> None:
    with filled.transaction() as tx:
        initiators = {i.id: i.initiator for i in tx.list(Initiative, "p1")}
        plan = tx.get(PlanState, "p1", "plan")
    assert initiators == {
        "ini1": PersonRef(PersonKind.STUDENT, "s1"),
        "ini2": None,
        "ini2.x": PersonRef(PersonKind.GUARDIAN, "g1"),
    }
    assert plan is not None
    assert plan.approved_by is None
    with filled.engine.connect() as connection:
        anonymous = connection.execute(
            text(
                "SELECT initiator_kind, initiator_id, student_id FROM welfarekit_initiatives "
                "WHERE provider_id = 'p1' AND id = 'ini2'"
            )
        ).one()
        unapproved = connection.execute(
            text("SELECT approved_by_kind, approved_by_id FROM welfarekit_plan_states")
        ).one()
    assert tuple(anonymous) == (None, None, None)
    assert tuple(unapproved) == (None, None)


def test_enums_are_stored_as_their_values(filled: SQLAlchemyStorage) -> None:
    with filled.engine.connect() as connection:
        crisis = connection.execute(
            text(
                "SELECT kind, status, activated_by_kind FROM welfarekit_crisis_events "
                "WHERE provider_id = 'p1' AND id = 'crisis2'"
            )
        ).one()
        initiative = connection.execute(
            text("SELECT status FROM welfarekit_initiatives WHERE id = 'ini2.x'")
        ).scalar_one()
        document = connection.execute(
            text(
                "SELECT kind FROM welfarekit_communal_documents WHERE id = 'ohjaus-2026-11-agenda'"
            )
        ).scalar_one()
    assert tuple(crisis) == ("threat", "closed", "staff")
    assert initiative == "routed"
    assert document == "agenda"


def test_the_longest_texts_come_back_whole(filled: SQLAlchemyStorage) -> None:
    """Minutes of 50,000 characters and a checklist of 100,000, of which many take two to
    four bytes: more than a MariaDB ``TEXT`` holds. Line breaks and tabs come back too."""
    with filled.transaction() as tx:
        minutes = tx.get(CommunalDocument, "p1", "hyvinvointi-2026-11-minutes")
        crisis = tx.get(CrisisEvent, "p1", "crisis1")
    assert minutes is not None
    assert crisis is not None
    assert len(minutes.body) == MINUTES_LENGTH
    assert len(crisis.checklist) == CHECKLIST_LENGTH
    assert len(crisis.checklist.encode()) > 2**16
    assert json.loads(crisis.checklist)[0]["by"] == "t.virtanen"
    assert "🕯" in minutes.body
    assert "\n\t-" in minutes.body  # line breaks and tabs kept as written
    assert "€" in crisis.checklist


def test_every_text_at_its_models_limit_round_trips(filled: SQLAlchemyStorage) -> None:
    at_limit: list[Entity] = [
        PolicyDocument(
            provider_id="p1", scope="ammattiopisto", body=long_text("{", 20_000, lines=True),
            updated_at=LATER, updated_by=PRINCIPAL,
        ),
        CommunalDocument(
            id="ohjaus-2026-12-minutes", provider_id="p1", group_id="ohjaus", kind="minutes",
            meeting_date=dt.date(2026, 12, 10), title=long_text("Muistio", 200),
            body=long_text("Muistio", 50_000, lines=True), written_by=PRINCIPAL, written_at=LATER,
        ),
        CrisisEvent(
            id="crisis4", provider_id="p1", institution_id="ammattiopisto", kind="other",
            title=long_text("Kriisi", 200), activated_by=NURSE, activated_at=LATER,
            checklist=long_text("[", 100_000, lines=True),
            aftercare=long_text("[", 100_000, lines=True),
            debrief=long_text("Jälkipuinti", 20_000, lines=True),
        ),
        PlanSectionVersion(
            id="measures.v1", provider_id="p1", section_key="measures", version=1,
            title=long_text("Toimet", 300), body=long_text("Toimet", 100_000, lines=True),
            changed_by=NURSE, changed_at=LATER, note=long_text("Huom", 500),
        ),
        PlanComment(
            id="c3", provider_id="p1", section_key="measures", author=NURSE,
            text=long_text("Kommentti", 5000, lines=True), created_at=LATER,
        ),
        Initiative(
            id="ini3", provider_id="p1", group_id="ohjaus", received_at=LATER,
            routed_to=long_text("expert_group:", 200), kek_id="kek-2026-1", keyset=b"k",
            content=b"\x00" * 200_000,
        ),
    ]  # fmt: skip
    with filled.transaction() as tx:
        for entity in at_limit:
            tx.insert(entity)
    with filled.transaction() as tx:
        for entity in at_limit:
            assert tx.get(type(entity), "p1", entity_key(entity)) == entity


FILTER_CASES = [(kind, name) for kind in COMMUNAL_KINDS for name in FILTERS[kind]]


@pytest.mark.parametrize(
    ("kind", "name"), FILTER_CASES, ids=[f"{k.__name__}.{n}" for k, n in FILTER_CASES]
)
def test_each_filter_finds_what_the_reference_adapter_finds(
    filled: SQLAlchemyStorage,
    memory: MemoryStorage,
    world: World,
    kind: type[Entity],
    name: str,
) -> None:
    read = FILTERS[kind][name]
    values: set[Any] = {read(e) for e in of_kind(world("p1"), kind) if read(e) is not None}
    assert len(values) >= 2
    with filled.transaction() as tx, memory.transaction() as reference:
        for value in (*values, "nothing-has-this"):
            expected = reference.list(kind, "p1", **{name: str(value)})
            assert tx.list(kind, "p1", **{name: str(value)}) == expected
            assert tx.list(kind, "p1", **{name: value}) == expected  # enum members too
            assert len(expected) < len(of_kind(world("p1"), kind))


def test_filters_combine(filled: SQLAlchemyStorage) -> None:
    with filled.transaction() as tx:
        routed = tx.list(Initiative, "p1", group_id="hyvinvointi", status=InitiativeStatus.ROUTED)
        waiting = tx.list(Initiative, "p1", group_id="hyvinvointi", status="received")
        active = tx.list(CrisisEvent, "p1", institution_id="lukio", status="active")
    assert [i.id for i in routed] == ["ini2.x"]
    assert waiting == []
    assert [c.id for c in active] == ["crisis1"]


# -- replaced on save -----------------------------------------------------------------------


def _approved(world: World) -> PlanState:
    return attrs.evolve(
        the(world, PlanState, "plan"),
        status=PlanStatus.APPROVED,
        approved_by=PRINCIPAL,
        approved_at=LATER,
    )


def _answered(world: World) -> Initiative:
    return attrs.evolve(
        the(world, Initiative, "ini2"),
        status="answered",
        answered_at=LATER,
        content=b"sealed response",
    )


def _closed(world: World) -> CrisisEvent:
    return attrs.evolve(
        the(world, CrisisEvent, "crisis3"),
        status=CrisisStatus.CLOSED,
        aftercare=long_text('[{"given": "', 90_000),
        debrief="Jälkipuinti 1.12.",
        closed_at=LATER,
    )


def _revised(world: World) -> PolicyDocument:
    return attrs.evolve(
        the(world, PolicyDocument, "lukio"), body='{"meetings_per_year": 8}', updated_at=LATER
    )


@pytest.mark.parametrize(
    "changed",
    [_approved, _answered, _closed, _revised],
    ids=["PlanState approved", "Initiative answered", "CrisisEvent closed", "PolicyDocument"],
)
def test_save_replaces_in_place(
    filled: SQLAlchemyStorage, world: World, changed: Callable[[World], Entity]
) -> None:
    after = changed(world)
    kind = type(after)
    before = rows(filled, kind)
    with filled.transaction() as tx:
        tx.save(after)
    with filled.transaction() as tx:
        assert tx.get(kind, "p1", entity_key(after)) == after
        assert tx.get(kind, "p2", entity_key(after)) is None
        others = [e for e in of_kind(world("p1"), kind) if entity_key(e) != entity_key(after)]
        assert [e for e in tx.list(kind, "p1") if entity_key(e) != entity_key(after)] == sorted(
            others, key=entity_key
        )
    assert rows(filled, kind) == before


def test_the_plan_moves_on_to_approved_and_published(filled: SQLAlchemyStorage) -> None:
    with filled.transaction() as tx:
        plan = tx.get(PlanState, "p1", "plan")
        assert plan is not None
        approved = attrs.evolve(plan, status="approved", approved_by=PRINCIPAL, approved_at=LATER)
        tx.save(approved)
        assert tx.get(PlanState, "p1", "plan") == approved
        published = attrs.evolve(
            approved, status=PlanStatus.PUBLISHED, published_at=LATER + dt.timedelta(days=1)
        )
        tx.save(published)
    with filled.transaction() as tx:
        assert tx.list(PlanState, "p1") == [published]
    assert rows(filled, PlanState) == 1


# -- create-only insert ---------------------------------------------------------------------


def test_a_second_insert_of_a_section_version_conflicts_and_keeps_the_first(
    filled: SQLAlchemyStorage, world: World
) -> None:
    first = the(world, PlanSectionVersion, "goals.v2")
    second = attrs.evolve(first, body="Toinen muokkaaja ehti ensin.", changed_by=PRINCIPAL)
    following = attrs.evolve(first, id="goals.v3", version=3, body="Kolmas versio.")
    before = rows(filled, PlanSectionVersion)
    with filled.transaction() as tx:
        with pytest.raises(ConflictError, match=r"PlanSectionVersion 'goals\.v2' exists"):
            tx.insert(second)
        assert tx.get(PlanSectionVersion, "p1", "goals.v2") == first
        tx.insert(following)  # the transaction is still usable
    with filled.transaction() as tx:
        assert tx.get(PlanSectionVersion, "p1", "goals.v2") == first
        assert [v.id for v in tx.list(PlanSectionVersion, "p1", section_key="goals")] == [
            "goals.v1",
            "goals.v2",
            "goals.v3",
        ]
    assert rows(filled, PlanSectionVersion) == before + 1


def test_the_same_version_in_another_provider_is_no_conflict(
    filled: SQLAlchemyStorage, world: World
) -> None:
    with filled.transaction() as tx:
        for entity in world("p2")[:1]:
            tx.save(entity)  # the provider p2
        tx.insert(attrs.evolve(the(world, PlanSectionVersion, "goals.v1"), provider_id="p2"))
        assert tx.get(PlanSectionVersion, "p2", "goals.v1") is not None


# -- references -----------------------------------------------------------------------------


def test_references_hold_within_the_provider(filled: SQLAlchemyStorage, world: World) -> None:
    document = the(world, CommunalDocument, "ohjaus-2026-11-agenda")
    initiative = the(world, Initiative, "ini2.x")
    section = the(world, PlanSectionVersion, "lukio-crisis.v1")
    strays: list[Entity] = [
        attrs.evolve(the(world, PolicyDocument, "provider"), provider_id="p-missing"),
        attrs.evolve(document, id="d2", group_id="group-missing"),
        attrs.evolve(initiative, id="ini9", group_id="group-missing"),
        attrs.evolve(initiative, id="ini9", student_id="s-missing"),
        attrs.evolve(the(world, CrisisEvent, "crisis2"), id="crisis9", institution_id="x"),
        attrs.evolve(section, id="lukio-crisis.v2", version=2, institution_id="missing"),
        attrs.evolve(the(world, PlanState, "plan"), provider_id="p-missing"),
        attrs.evolve(the(world, PlanComment, "c1"), provider_id="p-missing"),
    ]
    for stray in strays:
        with pytest.raises(StorageError, match="(?i)foreign key"), filled.transaction() as tx:
            tx.save(stray)
    with filled.transaction() as tx:
        tx.save(attrs.evolve(initiative, id="ini9", student_id=None, initiator=None))
        tx.save(attrs.evolve(section, id="lukio-crisis.v2", version=2, institution_id=None))
        assert tx.get(Initiative, "p1", "ini9") is not None
        assert tx.get(PlanSectionVersion, "p1", "lukio-crisis.v2") is not None


def test_a_group_with_documents_cannot_be_deleted_first(filled: SQLAlchemyStorage) -> None:
    with pytest.raises(StorageError, match="(?i)foreign key"), filled.transaction() as tx:
        tx.delete(WelfareGroup, "p1", "ohjaus")
    with filled.transaction() as tx:
        assert tx.delete(CommunalDocument, "p1", "ohjaus-2026-11-agenda")
        assert tx.delete(Initiative, "p1", "ini2")
        assert tx.delete(WelfareGroup, "p1", "ohjaus")


def test_a_provider_has_no_communal_welfare_until_it_has_some(
    storage: SQLAlchemyStorage,
) -> None:
    with storage.transaction() as tx:
        tx.insert(EducationProvider(id="p1", name="Tyhjä"))
        assert all(tx.list(kind, "p1") == [] for kind in COMMUNAL_KINDS)
        assert tx.get(PlanState, "p1", "plan") is None


# -- the migration --------------------------------------------------------------------------


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
    assert (VERSIONS_DIR / "0007_communal.py").is_file()
    assert head() == "welfarekit_0009"  # 0008: the outbox backoff, 0009: chain locks


def test_upgrade_down_to_0006_and_up_again(engine: Engine, world: World) -> None:
    """Down to welfarekit_0006 drops the communal tables and nothing else: casework, older
    rows and the host's table stay; up again builds the same tables as
    communal_tables.py."""
    upgrade(engine)
    assert current(engine) == "welfarekit_0009"
    everything = table_names(engine)
    assert COMMUNAL_TABLES.issubset(everything)
    storage = SQLAlchemyStorage(engine.url, {})
    try:
        with storage.transaction() as tx:
            for entity in world("p1"):
                tx.save(entity)
    finally:
        storage.close()
    older = {
        t: count(engine, t) for t in everything - COMMUNAL_TABLES - {VERSION_TABLE, "school_users"}
    }
    assert all(count(engine, t) for t in COMMUNAL_TABLES)
    assert count(engine, "welfarekit_bookings")

    downgrade(engine, "welfarekit_0006")
    assert current(engine) == "welfarekit_0006"
    assert table_names(engine) == everything - COMMUNAL_TABLES - {CHAIN_LOCKS}
    assert {t: count(engine, t) for t in older if t != CHAIN_LOCKS} == {
        t: n for t, n in older.items() if t != CHAIN_LOCKS
    }
    assert count(engine, "school_users") == 1
    # 0008's column and 0009's table go too: the outbox differs from the models by it
    assert {table_of(diff) for diff in differences(engine)} == COMMUNAL_TABLES | {
        "welfarekit_outbox",
        CHAIN_LOCKS,
    }

    upgrade(engine)
    assert current(engine) == "welfarekit_0009"
    assert table_names(engine) == everything
    assert differences(engine) == []
    assert not any(count(engine, t) for t in COMMUNAL_TABLES)
    assert {t: count(engine, t) for t in older} == older


EXPECTED_INDEXES = {
    "welfarekit_policy_documents": [],
    "welfarekit_communal_documents": [["provider_id", "group_id"]],
    "welfarekit_initiatives": [
        ["provider_id", "group_id"],
        ["provider_id", "status"],
        ["provider_id", "student_id"],
    ],
    "welfarekit_crisis_events": [["provider_id", "institution_id"], ["provider_id", "status"]],
    "welfarekit_plan_section_versions": [
        ["provider_id", "institution_id"],
        ["provider_id", "section_key"],
    ],
    "welfarekit_plan_states": [],
    "welfarekit_plan_comments": [["provider_id", "section_key"]],
}


def test_the_database_has_the_keys_and_indexes(engine: Engine) -> None:
    upgrade(engine)
    inspector = inspect(engine)
    assert set(EXPECTED_INDEXES) == COMMUNAL_TABLES
    for table, expected in EXPECTED_INDEXES.items():
        found = sorted(ix["column_names"] for ix in inspector.get_indexes(table))
        assert found == expected, table
    keys = {t: inspector.get_pk_constraint(t)["constrained_columns"] for t in COMMUNAL_TABLES}
    assert keys["welfarekit_policy_documents"] == ["provider_id", "scope"]
    assert all(key == ["provider_id", "id"] for t, key in keys.items() if "policy" not in t)
    nullable = {c["name"]: c["nullable"] for c in inspector.get_columns("welfarekit_initiatives")}
    assert nullable["initiator_kind"]
    assert nullable["initiator_id"]
    assert nullable["student_id"]
    assert not nullable["group_id"]


@pytest.mark.parametrize(
    ("backend", "long", "blob", "moment"),
    [
        ("postgresql", "TEXT", "BYTEA", "TIMESTAMP WITH TIME ZONE"),
        ("mariadb", "MEDIUMTEXT", "MEDIUMBLOB", "DATETIME(6)"),
        ("mysql", "MEDIUMTEXT", "MEDIUMBLOB", "DATETIME(6)"),
    ],
)
def test_the_tables_compile_for_postgresql_and_mariadb(
    backend: str, long: str, blob: str, moment: str
) -> None:
    dialect = URL.create(backend).get_dialect()()
    quoted = dialect.identifier_preparer.quote
    ddl = {
        table.name: str(CreateTable(table).compile(dialect=dialect))
        for table in tables.metadata.sorted_tables
        if table.name in COMMUNAL_TABLES
    }
    assert set(ddl) == COMMUNAL_TABLES
    for table, columns in LONG_TEXT_TABLES.items():
        for column in columns:
            null = "," if column == "debrief" else " NOT NULL"
            assert f"{quoted(column)} {long}{null}" in ddl[table], (table, column)
    assert f"content {blob} NOT NULL" in ddl["welfarekit_initiatives"]
    assert f"keyset {blob} NOT NULL" in ddl["welfarekit_initiatives"]
    assert f"answered_at {moment}," in ddl["welfarekit_initiatives"]
    assert f"activated_at {moment} NOT NULL" in ddl["welfarekit_crisis_events"]
    assert "ENUM" not in " ".join(ddl.values())
