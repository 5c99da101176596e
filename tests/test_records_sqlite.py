"""The record and the audit trail on the embedded SQLite database: no plaintext in the file,
tampering found by `welfarekit audit verify`, and a failed write leaves nothing behind."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from welfarekit import Actor, PersonKind, PersonRef, Settings, StorageError, Student, WelfareKit
from welfarekit.cli import main
from welfarekit.clock import FINLAND
from welfarekit.demo import DEMO_PROVIDER_ID, build_consent_demo, build_demo, build_record_demo

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=FINLAND)
SECRETS = ("Poissaolojen lisääntyminen", "Tapaamiset kuraattorin kanssa", "Sovittiin tukitoimista")


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "school.sqlite3"
    monkeypatch.setenv("WELFAREKIT_KEY_FILE", str(tmp_path / "keys.json"))
    assert main(["keys", "init"]) == 0
    with WelfareKit.open(Settings.from_env(database=str(path))) as kit:
        build_demo(kit, NOW.date())
        build_consent_demo(kit, NOW)
        build_record_demo(kit, NOW)
    return path


def test_no_plaintext_of_confidential_fields_in_the_database_file(database: Path) -> None:
    raw = database.read_bytes()
    for secret in SECRETS:
        assert secret.encode() not in raw, secret
    with WelfareKit.open(Settings.from_env(database=str(database))) as kit:
        directory = kit.directory("test")
        codes = [directory.identity_code(DEMO_PROVIDER_ID, s.id)
                 for s in directory.list(Student, DEMO_PROVIDER_ID)]  # fmt: skip
    assert len(codes) == 5
    for code in codes:
        assert code is not None
        assert code.value.encode() not in raw
        assert code.value[:6].encode() + code.value[7:].encode() not in raw
    # and the same words are in the demo record, readable through a session
    with WelfareKit.open(Settings.from_env(database=str(database))) as kit:
        session = kit.session(
            Actor(
                provider_id=DEMO_PROVIDER_ID, person=PersonRef(PersonKind.STAFF, "tuomas.saarinen")
            ),
            now=NOW,
        )
        assert session.records("aino.korhonen")[0].subject == SECRETS[0]


def _sql(database: Path, statement: str) -> None:
    with sqlite3.connect(database) as connection:
        connection.execute(statement)


def _verify(database: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["audit", "verify", "--db", str(database)])
    return code, capsys.readouterr().out


def test_intact_chain_verifies(database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _verify(database, capsys)
    assert code == 0
    assert "chain intact" in out


@pytest.mark.parametrize(
    ("tampering", "at"),
    [
        ("UPDATE welfarekit_audit_events SET actor = 'staff:nobody' WHERE sequence = 5", 5),
        ("DELETE FROM welfarekit_audit_events WHERE sequence = 7", 7),
        ("UPDATE welfarekit_audit_events SET outcome = 'denied' WHERE sequence = 9", 9),
        ("UPDATE welfarekit_audit_events SET sequence = -sequence WHERE sequence IN (3, 4)", 3),
    ],
)
def test_tampering_is_found(
    database: Path, capsys: pytest.CaptureFixture[str], tampering: str, at: int
) -> None:
    _sql(database, tampering)
    if "-sequence" in tampering:  # swap events 3 and 4
        _sql(database, "UPDATE welfarekit_audit_events SET sequence = 4 WHERE sequence = -3")
        _sql(database, "UPDATE welfarekit_audit_events SET sequence = 3 WHERE sequence = -4")
    code, out = _verify(database, capsys)
    assert code == 1
    assert f"BROKEN at event {at}:" in out


def test_a_storage_failure_in_a_sealed_write_leaves_nothing(database: Path) -> None:
    _sql(
        database,
        """CREATE TRIGGER fail_audit BEFORE INSERT ON welfarekit_audit_events
                      WHEN NEW.action = 'welfare_record.write'
                      BEGIN SELECT RAISE(ABORT, 'disk full'); END""",
    )
    with WelfareKit.open(Settings.from_env(database=str(database))) as kit:
        minna = kit.session(
            Actor(
                provider_id=DEMO_PROVIDER_ID, person=PersonRef(PersonKind.STAFF, "minna.lehtonen")
            ),
            now=NOW,
        )
        with pytest.raises(StorageError):
            minna.add_entry(record_id="demo-record-aino", kind="measures",
                            event_date=NOW.date(), text="Uusi merkintä", entry_id="x-1")  # fmt: skip
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "SELECT COUNT(*) FROM welfarekit_sealed_entries WHERE id = 'x-1'"
        ).fetchone()
        assert rows == (0,)


def test_kek_rotation_rewraps_keysets_and_everything_stays_readable(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from welfarekit.sealed import StoredKeyset

    with (
        WelfareKit.open(Settings.from_env(database=str(database))) as kit,
        kit.storage.transaction() as tx,
    ):
        before = {k.student_id: k for k in tx.list(StoredKeyset, DEMO_PROVIDER_ID)}
    code = main(["keys", "rotate", "--db", str(database)])
    captured = capsys.readouterr()
    assert code == 0
    assert f"{len(before)} of {len(before)} keysets rewrapped" in captured.out
    assert "rewrapping keysets [" in captured.err
    key_file = database.parent / "keys.json"
    current = json.loads(key_file.read_text())["current"]
    with WelfareKit.open(Settings.from_env(database=str(database))) as kit:
        with kit.storage.transaction() as tx:
            after = {k.student_id: k for k in tx.list(StoredKeyset, DEMO_PROVIDER_ID)}
        assert {k.kek_id for k in after.values()} == {current}
        assert all(after[s].blob != before[s].blob for s in before)
        session = kit.session(
            Actor(
                provider_id=DEMO_PROVIDER_ID, person=PersonRef(PersonKind.STAFF, "tuomas.saarinen")
            ),
            now=NOW,
        )
        assert session.timeline("demo-record-aino").record.subject == SECRETS[0]
    # running it again to finish an interrupted rotation finds nothing left to do
    assert main(["keys", "rotate", "--resume", "--db", str(database)]) == 0
    assert f"0 of {len(before)} keysets rewrapped" in capsys.readouterr().out


def test_export_command_writes_the_students_copy(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "aino.html"
    args = ["export", "--db", str(database), "--provider", DEMO_PROVIDER_ID,
            "--student", "aino.korhonen"]  # fmt: skip
    assert (
        main([*args, "--as", "student:aino.korhonen", "--format", "html", "--out", str(out)]) == 0
    )
    assert SECRETS[0] in out.read_text(encoding="utf-8")
    capsys.readouterr()
    assert main([*args, "--as", "staff:juha.makinen"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("welfarekit: error: denied: being a group advisor")
    assert main([*args, "--as", "nobody"]) == 1
    assert "--as takes KIND:ID" in capsys.readouterr().err


def test_checkpoints_find_a_cut_tail(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    checkpoints = tmp_path / "checkpoints.jsonl"
    assert main(["audit", "checkpoint", "--db", str(database), "--out", str(checkpoints)]) == 0
    assert "checkpoint at event" in capsys.readouterr().out
    signing_key = database.parent / "audit-signing.pem"
    assert signing_key.stat().st_mode & 0o777 == 0o600
    verify_args = ["audit", "verify", "--db", str(database), "--checkpoints", str(checkpoints)]
    assert main(verify_args) == 0
    assert "chain intact and 1 checkpoints" in capsys.readouterr().out
    # cutting the newest events leaves a chain that verifies by itself ...
    _sql(database, "DELETE FROM welfarekit_audit_events WHERE sequence > 20")
    assert main(["audit", "verify", "--db", str(database)]) == 0
    capsys.readouterr()
    # ... but not against the checkpoint
    assert main(verify_args) == 1
    assert "BROKEN at event 21" in capsys.readouterr().out


def test_a_forged_checkpoint_is_refused(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    checkpoints = tmp_path / "checkpoints.jsonl"
    assert main(["audit", "checkpoint", "--db", str(database), "--out", str(checkpoints)]) == 0
    forged = json.loads(checkpoints.read_text())
    forged["sequence"] = 5
    checkpoints.write_text(json.dumps(forged) + "\n")
    capsys.readouterr()
    assert main(["audit", "verify", "--db", str(database), "--checkpoints", str(checkpoints)]) == 1
    assert "BROKEN" in capsys.readouterr().out


def test_retention_command_is_a_dry_run_unless_told(
    database: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    args = ["retention", "run", "--db", str(database), "--provider", DEMO_PROVIDER_ID,
            "--records-years", "1"]  # fmt: skip
    assert main(args) == 0
    assert "0 item(s) due" in capsys.readouterr().out  # the demo records are new
    with sqlite3.connect(database) as connection:
        connection.execute(
            "UPDATE welfarekit_sealed_records SET opened_at = '2020-01-01 00:00:00' "
            "WHERE id = 'demo-record-aino'"
        )
        connection.execute(
            "UPDATE welfarekit_sealed_entries SET recorded_at = '2020-01-02 00:00:00' "
            "WHERE record_id = 'demo-record-aino'"
        )
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "record demo-record-aino of student aino.korhonen: last activity 2020-01-02" in out
    assert "1 item(s) due (dry run" in out
    archive = tmp_path / "archive"
    assert main([*args, "--archive", str(archive)]) == 0
    assert f"1 item(s) archived to {archive} and destroyed" in capsys.readouterr().out
    copy = archive / DEMO_PROVIDER_ID / "aino.korhonen" / "demo-record-aino.json"
    assert copy.stat().st_mode & 0o777 == 0o600
    archived = json.loads(copy.read_text(encoding="utf-8"))
    assert archived["subject"] == "Poissaolojen lisääntyminen"
    assert [e["kind"] for e in archived["entries"]] == ["meeting", "plan"]
    with sqlite3.connect(database) as connection:
        ids = connection.execute("SELECT id FROM welfarekit_sealed_records").fetchall()
    assert ids == []
    with (
        WelfareKit.open(Settings.from_env(database=str(database))) as kit,
        kit.storage.transaction() as tx,
    ):
        actions = [e.event.action for e in tx.audit_entries(DEMO_PROVIDER_ID)][-2:]
    assert actions == ["retention.archive", "retention.destroy"]


def test_data_key_rotation_reencrypts_everything_and_can_be_resumed(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from welfarekit.crypto import sealed_key_id
    from welfarekit.sealed import SealedEntry, SealedIdentityCode, SealedRecord

    def key_ids() -> tuple[set[str], set[str]]:
        with (
            WelfareKit.open(Settings.from_env(database=str(database))) as kit,
            kit.storage.transaction() as tx,
        ):
            ciphertexts = [
                r.content
                for r in tx.list(SealedRecord, DEMO_PROVIDER_ID, student_id="aino.korhonen")
            ]
            ciphertexts += [
                e.content
                for e in tx.list(SealedEntry, DEMO_PROVIDER_ID, student_id="aino.korhonen")
            ]
            code = tx.get(SealedIdentityCode, DEMO_PROVIDER_ID, "aino.korhonen")
            assert code is not None
            ciphertexts.append(code.ciphertext)
            keyset = kit.vault.keyset(tx, DEMO_PROVIDER_ID, "aino.korhonen", create=False)
            assert keyset is not None
            return {sealed_key_id(c) for c in ciphertexts}, {keyset.primary.key_id}

    before_ids, before_primary = key_ids()
    assert before_ids == before_primary
    assert main(["keys", "rotate-data", "--db", str(database)]) == 0
    out = capsys.readouterr().out
    assert "5 of 5 keysets given a new primary key" in out
    stamp = out.split("--before ")[1].split(" ")[0]
    after_ids, after_primary = key_ids()
    assert after_ids == after_primary
    assert after_primary != before_primary
    with WelfareKit.open(Settings.from_env(database=str(database))) as kit:
        session = kit.session(
            Actor(
                provider_id=DEMO_PROVIDER_ID, person=PersonRef(PersonKind.STAFF, "tuomas.saarinen")
            ),
            now=NOW,
        )
        assert session.timeline("demo-record-aino").record.subject == SECRETS[0]
    # the same --before again (as after an interruption) finds the work done
    assert main(["keys", "rotate-data", "--db", str(database), "--before", stamp]) == 0
    assert "0 of 5 keysets given a new primary key; 0 sealed values" in capsys.readouterr().out
    assert main(["keys", "rotate-data", "--db", str(database), "--before", "yesterday"]) == 1


def test_retention_takes_its_periods_from_the_steering_groups_policy(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from welfarekit.policy import WelfarePolicy
    from welfarekit.retention import RetentionPolicy

    args = ["retention", "run", "--db", str(database), "--provider", DEMO_PROVIDER_ID]
    assert main(args) == 1
    assert "has no retention policy: give --records-years" in capsys.readouterr().err
    with WelfareKit.open(Settings.from_env(database=str(database))) as kit:
        steering = kit.session(Actor(provider_id=DEMO_PROVIDER_ID,
                                     person=PersonRef(PersonKind.STAFF, "tiina.rantanen")))  # fmt: skip
        steering.set_policy(WelfarePolicy(retention=RetentionPolicy(records_years=3)))
    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE welfarekit_sealed_records SET opened_at = '2020-01-01 00:00:00'")
        connection.execute(
            "UPDATE welfarekit_sealed_entries SET recorded_at = '2022-01-02 00:00:00'"
        )
    assert main(args) == 0
    assert "1 item(s) due" in capsys.readouterr().out  # three years from 2.1.2022 have passed
    assert main([*args, "--records-years", "10"]) == 0  # the command line wins
    assert "0 item(s) due" in capsys.readouterr().out
