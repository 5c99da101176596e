"""An outside participant sitting in two of a student's expert groups, covered by the
student's specific written consent in one of them: the decision does not depend on the
order the memberships are read in (a refusal never replaces a finding that holds)."""

from __future__ import annotations

import attrs
import pytest
from builders import CASE_GROUP, NOW, P, formation_consent, member, student_facts, will
from builders import facts as make_facts

from welfarekit import Action, Actor, PersonKind, PersonRef, Resource, ResourceType, Role
from welfarekit.rules import decide

YOUTH_WORKER = PersonRef(PersonKind.EXTERNAL, "youth-worker")
SECOND_GROUP = attrs.evolve(CASE_GROUP, id="case-aino-2")
# an outside participant may read the group they sit in (and nothing of the record)
GROUP = Resource(type=ResourceType.GROUP, provider_id=P, student_id="aino", id=CASE_GROUP.id)


@pytest.mark.parametrize("covered_first", [True, False])
def test_covered_in_one_group_is_covered_whatever_the_order(covered_first: bool) -> None:
    covered = member(CASE_GROUP, YOUTH_WORKER, Role.OUTSIDE_PARTICIPANT)  # named in consent
    uncovered = member(SECOND_GROUP, YOUTH_WORKER, Role.OUTSIDE_PARTICIPANT)
    second_formed = will("form-2", "form_expert_group", group_id=SECOND_GROUP.id,
                         covers_roles={Role.PSYCHOLOGIST})  # fmt: skip
    facts = attrs.evolve(
        student_facts(expressions=(*formation_consent(), second_formed)),
        case_groups=(CASE_GROUP, SECOND_GROUP),
        case_memberships=(covered, uncovered) if covered_first else (uncovered, covered),
    )
    decision = decide(Actor(provider_id=P, person=YOUTH_WORKER), Action.READ, GROUP,
                      make_facts(YOUTH_WORKER, facts, now=NOW))  # fmt: skip
    assert decision.allowed, decision.reason
    assert decision.basis == "OHL § 19(2)"


def test_covered_in_neither_group_is_refused_with_the_reason() -> None:
    uncovered = [member(g, YOUTH_WORKER, Role.OUTSIDE_PARTICIPANT)
                 for g in (CASE_GROUP, SECOND_GROUP)]  # fmt: skip
    facts = attrs.evolve(
        student_facts(expressions=formation_consent()[:1]),  # no consent naming them
        case_groups=(CASE_GROUP, SECOND_GROUP),
        case_memberships=tuple(uncovered),
    )
    decision = decide(Actor(provider_id=P, person=YOUTH_WORKER), Action.READ, GROUP,
                      make_facts(YOUTH_WORKER, facts, now=NOW))  # fmt: skip
    assert not decision.allowed
    assert "specific written consent" in decision.reason or "no basis" in decision.reason
