"""E-mail notifications against a real SMTP server on localhost (aiosmtpd): delivery, the
server down during dispatch with nothing lost, no message delivered twice, a recipient
without an address kept visible, and nothing confidential in any message."""

from __future__ import annotations

import contextlib
import datetime as dt
import email
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
from aiosmtpd.controller import Controller
from welfarekit_smtp import SmtpSettings

from welfarekit import (
    Actor,
    ConfigurationError,
    EducationProvider,
    Guardian,
    Guardianship,
    Institution,
    Membership,
    Period,
    PersonKind,
    PersonRef,
    Role,
    Settings,
    StaffMember,
    Student,
    WelfareGroup,
    WelfareKit,
)
from welfarekit.crypto import init_key_file
from welfarekit.model import OutboxStatus
from welfarekit.notify import failed_messages

P = "p1"
SECRET = "Aino kertoi kiusaamisesta liikuntatunnilla"
TEACHER = PersonRef(PersonKind.STAFF, "teacher")


class Inbox:
    """An aiosmtpd handler that keeps every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def server() -> Iterator[tuple[Controller, Inbox]]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    with contextlib.suppress(RuntimeError, AssertionError):  # a test may have stopped it
        controller.stop()


@pytest.fixture
def kit(tmp_path: Path, server: tuple[Controller, Inbox]) -> Iterator[WelfareKit]:
    controller, _ = server
    init_key_file(tmp_path / "keys.json")
    settings = Settings(
        database_url="memory://", plugins=("smtp",), key_file=tmp_path / "keys.json",
        notifier="smtp",
        adapter_options={"smtp": {"host": "127.0.0.1", "port": controller.port,
                                  "security": "none", "sender": "opiskeluhuolto@harjula.test",
                                  "student_address": "{id}@opiskelija.harjula.test"}},
    )  # fmt: skip
    kit = WelfareKit.open(settings)
    born = dt.date(2010, 3, 1)
    year = Period(start=dt.date(2026, 8, 1))
    kit.directory("sync").put(
        EducationProvider(id=P, name="Harjula"),
        Institution(id="lukio", provider_id=P, name="Lukio", kind="general_upper_secondary"),
        StaffMember(id="psy", provider_id=P, given_names="T", family_name="S",
                    roles={Role.PSYCHOLOGIST}, employer="wellbeing_services_county",
                    email="psykologi@harjula.test"),
        StaffMember(id="teacher", provider_id=P, given_names="P", family_name="H",
                    roles={Role.TEACHER}, email="opettaja@harjula.test"),
        StaffMember(id="senior", provider_id=P, given_names="L", family_name="J",
                    roles={Role.SPECIAL_NEEDS_TEACHER}),  # no address
        Student(id="aino", provider_id=P, institution_id="lukio", given_names="Aino",
                family_name="Korhonen", date_of_birth=born, home_municipality="Jyväskylä"),
        Guardian(id="sanna", provider_id=P, given_names="Sanna", family_name="Korhonen",
                 email="sanna@koti.test"),
        Guardianship(provider_id=P, guardian_id="sanna", student_id="aino",
                     validity=Period(start=born)),
        WelfareGroup(id="wellbeing", provider_id=P, kind="institution", institution_id="lukio"),
        Membership(id="w.senior", provider_id=P, group_id="wellbeing",
                   member=PersonRef(PersonKind.STAFF, "senior"),
                   role=Role.SPECIAL_NEEDS_TEACHER, validity=year),
    )  # fmt: skip
    yield kit
    kit.close()


def refer(kit: WelfareKit) -> None:
    kit.session(Actor(provider_id=P, person=TEACHER)).refer(
        student_id="aino", professional_id="psy", concern=SECRET
    )


def test_notifications_are_delivered_by_mail_with_nothing_confidential(
    kit: WelfareKit, server: tuple[Controller, Inbox]
) -> None:
    _, inbox = server
    refer(kit)
    report = kit.deliver_notifications()
    assert report.sent == 2  # the psychologist, and the guardian of a minor
    recipients = sorted(m["To"] for m in inbox.messages)
    assert recipients == ["psykologi@harjula.test", "sanna@koti.test"]
    for message in inbox.messages:
        body = message.get_payload(decode=True).decode()  # type: ignore[union-attr]
        assert body.strip() == "You have a new message in the welfare service."
        whole = message.as_string()
        for secret in (SECRET, "Aino", "Korhonen", "psycholog", "referral"):
            assert secret not in whole
        assert message["Message-ID"].endswith("@welfarekit>")
    assert kit.deliver_notifications().sent == 0  # delivered once


def test_a_server_down_loses_nothing_and_delivers_everything_once_back(
    kit: WelfareKit, server: tuple[Controller, Inbox]
) -> None:
    controller, inbox = server
    controller.stop()  # the server goes down before dispatch
    refer(kit)
    down = kit.deliver_notifications()
    assert (down.sent, down.retried) == (0, 2)
    statuses = {m.status for m in _outbox(kit)}
    assert statuses == {OutboxStatus.PENDING}
    again = Controller(inbox, hostname="127.0.0.1", port=controller.port)  # the server is back
    again.start()
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)
    try:
        back = kit.deliver_notifications(now=later)
    finally:
        again.stop()
    assert back.sent == 2
    ids = [m["Message-ID"] for m in inbox.messages]
    assert len(ids) == len(set(ids)) == 2
    assert kit.deliver_notifications(now=later + dt.timedelta(hours=1)).sent == 0


def test_a_recipient_without_an_address_stays_visible_as_failed(kit: WelfareKit) -> None:
    aino = kit.session(Actor(provider_id=P, person=PersonRef(PersonKind.STUDENT, "aino")))
    aino.leave_matter(holder_id="senior", text=SECRET)  # senior has no e-mail address
    moment = dt.datetime.now(dt.UTC)
    for _ in range(5):
        kit.deliver_notifications(now=moment)
        moment += dt.timedelta(hours=2)
    [failed] = failed_messages(kit.storage, P)
    assert (failed.recipient.id, failed.last_error) == ("senior", "NoAddress")


def test_a_student_gets_mail_at_the_address_template(
    kit: WelfareKit, server: tuple[Controller, Inbox]
) -> None:
    _, inbox = server
    teacher = kit.session(Actor(provider_id=P, person=TEACHER))
    teacher.send_initiative(group_id="wellbeing", subject="Penkit", text="Lisää penkkejä")
    aino = kit.session(Actor(provider_id=P, person=PersonRef(PersonKind.STUDENT, "aino")))
    aino.send_initiative(group_id="wellbeing", subject="Lepotila", text="Hiljainen tila")
    kit.deliver_notifications()
    assert "aino@opiskelija.harjula.test" in {m["To"] for m in inbox.messages}


def test_settings_are_checked() -> None:
    with pytest.raises(ConfigurationError, match="'host'"):
        SmtpSettings.from_options({"sender": "a@b.test"}, environ={})
    with pytest.raises(ConfigurationError, match="unknown options"):
        SmtpSettings.from_options({"host": "h", "sender": "s", "pasword": "x"}, environ={})
    with pytest.raises(ConfigurationError, match="security"):
        SmtpSettings.from_options({"host": "h", "sender": "s", "security": "ssl3"}, environ={})
    from_env = SmtpSettings.from_options({}, environ={
        "WELFAREKIT_SMTP_HOST": "mail.test", "WELFAREKIT_SMTP_PORT": "465",
        "WELFAREKIT_SMTP_SECURITY": "tls", "WELFAREKIT_SMTP_SENDER": "s@t.test",
        "WELFAREKIT_SMTP_PASSWORD": "hunter2",
    })  # fmt: skip
    assert (from_env.host, from_env.port, from_env.security) == ("mail.test", 465, "tls")
    assert "hunter2" not in repr(from_env)
    assert attrs.evolve(from_env, port=25).port == 25


def _outbox(kit: WelfareKit) -> list[Any]:
    from welfarekit.model import OutboxMessage

    with kit.storage.transaction() as tx:
        return tx.list(OutboxMessage, P)
