"""OneRoster bundles from outside: whatever the CSV files and the mapping file hold —
malformed rows, bad encodings, missing files and columns, dangling references — an import is
either done or refused with a typed error (InvalidBundle, naming file, line and field), and a
refused import leaves the directory as it was."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import tempfile
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
from fuzz_support import attempt, fuzz
from hypothesis import example, given
from hypothesis import strategies as st

pytest.importorskip("welfarekit_oneroster")

from welfarekit_oneroster import FILES, ImportReport, InvalidBundle, RosterMapping, import_bundle

from welfarekit import EducationProvider, Settings, WelfareKit
from welfarekit.audit_chain import verify
from welfarekit.errors import WelfareKitError
from welfarekit.model import (
    Guardian,
    Guardianship,
    Institution,
    Membership,
    StaffMember,
    Student,
    StudyGroup,
    WelfareGroup,
)

SAMPLE = Path(__file__).parents[2] / "plugins" / "welfarekit-oneroster" / "tests" / "bundle"
TODAY = dt.date(2026, 11, 23)
SAMPLE_ROWS: dict[str, list[list[str]]] = {
    name: list(csv.reader(io.StringIO((SAMPLE / name).read_text(encoding="utf-8"), newline="")))
    for name in FILES
}
SAMPLE_MAPPING: dict[str, Any] = tomllib.loads((SAMPLE / "mapping.toml").read_text("utf-8"))
IDS = sorted({row[0] for rows in SAMPLE_ROWS.values() for row in rows[1:]} | {"org-lukio"})
KINDS = (Institution, StaffMember, Student, Guardian, Guardianship, StudyGroup, WelfareGroup,
         Membership)  # fmt: skip

# What a cell can hold: anything, or what means something to the importer.
CELLS = st.one_of(
    st.text(max_size=12),
    st.text(st.characters(codec="utf-8"), max_size=12),
    st.sampled_from(IDS),
    st.sampled_from(["", " ", "tobedeleted", "active", "primary", "secondary", "student",
                     "teacher", "guardian", "parent", "homeroom", "2010-03-01", "2099-01-01",
                     "0001-01-01", "20100301", "2010-02-30", "x-missing", "a,b", 'a"b',
                     "line\nbreak", "line\u2028separator", "file\x1cseparator", "nul\x00",
                     '"unterminated']),
)  # fmt: skip


@st.composite
def bundle_files(draw: st.DrawFn) -> dict[str, bytes | None]:
    """The sample bundle with a few edits; ``None`` is a file left out."""
    rows = {name: [list(row) for row in found] for name, found in SAMPLE_ROWS.items()}
    raw: dict[str, bytes | None] = {}
    for _ in range(draw(st.integers(min_value=0, max_value=4))):
        name = draw(st.sampled_from(sorted(FILES)))
        table = rows[name]
        edit = draw(st.sampled_from(["cell", "cell", "cell", "row", "drop row", "copy row",
                                     "column", "header", "file", "bytes", "encoding"]))  # fmt: skip
        if edit == "cell" and len(table) > 1:
            line = draw(st.integers(min_value=1, max_value=len(table) - 1))
            column = draw(st.integers(min_value=0, max_value=len(table[line]) - 1))
            table[line][column] = draw(CELLS)
        elif edit == "row":
            table.append(draw(st.lists(CELLS, max_size=len(table[0]) + 2)))
        elif edit in ("drop row", "copy row") and len(table) > 1:
            line = draw(st.integers(min_value=1, max_value=len(table) - 1))
            if edit == "drop row":
                del table[line]
            else:
                table.append(list(table[line]))
        elif edit == "column":
            column = draw(st.integers(min_value=0, max_value=len(table[0]) - 1))
            for row in table:
                del row[column : column + 1]
        elif edit == "header":
            column = draw(st.integers(min_value=0, max_value=len(table[0]) - 1))
            table[0][column] = draw(CELLS)
        elif edit == "file":
            raw[name] = None
        elif edit == "bytes":
            text = _csv(table).encode()
            cut = draw(st.integers(min_value=0, max_value=len(text)))
            raw[name] = text[:cut] + draw(st.binary(max_size=8)) + text[cut:]
        elif edit == "encoding":
            codec = draw(st.sampled_from(["latin-1", "utf-16", "utf-8-sig", "cp1252"]))
            raw[name] = _csv(table).encode(codec, errors="replace")
    return {name: raw[name] if name in raw else _csv(rows[name]).encode() for name in FILES}


def _csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


# -- the mapping file ------------------------------------------------------------------------

MAPPING_VALUES = st.one_of(
    st.text(max_size=10), st.integers(), st.booleans(), st.lists(st.text(max_size=5), max_size=2),
    st.sampled_from(["", "general_upper_secondary", "nonsense", "psychologist", "2026-08-01",
                     "not a date", "t-psy", "s-aino", "org-lukio", "member", "leader"]),
    st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2),
)  # fmt: skip


@st.composite
def mappings(draw: st.DrawFn) -> dict[str, Any]:
    """The sample mapping with a value replaced or removed somewhere in it."""
    mapping = json.loads(json.dumps(SAMPLE_MAPPING))
    for _ in range(draw(st.integers(min_value=0, max_value=2))):
        paths = list(_paths(mapping))
        parent, key = draw(st.sampled_from(paths))
        if draw(st.booleans()) and isinstance(parent, dict):
            del parent[key]
        else:
            parent[key] = draw(MAPPING_VALUES)
    return mapping


def _paths(node: Any) -> Iterator[tuple[Any, Any]]:
    items = node.items() if isinstance(node, dict) else enumerate(node)
    for key, value in list(items):
        yield node, key
        if isinstance(value, dict | list):
            yield from _paths(value)


def _toml(mapping: dict[str, Any]) -> str:
    """TOML for the mapping, every value inline (JSON's strings, numbers and booleans are
    TOML's too)."""

    def value(item: Any) -> str:
        if isinstance(item, dict):
            return "{" + ", ".join(f"{json.dumps(k)} = {value(v)}" for k, v in item.items()) + "}"
        if isinstance(item, list):
            return "[" + ", ".join(value(v) for v in item) + "]"
        return json.dumps(item)

    return "".join(f"{json.dumps(key)} = {value(item)}\n" for key, item in mapping.items())


# -- the import ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def kit() -> Iterator[WelfareKit]:
    """A kit with the sample imported once, so that a refused import has something to leave
    as it was."""
    with WelfareKit.open(Settings(database_url="memory://", plugins=())) as opened:
        import_bundle(opened, SAMPLE, RosterMapping.load(SAMPLE / "mapping.toml"), today=TODAY)
        yield opened


def directory_state(kit: WelfareKit) -> dict[str, list[str]]:
    """Every directory object of every provider, in a comparable form."""
    with kit.storage.transaction() as tx:
        providers = tx.list(EducationProvider, None)
        state = {"providers": sorted(repr(p) for p in providers)}
        for provider in providers:
            for kind in KINDS:
                state[f"{provider.id}/{kind.__name__}"] = sorted(
                    repr(e) for e in tx.list(kind, provider.id)
                )
    return state


def chain_intact(kit: WelfareKit) -> bool:
    with kit.storage.transaction() as tx:
        providers = [p.id for p in tx.list(EducationProvider, None)]
        return all(bool(verify(tx.audit_entries(p))) for p in providers)


def import_files(kit: WelfareKit, files: dict[str, bytes | None], mapping_text: str) -> object:
    """Write the bundle and mapping into a fresh folder and import them; the outcome."""
    with tempfile.TemporaryDirectory() as folder:
        for name, content in files.items():
            if content is not None:
                (Path(folder) / name).write_bytes(content)
        (Path(folder) / "mapping.toml").write_text(mapping_text, encoding="utf-8")

        def run() -> ImportReport:
            mapping = RosterMapping.load(Path(folder) / "mapping.toml")
            return import_bundle(kit, folder, mapping, today=TODAY)

        return attempt(run)


def check_outcome(kit: WelfareKit, outcome: object, before: dict[str, list[str]]) -> None:
    assert isinstance(outcome, ImportReport | WelfareKitError), outcome
    if isinstance(outcome, WelfareKitError):
        assert directory_state(kit) == before, "a refused import wrote something"
    if isinstance(outcome, InvalidBundle):
        assert outcome.errors
        for error in outcome.errors:  # each names where, and says what
            assert error.file
            assert error.message
    assert chain_intact(kit)


SAMPLE_FILES = {name: (SAMPLE / name).read_bytes() for name in FILES}


@fuzz(250)
@given(bundle_files())
@example({**SAMPLE_FILES, "users.csv": b'sourcedId,"unterminated\n' + b"x" * 140_000})
@example({**SAMPLE_FILES, "orgs.csv": b"sourcedId,status,name,type\r\nx\x00,active,X,school\r\n"})
@example({**SAMPLE_FILES, "orgs.csv": SAMPLE_FILES["orgs.csv"].replace(b"lukio", b"lu\xe4kio")})
@example({**SAMPLE_FILES, "users.csv": SAMPLE_FILES["users.csv"].replace(b"Aino", b"Ai\x1cno")})
def test_any_bundle_is_imported_or_refused_leaving_the_directory_as_it_was(
    kit: WelfareKit, files: dict[str, bytes | None]
) -> None:
    before = directory_state(kit)
    outcome = import_files(kit, files, (SAMPLE / "mapping.toml").read_text("utf-8"))
    check_outcome(kit, outcome, before)


@fuzz(150)
@given(mappings())
@example({**SAMPLE_MAPPING, "institutions": {"org-lukio": "general_upper_secondary"}})
@example({**SAMPLE_MAPPING, "institutions": {"org-lukio": {"name": "Lukio"}}})
@example({**SAMPLE_MAPPING, "groups": [{**SAMPLE_MAPPING["groups"][0], "from": "someday"}]})
@example({**SAMPLE_MAPPING, "groups": [{"kind": "institution"}]})
@example({**SAMPLE_MAPPING, "groups": [{**SAMPLE_MAPPING["groups"][0], "members": [{}]}]})
@example({**SAMPLE_MAPPING, "staff": {"t-psy": ["psychologist"]}})
@example({**SAMPLE_MAPPING, "provider": "harjula"})
def test_any_mapping_is_used_or_refused_leaving_the_directory_as_it_was(
    kit: WelfareKit, mapping: dict[str, Any]
) -> None:
    before = directory_state(kit)
    outcome = import_files(kit, SAMPLE_FILES, _toml(mapping))
    check_outcome(kit, outcome, before)


@fuzz(100)
@given(st.text(max_size=200))
@example('provider = { id = "p" }\n[institutions]\n')
@example("provider = 1\n")
def test_any_mapping_text_is_a_mapping_or_invalid_bundle(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "mapping.toml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        outcome = attempt(lambda: RosterMapping.load(path))
    assert isinstance(outcome, RosterMapping | InvalidBundle), outcome


@fuzz(25)
@given(bundle_files())
def test_on_sqlite_a_refused_import_leaves_the_directory_as_it_was(
    sqlite_kit: WelfareKit, files: dict[str, bytes | None]
) -> None:
    before = directory_state(sqlite_kit)
    outcome = import_files(sqlite_kit, files, (SAMPLE / "mapping.toml").read_text("utf-8"))
    check_outcome(sqlite_kit, outcome, before)


@pytest.fixture(scope="module")
def sqlite_kit(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WelfareKit]:
    folder = tmp_path_factory.mktemp("roster")
    settings = Settings(database_url=f"sqlite:///{folder / 'roster.db'}",
                        key_file=folder / "keys.json")  # fmt: skip
    with WelfareKit.open(settings) as opened:
        opened.upgrade_schema()
        import_bundle(opened, SAMPLE, RosterMapping.load(SAMPLE / "mapping.toml"), today=TODAY)
        yield opened


def test_the_sample_is_what_the_fuzzing_starts_from(kit: WelfareKit) -> None:
    state = directory_state(kit)
    assert len(state["harjula/Student"]) == 2
    assert attrs.has(Student)
