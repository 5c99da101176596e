"""OneRoster 1.2 CSV bundles into the directory: a good bundle, importing again, changes,
and malformed bundles refused with file, line and field, importing nothing."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest
from welfarekit_oneroster import InvalidBundle, RosterMapping, import_bundle

from welfarekit import (
    Guardianship,
    Membership,
    Role,
    Settings,
    StaffMember,
    Student,
    StudyGroup,
    WelfareKit,
)

SAMPLE = Path(__file__).parent / "bundle"
TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    copy = tmp_path / "bundle"
    shutil.copytree(SAMPLE, copy)
    return copy


@pytest.fixture
def kit(tmp_path: Path) -> Iterator[WelfareKit]:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'roster.db'}",
                        key_file=tmp_path / "keys.json")  # fmt: skip
    with WelfareKit.open(settings) as opened:
        opened.upgrade_schema()
        yield opened


def mapping(bundle: Path) -> RosterMapping:
    return RosterMapping.load(bundle / "mapping.toml")


def test_a_bundle_fills_the_directory(kit: WelfareKit, bundle: Path) -> None:
    report = import_bundle(kit, bundle, mapping(bundle), today=TODAY)
    assert (report.students, report.guardians, report.left) == (2, 2, ())
    directory = kit.directory("test")
    aino = directory.get(Student, "harjula", "s-aino")
    assert (aino.date_of_birth, aino.study_group_id) == (dt.date(2010, 3, 1), "c-lk24a")
    assert directory.get(Student, "harjula", "s-eetu").home_municipality == "Muurame"
    assert directory.get(StudyGroup, "harjula", "c-lk24a").advisor_id == "t-juha"
    psy = directory.get(StaffMember, "harjula", "t-psy")
    assert psy.roles == frozenset({Role.PSYCHOLOGIST})
    assert psy.employer.value == "wellbeing_services_county"
    juha = directory.get(StaffMember, "harjula", "t-juha")
    assert juha.roles == frozenset({Role.TEACHER, Role.GROUP_ADVISOR})  # a homeroom's teacher
    links = directory.list(Guardianship, "harjula", student_id="s-eetu")
    assert [g.guardian_id for g in links] == ["g-jaana"]
    leader = directory.get(Membership, "harjula", "wellbeing-lukio.t-principal")
    assert leader.position.value == "leader"


def test_importing_again_changes_nothing(kit: WelfareKit, bundle: Path) -> None:
    import_bundle(kit, bundle, mapping(bundle), today=TODAY)
    directory = kit.directory("test")
    before = (directory.list(Student, "harjula"), directory.list(Guardianship, "harjula"))
    again = import_bundle(kit, bundle, mapping(bundle), today=TODAY)
    assert again.left == ()
    assert (directory.list(Student, "harjula"), directory.list(Guardianship, "harjula")) == before


def test_a_student_who_left_and_a_new_guardian(kit: WelfareKit, bundle: Path) -> None:
    import_bundle(kit, bundle, mapping(bundle), today=TODAY)
    users = (bundle / "users.csv").read_text(encoding="utf-8")
    users = users.replace(",,,,,,g-sanna,", ',,,,,,"g-sanna,g-mikko",', 1)  # Aino's agents
    users = users.replace("s-eetu,active", "s-eetu,tobedeleted")
    users += "g-mikko,active,2026-08-01T00:00:00Z,true,mikko,,Mikko,Korhonen,,,,,,s-aino,,,,,,,,org-lukio,,\n"
    (bundle / "users.csv").write_text(users, encoding="utf-8")
    with (bundle / "roles.csv").open("a", encoding="utf-8") as roles:
        roles.write("g-mikko,primary,guardian,org-lukio,,,\n")
    report = import_bundle(kit, bundle, mapping(bundle), today=TODAY)
    assert report.left == ("s-eetu",)
    directory = kit.directory("test")
    guardians = {
        g.guardian_id for g in directory.list(Guardianship, "harjula", student_id="s-aino")
    }
    assert guardians == {"g-sanna", "g-mikko"}
    [ended] = directory.list(Guardianship, "harjula", student_id="s-eetu")
    assert ended.validity.end == TODAY
    assert directory.get(Student, "harjula", "s-eetu").id == "s-eetu"  # the records stay


@pytest.mark.parametrize(
    ("file", "change", "where"),
    [
        ("users.csv", lambda t: t.replace("givenName,", "given,"), "users.csv:1: givenName"),
        ("enrollments.csv", lambda t: t.replace("c-lk24a,org-lukio,s-eetu", "c-nope,org-lukio,s-eetu"),
         "enrollments.csv:4: classSourcedId: no class 'c-nope'"),
        ("users.csv", lambda t: t.replace("s-eetu,active", "s-aino,active"),
         "users.csv:3: sourcedId: 's-aino' is already on line 2"),
        ("demographics.csv", lambda t: t.replace("2009-06-01", "2009-13-01"),
         "demographics.csv:3: birthDate: '2009-13-01' is not a date"),
        ("users.csv", None, "users.csv:0: -: not UTF-8"),
        ("roles.csv", "delete", "roles.csv:0: -: the file is missing"),
        ("users.csv", lambda t: t.replace("g-jaana,,,,,,,,org-lukio,,Muurame", "g-nobody,,,,,,,,org-lukio,,Muurame"),
         "users.csv:3: agentSourcedIds: no user 'g-nobody'"),
    ],
)  # fmt: skip
def test_a_malformed_bundle_imports_nothing(
    kit: WelfareKit, bundle: Path, file: str, change: object, where: str
) -> None:
    path = bundle / file
    if change == "delete":
        path.unlink()
    elif change is None:
        path.write_bytes(path.read_text(encoding="utf-8").encode("latin-1"))
    else:
        path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")  # type: ignore[operator]
    with pytest.raises(InvalidBundle, match="nothing was imported") as refused:
        import_bundle(kit, bundle, mapping(bundle), today=TODAY)
    assert any(str(error).startswith(where) for error in refused.value.errors), [
        str(e) for e in refused.value.errors
    ]
    assert kit.directory("test").providers() == []


def test_an_unterminated_quote_is_reported_not_raised(kit: WelfareKit, bundle: Path) -> None:
    """A quote left open runs to the end of the file, past the csv module's field size
    limit: that was a csv.Error out of import_bundle."""
    users = bundle / "users.csv"
    users.write_text(users.read_text(encoding="utf-8").replace("Aino,", '"Aino,')
                     + "x" * 140_000, encoding="utf-8")  # fmt: skip
    with pytest.raises(InvalidBundle, match="users.csv:.*: -: not CSV: field larger"):
        import_bundle(kit, bundle, mapping(bundle), today=TODAY)
    assert kit.directory("test").providers() == []


def test_a_quoted_line_break_keeps_the_rows_and_their_line_numbers(
    kit: WelfareKit, bundle: Path
) -> None:
    """Rows are split at \\r and \\n only: a quoted value spans lines, and a character that
    str.splitlines() also breaks at (here the file separator \\x1c) stays in its value."""
    users = bundle / "users.csv"
    text = users.read_text(encoding="utf-8")
    text = text.replace("Aino,Korhonen,,", 'Aino,Korhonen,"Maria\nLiisa",')
    text = text.replace("Eetu,Mäkelä,,", "Eetu,Mäkelä,Ee\x1ctu,")
    users.write_text(text, encoding="utf-8")
    assert import_bundle(kit, bundle, mapping(bundle), today=TODAY).students == 2
    users.write_text(text.replace("s-eetu,active", "s-aino,active"), encoding="utf-8")
    with pytest.raises(InvalidBundle) as refused:
        import_bundle(kit, bundle, mapping(bundle), today=TODAY)
    assert [str(e) for e in refused.value.errors] == [
        "users.csv:4: sourcedId: 's-aino' is already on line 2"
    ]


def test_a_broken_mapping_is_refused(bundle: Path) -> None:
    (bundle / "mapping.toml").write_text("provider = ", encoding="utf-8")
    with pytest.raises(InvalidBundle, match="not a roster mapping"):
        mapping(bundle)


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (("[institutions.org-lukio]\nkind", "[institutions.org-lukio]\nname"),
         "institutions.org-lukio.kind: is missing"),
        (('[institutions.org-lukio]\nkind = "general_upper_secondary"', 'institutions = []'),
         "institutions: must be a table of tables"),
        (('roles = ["psychologist"]', 'roles = "psychologist"'), "staff.t-psy.roles: must be a list"),
        (('from = "2026-08-01"', 'from = "1.8.2026"'), "groups[1].from: '1.8.2026' is not a date"),
        (('id = "wellbeing-lukio"', 'ids = "wellbeing-lukio"'), "groups[1].id: is missing"),
        (('{ user = "t-psy", role = "psychologist" }', '"t-psy"'),
         "groups[1].members[2]: must be a table"),
        (('{ user = "t-psy", role = "psychologist" }', '{ user = 7, role = "psychologist" }'),
         "groups[1].members[2].user: must be text"),
    ],
)  # fmt: skip
def test_a_mapping_of_the_wrong_shape_is_refused_naming_the_field(
    kit: WelfareKit, bundle: Path, change: tuple[str, str], where: str
) -> None:
    """Each of these was a KeyError, AttributeError or ValueError out of import_bundle."""
    path = bundle / "mapping.toml"
    text = path.read_text(encoding="utf-8")
    assert change[0] in text
    path.write_text(text.replace(change[0], change[1]), encoding="utf-8")
    with pytest.raises(InvalidBundle) as refused:
        import_bundle(kit, bundle, mapping(bundle), today=TODAY)
    found = [str(e) for e in refused.value.errors]
    assert any(error.startswith(f"{path}:0: {where}") for error in found), found
    assert kit.directory("test").providers() == []


def test_a_mapping_built_in_python_is_checked_too(kit: WelfareKit, bundle: Path) -> None:
    broken = attrs.evolve(mapping(bundle), institutions={"org-lukio": "lukio"})  # type: ignore[dict-item]
    with pytest.raises(
        InvalidBundle, match="the mapping:0: institutions.org-lukio: must be a table"
    ):
        import_bundle(kit, bundle, broken, today=TODAY)


def test_the_command_line_imports(kit: WelfareKit, bundle: Path, tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    from welfarekit.cli import main

    database = str(tmp_path / "roster.db")
    args = ["roster", "import", str(bundle), "--mapping", str(bundle / "mapping.toml"),
            "--db", database]  # fmt: skip
    assert main(args) == 0
    out, err = capsys.readouterr()
    assert "2 students, 3 staff, 2 guardians" in out
    assert "[3/6] roles.csv: 7 rows" in err  # progress, file by file
    (bundle / "orgs.csv").unlink()
    assert main(args) == 1
    assert "orgs.csv:0: -: the file is missing" in capsys.readouterr().err


def test_the_sample_bundle_in_examples_imports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from welfarekit.cli import main

    examples = Path(__file__).resolve().parents[3] / "examples" / "oneroster"
    args = ["roster", "import", str(examples), "--mapping", str(examples / "mapping.toml"),
            "--db", str(tmp_path / "sample.db")]  # fmt: skip
    assert main(args) == 0
    assert "imported 2 students, 3 staff, 2 guardians" in capsys.readouterr().out
