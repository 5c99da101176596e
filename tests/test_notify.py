"""The outbox: notifications are written with their step, delivered after, retried on
failure, and never lost when no notifier is configured."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from casework_world import AINO, PSY, SECRET, TEACHER, P, as_, open_kit

import welfarekit
from welfarekit import AdapterNotFound, Settings, WelfareKit
from welfarekit.model import OutboxMessage, OutboxStatus
from welfarekit.notify import MAX_ATTEMPTS, Notification


class FlakyNotifier:
    """A host's notifier that fails a number of times before it works."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.delivered: list[Notification] = []

    @welfarekit.hookimpl
    def welfarekit_notify(self, notification: Notification) -> bool:
        if self.failures:
            self.failures -= 1
            raise ConnectionError(f"SMTP refused {notification.recipient}")
        self.delivered.append(notification)
        return True


def _statuses(kit: WelfareKit) -> list[tuple[OutboxStatus, int, str | None]]:
    with kit.storage.transaction() as tx:
        return [(m.status, m.attempts, m.last_error) for m in tx.list(OutboxMessage, P)]


def test_a_failing_notifier_is_retried_then_given_up(tmp_path: Path) -> None:
    kit = open_kit(tmp_path)
    flaky = FlakyNotifier(failures=MAX_ATTEMPTS)
    kit.plugin_manager.unregister(name="notifier:memory")
    kit.plugin_manager.register(flaky, name="flaky")
    as_(kit, TEACHER).refer(student_id="aino", professional_id="psy", concern=SECRET)
    [(status, attempts, _), *_] = _statuses(kit)
    assert (status, attempts) == (OutboxStatus.PENDING, 0)
    messages = len(_statuses(kit))
    first = kit.deliver_notifications()
    assert (first.sent, first.retried) == (0, messages)
    # the error's type is kept, never its text (which may quote an address)
    assert {error for _, _, error in _statuses(kit)} == {"ConnectionError"}
    flaky.failures = 0
    assert kit.deliver_notifications().sent == 0  # not yet: the backoff
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=2)
    second = kit.deliver_notifications(now=later)
    assert second.sent == messages
    assert PSY in {n.recipient for n in flaky.delivered}


def test_a_message_that_keeps_failing_is_marked_failed(tmp_path: Path) -> None:
    kit = open_kit(tmp_path)
    kit.plugin_manager.unregister(name="notifier:memory")
    kit.plugin_manager.register(FlakyNotifier(failures=10**6), name="flaky")
    as_(kit, AINO).leave_matter(holder_id="senior", text=SECRET)
    moment = dt.datetime.now(dt.UTC)
    for attempt in range(1, MAX_ATTEMPTS):
        assert kit.deliver_notifications(now=moment).retried == 1
        moment += welfarekit.notify.backoff(attempt)  # 1, 2, 4, 8 minutes
    assert kit.deliver_notifications(now=moment).failed == 1
    assert _statuses(kit) == [(OutboxStatus.FAILED, MAX_ATTEMPTS, "ConnectionError")]
    assert kit.deliver_notifications(now=moment + dt.timedelta(days=1)) == (
        welfarekit.notify.DeliveryReport()
    )
    from welfarekit.notify import failed_messages

    assert [m.attempts for m in failed_messages(kit.storage, P)] == [MAX_ATTEMPTS]


def test_the_backoff_doubles_up_to_an_hour() -> None:
    from welfarekit.notify import backoff

    assert [backoff(n).total_seconds() / 60 for n in (1, 2, 3, 4)] == [1, 2, 4, 8]
    assert backoff(30) == dt.timedelta(hours=1)


def test_without_a_notifier_messages_wait_in_the_outbox(tmp_path: Path) -> None:
    kit = open_kit(tmp_path)
    kit.plugin_manager.unregister(name="notifier:memory")
    as_(kit, AINO).leave_matter(holder_id="senior", text=SECRET)
    assert kit.deliver_notifications().waiting == 1
    assert _statuses(kit) == [(OutboxStatus.PENDING, 0, None)]


def test_a_rolled_back_step_notifies_no_one(tmp_path: Path) -> None:
    kit = open_kit(tmp_path)
    with pytest.raises(welfarekit.IntegrityError):
        as_(kit, TEACHER).refer(student_id="aino", professional_id="principal", concern="x")
    assert _statuses(kit) == []


def test_an_unknown_notifier_is_a_clear_error(tmp_path: Path) -> None:
    from welfarekit.crypto import init_key_file

    init_key_file(tmp_path / "keys.json")
    settings = Settings(database_url="memory://", plugins=(), key_file=tmp_path / "keys.json",
                        notifier="carrier-pigeon")  # fmt: skip
    with pytest.raises(AdapterNotFound, match="no notifier adapter named 'carrier-pigeon'.*memory"):
        WelfareKit.open(settings)


def test_the_notifier_is_chosen_from_the_environment() -> None:
    settings = Settings.from_env({"WELFAREKIT_NOTIFIER": "memory"})
    assert settings.notifier == "memory"
    assert Settings.from_env({}).notifier is None


def test_delivery_is_per_provider_and_oldest_first(tmp_path: Path) -> None:
    kit = open_kit(tmp_path)
    later = as_(kit, AINO).now + dt.timedelta(minutes=5)
    as_(kit, AINO, later).leave_matter(holder_id="senior", text="second")
    as_(kit, AINO).leave_matter(holder_id="principal", text="first")
    assert kit.deliver_notifications(provider_id="elsewhere").sent == 0
    assert kit.deliver_notifications(provider_id=P).sent == 2
    sent = kit.notifier.sent  # type: ignore[union-attr]
    assert [n.recipient.id for n in sent] == ["principal", "senior"]


def test_the_outbox_commands(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from welfarekit.cli import main

    database = tmp_path / "outbox.db"
    kit = open_kit(tmp_path, database_url=f"sqlite:///{database}")
    kit.plugin_manager.unregister(name="notifier:memory")
    kit.plugin_manager.register(FlakyNotifier(failures=10**6), name="flaky")
    as_(kit, AINO).leave_matter(holder_id="senior", text=SECRET)
    moment = dt.datetime.now(dt.UTC)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        kit.deliver_notifications(now=moment)
        moment += welfarekit.notify.backoff(attempt)
    kit.close()
    monkeypatch.setenv("WELFAREKIT_KEY_FILE", str(tmp_path / "keys.json"))
    assert main(["outbox", "failed", "--db", str(database), "--provider", P]) == 1
    out = capsys.readouterr().out
    assert "matter_received to staff:senior: 5 attempts, last error ConnectionError" in out
    assert main(["outbox", "dispatch", "--db", str(database)]) == 0
    assert (
        "0 sent, 0 to retry, 0 failed for good, 0 waiting for a notifier" in capsys.readouterr().out
    )


def test_the_file_notifier_writes_one_line_per_notification(tmp_path: Path) -> None:
    import json

    key_file = tmp_path / "keys.json"
    from welfarekit.crypto import init_key_file

    init_key_file(key_file)
    target = tmp_path / "out" / "notifications.jsonl"
    settings = Settings(database_url="memory://", plugins=(), key_file=key_file, notifier="file",
                        adapter_options={"file": {"path": str(target)}})  # fmt: skip
    with WelfareKit.open(settings) as chosen:  # the built-in notifier, chosen by name
        assert type(chosen.notifier).__name__ == "FileNotifier"
    kit = open_kit(tmp_path)
    from welfarekit.builtin.file_notifier import FileNotifier

    kit.plugin_manager.unregister(name="notifier:memory")
    kit.plugin_manager.register(FileNotifier({"path": str(target)}), name="file")
    as_(kit, TEACHER).refer(student_id="aino", professional_id="psy", concern=SECRET)
    assert kit.deliver_notifications().sent == 2
    lines = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert {line["to"] for line in lines} == {"staff:psy", "guardian:sanna"}
    assert SECRET not in target.read_text(encoding="utf-8")
