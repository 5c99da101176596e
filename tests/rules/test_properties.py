"""Property tests: narrowing changes never widen anyone's access.

Withdrawing a consent, ending a membership (of the student's expert group or of a communal
group), adding a § 18(2) veto or a plugin's refusal can only take access away; a plugin
answering "allow" never grants what the core denies. Each example asks every actor of the
access matrix about resources drawn from all of its kinds, with every action, and a
disclosure also on every statutory basis.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import attrs
from builders import (
    CASE_MEMBERSHIPS,
    COMMUNAL_MEMBERSHIPS,
    ENDED_CASE_MEMBERSHIP,
    GUARDIAN,
    MORE_COMMUNAL_MEMBERSHIPS,
    REPRESENTATIVE,
    STUDENT,
    TODAY,
    assessment,
    every_facts,
    formation_consent,
    representation,
    student_facts,
    veto,
    will,
    withdrawal,
)
from builders import actor_for as make_actor
from builders import facts as make_facts
from hypothesis import given, settings
from hypothesis import strategies as st
from test_access_matrix import ACTORS, RECIPIENT, RESOURCES, question, questions, resources_of

from welfarekit import Action, Membership, Period, PersonRef, Role
from welfarekit.model import WillKind
from welfarekit.rules import Decision, Facts, LegalBasis, StudentFacts, apply_vetoes, decide

POOL = [
    *formation_consent(STUDENT),
    *[attrs.evolve(e, id=f"g-{e.id}") for e in formation_consent(GUARDIAN, days_before=25)],
    *[attrs.evolve(e, id=f"r-{e.id}") for e in formation_consent(REPRESENTATIVE, days_before=22)],
    will("refuse", "form_expert_group", kind="refusal", days_before=5),
    will("name-nurse", "name_members", covers_roles={Role.NURSE}, days_before=8),
    will("opt-in", "guardian_access", group_id=None, covers={GUARDIAN}, days_before=20),
    will("disclose", "disclosure", group_id=None, recipient=RECIPIENT, days_before=3),
    will("disclose-g", "disclosure", grantor=GUARDIAN, group_id=None, recipient=RECIPIENT,
         days_before=4),
    will("disclose-r", "disclosure", grantor=REPRESENTATIVE, group_id=None,
         recipient=RECIPIENT, days_before=4),
    will("disclose-elsewhere", "disclosure", group_id=None,
         recipient="Jyväskylän nuorisopalvelut", days_before=6),
]  # fmt: skip
VETO_POOL = [
    veto(participation=True, access=False, days_before=10),
    veto(participation=False, access=True, days_before=11),
    veto(participation=True, access=True, days_before=12, guardians={"sanna"}),
]
COMMUNAL = (*COMMUNAL_MEMBERSHIPS, *MORE_COMMUNAL_MEMBERSHIPS)
NAMES = sorted({name for actor in ACTORS for name in resources_of(actor)})
"""Every resource of the matrix: all kinds, and those written by or left with the actor."""
# The same examples on every run (and for every mutant of the rules).
DETERMINISTIC = settings(deadline=None, derandomize=True, database=None)


@st.composite
def worlds(draw: st.DrawFn) -> StudentFacts:
    expressions = draw(st.lists(st.sampled_from(POOL), unique_by=lambda e: e.id))
    withdrawn = draw(
        st.lists(st.sampled_from([e.id for e in expressions] or ["none"]), unique=True)
    )
    vetoes = draw(st.lists(st.sampled_from(VETO_POOL), unique_by=lambda v: v.id, max_size=2))
    assessed = draw(st.sampled_from([[], [assessment(False)], [assessment(True)]]))
    minor = draw(st.booleans())
    world = student_facts(
        minor=minor,
        expressions=expressions,
        withdrawals=[withdrawal(i) for i in withdrawn if i != "none"],
        assessments=assessed,
        vetoes=vetoes,
        guardian_kind=draw(st.sampled_from(["guardian", "legal_representative"])),
        memberships=(*CASE_MEMBERSHIPS, ENDED_CASE_MEMBERSHIP),
        contacts=draw(st.sampled_from([[], [PersonRef("staff", "psy2")]])),
    )
    if draw(st.booleans()):
        world = attrs.evolve(world, guardianships=(*world.guardianships, representation(minor)))
    return world


resource_names = st.lists(st.sampled_from(NAMES), min_size=1, max_size=8, unique=True)


def facts_of(person: PersonRef | None, world: StudentFacts, ended: Membership | None) -> Facts:
    """The actor's facts; with the communal membership ``ended`` ended today."""
    facts = every_facts(person, world)
    if ended is None or ended not in facts.actor.memberships:
        return facts
    memberships = tuple(end(m) if m == ended else m for m in facts.actor.memberships)
    return attrs.evolve(facts, actor=attrs.evolve(facts.actor, memberships=memberships))


def end(membership: Membership) -> Membership:
    return attrs.evolve(membership, validity=Period(start=membership.validity.start, end=TODAY))


def decisions(
    world: StudentFacts, names: list[str], ended: Membership | None = None
) -> Iterator[tuple[str, str, Action, LegalBasis | None, Decision]]:
    """Every actor's decision on every question about each named resource it can see."""
    for actor, person in ACTORS.items():
        facts = facts_of(person, world, ended)
        resources = resources_of(actor)
        for name in names:
            if name not in resources:
                continue
            for action, basis in questions(name):
                decision = decide(make_actor(person), action, resources[name], facts, basis=basis)
                yield actor, name, action, basis, decision


def allowed_set(
    world: StudentFacts, names: list[str], ended: Membership | None = None
) -> set[tuple[str, str, str]]:
    return {
        (actor, name, question(action, basis))
        for actor, name, action, basis, decision in decisions(world, names, ended)
        if decision.allowed
    }


@settings(DETERMINISTIC, max_examples=60)
@given(worlds(), resource_names, st.data())
def test_withdrawing_a_consent_never_widens(
    world: StudentFacts, names: list[str], data: st.DataObject
) -> None:
    consents = [e for e in world.expressions if e.kind is WillKind.CONSENT]
    if not consents:
        return  # (withdrawing a refusal may rightly widen: that is changing one's mind)
    target = data.draw(st.sampled_from(consents))
    narrowed = attrs.evolve(
        world, withdrawals=(*world.withdrawals, withdrawal(target.id, days_before=1))
    )
    assert allowed_set(narrowed, names) <= allowed_set(world, names)


@settings(DETERMINISTIC, max_examples=60)
@given(worlds(), resource_names, st.sampled_from(VETO_POOL))
def test_adding_a_veto_never_widens(
    world: StudentFacts, names: list[str], new_veto: object
) -> None:
    narrowed = attrs.evolve(world, vetoes=(*world.vetoes, attrs.evolve(new_veto, id="new-veto")))  # type: ignore[misc]
    assert allowed_set(narrowed, names) <= allowed_set(world, names)


@settings(DETERMINISTIC, max_examples=60)
@given(worlds(), resource_names, st.sampled_from(range(len(CASE_MEMBERSHIPS))))
def test_ending_a_membership_of_the_expert_group_never_widens(
    world: StudentFacts, names: list[str], index: int
) -> None:
    memberships = list(world.case_memberships)
    ended = memberships[index]
    memberships[index] = end(ended)
    narrowed = attrs.evolve(world, case_memberships=tuple(memberships))
    assert allowed_set(narrowed, names) <= allowed_set(world, names)
    # and the member whose membership ended holds nothing through the group any more
    after = allowed_set(narrowed, ["record", "case group", "case group members"])
    assert not any(a for a in after if ACTORS[a[0]] == ended.member)


@settings(DETERMINISTIC, max_examples=60)
@given(worlds(), resource_names, st.sampled_from(COMMUNAL))
def test_ending_a_membership_of_a_communal_group_never_widens(
    world: StudentFacts, names: list[str], ended: Membership
) -> None:
    assert allowed_set(world, names, ended) <= allowed_set(world, names)
    # and the member holds nothing through that group any more: its minutes are closed
    minutes = "communal minutes" if ended.group_id == "wellbeing" else "steering minutes"
    after = allowed_set(world, [minutes], ended)
    assert not any(a for a in after if ACTORS[a[0]] == ended.member)


@settings(DETERMINISTIC, max_examples=40)
@given(worlds(), resource_names, st.text(min_size=1, max_size=20))
def test_a_plugin_refusal_never_widens_and_allow_never_grants(
    world: StudentFacts, names: list[str], reason: str
) -> None:
    for actor, name, action, basis, core in decisions(world, names):
        refused = apply_vetoes(core, [("policy", reason)])
        passed = apply_vetoes(core, [("policy", None), ("other", None)])
        assert passed.allowed == core.allowed
        if core.allowed and basis is not None and basis.mandatory:
            # a duty notwithstanding secrecy: no plugin blocks it
            assert refused.allowed, (actor, name, action, basis)
            continue
        assert not refused.allowed, (actor, name, action, basis)
        if core.allowed:
            assert refused.vetoed_by == "policy"


def test_time_moving_past_a_consents_end_never_widens() -> None:
    limited = will("form", "form_expert_group", covers_roles={Role.PSYCHOLOGIST},
                   validity=Period(start=dt.date(2026, 8, 1), end=dt.date(2026, 12, 1)))  # fmt: skip
    world = student_facts(expressions=[limited])
    psychologist = ACTORS["group member psychologist"]
    before = make_facts(psychologist, world)
    after = make_facts(psychologist, world, now=before.now + dt.timedelta(days=10))
    resource = RESOURCES["record"]
    assert decide(make_actor(psychologist), Action.READ, resource, before).allowed
    assert not decide(make_actor(psychologist), Action.READ, resource, after).allowed
