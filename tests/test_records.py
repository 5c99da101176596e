"""The welfare record (opiskeluhuoltokertomus): sealed, append-only, audited, disclosed on a
basis, and unreadable once a student's keys are destroyed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest
from builders import CASE_GROUP, CASE_MEMBERSHIPS, COMMUNAL_MEMBERSHIPS, STAFF, STEERING, WELLBEING

import welfarekit
from welfarekit import (
    AccessDenied,
    Actor,
    AuditFailure,
    EducationProvider,
    Guardian,
    Guardianship,
    Institution,
    InvalidValue,
    NotFound,
    Period,
    PersonKind,
    PersonRef,
    Role,
    Settings,
    Student,
    WelfareKit,
)
from welfarekit.audit_chain import verify
from welfarekit.clock import FINLAND
from welfarekit.crypto import KeyringError, SealBroken, init_key_file
from welfarekit.model.record import EntryStatus, Measure, Participant
from welfarekit.rules import LegalBasis
from welfarekit.sealed import SealedEntry, SealedRecord
from welfarekit.vault import Vault

P = "p1"
NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=FINLAND)
YEAR = Period(start=dt.date(2026, 8, 1))
AINO = PersonRef(PersonKind.STUDENT, "aino")
SANNA = PersonRef(PersonKind.GUARDIAN, "sanna")
PSY = PersonRef(PersonKind.STAFF, "psy")
KURAATTORI = PersonRef(PersonKind.STAFF, "kuraattori")
TEACHER = PersonRef(PersonKind.STAFF, "teacher")
SECRET = "Aino kertoi kiusaamisesta liikuntatunnilla"


def open_kit(tmp_path: Path, *plugins: object) -> WelfareKit:
    key_file = tmp_path / "keys.json"
    if not key_file.exists():
        init_key_file(key_file)
    settings = Settings(database_url="memory://", plugins=(), key_file=key_file)
    kit = WelfareKit.open(settings, plugins=plugins)
    born = dt.date(2010, 3, 1)
    kit.directory("sync").put(
        EducationProvider(id=P, name="Harjula"),
        Institution(id="lukio", provider_id=P, name="Lukio", kind="general_upper_secondary"),
        *STAFF.values(),
        Student(id="aino", provider_id=P, institution_id="lukio", given_names="Aino",
                family_name="Korhonen", date_of_birth=born, home_municipality="Jyväskylä"),
        Guardian(id="sanna", provider_id=P, given_names="Sanna", family_name="Korhonen"),
        Guardianship(provider_id=P, guardian_id="sanna", student_id="aino", validity=Period(start=born)),
        CASE_GROUP, WELLBEING, STEERING, *CASE_MEMBERSHIPS, *COMMUNAL_MEMBERSHIPS,
    )  # fmt: skip
    as_(kit, AINO, NOW - dt.timedelta(days=5)).record_expression_of_will(
        student_id="aino", grantor=AINO, kind="consent", purpose="form_expert_group",
        group_id="case-aino", covers_roles={Role.PSYCHOLOGIST, Role.SCHOOL_SOCIAL_WORKER},
        validity=YEAR, method="electronic", record_id="form",
    )  # fmt: skip
    return kit


def as_(kit: WelfareKit, person: PersonRef, now: dt.datetime = NOW) -> welfarekit.Session:
    return kit.session(Actor(provider_id=P, person=person), now=now)


@pytest.fixture
def kit(tmp_path: Path) -> Iterator[WelfareKit]:
    with open_kit(tmp_path) as opened:
        yield opened


def write_record(kit: WelfareKit) -> tuple[str, str]:
    social_worker = as_(kit, KURAATTORI)
    record = social_worker.open_record(
        student_id="aino", group_id="case-aino", subject="Poissaolot ja kiusaaminen",
        background=SECRET, initiator="ryhmänohjaaja", record_id="rec-1",
    )  # fmt: skip
    entry = social_worker.add_entry(
        record_id=record.id, kind="meeting", event_date=dt.date(2026, 11, 20),
        text="Käsiteltiin tilannetta yhdessä Ainon kanssa.",
        participants=[Participant(name="Aino Korhonen", position="opiskelija"),
                      Participant(name="M L", position="kuraattori")],
        entry_id="e-1",
    )  # fmt: skip
    social_worker.add_entry(
        record_id=record.id, kind="plan", event_date=dt.date(2026, 11, 20), text="Tukitoimet",
        measures=[Measure(measure="Viikoittaiset tapaamiset", responsible="kuraattori",
                          follow_up_by="psykologi", due=dt.date(2026, 12, 18))],
        entry_id="e-2",
    )  # fmt: skip
    return record.id, entry.id


def test_members_covered_by_consent_write_and_read_the_record(kit: WelfareKit) -> None:
    record_id, _ = write_record(kit)
    timeline = as_(kit, PSY).timeline(record_id)
    assert timeline.record.background == SECRET
    assert [e.kind.value for e in timeline.current] == ["meeting", "plan"]
    meeting = timeline.current[0]
    assert meeting.author == KURAATTORI
    assert meeting.author_title == "school social worker"
    assert meeting.participants[1].position == "kuraattori"
    assert timeline.current[1].measures[0].due == dt.date(2026, 12, 18)
    assert [r.subject for r in as_(kit, AINO).records("aino")] == ["Poissaolot ja kiusaaminen"]
    assert as_(kit, SANNA).timeline(record_id).record.id == record_id


def test_teacher_cannot_read_or_write_the_record(kit: WelfareKit) -> None:
    record_id, _ = write_record(kit)
    with pytest.raises(AccessDenied, match="being a teacher gives no access"):
        as_(kit, TEACHER).timeline(record_id)
    with pytest.raises(AccessDenied):
        as_(kit, TEACHER).add_entry(record_id=record_id, kind="measures",
                                    event_date=dt.date(2026, 11, 21), text="x")  # fmt: skip


def test_student_and_guardian_cannot_write_the_record(kit: WelfareKit) -> None:
    with pytest.raises(AccessDenied):
        as_(kit, AINO).open_record(student_id="aino", group_id="case-aino", subject="s",
                                   background="b", initiator="i")  # fmt: skip


def test_correction_is_a_new_version_and_history_is_kept(kit: WelfareKit) -> None:
    record_id, entry_id = write_record(kit)
    later = NOW + dt.timedelta(hours=2)
    fixed = as_(kit, KURAATTORI, later).correct_entry(
        entry_id=entry_id, text="Käsiteltiin tilannetta Ainon ja huoltajan kanssa.",
        reason="huoltaja oli myös paikalla",
        participants=[Participant(name="Aino Korhonen", position="opiskelija"),
                      Participant(name="Sanna Korhonen", position="huoltaja")],
    )  # fmt: skip
    assert fixed.version == 2
    assert fixed.corrects == entry_id
    with pytest.raises(welfarekit.ConflictError, match="corrected meanwhile"):
        as_(kit, KURAATTORI, later).correct_entry(entry_id=entry_id, text="x", reason="y",
                                                  participants=fixed.participants)  # fmt: skip
    timeline = as_(kit, PSY, later).timeline(record_id)
    statuses = {e.id: status for e, status in timeline.entries}
    assert statuses[entry_id] is EntryStatus.CORRECTED
    assert statuses[fixed.id] is EntryStatus.CURRENT
    assert fixed.recorded_at == later
    assert fixed.event_date == dt.date(2026, 11, 20)
    assert next(e.id for e in timeline.current) == "e-2"


def test_entered_in_error_is_marked_not_erased(kit: WelfareKit) -> None:
    record_id, entry_id = write_record(kit)
    as_(kit, KURAATTORI).correct_entry(entry_id=entry_id, text="väärän opiskelijan tieto",
                                       reason="kirjattu väärään kertomukseen",
                                       entered_in_error=True)  # fmt: skip
    timeline = as_(kit, PSY).timeline(record_id)
    statuses = {e.id: s for e, s in timeline.entries}
    assert statuses[entry_id] is EntryStatus.ENTERED_IN_ERROR
    assert entry_id not in {e.id for e in timeline.current}
    assert len(timeline.entries) == 3


def test_event_time_and_recording_time_are_kept_apart(kit: WelfareKit) -> None:
    record_id, _ = write_record(kit)
    meeting = as_(kit, PSY).timeline(record_id).current[0]
    assert meeting.event_date == dt.date(2026, 11, 20)
    assert meeting.recorded_at == NOW


def test_child_welfare_notification_writes_the_disclosure_entry(kit: WelfareKit) -> None:
    record_id, _ = write_record(kit)
    as_(kit, AINO).record_expression_of_will(
        student_id="aino", grantor=AINO, kind="refusal", purpose="disclosure",
        recipient="Lastensuojelu", validity=YEAR, method="electronic",
    )  # fmt: skip
    disclosure = as_(kit, TEACHER).disclose(
        record_id=record_id, what="huoli kotitilanteesta", recipient="Lastensuojelu",
        basis=LegalBasis.CHILD_WELFARE_NOTIFICATION,
    )  # fmt: skip
    assert disclosure.basis is LegalBasis.CHILD_WELFARE_NOTIFICATION
    entry = as_(kit, PSY).timeline(record_id).disclosures[0]
    assert (entry.what, entry.recipient, entry.basis) == (
        "huoli kotitilanteesta",
        "Lastensuojelu",
        LegalBasis.CHILD_WELFARE_NOTIFICATION,
    )
    assert entry.by == TEACHER


def test_disclosure_on_consent_names_the_consent(kit: WelfareKit) -> None:
    record_id, _ = write_record(kit)
    with pytest.raises(AccessDenied, match="specific written consent"):
        as_(kit, PSY).disclose(record_id=record_id, what="lausunto", recipient="Nuorisoasema")
    consent = as_(kit, AINO).record_expression_of_will(
        student_id="aino", grantor=AINO, kind="consent", purpose="disclosure",
        recipient="Nuorisoasema", validity=YEAR, method="written", written_and_specific=True,
    )  # fmt: skip
    disclosure = as_(kit, PSY).disclose(record_id=record_id, what="lausunto",
                                        recipient="Nuorisoasema")  # fmt: skip
    assert disclosure.consent_id == consent.id
    assert disclosure.basis is None


def _sealed_rows(kit: WelfareKit) -> list[object]:
    return list(kit.storage._rows.values())  # type: ignore[attr-defined]


def test_storage_never_sees_plaintext(kit: WelfareKit) -> None:
    write_record(kit)
    stored = repr(_sealed_rows(kit)).encode() + b"".join(
        getattr(row, "content", b"") for row in _sealed_rows(kit)
    )
    for secret in (SECRET, "Poissaolot", "Viikoittaiset tapaamiset", "ryhmänohjaaja",
                   "Käsiteltiin"):  # fmt: skip
        assert secret.encode() not in stored, secret


def test_ciphertext_moved_to_another_row_does_not_open(kit: WelfareKit) -> None:
    record_id, _ = write_record(kit)
    with kit.storage.transaction() as tx:
        first, second = tx.get(SealedEntry, P, "e-1"), tx.get(SealedEntry, P, "e-2")
        assert first is not None
        assert second is not None
        tx.delete(SealedEntry, P, "e-2")
        tx.save(attrs.evolve(second, content=first.content))
    with pytest.raises(SealBroken, match="entry 'e-2'"):
        as_(kit, PSY).timeline(record_id)


def test_flipped_bit_does_not_open(kit: WelfareKit) -> None:
    record_id, _ = write_record(kit)
    with kit.storage.transaction() as tx:
        header = tx.get(SealedRecord, P, record_id)
        assert header is not None
        flipped = bytearray(header.content)
        flipped[-1] ^= 1
        tx.delete(SealedRecord, P, record_id)
        tx.save(attrs.evolve(header, content=bytes(flipped)))
    with pytest.raises(SealBroken):
        as_(kit, AINO).records("aino")


def test_shredding_makes_the_student_unreadable_and_the_chain_still_verifies(
    kit: WelfareKit,
) -> None:
    record_id, _ = write_record(kit)
    with kit.storage.transaction() as tx:
        assert Vault.shred(tx, P, "aino")
    with pytest.raises(NotFound, match="keys were destroyed"):
        as_(kit, PSY).timeline(record_id)
    with kit.storage.transaction() as tx:
        assert verify(tx.audit_entries(P))


def test_every_operation_is_in_the_audit_chain(kit: WelfareKit) -> None:
    record_id, _ = write_record(kit)
    with pytest.raises(AccessDenied):
        as_(kit, TEACHER).timeline(record_id)
    as_(kit, PSY).timeline(record_id)
    with kit.storage.transaction() as tx:
        entries = tx.audit_entries(P)
    assert verify(entries)
    tail = [(e.event.actor, e.event.action, e.event.outcome.value) for e in entries[-2:]]
    assert tail == [("staff:teacher", "welfare_record.read", "denied"),
                    ("staff:psy", "welfare_record.read", "success")]  # fmt: skip
    assert not any(SECRET in repr(e) for e in entries)


def test_failed_audit_write_leaves_nothing_behind(tmp_path: Path) -> None:
    class FailingSink:
        armed = False

        @welfarekit.hookimpl
        def welfarekit_audit_event(self, event: welfarekit.AuditEvent) -> None:
            if self.armed and event.resource_type == "welfare_record":
                raise OSError("SIEM disk full")

    sink = FailingSink()
    with open_kit(tmp_path, sink) as kit:
        sink.armed = True
        with kit.storage.transaction() as tx:
            before = len(tx.audit_entries(P))
        with pytest.raises(AuditFailure):
            as_(kit, KURAATTORI).open_record(student_id="aino", group_id="case-aino",
                                             subject="s", background="b", initiator="i",
                                             record_id="rec-x")  # fmt: skip
        with kit.storage.transaction() as tx:
            assert tx.get(SealedRecord, P, "rec-x") is None
            assert len(tx.audit_entries(P)) == before


def test_missing_key_file_says_how_to_create_it(tmp_path: Path) -> None:
    with open_kit(tmp_path) as kit:
        (tmp_path / "keys.json").unlink()
        fresh = WelfareKit.open(attrs.evolve(kit.settings), storage=kit.storage)
        with pytest.raises(KeyringError, match="welfarekit keys init"):
            fresh.session(Actor(provider_id=P, person=KURAATTORI), now=NOW).open_record(
                student_id="aino", group_id="case-aino", subject="s", background="b",
                initiator="i")  # fmt: skip


def test_student_sees_who_accessed_their_data_and_in_which_role(kit: WelfareKit) -> None:
    record_id, _ = write_record(kit)
    as_(kit, PSY).timeline(record_id)
    with pytest.raises(AccessDenied):
        as_(kit, TEACHER).timeline(record_id)
    report = as_(kit, AINO).access_report("aino")
    seen = [(e.who, e.action, e.outcome) for e in report]
    assert ("staff:psy", "welfare_record.read", "success") in seen
    assert ("staff:teacher", "welfare_record.read", "denied") in seen
    psychologist = next(
        e for e in report if e.who == "staff:psy" and e.action == "welfare_record.read"
    )
    assert psychologist.role == (
        "allowed as a member of the student's expert group covered by consent "
        "(OHL § 14(4), § 19(1))"
    )
    assert all(e.at.tzinfo is not None for e in report)
    # another student's report is not theirs to read, and a teacher cannot read it either
    with pytest.raises(AccessDenied):
        as_(kit, TEACHER).access_report("aino")
    assert as_(kit, SANNA).access_report("aino")  # the guardian of a minor may


def test_access_report_holds_only_this_students_events(kit: WelfareKit) -> None:
    write_record(kit)
    report = as_(kit, AINO).access_report("aino")
    with kit.storage.transaction() as tx:
        everything = tx.audit_entries(P)
    assert len(report) < len(everything)
    assert {e.event.student_id for e in everything if e.event.action.startswith("welfare")} == {
        "aino"
    }


def test_subject_access_export_is_complete_and_audited(kit: WelfareKit) -> None:
    import json

    record_id, _ = write_record(kit)
    as_(kit, TEACHER).disclose(record_id=record_id, what="huoli", recipient="Lastensuojelu",
                               basis=LegalBasis.CHILD_WELFARE_NOTIFICATION)  # fmt: skip
    copy = as_(kit, AINO).export_subject_data("aino")
    data = json.loads(copy.to_json())
    assert data["student"]["name"] == "Aino Korhonen"
    assert data["guardians"][0]["name"] == "Sanna Korhonen"
    assert data["records"][0]["record"]["background"] == SECRET
    assert [e["status"] for e in data["records"][0]["entries"]] == ["current", "current"]
    assert data["records"][0]["disclosures"][0]["basis"] == "lsl_25"
    assert data["expressions_of_will"]["expressions"][0]["purpose"] == "form_expert_group"
    assert any(a["who"] == "staff:teacher" for a in data["access_report"])
    page = copy.to_html()
    assert "<script" not in page
    assert "Poissaolot ja kiusaaminen" in page
    # making the copy was itself audited as an export
    actions = [e.action for e in as_(kit, AINO).access_report("aino")]
    assert "welfare_record.export" in actions


def test_export_is_refused_to_a_vetoed_guardian_and_to_staff(kit: WelfareKit) -> None:
    write_record(kit)
    as_(kit, KURAATTORI).record_guardian_veto(student_id="aino", participation=False,
                                              access=True, method="oral")  # fmt: skip
    with pytest.raises(AccessDenied, match=r"§ 18\(2\)"):
        as_(kit, SANNA).export_subject_data("aino")
    with pytest.raises(AccessDenied):
        as_(kit, PSY).export_subject_data("aino")


def test_html_export_escapes_what_people_wrote(kit: WelfareKit) -> None:
    social_worker = as_(kit, KURAATTORI)
    social_worker.open_record(student_id="aino", group_id="case-aino",
                              subject="<script>alert(1)</script>", background="b & c",
                              initiator="opettaja", record_id="rec-x")  # fmt: skip
    page = as_(kit, AINO).export_subject_data("aino").to_html()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


@pytest.mark.parametrize(
    ("received", "large", "due"),
    [
        (dt.date(2026, 11, 23), False, dt.date(2026, 12, 7)),
        (dt.date(2026, 11, 23), True, dt.date(2026, 12, 23)),
        (dt.date(2026, 1, 31), True, dt.date(2026, 2, 28)),
        (dt.date(2026, 12, 15), True, dt.date(2027, 1, 15)),
    ],
)
def test_subject_access_answer_is_due_in_two_weeks_or_a_month(
    received: dt.date, large: bool, due: dt.date
) -> None:
    from welfarekit.export import answer_due

    assert answer_due(received, large=large) == due


def test_checkpoint_hook_receives_the_signed_head(tmp_path: Path) -> None:
    from welfarekit.audit_chain import checkpoint_valid
    from welfarekit.checkpoints import load_signing_key

    received: list[object] = []

    class Sink:
        @welfarekit.hookimpl
        def welfarekit_audit_checkpoint(self, checkpoint: object) -> None:
            received.append(checkpoint)

    with open_kit(tmp_path, Sink()) as kit:
        write_record(kit)
        with pytest.raises(KeyringError, match="no audit signing key"):
            kit.checkpoint(P)
        checkpoint = kit.checkpoint(P, create_key=True)
        assert checkpoint is not None
        with kit.storage.transaction() as tx:
            head = tx.audit_head(P)
        assert head is not None
        assert (checkpoint.sequence, checkpoint.head_hash) == (head.sequence, head.entry_hash)
        key, _ = load_signing_key(kit.settings.signing_key_file)
        assert checkpoint_valid(checkpoint, key.public_key())
        assert kit.checkpoint("nobody") is None
    assert received == [checkpoint]


def test_retention_lists_then_destroys_only_what_is_due(kit: WelfareKit) -> None:
    from welfarekit.retention import RetentionPolicy, items_due, run_retention

    write_record(kit)
    later = as_(kit, KURAATTORI, NOW + dt.timedelta(days=400))
    later.open_record(student_id="aino", group_id="case-aino", subject="uusi asia",
                      background="b", initiator="opiskelija", record_id="rec-2")  # fmt: skip
    policy = RetentionPolicy(records_years=1)
    today = (NOW + dt.timedelta(days=380)).date()
    assert [d.key for d in items_due(kit.storage, P, policy, today)] == ["rec-1"]
    dry = run_retention(kit.storage, kit.plugin_manager.hook, P, policy, today)
    assert [d.key for d in dry] == ["rec-1"]
    with kit.storage.transaction() as tx:
        assert tx.get(SealedRecord, P, "rec-1") is not None  # a dry run destroys nothing
    run_retention(kit.storage, kit.plugin_manager.hook, P, policy, today, destroy=True)
    with kit.storage.transaction() as tx:
        assert tx.get(SealedRecord, P, "rec-1") is None
        assert tx.list(SealedEntry, P, record_id="rec-1") == []
        assert tx.get(SealedRecord, P, "rec-2") is not None
        entries = tx.audit_entries(P)
    destroyed = [e.event for e in entries if e.event.action == "retention.destroy"]
    assert [(e.resource_id, e.student_id) for e in destroyed] == [("rec-1", "aino")]
    assert verify(entries)
    assert items_due(kit.storage, P, policy, today) == []


def test_an_entry_withheld_in_the_childs_interest_shows_the_guardian_only_the_reason(
    kit: WelfareKit,
) -> None:
    record_id, _ = write_record(kit)
    as_(kit, KURAATTORI).add_entry(
        record_id=record_id, kind="meeting", event_date=dt.date(2026, 11, 21),
        text="Aino kertoi kotitilanteesta.", entry_id="e-3",
        participants=[Participant(name="Aino Korhonen", position="opiskelija")],
        withheld_from_guardian="tiedon antaminen olisi vastoin lapsen etua",
    )  # fmt: skip
    for_guardian = {e.id: e for e in as_(kit, SANNA).timeline(record_id).current}["e-3"]
    assert for_guardian.text == (
        "Withheld from the guardian (JulkL 11 §(2)(1)): tiedon antaminen olisi vastoin lapsen etua"
    )
    assert for_guardian.participants == ()
    for_student = {e.id: e for e in as_(kit, AINO).timeline(record_id).current}["e-3"]
    assert for_student.text == "Aino kertoi kotitilanteesta."
    exported = as_(kit, SANNA).export_subject_data("aino").to_json()
    assert "kotitilanteesta" not in exported
    assert "vastoin lapsen etua" in exported


def test_subject_access_requests_are_tracked_to_their_due_date(kit: WelfareKit) -> None:
    write_record(kit)
    request = as_(kit, AINO).request_subject_access("aino")
    large = as_(kit, SANNA).request_subject_access("aino", large=True)
    assert request.due_on == dt.date(2026, 12, 7)
    assert large.due_on == dt.date(2026, 12, 23)
    with pytest.raises(AccessDenied):
        as_(kit, TEACHER).request_subject_access("aino")
    principal = as_(kit, PersonRef(PersonKind.STAFF, "principal"))
    assert [r.id for r in principal.access_requests()] == [request.id, large.id]
    with pytest.raises(AccessDenied):
        as_(kit, PSY).access_requests()
    as_(kit, AINO, NOW + dt.timedelta(days=3)).export_subject_data("aino")
    assert principal.access_requests() == []
    answered = principal.access_requests(open_only=False)
    assert {r.answered_at for r in answered} == {NOW + dt.timedelta(days=3)}


def test_data_key_rotation_on_the_reference_storage(kit: WelfareKit) -> None:
    from welfarekit.crypto import sealed_key_id
    from welfarekit.keys import rotate_data_keys, rotation_cutoff

    record_id, _ = write_record(kit)
    report = rotate_data_keys(kit.storage, kit.vault, primary_before=rotation_cutoff())
    assert (report.students, report.rotated, report.resealed) == (1, 1, 3)
    with kit.storage.transaction() as tx:
        keyset = kit.vault.keyset(tx, P, "aino", create=False)
        header = tx.get(SealedRecord, P, record_id)
    assert keyset is not None
    assert header is not None
    assert sealed_key_id(header.content) == keyset.primary.key_id
    assert as_(kit, PSY).timeline(record_id).record.background == SECRET
    with kit.storage.transaction() as tx, pytest.raises(NotFound):
        tx.replace_ciphertext(SealedRecord, P, "no-such-record", b"x")


def test_data_key_rotation_takes_keys_made_in_the_same_second(kit: WelfareKit) -> None:
    """Key times are kept to the second, so a key made a moment before the rotation starts
    must still count as old, and the rotation's own keys must not (or a resumed run would
    rotate them again)."""
    from welfarekit.keys import rotate_data_keys, rotation_cutoff

    write_record(kit)
    cutoff = rotation_cutoff()
    first = rotate_data_keys(kit.storage, kit.vault, primary_before=cutoff)
    again = rotate_data_keys(kit.storage, kit.vault, primary_before=cutoff)
    assert (first.rotated, again.rotated, again.resealed) == (1, 0, 0)


def test_data_key_rotation_refuses_a_cutoff_in_the_future(kit: WelfareKit) -> None:
    from welfarekit.keys import rotate_data_keys

    write_record(kit)
    future = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    with pytest.raises(InvalidValue, match="in the future"):
        rotate_data_keys(kit.storage, kit.vault, primary_before=future)
    with pytest.raises(InvalidValue, match="time zone"):
        rotate_data_keys(kit.storage, kit.vault, primary_before=future.replace(tzinfo=None))
