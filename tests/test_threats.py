"""The security model's threats (docs/security.md), one test each, asserting what the page
says welfarekit does: a curious staff member, a compromised or careless adapter, a database
administrator, a stolen database backup, a stolen key file, a replayed or forged identity
token, and a notification adapter that would leak what it is given."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_records import AINO, KURAATTORI, NOW, TEACHER, P, as_, open_kit, write_record

import welfarekit
from welfarekit import AccessDenied, Actor, PersonKind, PersonRef, Settings, Student, WelfareKit
from welfarekit.audit_chain import verify
from welfarekit.cli import main
from welfarekit.crypto import KeyringError, SealBroken
from welfarekit.demo import DEMO_PROVIDER_ID, build_consent_demo, build_demo, build_record_demo
from welfarekit.errors import PluginError
from welfarekit.model import NotificationTopic

PRINCIPAL = PersonRef(PersonKind.STAFF, "principal")
ADVISOR = PersonRef(PersonKind.STAFF, "advisor")
SENIOR = PersonRef(PersonKind.STAFF, "senior")  # a member of the school's welfare group
DEMO_SECRETS = ("Poissaolojen lisääntyminen", "Tapaamiset kuraattorin kanssa")
PSYCHOLOGIST = PersonRef(PersonKind.STAFF, "tuomas.saarinen")  # the demo's, in Aino's group


# -- a curious staff member -------------------------------------------------------------------


def test_a_curious_staff_member_is_refused_and_the_student_sees_every_refusal(
    tmp_path: Path,
) -> None:
    """Deny by default: being a teacher, group advisor, principal or welfare group member
    gives no access by itself; every refusal is audited, and the student's access report
    shows it."""
    with open_kit(tmp_path) as kit:
        record_id, _ = write_record(kit)
        curious = (TEACHER, ADVISOR, PRINCIPAL, SENIOR)
        for person in curious:
            session = as_(kit, person)
            with pytest.raises(AccessDenied):
                session.records("aino")
            with pytest.raises(AccessDenied):
                session.timeline(record_id)
            with pytest.raises(AccessDenied):
                session.export_subject_data("aino")
        report = as_(kit, AINO).access_report("aino")
        refused = [e for e in report if e.outcome != "success"]
        for person in curious:
            mine = [e for e in refused if person.id in e.who]
            assert len(mine) >= 3, (person, [(e.who, e.outcome) for e in report])
        # the reads of those the consent covers are there too, visible to the student
        as_(kit, KURAATTORI).timeline(record_id)
        assert any(KURAATTORI.id in e.who and e.outcome == "success"
                   for e in as_(kit, AINO).access_report("aino"))  # fmt: skip
        with kit.storage.transaction() as tx:
            assert verify(tx.audit_entries(P))


# -- a compromised or careless adapter --------------------------------------------------------


class Permissive:
    """A policy plugin that answers "no objection" to everything it is asked."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    @welfarekit.hookimpl
    def welfarekit_veto(self, actor: Actor, action: object, resource: object) -> str | None:
        self.asked.append(str(actor.person.id) if actor.person else "system")
        return None


class Raising:
    """A policy plugin that fails, once armed, with words of its own."""

    armed = False

    @welfarekit.hookimpl
    def welfarekit_veto(self, actor: Actor, action: object, resource: object) -> str | None:
        if self.armed:
            raise RuntimeError("policy service down: secret-words-of-the-plugin")
        return None


def test_an_adapter_can_narrow_access_but_never_widen_it(tmp_path: Path) -> None:
    """A policy plugin can refuse but never grant (a core denial is final: the hook is not
    even asked), one that raises refuses, and its refusal's audit entry names it but never
    stores its words; a misspelled hook is refused at load time."""
    permissive = Permissive()
    with open_kit(tmp_path, permissive) as kit:
        record_id, _ = write_record(kit)
        with pytest.raises(AccessDenied):
            as_(kit, TEACHER).timeline(record_id)
        assert TEACHER.id not in permissive.asked
        assert KURAATTORI.id in permissive.asked  # asked about what the core allowed
    raising = Raising()
    (tmp_path / "raising").mkdir()
    with open_kit(tmp_path / "raising", raising) as kit:
        raising.armed = True
        with pytest.raises(AccessDenied, match="refused by"):
            write_record(kit)
        with kit.storage.transaction() as tx:
            entries = tx.audit_entries(P)
        refusals = [e for e in entries if e.event.outcome != "success"]
        assert refusals
        for entry in refusals:
            assert "secret-words-of-the-plugin" not in repr(entry)

    class Misspelled:
        @welfarekit.hookimpl
        def welfarekit_vetoo(self, actor: Actor, action: object, resource: object) -> None:
            return None

    with pytest.raises(PluginError):
        WelfareKit.open(Settings(database_url="memory://", plugins=()), plugins=[Misspelled()])


# -- the database on SQLite: an administrator, a stolen backup, a stolen key file ------------


@pytest.fixture
def school(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The demo on a SQLite file, its key file beside it (``school/``)."""
    folder = tmp_path / "school"
    folder.mkdir()
    monkeypatch.setenv("WELFAREKIT_KEY_FILE", str(folder / "keys.json"))
    assert main(["keys", "init"]) == 0
    with WelfareKit.open(Settings.from_env(database=str(folder / "school.db"))) as kit:
        build_demo(kit, NOW.date())
        build_consent_demo(kit, NOW)
        build_record_demo(kit, NOW)
    return folder


def _read_records(database: Path, key_file: Path) -> list[str]:
    settings = Settings(database_url=f"sqlite:///{database}", key_file=key_file)
    with WelfareKit.open(settings) as kit:
        session = kit.session(Actor(provider_id=DEMO_PROVIDER_ID, person=PSYCHOLOGIST), now=NOW)
        return [r.subject for r in session.records("aino.korhonen")]


def _sql(database: Path, *statements: str) -> None:
    with sqlite3.connect(database) as connection:
        for statement in statements:
            connection.execute(statement)


@pytest.mark.parametrize("tampering", ["a bit flipped", "an entry's ciphertext moved"])
def test_a_database_administrator_editing_sealed_rows_gets_an_error_not_data(
    school: Path, tampering: str
) -> None:
    """Sealed fields are ciphertext bound to their row: an edited or moved one does not
    open, and reading fails closed."""
    assert _read_records(school / "school.db", school / "keys.json") == [DEMO_SECRETS[0]]
    with sqlite3.connect(school / "school.db") as db:
        target, content = db.execute("SELECT id, content FROM welfarekit_sealed_records "
                                     "WHERE student_id = 'aino.korhonen'").fetchone()  # fmt: skip
        if tampering == "a bit flipped":
            changed = bytes(content[:30]) + bytes([content[30] ^ 1]) + bytes(content[31:])
        else:  # an entry's ciphertext, of the same student, moved into the record's row
            (changed,) = db.execute("SELECT content FROM welfarekit_sealed_entries "
                                    "WHERE student_id = 'aino.korhonen' LIMIT 1").fetchone()  # fmt: skip
        db.execute("UPDATE welfarekit_sealed_records SET content = ? WHERE id = ?",
                   (changed, target))  # fmt: skip
    with pytest.raises(SealBroken) as refused:
        _read_records(school / "school.db", school / "keys.json")
    assert DEMO_SECRETS[0] not in str(refused.value)


@pytest.mark.parametrize(
    "tampering",
    [
        "UPDATE welfarekit_audit_events SET actor = 'staff:nobody' WHERE sequence = 6",
        "DELETE FROM welfarekit_audit_events WHERE sequence = 6",
        "UPDATE welfarekit_audit_events SET resource_id = 'another' WHERE sequence = 9",
    ],
)
def test_a_database_administrator_editing_the_audit_trail_is_found(
    school: Path, tampering: str, capsys: pytest.CaptureFixture[str]
) -> None:
    database = str(school / "school.db")
    assert main(["audit", "verify", "--db", database]) == 0
    _sql(school / "school.db", tampering)
    assert main(["audit", "verify", "--db", database]) == 1
    assert "BROKEN at event" in capsys.readouterr().out


def test_a_stolen_database_backup_without_the_key_file_opens_nothing(
    school: Path, tmp_path: Path
) -> None:
    """Without the key file the backup holds only ciphertext, and blind indexes of 12 bits."""
    stolen = tmp_path / "stolen"
    stolen.mkdir()
    shutil.copy(school / "school.db", stolen / "school.db")
    raw = (stolen / "school.db").read_bytes()
    for secret in DEMO_SECRETS:
        assert secret.encode() not in raw
    with WelfareKit.open(Settings(database_url=f"sqlite:///{school / 'school.db'}",
                                  key_file=school / "keys.json")) as kit:  # fmt: skip
        directory = kit.directory("test")
        codes = [directory.identity_code(DEMO_PROVIDER_ID, s.id)
                 for s in directory.list(Student, DEMO_PROVIDER_ID)]  # fmt: skip
    for code in codes:
        assert code is not None
        assert code.value.encode() not in raw
    with sqlite3.connect(stolen / "school.db") as db:
        indexes = [value for (value,) in db.execute("SELECT value FROM welfarekit_blind_index")]
    assert indexes
    assert all(len(value) == 3 for value in indexes)  # 12 bits: three hex digits
    with pytest.raises(KeyringError):  # no key file at all
        _read_records(stolen / "school.db", stolen / "keys.json")
    main(["keys", "init", "--key-file", str(stolen / "other-keys.json")])
    with pytest.raises((KeyringError, SealBroken)):  # a key file of its own
        _read_records(stolen / "school.db", stolen / "other-keys.json")


def test_a_stolen_key_file_holds_keys_only_and_no_data(school: Path) -> None:
    """The key file holds key-encryption keys only: writing welfare data never changes it,
    and nothing of the register is in it."""
    key_file = (school / "keys.json").read_bytes()
    with WelfareKit.open(Settings(database_url=f"sqlite:///{school / 'school.db'}",
                                  key_file=school / "keys.json")) as kit:  # fmt: skip
        session = kit.session(Actor(provider_id=DEMO_PROVIDER_ID, person=PSYCHOLOGIST), now=NOW)
        session.records("aino.korhonen")
        students = kit.directory("test").list(Student, DEMO_PROVIDER_ID)
    assert (school / "keys.json").read_bytes() == key_file
    text = key_file.decode()
    json.loads(text)  # a key file, nothing else
    for word in (*DEMO_SECRETS, DEMO_PROVIDER_ID):
        assert word not in text
    for student in students:
        for value in (student.id, student.given_names, student.family_name):
            assert value not in text


# -- a replayed or forged identity token ------------------------------------------------------


@pytest.fixture
def identity_provider() -> Iterator[tuple[Any, str]]:
    pytest.importorskip("welfarekit_oidc")
    from cryptography.hazmat.primitives.asymmetric import rsa
    from welfarekit_oidc.testing import public_jwks, serve_jwks

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with serve_jwks(public_jwks({"k1": key})) as uri:
        yield key, uri


def test_a_replayed_or_forged_identity_token_is_refused(
    identity_provider: tuple[Any, str],
) -> None:
    """welfarekit-oidc: only a token the provider's keys signed, for this client, unexpired,
    and — when the host passes its sign-in's nonce — of that sign-in becomes an actor."""
    import jwt
    from cryptography.hazmat.primitives.asymmetric import rsa
    from welfarekit_oidc import IdTokenVerifier, TokenRejected

    key, uri = identity_provider
    verifier = IdTokenVerifier(issuer="https://idp.test", audience="portal", jwks_uri=uri)
    now = int(time.time())
    claims = {"iss": "https://idp.test", "aud": "portal", "iat": now, "exp": now + 300,
              "sub": "aino", "role": "student", "nonce": "sign-in-1"}  # fmt: skip
    genuine = jwt.encode(claims, key, algorithm="RS256", headers={"kid": "k1"})
    assert verifier.actor(genuine, provider_id=P, nonce="sign-in-1").person == AINO
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    head, _body, signature = genuine.split(".")
    forged_body = jwt.utils.base64url_encode(json.dumps({**claims, "sub": "sanna"}).encode())
    forgeries = {
        "replayed into another sign-in": (genuine, "sign-in-2"),
        "signed by another key": (jwt.encode(claims, other_key, algorithm="RS256",
                                             headers={"kid": "k1"}), "sign-in-1"),
        "alg none": (jwt.encode(claims, None, algorithm="none", headers={"kid": "k1"}),
                     "sign-in-1"),
        "claims changed": (f"{head}.{forged_body.decode()}.{signature}", "sign-in-1"),
        "expired": (jwt.encode({**claims, "exp": now - 3600, "iat": now - 7200}, key,
                               algorithm="RS256", headers={"kid": "k1"}), "sign-in-1"),
    }  # fmt: skip
    for name, (token, nonce) in forgeries.items():
        with pytest.raises(TokenRejected) as refused:
            verifier.actor(token, provider_id=P, nonce=nonce)
        assert token not in str(refused.value), name


# -- a notification adapter that would leak what it is given ----------------------------------


def test_a_notifier_is_given_a_fixed_sentence_and_nothing_confidential(tmp_path: Path) -> None:
    """A notifier gets the recipient, the topic and a fixed sentence that says nothing
    confidential: not the case, not the other person, not the service."""
    from casework_world import AINO as STUDENT
    from casework_world import PSY
    from casework_world import SECRET as CASE
    from casework_world import TEACHER as REFERRER
    from casework_world import as_ as acting
    from casework_world import open_kit as open_casework

    from welfarekit.notify import Notification

    kit = open_casework(tmp_path)
    acting(kit, STUDENT).leave_matter(holder_id="senior", text=CASE)
    acting(kit, REFERRER).refer(student_id="aino", professional_id="psy", concern=CASE)
    kit.deliver_notifications()
    sent: list[Notification] = kit.notifier.sent  # type: ignore[union-attr]
    assert sent
    sentences = {topic.text for topic in NotificationTopic}
    assert {f.name for f in Notification.__attrs_attrs__} == {
        "id",
        "provider_id",
        "recipient",
        "topic",
        "text",
        "created_at",
        "address",
    }
    for notification in sent:
        assert notification.text in sentences
        assert notification.text == notification.topic.text
        for word in (CASE, "kiusa", "Aino", "Korhonen", "psycholog", PSY.id, "aino"):
            assert word not in notification.text
    assert not any(CASE in repr(n) for n in sent)
    assert dt.datetime.now(dt.UTC) >= max(n.created_at for n in sent) - dt.timedelta(days=400)
    kit.close()
