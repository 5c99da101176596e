"""The command line: help, the demo (twice), schema commands, plugins and one-line errors."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

import welfarekit
from welfarekit import EducationProvider, Membership, Settings, Student, WelfareKit
from welfarekit.cli import main
from welfarekit.demo import DEMO_PROVIDER_ID


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_help_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    for command in ("demo", "db", "plugins"):
        assert re.search(rf"^\s+{command}\s", out, re.MULTILINE), command


def test_console_script_is_installed() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "welfarekit.cli", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert result.stdout.startswith("welfarekit 0.")


def test_demo_twice_on_sqlite_neither_fails_nor_duplicates(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    database = tmp_path / "demo.sqlite3"
    code, out, err = run(capsys, "demo", "--db", str(database))
    assert code == 0, err
    assert f"sqlite:///{database}" in out
    for expected in (
        "Harjulan koulutuskuntayhtymä (demo)",
        "Harjulan lukio (general upper secondary)",
        "Harjulan ammattiopisto (vocational)",
        "Opiskeluhuoltoryhmä: the whole provider",
        "Hyvinvointiryhmä: Harjulan lukio",
        "(minor)",
        "(adult)",
        "guardians: Mikko Korhonen, Sanna Korhonen",
        "psychologist (wellbeing services county)",
        "student member",
        "yes Tuomas Saarinen (psychologist, in the group)",
        "no  Juha Mäkinen (her group advisor): being a group advisor, teacher gives no access",
        "no  Jaana Mäkelä, about Eetu (§ 18(2) veto)",
        "no  Leena Laaksonen, about Sofia (now 18): the student turned 18",
        "Aino's welfare record (opiskeluhuoltokertomus), as Tuomas Saarinen reads it",
        "present: Tuomas Saarinen (psykologi)",
        "measure: Tapaamiset kuraattorin kanssa joka toinen viikko",
        "hash chain intact",
        "she brought it forward as a referral (only she and Veeti read it)",
        "§ 16 referral to the school social worker; his guardian was informed",
        "Expert group formed on Veeti's consent: kaisa.salminen (nurse), minna.lehtonen",
        "To follow up by",
        "within the § 15 deadline",
        "education data only, no consent for records",
        "Notifications waiting in the outbox:",
        "An agenda naming a student was refused: names a student",
        "An initiative naming a student was routed (referral), not discussed by name",
        "steps done, 1 aftercare entry, closed after debrief",
        "Bullying notice (target) to Jaana Mäkelä: about their own child only",
        "group members listed from the current memberships",
        "Self-monitoring: § 15 deadline met",
        "notification(s) to",
    ):
        assert expected in out, expected
    settings = Settings(database_url=str(database))
    with WelfareKit.open(settings) as kit:
        d = kit.directory("test")
        students = d.list(Student, DEMO_PROVIDER_ID)
        memberships = d.list(Membership, DEMO_PROVIDER_ID)
    code, out_again, err = run(capsys, "demo", "--db", str(database))
    assert code == 0, err
    with WelfareKit.open(settings) as kit:
        d = kit.directory("test")
        assert d.list(Student, DEMO_PROVIDER_ID) == students
        assert d.list(Membership, DEMO_PROVIDER_ID) == memberships
        assert [p.id for p in d.providers()] == [DEMO_PROVIDER_ID]

    def described(text: str) -> str:  # the provider as stored, the same on every run
        return text[text.index("Education provider:") : text.index("Who accessed")]

    assert described(out_again) == described(out)
    assert "created the key file" in out
    assert "created the key file" not in out_again


def test_demo_covers_every_staff_role_and_both_ages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from welfarekit import STAFF_ROLES, StaffMember
    from welfarekit.clock import today_in_finland

    database = tmp_path / "demo.sqlite3"
    assert run(capsys, "demo", "--db", str(database))[0] == 0
    with WelfareKit.open(Settings(database_url=str(database))) as kit:
        d = kit.directory("test")
        roles = {role for staff in d.list(StaffMember, DEMO_PROVIDER_ID) for role in staff.roles}
        minors = {s.is_minor_on(today_in_finland()) for s in d.list(Student, DEMO_PROVIDER_ID)}
    assert roles == STAFF_ROLES
    assert minors == {True, False}


def test_demo_uses_welfarekit_db_then_the_embedded_default(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WELFAREKIT_DB", str(tmp_path / "from-env.db"))
    code, out, _ = run(capsys, "demo")
    assert code == 0
    assert "from-env.db" in out
    monkeypatch.delenv("WELFAREKIT_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    code, out, _ = run(capsys, "demo")
    assert code == 0
    assert (tmp_path / "xdg" / "welfarekit" / "welfarekit.sqlite3").exists()


def test_db_upgrade_and_status(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    database = str(tmp_path / "school.db")
    # a read-only command on a file that is not there says so and leaves nothing behind
    code, _, err = run(capsys, "db", "status", "--db", database)
    assert code == 1
    assert err == (
        f"welfarekit: error: there is no database at {database}: make one with "
        "`welfarekit db upgrade` (or `welfarekit demo`), or name another with --db\n"
    )
    assert not (tmp_path / "school.db").exists()
    code, _, err = run(capsys, "audit", "verify", "--db", str(tmp_path / "typo" / "x.db"))
    assert code == 1
    assert "there is no database at" in err
    assert not (tmp_path / "typo").exists()
    # an empty database (made by another tool) is behind the schema
    sqlite3.connect(database).close()
    code, out, _ = run(capsys, "db", "status", "--db", database)
    assert code == 1
    assert "nothing yet" in out
    assert "welfarekit db upgrade" in out
    code, out, _ = run(capsys, "db", "upgrade", "--db", database)
    assert code == 0
    assert "(newest)" in out
    code, out, _ = run(capsys, "db", "status", "--db", database)
    assert code == 0
    assert "up to date" in out


def test_errors_are_one_line_without_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "demo", "--db", "oracle://scott@db/school")
    assert code == 1
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("welfarekit: error: no loaded storage adapter accepts a oracle://")
    assert "Traceback" not in err


def test_unknown_plugin_in_environment_is_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WELFAREKIT_PLUGINS", "sqlalchemy,nosuch")
    code, _, err = run(capsys, "plugins")
    assert code == 1
    assert "'nosuch', but it is not installed" in err


def test_plugins_lists_loaded_with_versions_hooks_and_adapters(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WELFAREKIT_PLUGINS", "sqlalchemy,example")
    code, out, _ = run(capsys, "plugins")
    assert code == 0
    assert f"hook API {welfarekit.HOOK_API_VERSION}" in out
    assert re.search(r"sqlalchemy \(entry point welfarekit-sqlalchemy \d", out)
    assert "storage:sqlalchemy" in out
    assert "example (entry point welfarekit-example-adapter 1.2.3)" in out
    assert "hooks: welfarekit_audit_event, welfarekit_register_adapters" in out
    not_allowed = out.split("Installed but not allowed")[1]
    assert "example-incompatible" in not_allowed


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["teleport"])
    assert exit_.value.code == 2


def test_demo_provider_can_be_read_back_as_objects(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "demo.sqlite3"
    run(capsys, "demo", "--db", str(database))
    with WelfareKit.open(Settings(database_url=str(database))) as kit:
        provider = kit.directory("t").get(EducationProvider, DEMO_PROVIDER_ID, DEMO_PROVIDER_ID)
    assert provider.group_names.institution == "Hyvinvointiryhmä"


def test_keys_init_creates_an_owner_only_file_once(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    key_file = tmp_path / "secrets" / "keys.json"
    code, out, _ = run(capsys, "keys", "init", "--key-file", str(key_file))
    assert code == 0
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert "Back it up apart from the database" in out
    code, _, err = run(capsys, "keys", "init", "--key-file", str(key_file))
    assert code == 1
    assert err.startswith("welfarekit: error:")
    assert err.count("\n") == 1
    code, out, _ = run(capsys, "keys", "add", "--key-file", str(key_file))
    assert code == 0
    assert "added key" in out


def test_keys_add_without_a_file_says_how_to_create_one(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = run(capsys, "keys", "add", "--key-file", str(tmp_path / "none.json"))
    assert code == 1
    assert "welfarekit keys init" in err


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (("retention", "run", "--provider", "p1", "--records-years", "0"),
         "retention periods: 'records_years' must be >= 1"),
        (("retention", "run", "--provider", "p1", "--records-years", "5",
          "--notifications-days", "-1"), "retention periods: notifications_days must be"),
        (("keys", "rotate-data", "--before", "9999-12-31T23:59:59.5+00:00"),
         "--before takes an ISO 8601 time"),
        (("audit", "checkpoint", "--out", "/nonexistent/folder/checkpoints.jsonl"),
         "No such file or directory"),
    ],
)  # fmt: skip
def test_values_the_library_refuses_are_one_line_errors(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    args: tuple[str, ...], reason: str,
) -> None:  # fmt: skip
    """Each of these was a traceback (ValueError, OverflowError, FileNotFoundError)."""
    from welfarekit.crypto import init_key_file

    init_key_file(tmp_path / "keys.json")
    monkeypatch.setenv("WELFAREKIT_KEY_FILE", str(tmp_path / "keys.json"))
    assert run(capsys, "db", "upgrade", "--db", str(tmp_path / "cli.db"))[0] == 0
    code, _out, err = run(capsys, *args, "--db", str(tmp_path / "cli.db"))
    assert code == 1
    assert err.startswith("welfarekit: error: ")
    assert reason in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"\xff\xfe", "is not a checkpoint file: 'utf-8' codec can't decode"),
        (b'{"provider_id": "p1", "sequence": 1e999, "head_hash": "x", "taken_at": "2026-11-23",'
         b' "key_id": "k", "signature": "AA=="}', "checkpoints.jsonl:1: not a checkpoint: cannot convert"),
        (b'{"provider_id": "p1"}', "checkpoints.jsonl:1: not a checkpoint"),
    ],
)  # fmt: skip
def test_a_checkpoint_file_that_is_none_is_a_one_line_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: bytes, reason: str
) -> None:
    path = tmp_path / "checkpoints.jsonl"
    path.write_bytes(content)
    assert run(capsys, "db", "upgrade", "--db", str(tmp_path / "cli.db"))[0] == 0
    code, _out, err = run(capsys, "audit", "verify", "--checkpoints", str(path),
                          "--db", str(tmp_path / "cli.db"))  # fmt: skip
    assert code == 1
    assert err.startswith("welfarekit: error: ")
    assert reason in err
