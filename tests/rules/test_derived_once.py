"""What the rules derive once per facts object changes no decision.

A decision on facts already seen looks up what an earlier one derived: the actor's
relationships to that shape of resource and the outcomes on them, the earliest withdrawal of
each record, whose consent counts at that moment. Each test here asks its questions twice:
on facts shared by every question, asked in a drawn order, at several moments, by several
actors; and by a reference evaluation that keeps nothing (every look-up replaced by the plain
derivation, the withdrawals scanned as a list). Every field but the id must agree.
"""

from __future__ import annotations

import datetime as dt
import os
import pickle
import re
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from random import Random
from unittest import mock

import attrs
import pytest
from builders import (
    CASE_GROUP,
    CASE_MEMBERSHIPS,
    GUARDIAN,
    NOW,
    STUDENT,
    P,
    assessment,
    formation_consent,
    member,
    staff_ref,
    student_facts,
    veto,
    will,
    withdrawal,
)
from builders import actor_for as make_actor
from builders import facts as make_facts
from hypothesis import Phase, given, settings
from hypothesis import strategies as st
from test_access_matrix import ACTORS, RESOURCES

from welfarekit import Action, Actor, Period, PersonKind, PersonRef, Resource, ResourceType, Role
from welfarekit.model import ConsentPurpose
from welfarekit.rules import Decision, LegalBasis, StudentFacts, decide
from welfarekit.rules import access as access_rules
from welfarekit.rules import consent as consent_rules

MOMENTS = (
    NOW,
    NOW - dt.timedelta(hours=4),  # the same day, before what was recorded this morning
    NOW + dt.timedelta(days=10),  # past a consent's end; a student born below turns 18
    NOW - dt.timedelta(days=3),  # before some withdrawals, vetoes and an assessment
    NOW + dt.timedelta(days=3 * 365),  # every student an adult
)
BIRTHDAYS = (dt.date(2010, 3, 1), dt.date(2007, 3, 1), dt.date(2008, 11, 28))
"""A minor, an adult, and a student who turns 18 between the first two moments."""

EXPRESSIONS = [
    *formation_consent(STUDENT),
    *[attrs.evolve(e, id=f"g-{e.id}") for e in formation_consent(GUARDIAN, days_before=25)],
    will("refuse", "form_expert_group", kind="refusal", days_before=5),
    will("refuse-g", "form_expert_group", kind="refusal", grantor=GUARDIAN, days_before=4),
    will("name-nurse", "name_members", covers_roles={Role.NURSE}, days_before=8),
    will("name-psy2", "name_members", covers={staff_ref("psy2")}, days_before=7),
    will("opt-in", "guardian_access", group_id=None, covers={GUARDIAN}, days_before=20),
    will("opt-out", "guardian_access", group_id=None, kind="refusal", covers={GUARDIAN},
         days_before=1),
    will("disclose", "disclosure", group_id=None, recipient="Harjun nuorisoasema", days_before=3),
    will("outside-uncle", "outside_participant", covers={PersonRef("external", "uncle")},
         days_before=6),
    will("future", "form_expert_group", covers_roles={Role.NURSE}, days_before=-3),
    will("short", "form_expert_group", covers_roles={Role.PSYCHOLOGIST},
         validity=Period(start=dt.date(2026, 8, 1), end=dt.date(2026, 12, 1))),
]  # fmt: skip
VETOES = [
    veto(participation=True, access=False, days_before=10),
    veto(participation=False, access=True, days_before=11),
    veto(participation=True, access=True, days_before=12, guardians={"sanna"}),
    veto(participation=True, access=True, days_before=1),
    veto(participation=False, access=True, days_before=0),
]
ASSESSMENTS = [
    [],
    [assessment(False)],
    [assessment(True)],
    [assessment(False), assessment(True, days_before=1)],  # capable again from yesterday
    [assessment(False, days_before=0)],  # this morning
]
MORE_MEMBERS = [
    member(CASE_GROUP, STUDENT, Role.STUDENT),
    member(CASE_GROUP, GUARDIAN, Role.GUARDIAN),
    member(CASE_GROUP, staff_ref("psy2"), Role.PSYCHOLOGIST),
    attrs.evolve(member(CASE_GROUP, staff_ref("psy"), Role.PSYCHOLOGIST, "responsible_person"),
                 id="psy-responsible"),
    attrs.evolve(member(CASE_GROUP, staff_ref("teacher"), Role.TEACHER),
                 validity=Period(start=dt.date(2026, 8, 1), end=dt.date(2026, 11, 22))),
]  # fmt: skip


@st.composite
def worlds(draw: st.DrawFn) -> StudentFacts:
    expressions = draw(st.lists(st.sampled_from(EXPRESSIONS), unique_by=lambda e: e.id))
    vetoes = draw(st.lists(st.sampled_from(VETOES), unique_by=lambda v: v.id, max_size=2))
    # a record may be withdrawn more than once: the earliest counts
    withdrawn = draw(st.lists(
        st.tuples(st.sampled_from([r.id for r in (*expressions, *vetoes)] or ["none"]),
                  st.sampled_from([0, 1, 2, 4, 40])),
        unique=True, max_size=4,
    ))  # fmt: skip
    world = student_facts(
        expressions=expressions,
        withdrawals=[
            attrs.evolve(withdrawal(record, days_before=days), id=f"w-{record}-{days}")
            for record, days in withdrawn
            if record != "none"
        ],
        assessments=draw(st.sampled_from(ASSESSMENTS)),
        vetoes=vetoes,
        guardian_kind=draw(st.sampled_from(["guardian", "legal_representative"])),
        memberships=[
            *CASE_MEMBERSHIPS,
            *draw(st.lists(st.sampled_from(MORE_MEMBERS), unique=True)),
        ],
    )
    born = draw(st.sampled_from(BIRTHDAYS))
    return attrs.evolve(
        world,
        student=attrs.evolve(world.student, date_of_birth=born),
        guardianships=tuple(
            attrs.evolve(g, validity=Period(start=born)) for g in world.guardianships
        ),
    )


ASKERS: dict[str, Actor] = {
    **{name: make_actor(person) for name, person in ACTORS.items()},
    "another host system": make_actor(None, "anonymous-form"),
}
FACTS_OF: dict[str, PersonRef | None] = {**ACTORS, "another host system": None}
MORE_RESOURCES = {
    **RESOURCES,
    "own matter": Resource(type=ResourceType.CONFIDENTIAL_MATTER, provider_id=P, owner=STUDENT,
                           holder=staff_ref("psy")),
    "communal minutes": Resource(type=ResourceType.COMMUNAL_DOCUMENT, provider_id=P,
                                 group_id="wellbeing"),
    "steering minutes": Resource(type=ResourceType.COMMUNAL_DOCUMENT, provider_id=P,
                                 group_id="steering"),
    "crisis": Resource(type=ResourceType.CRISIS_EVENT, provider_id=P),
    "plan": Resource(type=ResourceType.WELFARE_PLAN, provider_id=P),
    "whole audit log": Resource(type=ResourceType.AUDIT_LOG, provider_id=P),
    "directory": Resource(type=ResourceType.DIRECTORY, provider_id=P),
    "disclosure": Resource(type=ResourceType.WELFARE_RECORD, provider_id=P, student_id="aino",
                           recipient="Harjun nuorisoasema"),
    "another provider": Resource(type=ResourceType.WELFARE_RECORD, provider_id="p2",
                                 student_id="aino"),
    "another student": Resource(type=ResourceType.WELFARE_RECORD, provider_id=P,
                                student_id="eetu"),
}  # fmt: skip
BASES: tuple[LegalBasis | None, ...] = (None, *LegalBasis)
EVERY_QUESTION = [
    (asker, resource, action, basis)
    for asker in ASKERS
    for resource in MORE_RESOURCES
    for action in Action
    for basis in (BASES if action is Action.DISCLOSE else (None,))
]


def _withdrawn_at_by_scan(self: StudentFacts, record_id: str) -> dt.datetime | None:
    times = [w.evidence.recorded_at for w in self.withdrawals if w.withdraws == record_id]
    return min(times) if times else None


@contextmanager
def nothing_kept() -> Iterator[None]:
    """The reference evaluation: every look-up of something a student's facts derived
    earlier is replaced by deriving it again from the lists (what a Facts derived, the
    relationships and outcomes, is left behind by asking on a fresh copy: see below)."""
    with ExitStack() as stack:
        stack.enter_context(mock.patch.object(StudentFacts, "withdrawn_at", _withdrawn_at_by_scan))
        stack.enter_context(mock.patch.object(
            consent_rules, "consent_authority", consent_rules._consent_authority
        ))  # fmt: skip
        yield


def same(decision: Decision, reference: Decision) -> bool:
    return attrs.evolve(decision, id=reference.id) == reference


# Without shrinking: an example asks thousands of questions, and the failing one is named.
@settings(max_examples=20, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(
    worlds(),
    st.lists(st.sampled_from(MOMENTS), min_size=1, max_size=3, unique=True),
    st.sampled_from(sorted(FACTS_OF)),
    st.integers(),
)
def test_decisions_on_shared_facts_are_those_of_the_reference(
    world: StudentFacts, moments: list[dt.datetime], common: str, order: int
) -> None:
    # One snapshot of the student behind all facts at every moment, so that what one
    # decision derived is there for the next, whoever asks, about what and when: each asker
    # asks on their own facts, and on one other actor's (a host may explain a decision so).
    own = {(name, now): make_facts(FACTS_OF[name], world, now=now)
           for name in ASKERS for now in moments}  # fmt: skip
    asked = [
        (asker, facts, resource, action, basis)
        for now in moments
        for asker, resource, action, basis in EVERY_QUESTION
        for facts in (own[asker, now], own[common, now])
    ]
    Random(order).shuffle(asked)
    answers = [
        decide(ASKERS[asker], action, MORE_RESOURCES[resource], facts, basis=basis)
        for asker, facts, resource, action, basis in asked
    ]
    with nothing_kept():
        for (asker, facts, resource, action, basis), answer in zip(asked, answers, strict=True):
            fresh = attrs.evolve(facts)  # derives the relationships and outcomes again
            reference = decide(ASKERS[asker], action, MORE_RESOURCES[resource], fresh,
                               basis=basis)  # fmt: skip
            assert same(answer, reference), (asker, facts.now, resource, action, basis)


@settings(max_examples=60, deadline=None)
@given(worlds(), st.permutations(MOMENTS))
def test_consent_rules_on_shared_facts_are_those_of_the_reference(
    world: StudentFacts, moments: list[dt.datetime]
) -> None:
    records = [r.id for r in world.expressions] + [v.id for v in world.vetoes]

    def ask(now: dt.datetime) -> list[object]:
        return [
            consent_rules.consent_authority(world, now),
            consent_rules.guardian_entitled(world, GUARDIAN.id, now),
            [world.withdrawn_at(i) for i in records],
            [consent_rules.membership_covered(world, m, now) for m in world.case_memberships],
            [consent_rules.consent_requirement(world, purpose, now, group_id="case-aino")
             for purpose in ConsentPurpose],
        ]  # fmt: skip

    answers = [ask(now) for now in moments]  # each moment after the others' derivations
    with nothing_kept():
        assert [ask(now) for now in moments] == answers


def test_a_snapshot_asked_about_ever_new_things_stays_small() -> None:
    world = student_facts()
    for day in range(100):
        consent_rules.consent_authority(world, NOW + dt.timedelta(days=day))
    assert len(world._derived) <= consent_rules._MOMENTS_KEPT
    psychologist = ACTORS["group member psychologist"]
    facts = make_facts(psychologist, world)
    for index in range(1000):
        resource = Resource(type=ResourceType.COMMUNAL_DOCUMENT, provider_id=P,
                            group_id=f"g{index}")  # fmt: skip
        decide(make_actor(psychologist), Action.READ, resource, facts)
    assert len(facts._derived) <= access_rules._SHAPES_KEPT


def test_evolved_facts_derive_afresh() -> None:
    psychologist = ACTORS["group member psychologist"]
    facts = make_facts(psychologist, student_facts())
    record = RESOURCES["record"]
    assert not decide(make_actor(psychologist), Action.READ, record, facts).allowed
    assert facts.student is not None
    consented = attrs.evolve(
        facts, student=attrs.evolve(facts.student, expressions=tuple(formation_consent()))
    )
    assert decide(make_actor(psychologist), Action.READ, record, consented).allowed
    assert not decide(make_actor(psychologist), Action.READ, record, facts).allowed


# -- the decision itself ------------------------------------------------------------------------


def test_a_decision_is_the_value_attrs_would_make() -> None:
    person = ACTORS["group member psychologist"]
    facts = make_facts(person, student_facts(expressions=formation_consent()))
    for resource in MORE_RESOURCES.values():
        for action in Action:
            made = decide(make_actor(person), action, resource, facts)
            fields = {f.name: getattr(made, f.name) for f in attrs.fields(Decision)}
            assert Decision(**fields) == made
            assert hash(Decision(**fields)) == hash(made)
            assert repr(Decision(**fields)) == repr(made)
            assert attrs.asdict(made) == attrs.asdict(Decision(**fields))
            assert type(made) is Decision
            assert pickle.loads(pickle.dumps(made)) == made  # (an AccessDenied carries one)
            assert attrs.evolve(made, reason="x") == attrs.evolve(Decision(**fields), reason="x")
            with pytest.raises(attrs.exceptions.FrozenInstanceError):
                made.allowed = not made.allowed  # type: ignore[misc]


def test_decision_ids_are_random_hex_and_unique() -> None:
    person = PersonRef(PersonKind.STUDENT, "aino")
    facts = make_facts(person, student_facts())
    record = RESOURCES["record"]
    ids = [
        decide(make_actor(person), Action.READ, record, facts).id
        for _ in range(3 * access_rules._IDS_PER_BATCH)
    ]
    ids += [
        Decision(allowed=False, reason="r", basis=None, actor=make_actor(person),
                 action=Action.READ, resource=record).id
        for _ in range(10)
    ]  # fmt: skip
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids)
    assert len(set(ids)) == len(ids)


def test_threads_never_share_a_decision_id() -> None:
    taken: list[list[str]] = [[] for _ in range(4)]

    def take(into: list[str]) -> None:
        into.extend(access_rules._decision_id() for _ in range(5 * access_rules._IDS_PER_BATCH))

    threads = [threading.Thread(target=take, args=(into,)) for into in taken]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = [i for into in taken for i in into]
    assert len(set(every)) == len(every)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is POSIX")
def test_a_forked_process_takes_ids_of_its_own() -> None:
    access_rules._decision_id()  # a batch is read, and the child inherits what is left of it
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover (the child reports through the pipe)
        os.close(read)
        os.write(write, "".join(access_rules._decision_id() for _ in range(10)).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        theirs = pipe.read()
    os.waitpid(child, 0)
    ours = [access_rules._decision_id() for _ in range(10)]
    assert len(theirs) == 320
    assert not {theirs[i : i + 32] for i in range(0, 320, 32)} & set(ours)
