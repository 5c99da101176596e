"""The directory checks references, writes all or nothing, isolates providers and audits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

import welfarekit
from welfarekit import (
    AuditFailure,
    EducationProvider,
    GroupKind,
    GroupPosition,
    Guardianship,
    IntegrityError,
    Membership,
    NotFound,
    Period,
    PersonKind,
    PersonRef,
    Role,
    Settings,
    StaffMember,
    Student,
    StudyGroup,
    WelfareGroup,
    WelfareKit,
)
from welfarekit.storage import Entity

YEAR = Period(start=dt.date(2026, 8, 1))
World = Callable[..., list[Entity]]


def test_put_then_get_and_list(kit: WelfareKit, world: World) -> None:
    directory = kit.directory("sync")
    directory.put(*world())
    aino = directory.get(Student, "p1", "aino")
    assert aino.full_name == "Aino Korhonen"
    assert [s.id for s in directory.list(Student, "p1", study_group_id="1a")] == ["aino"]
    assert directory.list(Student, "p1", study_group_id="2b") == []
    assert [g.guardian_id for g in directory.list(Guardianship, "p1", student_id="aino")] == [
        "sanna"
    ]


def test_put_again_replaces_without_duplicating(kit: WelfareKit, world: World) -> None:
    directory = kit.directory("sync")
    directory.put(*world())
    directory.put(*world())
    moved = Student(
        id="aino", provider_id="p1", institution_id="lukio", given_names="Aino",
        family_name="Korhonen", date_of_birth=dt.date(2010, 3, 1), home_municipality="Laukaa",
    )  # fmt: skip
    directory.put(moved)
    assert directory.list(Student, "p1") == [moved]


def test_missing_reference_refuses_the_whole_put(kit: WelfareKit, world: World) -> None:
    entities = world()
    orphan = StudyGroup(id="2b", provider_id="p1", institution_id="no-such", name="2B")
    with pytest.raises(IntegrityError, match="no Institution 'no-such' in provider 'p1'"):
        kit.directory("sync").put(*entities, orphan)
    # nothing of the batch was written
    with pytest.raises(NotFound):
        kit.directory("sync").get(EducationProvider, "p1", "p1")


def test_references_must_come_before_use(kit: WelfareKit, world: World) -> None:
    provider, institution, *_ = world()
    with pytest.raises(IntegrityError, match="provider_id"):
        kit.directory("sync").put(institution, provider)


def test_study_group_advisor_must_hold_the_role(kit: WelfareKit, world: World) -> None:
    kit.directory("sync").put(*world())
    group = StudyGroup(
        id="2b", provider_id="p1", institution_id="lukio", name="2B", advisor_id="psy"
    )
    with pytest.raises(IntegrityError, match="does not hold the group advisor role"):
        kit.directory("sync").put(group)


def test_student_study_group_must_be_in_the_same_institution(kit: WelfareKit, world: World) -> None:
    d = kit.directory("sync")
    d.put(*world())
    d.put(welfarekit.Institution(id="opisto", provider_id="p1", name="Opisto", kind="vocational"))
    with pytest.raises(IntegrityError, match="belongs to another institution"):
        d.put(Student(
            id="eetu", provider_id="p1", institution_id="opisto", given_names="Eetu",
            family_name="M", date_of_birth=dt.date(2009, 1, 1), home_municipality="Muurame",
            study_group_id="1a",
        ))  # fmt: skip


def _groups() -> list[Entity]:
    return [
        WelfareGroup(id="wellbeing", provider_id="p1", kind=GroupKind.INSTITUTION,
                     institution_id="lukio"),
        WelfareGroup(id="case-aino", provider_id="p1", kind=GroupKind.CASE,
                     institution_id="lukio", student_id="aino"),
    ]  # fmt: skip


def _member(group: str, kind: str, person: str, role: str, position: str = "member") -> Membership:
    return Membership(
        id=f"{group}.{person}", provider_id="p1", group_id=group,
        member=PersonRef(kind, person), role=role, position=position, validity=YEAR,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("membership", "message"),
    [
        (_member("wellbeing", "staff", "psy", "nurse"), "does not hold the role nurse"),
        (_member("wellbeing", "student", "aino", "student"), "only in a case expert group"),
        (_member("wellbeing", "guardian", "sanna", "guardian"), "only in a case expert group"),
        (_member("case-aino", "student", "aino", "student_member"), "communal groups only"),
        (_member("wellbeing", "staff", "psy", "psychologist", "responsible_person"),
         "only a case expert group names a responsible person"),
        (_member("case-aino", "staff", "nobody", "nurse"), "no StaffMember 'nobody'"),
        (_member("nogroup", "staff", "psy", "psychologist"), "no WelfareGroup 'nogroup'"),
        (_member("case-aino", "external", "youth-worker", "outside_participant"), None),
    ],
)  # fmt: skip
def test_membership_rules(
    kit: WelfareKit, world: World, membership: Membership, message: str | None
) -> None:
    d = kit.directory("sync")
    d.put(*world(), *_groups())
    if message is None:
        d.put(membership)
        assert d.get(Membership, "p1", membership.id) == membership
    else:
        with pytest.raises(IntegrityError, match=message):
            d.put(membership)


def test_case_group_student_and_guardian_must_be_the_groups_own(
    kit: WelfareKit, world: World
) -> None:
    d = kit.directory("sync")
    d.put(*world(), *_groups())
    d.put(Student(
        id="eetu", provider_id="p1", institution_id="lukio", given_names="Eetu",
        family_name="M", date_of_birth=dt.date(2009, 1, 1), home_municipality="Muurame",
    ))  # fmt: skip
    d.put(welfarekit.Guardian(id="jaana", provider_id="p1", given_names="J", family_name="M"))
    with pytest.raises(IntegrityError, match="only the student the group is formed for"):
        d.put(_member("case-aino", "student", "eetu", "student"))
    with pytest.raises(IntegrityError, match="not a guardian of the group's student"):
        d.put(_member("case-aino", "guardian", "jaana", "guardian"))
    d.put(
        _member("case-aino", "student", "aino", "student"),
        _member("case-aino", "guardian", "sanna", "guardian"),
        _member("case-aino", "staff", "psy", "psychologist", "responsible_person"),
    )
    members = d.list(Membership, "p1", group_id="case-aino")
    assert {m.member.kind for m in members} == {
        PersonKind.STUDENT,
        PersonKind.GUARDIAN,
        PersonKind.STAFF,
    }
    assert [m.member.id for m in members if m.position is GroupPosition.RESPONSIBLE_PERSON] == [
        "psy"
    ]


def test_case_group_belongs_to_the_students_institution(kit: WelfareKit, world: World) -> None:
    d = kit.directory("sync")
    d.put(*world())
    d.put(welfarekit.Institution(id="opisto", provider_id="p1", name="Opisto", kind="vocational"))
    with pytest.raises(IntegrityError, match="student's own institution"):
        d.put(WelfareGroup(id="c", provider_id="p1", kind="case", institution_id="opisto",
                           student_id="aino"))  # fmt: skip


def test_providers_are_isolated(kit: WelfareKit, world: World) -> None:
    d = kit.directory("sync")
    d.put(*world("p1"), *world("p2"))
    d.put(StaffMember(id="only-p2", provider_id="p2", given_names="X", family_name="Y",
                      roles={Role.NURSE}))  # fmt: skip
    assert d.find(StaffMember, "p1", "only-p2") is None
    assert [s.id for s in d.list(StaffMember, "p1")] == ["advisor", "psy"]
    assert [s.id for s in d.list(StaffMember, "p2")] == ["advisor", "only-p2", "psy"]
    assert [p.id for p in d.providers()] == ["p1", "p2"]
    # a reference into another provider is not found
    with pytest.raises(IntegrityError, match="no Institution 'lukio' in provider 'p3'"):
        d.put(EducationProvider(id="p3", name="P3"),
              StudyGroup(id="x", provider_id="p3", institution_id="lukio", name="X"))  # fmt: skip


def test_unknown_filter_is_refused(kit: WelfareKit, world: World) -> None:
    kit.directory("sync").put(*world())
    with pytest.raises(TypeError, match="cannot be filtered by 'family_name'"):
        kit.directory("sync").list(Student, "p1", family_name="Korhonen")


def test_not_found_names_kind_key_and_provider(kit: WelfareKit) -> None:
    with pytest.raises(NotFound, match="no Student 'x' in provider 'p1'"):
        kit.directory("sync").get(Student, "p1", "x")


def test_every_read_and_write_is_audited_as_the_source(world: World) -> None:
    events: list[welfarekit.AuditEvent] = []

    class Sink:
        @welfarekit.hookimpl
        def welfarekit_audit_event(self, event: welfarekit.AuditEvent) -> None:
            events.append(event)

    with WelfareKit.open(Settings(database_url="memory://", plugins=()), plugins=[Sink()]) as kit:
        d = kit.directory("sis-sync")
        d.put(*world())
        d.get(Student, "p1", "aino")
        d.list(Student, "p1", study_group_id="1a")
    actions = [(e.action, e.resource_type, e.resource_id) for e in events]
    assert actions[0] == ("directory.write", "EducationProvider", "p1")
    assert ("directory.write", "Guardianship", "sanna/aino") in actions
    assert actions[-2:] == [
        ("directory.read", "Student", "aino"),
        ("directory.list", "Student", "study_group_id=1a"),
    ]
    assert {e.actor for e in events} == {"system:sis-sync"}
    assert {e.provider_id for e in events} == {"p1"}
    # an audit event names things, it never carries their content
    assert not any("Korhonen" in repr(e) for e in events)


def test_failing_audit_sink_fails_the_write_and_nothing_is_saved(world: World) -> None:
    class BrokenSink:
        @welfarekit.hookimpl
        def welfarekit_audit_event(self, event: welfarekit.AuditEvent) -> None:
            if event.resource_type == "Student":
                raise ConnectionError("SIEM unreachable")

    settings = Settings(database_url="memory://", plugins=())
    with WelfareKit.open(settings, plugins=[BrokenSink()]) as kit:
        with pytest.raises(AuditFailure, match="SIEM unreachable.*was not carried out"):
            kit.directory("sync").put(*world())
        assert kit.directory("sync").providers() == []


def test_failing_audit_sink_fails_the_read(world: World) -> None:
    class ReadBlocker:
        @welfarekit.hookimpl
        def welfarekit_audit_event(self, event: welfarekit.AuditEvent) -> None:
            if event.action == "directory.read":
                raise RuntimeError("sink full")

    settings = Settings(database_url="memory://", plugins=())
    with WelfareKit.open(settings, plugins=[ReadBlocker()]) as kit:
        kit.directory("sync").put(*world())
        with pytest.raises(AuditFailure):
            kit.directory("sync").get(Student, "p1", "aino")


def test_directory_refuses_objects_it_does_not_keep(kit: WelfareKit) -> None:
    with pytest.raises(TypeError, match="does not keep Period"):
        kit.directory("sync").put(YEAR)  # type: ignore[arg-type]


def test_filters_named_kind_work_and_values_must_be_strings(kit: WelfareKit, world: World) -> None:
    d = kit.directory("sync")
    d.put(*world(), *_groups())
    assert [g.id for g in d.list(WelfareGroup, "p1", kind="case")] == ["case-aino"]
    assert [i.id for i in d.list(welfarekit.Institution, "p1", kind="general_upper_secondary")] == [
        "lukio"
    ]
    with pytest.raises(TypeError, match="takes a string"):
        d.list(Student, "p1", study_group_id=None)  # type: ignore[arg-type]


def test_schema_api_for_hosts(tmp_path: object) -> None:
    import welfarekit.db

    status = welfarekit.db.status("memory://")
    assert status.up_to_date
    assert welfarekit.db.upgrade(Settings(database_url="memory://", plugins=())).up_to_date
