"""The hook examples of the documentation (``examples/hooks``) do what the hook reference
says they do, run against a real kit."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from examples.hooks import (
    append_only_checkpoints,
    portal_inbox,
    siem_forwarder,
    strong_authentication,
)
from welfarekit import (
    Action,
    Actor,
    AuthenticationLevel,
    Decision,
    PersonRef,
    Resource,
    Settings,
    WelfareKit,
)
from welfarekit.audit_chain import verify
from welfarekit.checkpoints import checkpoint_from_json, load_signing_key
from welfarekit.crypto import init_key_file
from welfarekit.demo import DEMO_PROVIDER_ID, build_consent_demo, build_demo

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)
RECORD = Resource(type="welfare_record", provider_id=DEMO_PROVIDER_ID, student_id="aino.korhonen")


def open_demo(tmp_path: Path, *plugins: object, **settings: Any) -> WelfareKit:
    key_file = tmp_path / "keys.json"
    init_key_file(key_file)
    kit = WelfareKit.open(
        Settings(database_url="memory://", plugins=(), key_file=key_file, **settings),
        plugins=plugins,
    )
    build_demo(kit, NOW.date())
    return kit


def test_the_portal_inbox_is_offered_by_name_and_delivers_the_fixed_text(
    tmp_path: Path,
) -> None:
    inbox: dict[str, tuple[str, str]] = {}
    kit = open_demo(
        tmp_path,
        portal_inbox,
        notifier="portal-inbox",
        adapter_options={"portal-inbox": {"inbox": inbox}},
    )
    assert "portal-inbox" in kit.registry.notifiers
    teacher = kit.session(
        Actor(provider_id=DEMO_PROVIDER_ID, person=PersonRef("staff", "juha.makinen")), now=NOW
    )
    teacher.propose_expert_group(student_id="aino.korhonen", responsible_id="minna.lehtonen")
    report = kit.deliver_notifications(now=NOW)
    assert report.sent == len(inbox) >= 2
    recipients = {recipient for recipient, _ in inbox.values()}
    assert {"student:aino.korhonen", "staff:minna.lehtonen"} <= recipients
    for _, text in inbox.values():
        assert "welfare service" in text
        assert "Aino" not in text
        assert "Korhonen" not in text
    # delivered once: a second run finds nothing pending
    assert kit.deliver_notifications(now=NOW).sent == 0


def test_the_siem_forwarder_queues_identifiers_only(tmp_path: Path) -> None:
    forwarder = siem_forwarder.SiemForwarder()
    open_demo(tmp_path, forwarder)
    events = []
    while not forwarder.queue.empty():
        events.append(forwarder.queue.get())
    assert events
    assert {e["provider"] for e in events} == {DEMO_PROVIDER_ID}
    assert all(e["who"] == "system:demo" for e in events)
    assert not any("Korhonen" in str(value) for e in events for value in e.values())


def test_checkpoints_are_written_once_and_verify_the_chain(tmp_path: Path) -> None:
    store = append_only_checkpoints.AppendOnlyCheckpoints(tmp_path / "worm")
    kit = open_demo(tmp_path, store)
    first = kit.checkpoint(DEMO_PROVIDER_ID, create_key=True)
    advisor = Actor(provider_id=DEMO_PROVIDER_ID, person=PersonRef("staff", "juha.makinen"))
    kit.session(advisor, now=NOW).decide(Action.LIST, RECORD)  # one more audit event
    second = kit.checkpoint(DEMO_PROVIDER_ID)
    assert first is not None
    assert second is not None
    assert second.sequence > first.sequence
    stored = [checkpoint_from_json(line) for line in store.stored(DEMO_PROVIDER_ID)]
    assert [c.sequence for c in stored] == [first.sequence, second.sequence]
    public_key = load_signing_key(kit.settings.signing_key_file)[0].public_key()
    with kit.storage.transaction() as tx:
        entries = tx.audit_entries(DEMO_PROVIDER_ID)
    assert verify(entries, checkpoints=stored, public_key=public_key)
    # the tail cut after the last checkpoint is found
    assert not verify(entries[: first.sequence], checkpoints=stored, public_key=public_key)
    # a stored checkpoint is never replaced
    with pytest.raises(FileExistsError):
        store.welfarekit_audit_checkpoint(second)


def test_the_veto_refuses_records_without_strong_authentication(tmp_path: Path) -> None:
    kit = open_demo(tmp_path, strong_authentication)
    build_consent_demo(kit, NOW)

    def decide(level: AuthenticationLevel) -> Decision:
        actor = Actor(provider_id=DEMO_PROVIDER_ID, person=PersonRef("staff", "tuomas.saarinen"),
                      authentication_level=level)  # fmt: skip
        return kit.session(actor, now=NOW).decide(Action.READ, RECORD)

    weak = decide(AuthenticationLevel.PASSWORD)
    assert not weak.allowed
    assert "strong electronic identification" in weak.reason
    assert decide(AuthenticationLevel.STRONG).allowed
    # it never grants: the group advisor stays refused, strongly authenticated or not
    advisor = Actor(provider_id=DEMO_PROVIDER_ID, person=PersonRef("staff", "juha.makinen"),
                    authentication_level=AuthenticationLevel.STRONG)  # fmt: skip
    assert not kit.session(advisor, now=NOW).decide(Action.READ, RECORD).allowed
