"""Casework scenarios: an expert group's life, a matter left confidentially, a referral —
with the refusals the law requires, and notifications that say nothing confidential."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from casework_world import (
    AINO,
    KURAATTORI,
    NOW,
    NURSE,
    PRINCIPAL,
    PSY,
    PSY2,
    SANNA,
    SECRET,
    SENIOR,
    TEACHER,
    YOUTH_WORKER,
    P,
    as_,
    form_expert_group,
    open_kit,
)

from welfarekit import (
    AccessDenied,
    ConsentRequired,
    IntegrityError,
    InvalidValue,
    NotFound,
    Period,
    Role,
    WelfareKit,
)
from welfarekit.model import ExpertGroupStatus, NotificationTopic, OutboxMessage
from welfarekit.rules import LegalBasis

YEAR = Period(start=dt.date(2026, 8, 1))
LATER = NOW + dt.timedelta(days=2)


@pytest.fixture
def kit(tmp_path: Path, database_url: str) -> Iterator[WelfareKit]:
    with open_kit(tmp_path, database_url=database_url) as opened:
        yield opened


def outbox(kit: WelfareKit) -> list[OutboxMessage]:
    with kit.storage.transaction() as tx:
        return tx.list(OutboxMessage, P)


def consent(kit: WelfareKit, group_id: str = "g1", **extra: object) -> None:
    values: dict[str, object] = {
        "student_id": "aino", "grantor": AINO, "kind": "consent", "purpose": "form_expert_group",
        "group_id": group_id, "covers_roles": {Role.PSYCHOLOGIST, Role.SCHOOL_SOCIAL_WORKER},
        "validity": YEAR, "method": "electronic", "record_id": f"form-{group_id}",
    }  # fmt: skip
    values.update(extra)
    as_(kit, AINO).record_expression_of_will(**values)  # type: ignore[arg-type]


def formed_group(kit: WelfareKit) -> None:
    form_expert_group(kit, [
        (KURAATTORI, Role.SCHOOL_SOCIAL_WORKER), (PSY, Role.PSYCHOLOGIST), (AINO, Role.STUDENT),
    ])  # fmt: skip


# -- the expert group's life ---------------------------------------------------------------


def test_a_proposed_group_is_not_formed_without_consent(kit: WelfareKit) -> None:
    state = as_(kit, TEACHER).propose_expert_group(
        student_id="aino", responsible_id="kuraattori", group_id="g1"
    )
    assert state.status is ExpertGroupStatus.PROPOSED
    topics = {(m.recipient, m.topic) for m in outbox(kit)}
    assert (AINO, NotificationTopic.EXPERT_GROUP_PROPOSED) in topics
    assert (KURAATTORI, NotificationTopic.EXPERT_GROUP_MEMBERSHIP) in topics
    with pytest.raises(ConsentRequired, match="form expert group") as refused:
        as_(kit, KURAATTORI).form_expert_group("g1", members=[(KURAATTORI, "school_social_worker")])
    assert refused.value.requirement.grantors == (AINO,)
    # the proposal gave no one access
    with pytest.raises(AccessDenied):
        as_(kit, KURAATTORI).expert_group("g1")


def test_only_the_responsible_person_forms_the_group(kit: WelfareKit) -> None:
    as_(kit, TEACHER).propose_expert_group(student_id="aino", responsible_id="kuraattori",
                                           group_id="g1")  # fmt: skip
    consent(kit)
    with pytest.raises(AccessDenied, match="only the responsible person"):
        as_(kit, PSY).form_expert_group("g1", members=[(KURAATTORI, "school_social_worker")])
    with pytest.raises(InvalidValue, match="responsible person is a member"):
        as_(kit, KURAATTORI).form_expert_group("g1", members=[(PSY, "psychologist")])


def test_forming_with_consent_gives_members_access_and_a_responsible_person(
    kit: WelfareKit,
) -> None:
    formed_group(kit)
    view = as_(kit, PSY).expert_group("g1")
    assert view.state.status is ExpertGroupStatus.FORMED
    positions = {m.member: m.position.value for m in view.members}
    assert positions == {KURAATTORI: "responsible_person", PSY: "member", AINO: "member"}
    assert as_(kit, AINO).expert_group("g1").group.student_id == "aino"
    with pytest.raises(AccessDenied):
        as_(kit, TEACHER).expert_group("g1")
    record = as_(kit, KURAATTORI).open_record(
        student_id="aino", group_id="g1", subject="Kiusaaminen", background=SECRET,
        initiator="ryhmänohjaaja",
    )  # fmt: skip
    assert as_(kit, PSY).timeline(record.id).record.background == SECRET


def test_a_member_the_consent_does_not_cover_is_refused(kit: WelfareKit) -> None:
    formed_group(kit)
    with pytest.raises(ConsentRequired, match="name members") as refused:
        as_(kit, KURAATTORI).add_group_member("g1", NURSE, Role.NURSE)
    assert not refused.value.requirement.written_and_specific
    with pytest.raises(ConsentRequired, match="specific written") as outside:
        as_(kit, KURAATTORI).add_group_member("g1", YOUTH_WORKER, Role.OUTSIDE_PARTICIPANT)
    assert outside.value.requirement.written_and_specific
    # a member may not manage the group; only the responsible person may
    as_(kit, AINO).record_expression_of_will(
        student_id="aino", grantor=AINO, kind="consent", purpose="name_members", group_id="g1",
        covers_roles={Role.NURSE}, validity=YEAR, method="electronic", record_id="nurse",
    )  # fmt: skip
    with pytest.raises(AccessDenied):
        as_(kit, PSY).add_group_member("g1", NURSE, Role.NURSE)
    added = as_(kit, KURAATTORI).add_group_member("g1", NURSE, Role.NURSE)
    assert added.member == NURSE
    assert NURSE in {m.member for m in as_(kit, NURSE).expert_group("g1").members}


def test_an_outside_participant_needs_specific_written_consent(kit: WelfareKit) -> None:
    formed_group(kit)
    as_(kit, AINO).record_expression_of_will(
        student_id="aino", grantor=AINO, kind="consent", purpose="outside_participant",
        group_id="g1", covers={YOUTH_WORKER}, validity=YEAR, method="written",
        written_and_specific=True, record_id="youth",
    )  # fmt: skip
    added = as_(kit, KURAATTORI).add_group_member("g1", YOUTH_WORKER, Role.OUTSIDE_PARTICIPANT)
    assert added.role is Role.OUTSIDE_PARTICIPANT


def test_withdrawal_ends_processing_and_closing_ends_membership(kit: WelfareKit) -> None:
    formed_group(kit)
    record = as_(kit, KURAATTORI).open_record(
        student_id="aino", group_id="g1", subject="s", background=SECRET, initiator="i"
    )
    as_(kit, AINO, LATER).withdraw(student_id="aino", record_id="form-g1", method="electronic")
    with pytest.raises(AccessDenied):
        as_(kit, PSY, LATER).timeline(record.id)
    with pytest.raises(AccessDenied):
        as_(kit, KURAATTORI, LATER).add_group_member("g1", NURSE, Role.NURSE)
    # the responsible person closes the group even though the consent is gone
    closed = as_(kit, KURAATTORI, LATER).close_expert_group("g1", reason="consent withdrawn")
    assert closed.status is ExpertGroupStatus.CLOSED
    with pytest.raises(IntegrityError, match="closed already"):
        as_(kit, KURAATTORI, LATER).close_expert_group("g1", reason="again")
    # the memberships ended: history kept, access gone
    with kit.storage.transaction() as tx:
        from welfarekit.model import Membership

        memberships = tx.list(Membership, P, group_id="g1")
    assert {m.validity.end for m in memberships} == {LATER.date()}
    assert (AINO, NotificationTopic.EXPERT_GROUP_CLOSED) in {
        (m.recipient, m.topic) for m in outbox(kit)
    }


def test_each_sees_the_expert_groups_the_rules_allow(kit: WelfareKit) -> None:
    def listed(person: object, **where: str) -> list[tuple[str, str]]:
        views = as_(kit, person, LATER).expert_groups(**where)  # type: ignore[arg-type]
        return [(v.state.group_id, v.state.status.value) for v in views]

    as_(kit, TEACHER).propose_expert_group(student_id="aino", responsible_id="kuraattori",
                                           group_id="g1")  # fmt: skip
    # the proposal: the student, her guardian and the responsible person see it
    assert listed(AINO, student_id="aino") == [("g1", "proposed")]
    assert listed(SANNA, student_id="aino") == [("g1", "proposed")]
    assert listed(KURAATTORI) == [("g1", "proposed")]
    assert listed(TEACHER) == []  # proposing gives no view of it
    assert listed(PSY) == []
    consent(kit)
    as_(kit, KURAATTORI).form_expert_group("g1", members=[
        (KURAATTORI, Role.SCHOOL_SOCIAL_WORKER), (PSY, Role.PSYCHOLOGIST), (AINO, Role.STUDENT),
    ])  # fmt: skip
    [view] = as_(kit, PSY, LATER).expert_groups()
    assert {m.member for m in view.members} == {KURAATTORI, PSY, AINO}
    assert listed(TEACHER, student_id="aino") == []  # no relationship: left out, audited
    denied = [e.event for e in as_(kit, PRINCIPAL, LATER).audit_trail(newest=3).entries]
    assert ("staff:teacher", "denied") in {(e.actor, e.outcome.value) for e in denied}
    # a withdrawn consent takes the group out of the members' lists, not the student's
    as_(kit, AINO, LATER).withdraw(student_id="aino", record_id="form-g1", method="electronic")
    assert listed(PSY) == []
    assert listed(AINO, student_id="aino") == [("g1", "formed")]


def test_the_register_manager_reads_the_audit_trail_verified(kit: WelfareKit) -> None:
    formed_group(kit)
    trail = as_(kit, PRINCIPAL).audit_trail(newest=2)
    assert trail.verification.ok
    assert trail.total == trail.verification.checked > 2
    assert len(trail.entries) == 2
    assert trail.entries[0].sequence > trail.entries[1].sequence  # newest first
    assert trail.entries[0].event.action == "audit_log.read"  # asking is audited
    assert trail.entries[0].event.actor == "staff:principal"
    assert as_(kit, PRINCIPAL).audit_trail(newest=0).entries == ()
    with pytest.raises(InvalidValue, match="newest"):
        as_(kit, PRINCIPAL).audit_trail(newest=-1)
    for outsider in (PSY, KURAATTORI, AINO):
        with pytest.raises(AccessDenied):
            as_(kit, outsider).audit_trail()


def test_removing_a_member_ends_their_access(kit: WelfareKit) -> None:
    formed_group(kit)
    as_(kit, KURAATTORI, LATER).remove_group_member("g1", PSY)
    with pytest.raises(AccessDenied):
        as_(kit, PSY, LATER).expert_group("g1")
    with pytest.raises(IntegrityError, match="another responsible person"):
        as_(kit, KURAATTORI, LATER).remove_group_member("g1", KURAATTORI)
    with pytest.raises(NotFound):
        as_(kit, KURAATTORI, LATER).remove_group_member("g1", PSY)


# -- a matter left confidentially -----------------------------------------------------------


def test_a_matter_is_seen_only_by_its_holder_and_author(kit: WelfareKit) -> None:
    matter_id = as_(kit, AINO).leave_matter(holder_id="senior", text=SECRET)
    [held] = as_(kit, SENIOR).matters()
    assert (held.id, held.text, held.author, held.status) == (matter_id, SECRET, AINO, "open")
    assert [m.text for m in as_(kit, AINO).matters()] == [SECRET]
    assert as_(kit, PRINCIPAL).matters() == []
    assert as_(kit, SANNA).matters() == []
    with pytest.raises(AccessDenied):
        as_(kit, PRINCIPAL).bring_matter_forward(matter_id, student_id="aino", refer_to="psy")


def test_an_anonymous_matter_has_no_author(kit: WelfareKit) -> None:
    as_(kit, None).leave_matter(holder_id="senior", text="Joku kiusaa välitunnilla")
    [held] = as_(kit, SENIOR).matters()
    assert held.author is None
    with pytest.raises(IntegrityError, match="host system"):
        as_(kit, None).matters()


def test_a_matter_is_left_only_with_a_group_member(kit: WelfareKit) -> None:
    with pytest.raises(IntegrityError, match="no current member of a welfare group"):
        as_(kit, AINO).leave_matter(holder_id="teacher", text="x")
    with pytest.raises(InvalidValue):
        as_(kit, AINO).leave_matter(holder_id="senior", text="")


def test_a_matter_is_brought_forward_only_on_a_basis(kit: WelfareKit) -> None:
    matter_id = as_(kit, AINO).leave_matter(holder_id="senior", text=SECRET)
    holder = as_(kit, SENIOR)
    with pytest.raises(InvalidValue, match="exactly one basis"):
        holder.bring_matter_forward(matter_id, student_id="aino")
    with pytest.raises(InvalidValue, match="no basis"):
        holder.bring_matter_forward(matter_id, student_id="aino",
                                    basis=LegalBasis.WITHIN_WELFARE_TEAM)  # fmt: skip
    as_(kit, TEACHER).propose_expert_group(student_id="aino", responsible_id="kuraattori",
                                           group_id="g1")  # fmt: skip
    with pytest.raises(ConsentRequired):
        holder.bring_matter_forward(matter_id, student_id="aino", group_id="g1")
    forwarded = holder.bring_matter_forward(matter_id, student_id="aino", refer_to="psy")
    assert (forwarded.status, forwarded.forward_basis) == ("brought_forward", "referral")
    [referral] = as_(kit, PSY).referrals()
    assert referral.concern == SECRET
    with pytest.raises(IntegrityError, match="brought forward already"):
        holder.bring_matter_forward(matter_id, student_id="aino",
                                    basis=LegalBasis.CHILD_WELFARE_NOTIFICATION)  # fmt: skip


# -- referral (§ 16) -------------------------------------------------------------------------


def test_a_referral_reaches_the_professional_and_not_back_to_the_teacher(
    kit: WelfareKit,
) -> None:
    referral_id = as_(kit, TEACHER).refer(student_id="aino", professional_id="psy",
                                          concern=SECRET)  # fmt: skip
    [seen] = as_(kit, PSY).referrals()
    assert (seen.id, seen.concern, seen.referred_by) == (referral_id, SECRET, TEACHER)
    assert seen.guardian_informed
    with pytest.raises(AccessDenied):
        as_(kit, TEACHER).referrals(student_id="aino")
    assert as_(kit, TEACHER).referrals() == []
    assert [r.concern for r in as_(kit, AINO).referrals(student_id="aino")] == [SECRET]
    assert [r.id for r in as_(kit, SANNA).referrals(student_id="aino")] == [referral_id]
    assert as_(kit, PSY2).referrals() == []
    with pytest.raises(AccessDenied, match="only the professional"):
        as_(kit, TEACHER).receive_referral(referral_id)
    as_(kit, PSY).receive_referral(referral_id)
    assert as_(kit, PSY).referrals()[0].received_at == NOW
    topics = {(m.recipient, m.topic) for m in outbox(kit)}
    assert (PSY, NotificationTopic.REFERRAL_RECEIVED) in topics
    assert (SANNA, NotificationTopic.GUARDIAN_INFORMED_OF_REFERRAL) in topics


def test_a_veto_keeps_the_guardian_uninformed(kit: WelfareKit) -> None:
    as_(kit, PSY).record_guardian_veto(
        student_id="aino", guardian_ids=["sanna"], participation=True, access=True,
        method="oral",
    )  # fmt: skip
    as_(kit, TEACHER).refer(student_id="aino", professional_id="psy", concern=SECRET)
    assert not as_(kit, PSY).referrals()[0].guardian_informed
    assert SANNA not in {m.recipient for m in outbox(kit)}


def test_a_referral_goes_to_a_welfare_professional(kit: WelfareKit) -> None:
    with pytest.raises(IntegrityError, match="no welfare professional"):
        as_(kit, TEACHER).refer(student_id="aino", professional_id="principal", concern="x")
    with pytest.raises(AccessDenied):
        as_(kit, AINO).refer(student_id="aino", professional_id="psy", concern="x")


# -- notifications say nothing confidential ---------------------------------------------------


def test_no_notification_carries_the_case(kit: WelfareKit) -> None:
    formed_group(kit)
    as_(kit, AINO).leave_matter(holder_id="senior", text=SECRET)
    as_(kit, TEACHER).refer(student_id="aino", professional_id="psy", concern=SECRET)
    report = kit.deliver_notifications()
    sent = kit.notifier.sent  # type: ignore[union-attr]
    assert report.sent == len(sent) > 5
    for notification in sent:
        payload = repr(notification) + notification.text
        for secret in (SECRET, "Aino", "Korhonen", "psychologist", "kiusa"):
            assert secret not in payload
    assert all(m.status.value == "sent" for m in outbox(kit))
    assert kit.deliver_notifications().sent == 0


def test_measures_due_are_listed_for_the_members_following_them_up(kit: WelfareKit) -> None:
    from welfarekit import Measure

    formed_group(kit)
    social_worker = as_(kit, KURAATTORI)
    record = social_worker.open_record(student_id="aino", group_id="g1", subject="s",
                                       background=SECRET, initiator="i")  # fmt: skip
    social_worker.add_entry(
        record_id=record.id, kind="plan", event_date=NOW.date(), text="Suunnitelma",
        measures=[
            Measure(measure="Tapaaminen", responsible="kuraattori", follow_up_by="psykologi",
                    due=dt.date(2026, 12, 1)),
            Measure(measure="Seuranta", responsible="psykologi", follow_up_by="kuraattori",
                    due=dt.date(2027, 1, 15)),
            Measure(measure="Ilman päivää", responsible="x", follow_up_by="y"),
        ],
    )  # fmt: skip
    due = as_(kit, PSY).measures_due(on=dt.date(2026, 12, 31))
    assert [d.measure.measure for d in due] == ["Tapaaminen"]
    assert [d.measure.measure for d in as_(kit, PSY).measures_due(on=dt.date(2027, 2, 1))] == [
        "Tapaaminen",
        "Seuranta",
    ]
    assert as_(kit, TEACHER).measures_due(on=dt.date(2027, 2, 1)) == []
    as_(kit, AINO, LATER).withdraw(student_id="aino", record_id="form-g1", method="electronic")
    assert as_(kit, PSY, LATER).measures_due(on=dt.date(2027, 2, 1)) == []


# -- keys ------------------------------------------------------------------------------------


def test_key_rotation_covers_matters_referrals_initiatives_and_provider_secrets(
    kit: WelfareKit, tmp_path: Path
) -> None:
    from welfarekit.crypto import LocalKeyFileKeyring, add_key, sealed_key_id
    from welfarekit.keys import rewrap_keysets, rotate_data_keys, rotation_cutoff
    from welfarekit.model import Initiative
    from welfarekit.sealed import ProviderSecret, SealedMatter, SealedReferral

    matter_id = as_(kit, AINO).leave_matter(holder_id="senior", text=SECRET)
    referral_id = as_(kit, TEACHER).refer(student_id="aino", professional_id="psy",
                                          concern=SECRET)  # fmt: skip
    initiative = as_(kit, AINO).send_initiative(group_id="wellbeing", subject="Penkit",
                                                text="Lisää penkkejä pihalle.")  # fmt: skip
    new_kek = add_key(tmp_path / "keys.json")
    report = rewrap_keysets(kit.storage, LocalKeyFileKeyring.load(tmp_path / "keys.json"))
    kit.reload_keys()  # the running host picks up the new key
    with kit.storage.transaction() as tx:
        matter = tx.get(SealedMatter, P, matter_id)
        stored_initiative = tx.get(Initiative, P, initiative.id)
        secrets = tx.list(ProviderSecret, P)
    # the matter's and the initiative's own keysets and any provider secret (the blind-index
    # seed): none is left under the old key
    assert report.other_secrets == 2 + len(secrets)
    assert matter is not None
    assert matter.kek_id == new_kek
    assert stored_initiative is not None
    assert stored_initiative.kek_id == new_kek
    assert {s.kek_id for s in secrets} <= {new_kek}
    rotate_data_keys(kit.storage, kit.vault, primary_before=rotation_cutoff())
    with kit.storage.transaction() as tx:
        referral = tx.get(SealedReferral, P, referral_id)
        keyset = kit.vault.keyset(tx, P, "aino", create=False)
    assert referral is not None
    assert keyset is not None
    assert sealed_key_id(referral.content) == keyset.primary.key_id
    assert as_(kit, PSY).referrals()[0].concern == SECRET
    assert as_(kit, SENIOR).matters()[0].text == SECRET
    assert as_(kit, SENIOR).initiatives("wellbeing")[0].text == "Lisää penkkejä pihalle."


def test_no_confidential_text_reaches_the_database_file(tmp_path: Path) -> None:
    database = tmp_path / "scan.db"
    kit = open_kit(tmp_path, database_url=f"sqlite:///{database}")
    formed_group(kit)
    as_(kit, AINO).leave_matter(holder_id="senior", text="Marker-matter-7731 " + SECRET)
    as_(kit, TEACHER).refer(student_id="aino", professional_id="psy",
                            concern="Marker-referral-7731 " + SECRET)  # fmt: skip
    kit.close()
    raw = database.read_bytes()
    for text in (SECRET, "Marker-matter-7731", "Marker-referral-7731"):
        assert text.encode() not in raw


def test_the_students_copy_holds_referrals_and_bookings(kit: WelfareKit) -> None:
    as_(kit, TEACHER).refer(student_id="aino", professional_id="psy", concern=SECRET)
    start = NOW + dt.timedelta(days=3)
    slot = as_(kit, PSY).publish_availability(service="psychologist", starts_at=start,
                                              ends_at=start + dt.timedelta(hours=1))  # fmt: skip
    as_(kit, SANNA).book(slot.id, student_id="aino")
    copy = as_(kit, AINO).export_subject_data("aino")
    data = copy.to_dict()
    assert [r["concern"] for r in data["referrals"]] == [SECRET]
    assert [b["service"] for b in data["bookings"]] == ["psychologist"]
    page = copy.to_html()
    assert "Referrals to welfare services" in page
    assert "Bookings" in page


# -- retention of casework ----------------------------------------------------------------------


def test_retention_destroys_each_kind_on_its_own_period(kit: WelfareKit) -> None:
    from welfarekit.model import Booking
    from welfarekit.retention import RetentionKind, RetentionPolicy, items_due, run_retention
    from welfarekit.sealed import SealedMatter, SealedReferral

    matter_id = as_(kit, AINO).leave_matter(holder_id="senior", text=SECRET)
    referral_id = as_(kit, TEACHER).refer(student_id="aino", professional_id="psy",
                                          concern=SECRET)  # fmt: skip
    start = NOW + dt.timedelta(days=1)
    slot = as_(kit, PSY).publish_availability(service="psychologist", starts_at=start,
                                              ends_at=start + dt.timedelta(hours=1))  # fmt: skip
    booking = as_(kit, AINO).book(slot.id, student_id="aino").booking
    kit.deliver_notifications()
    in_three_years = NOW.date() + dt.timedelta(days=3 * 366)
    only_records = RetentionPolicy(records_years=1)
    assert items_due(kit.storage, P, only_records, in_three_years) == []  # the rest is kept
    policy = RetentionPolicy(records_years=1, referrals_years=2, matters_years=2,
                             bookings_years=5, notifications_days=30)  # fmt: skip
    due = items_due(kit.storage, P, policy, in_three_years)
    kinds = {item.kind for item in due}
    assert kinds == {RetentionKind.MATTER, RetentionKind.REFERRAL, RetentionKind.NOTIFICATION}
    run_retention(kit.storage, kit.plugin_manager.hook, P, policy, in_three_years, destroy=True)
    with kit.storage.transaction() as tx:
        assert tx.get(SealedMatter, P, matter_id) is None
        assert tx.get(SealedReferral, P, referral_id) is None
        assert tx.get(Booking, P, booking.id) is not None  # five years for bookings
        destroyed = [e.event for e in tx.audit_entries(P) if e.event.action == "retention.destroy"]
    assert len(destroyed) == len(due)
    assert items_due(kit.storage, P, policy, in_three_years) == []


def test_a_failed_archive_keeps_the_record(kit: WelfareKit) -> None:
    from welfarekit.retention import DueItem, RetentionPolicy, items_due, run_retention

    formed_group(kit)
    as_(kit, KURAATTORI).open_record(student_id="aino", group_id="g1", subject="s",
                                     background=SECRET, initiator="i", record_id="r1")  # fmt: skip
    later = NOW.date() + dt.timedelta(days=800)
    policy = RetentionPolicy(records_years=1)
    archived: list[dict[str, object]] = []

    def full_archive(item: DueItem, record: dict[str, object]) -> None:
        raise OSError("the archive is full")

    with pytest.raises(OSError, match="full"):
        run_retention(kit.storage, kit.plugin_manager.hook, P, policy, later,
                      archive=full_archive, vault=kit.vault, destroy=True)  # fmt: skip
    assert [d.key for d in items_due(kit.storage, P, policy, later)] == ["r1"]
    run_retention(kit.storage, kit.plugin_manager.hook, P, policy, later,
                  archive=lambda item, record: archived.append(record), vault=kit.vault,
                  destroy=True)  # fmt: skip
    assert archived[0]["background"] == SECRET
    assert items_due(kit.storage, P, policy, later) == []
    with pytest.raises(ValueError, match="vault"):
        run_retention(kit.storage, kit.plugin_manager.hook, P, policy, later,
                      archive=full_archive, destroy=True)  # fmt: skip


def test_a_guardian_the_minor_has_vetoed_is_refused_as_a_member_not_asked_for_consent(
    kit: WelfareKit,
) -> None:
    # § 18(2): no consent lifts the minor's prohibition, so it is no ConsentRequired
    formed_group(kit)
    as_(kit, KURAATTORI).record_guardian_veto(
        student_id="aino", participation=True, access=False, method="oral"
    )
    with pytest.raises(IntegrityError, match=r"forbidden this guardian's participation.*§ 18\(2\)"):
        as_(kit, KURAATTORI).add_group_member("g1", SANNA, Role.GUARDIAN)
    members = {m.member for m in as_(kit, KURAATTORI).expert_group("g1").members}
    assert SANNA not in members
