"""Property tests: narrowing changes never widen anyone's access.

Withdrawing a consent, ending a membership, adding a § 18(2) veto or a plugin's refusal can
only take access away; a plugin answering "allow" never grants what the core denies.
"""

from __future__ import annotations

import datetime as dt

import attrs
from builders import (
    CASE_MEMBERSHIPS,
    GUARDIAN,
    STUDENT,
    TODAY,
    assessment,
    formation_consent,
    student_facts,
    veto,
    will,
    withdrawal,
)
from builders import actor_for as make_actor
from builders import facts as make_facts
from hypothesis import given, settings
from hypothesis import strategies as st
from test_access_matrix import ACTORS, RESOURCES

from welfarekit import Action, Period, Role
from welfarekit.model import WillKind
from welfarekit.rules import StudentFacts, apply_vetoes, decide

POOL = [
    *formation_consent(STUDENT),
    *[attrs.evolve(e, id=f"g-{e.id}") for e in formation_consent(GUARDIAN, days_before=25)],
    will("refuse", "form_expert_group", kind="refusal", days_before=5),
    will("name-nurse", "name_members", covers_roles={Role.NURSE}, days_before=8),
    will("opt-in", "guardian_access", group_id=None, covers={GUARDIAN}, days_before=20),
    will("disclose", "disclosure", group_id=None, recipient="Harjun nuorisoasema", days_before=3),
]
VETO_POOL = [
    veto(participation=True, access=False, days_before=10),
    veto(participation=False, access=True, days_before=11),
    veto(participation=True, access=True, days_before=12, guardians={"sanna"}),
]


@st.composite
def worlds(draw: st.DrawFn) -> StudentFacts:
    expressions = draw(st.lists(st.sampled_from(POOL), unique_by=lambda e: e.id))
    withdrawn = draw(
        st.lists(st.sampled_from([e.id for e in expressions] or ["none"]), unique=True)
    )
    vetoes = draw(st.lists(st.sampled_from(VETO_POOL), unique_by=lambda v: v.id, max_size=2))
    assessed = draw(st.sampled_from([[], [assessment(False)], [assessment(True)]]))
    return student_facts(
        minor=draw(st.booleans()),
        expressions=expressions,
        withdrawals=[withdrawal(i) for i in withdrawn if i != "none"],
        assessments=assessed,
        vetoes=vetoes,
        guardian_kind=draw(st.sampled_from(["guardian", "legal_representative"])),
    )


def allowed_set(world: StudentFacts) -> set[tuple[str, str, Action]]:
    allowed = set()
    for actor, person in ACTORS.items():
        facts = make_facts(person, world)
        for name, resource in RESOURCES.items():
            for action in Action:
                if decide(make_actor(person), action, resource, facts).allowed:
                    allowed.add((actor, name, action))
    return allowed


@settings(max_examples=30, deadline=None)
@given(worlds(), st.data())
def test_withdrawing_a_consent_never_widens(world: StudentFacts, data: st.DataObject) -> None:
    consents = [e for e in world.expressions if e.kind is WillKind.CONSENT]
    if not consents:
        return  # (withdrawing a refusal may rightly widen: that is changing one's mind)
    target = data.draw(st.sampled_from(consents))
    narrowed = attrs.evolve(
        world, withdrawals=(*world.withdrawals, withdrawal(target.id, days_before=1))
    )
    assert allowed_set(narrowed) <= allowed_set(world)


@settings(max_examples=30, deadline=None)
@given(worlds(), st.sampled_from(VETO_POOL))
def test_adding_a_veto_never_widens(world: StudentFacts, new_veto: object) -> None:
    narrowed = attrs.evolve(world, vetoes=(*world.vetoes, attrs.evolve(new_veto, id="new-veto")))  # type: ignore[misc]
    assert allowed_set(narrowed) <= allowed_set(world)


@settings(max_examples=30, deadline=None)
@given(worlds(), st.sampled_from(range(len(CASE_MEMBERSHIPS))))
def test_ending_a_membership_never_widens(world: StudentFacts, index: int) -> None:
    memberships = list(world.case_memberships)
    ended = memberships[index]
    memberships[index] = attrs.evolve(ended, validity=Period(start=ended.validity.start, end=TODAY))
    narrowed = attrs.evolve(world, case_memberships=tuple(memberships))
    before, after = allowed_set(world), allowed_set(narrowed)
    assert after <= before
    # and the member whose membership ended holds nothing through the group any more
    member = ended.member.id
    assert not any(a for a in after if ACTORS[a[0]] is not None and ACTORS[a[0]].id == member  # type: ignore[union-attr]
                   and a[1] == "record")  # fmt: skip


@settings(max_examples=20, deadline=None)
@given(worlds(), st.text(min_size=1, max_size=20))
def test_a_plugin_refusal_never_widens_and_allow_never_grants(
    world: StudentFacts, reason: str
) -> None:
    for actor, person in ACTORS.items():
        facts = make_facts(person, world)
        for resource in RESOURCES.values():
            for action in Action:
                core = decide(make_actor(person), action, resource, facts)
                refused = apply_vetoes(core, [("policy", reason)])
                passed = apply_vetoes(core, [("policy", None), ("other", None)])
                assert not refused.allowed, (actor, action)
                assert passed.allowed == core.allowed
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
