"""The access matrix: every actor × consent state × veto × age × action × resource, checked
against an oracle written by hand from DOMAIN.md (§§ 4, 8), not derived from the code.

Zero unexpected allows, and zero unexpected denials.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest
from builders import (
    GUARDIAN,
    STUDENT,
    assessment,
    formation_consent,
    student_facts,
    veto,
    will,
    withdrawal,
)
from builders import (
    actor_for as make_actor,
)
from builders import (
    facts as make_facts,
)

from welfarekit import Action, PersonKind, PersonRef, Resource, ResourceType
from welfarekit.rules import StudentFacts, decide

R, L, W, X, D, M = (
    Action.READ, Action.LIST, Action.WRITE, Action.EXPORT, Action.DISCLOSE, Action.MANAGE,
)  # fmt: skip
NONE: frozenset[Action] = frozenset()

ACTORS: dict[str, PersonRef | None] = {
    "the student": STUDENT,
    "another student": PersonRef(PersonKind.STUDENT, "eetu"),
    "the guardian": GUARDIAN,
    "another guardian": PersonRef(PersonKind.GUARDIAN, "jaana"),
    "group member psychologist": PersonRef(PersonKind.STAFF, "psy"),
    "responsible social worker": PersonRef(PersonKind.STAFF, "kuraattori"),
    "group member nurse not covered": PersonRef(PersonKind.STAFF, "nurse"),
    "teacher": PersonRef(PersonKind.STAFF, "teacher"),
    "group advisor": PersonRef(PersonKind.STAFF, "advisor"),
    "principal": PersonRef(PersonKind.STAFF, "principal"),
    "wellbeing group member": PersonRef(PersonKind.STAFF, "senior"),
    "psychologist outside the group": PersonRef(PersonKind.STAFF, "psy2"),
    "psychologist not working with the student": PersonRef(PersonKind.STAFF, "psy3"),
    "youth worker named in written consent": PersonRef(PersonKind.EXTERNAL, "youth-worker"),
    "uncle without written consent": PersonRef(PersonKind.EXTERNAL, "uncle"),
    "host system": None,
}

CONSENTS = ("none", "given", "withdrawn", "refused", "guardian while capable",
            "guardian after incapacity assessment")  # fmt: skip
VETOES = ("none", "access", "participation")
AGES = ("minor", "adult", "adult who allows the guardian")

RESOURCES = {
    "record": Resource(type=ResourceType.WELFARE_RECORD, provider_id="p1", student_id="aino"),
    "will": Resource(type=ResourceType.EXPRESSION_OF_WILL, provider_id="p1", student_id="aino"),
    "case group": Resource(type=ResourceType.GROUP, provider_id="p1", student_id="aino",
                           group_id="case-aino"),
    "access report": Resource(type=ResourceType.AUDIT_LOG, provider_id="p1", student_id="aino"),
    "booking": Resource(type=ResourceType.BOOKING, provider_id="p1", student_id="aino",
                        holder=PersonRef(PersonKind.STAFF, "psy2"), owner=STUDENT),
    "booking the guardian made": Resource(type=ResourceType.BOOKING, provider_id="p1",
                                          student_id="aino", owner=GUARDIAN,
                                          holder=PersonRef(PersonKind.STAFF, "psy2")),
    "referral": Resource(type=ResourceType.REFERRAL, provider_id="p1", student_id="aino",
                         holder=PersonRef(PersonKind.STAFF, "psy2")),
}  # fmt: skip
STAFF = [name for name, person in ACTORS.items() if person and person.kind is PersonKind.STAFF]


# -- the oracle: conditions from the law, and the table ------------------------------------

Condition = Callable[[str, str, str], bool]  # (consent, veto, age) -> holds


def always(consent: str, veto_: str, age: str) -> bool:
    return True


def guardian_entitled(consent: str, veto_: str, age: str) -> bool:
    """§ 18: a guardian acts for a minor unless the minor forbade access for a weighty reason
    (§ 18(2)); after 18 only if the student allows it."""
    return (age == "minor" and veto_ != "access") or age == "adult who allows the guardian"


def guardian_participates(consent: str, veto_: str, age: str) -> bool:
    """§ 18(2): a minor may also forbid the guardian's participation in the handling of the
    matter, which the expert group is; an adult's guardian takes part only as allowed."""
    return guardian_entitled(consent, veto_, age) and not (
        age == "minor" and veto_ == "participation"
    )


def consent_effective(consent: str, veto_: str, age: str) -> bool:
    """§ 14(4), § 19(1): the student's own consent; the guardian's counts only after a
    professional assessed the student unable to assess it, and only for a minor (an adult's
    guardian is no legal representative)."""
    return consent == "given" or (
        consent == "guardian after incapacity assessment" and age == "minor"
    )


ORACLE: dict[tuple[str, str], tuple[frozenset[Action], Condition]] = {
    ("the student", "record"): (frozenset({R, L, X}), always),
    ("the student", "will"): (frozenset({R, L, W, X}), always),
    ("the student", "case group"): (frozenset({R, L}), always),
    ("the student", "access report"): (frozenset({R, L, X}), always),
    ("the student", "booking"): (frozenset({R, L, W}), always),
    ("the student", "booking the guardian made"): (frozenset({R, L, W}), always),
    ("the guardian", "record"): (frozenset({R, L, X}), guardian_entitled),
    ("the guardian", "will"): (frozenset({R, L, W, X}), guardian_entitled),
    ("the guardian", "case group"): (frozenset({R, L}), guardian_participates),
    ("the guardian", "access report"): (frozenset({R, L}), guardian_entitled),
    # § 18(3): a guardian cannot forbid a minor's use of services, so never cancels the
    # student's own booking; what the guardian booked (§ 15(2)) the guardian may change
    ("the guardian", "booking"): (frozenset({R, L}), guardian_entitled),
    ("the guardian", "booking the guardian made"): (frozenset({R, L, W}), guardian_entitled),
    ("group member psychologist", "record"): (frozenset({R, L, W}), consent_effective),
    ("group member psychologist", "will"): (frozenset({R, L, W}), always),
    ("group member psychologist", "case group"): (frozenset({R, L}), consent_effective),
    ("responsible social worker", "record"): (frozenset({R, L, W}), consent_effective),
    ("responsible social worker", "will"): (frozenset({R, L, W}), always),
    ("responsible social worker", "case group"): (frozenset({R, L, W, M}), consent_effective),
    ("group member nurse not covered", "will"): (frozenset({R, L, W}), always),
    ("principal", "record"): (frozenset({M}), always),
    ("principal", "will"): (frozenset({M}), always),
    ("principal", "access report"): (frozenset({R, L, X, M}), always),
    # a professional working with the student (here: serving the whole provider, and the
    # professional of the booking and the referral) records the student's will; psy3, at
    # another institution and not named by anything of the student's, records nothing
    ("psychologist outside the group", "will"): (frozenset({W}), always),
    ("psychologist outside the group", "booking"): (frozenset({R, L, W}), always),
    ("psychologist outside the group", "booking the guardian made"): (frozenset({R, L, W}), always),
    ("youth worker named in written consent", "case group"): (frozenset({R}), consent_effective),
    ("the student", "referral"): (frozenset({R, L}), always),
    ("the guardian", "referral"): (frozenset({R, L}), guardian_entitled),
    # § 16: any staff member refers; only the professional addressed reads it afterwards
    **{(staff, "referral"): (frozenset({W}), always) for staff in STAFF},
    ("psychologist outside the group", "referral"): (frozenset({R, L, W}), always),
}
"""What each actor may do to each resource, and when. Every pair not listed: nothing.
DISCLOSE is never allowed here: a disclosure needs a basis (tested in the scenarios)."""


def expected(actor: str, resource: str, consent: str, veto_: str, age: str) -> frozenset[Action]:
    actions, condition = ORACLE.get((actor, resource), (NONE, always))
    return actions if condition(consent, veto_, age) else NONE


# -- building the facts of each state -------------------------------------------------------


def world(consent: str, veto_: str, age: str) -> StudentFacts:
    expressions, withdrawals, assessments = [], [], []
    if consent in ("given", "withdrawn", "refused"):
        expressions += formation_consent(STUDENT)
    if consent == "withdrawn":
        withdrawals += [withdrawal("form"), withdrawal("outside")]
    if consent == "refused":
        expressions.append(will("refuse", "form_expert_group", kind="refusal", days_before=5))
    if consent == "guardian while capable":
        expressions += formation_consent(GUARDIAN)
    if consent == "guardian after incapacity assessment":
        assessments.append(assessment(can_assess=False))
        expressions += formation_consent(GUARDIAN)
    if age == "adult who allows the guardian":
        expressions.append(
            will("opt-in", "guardian_access", group_id=None, covers={GUARDIAN}, days_before=20)
        )
    vetoes = {
        "none": [],
        "access": [veto(participation=False, access=True)],
        "participation": [veto(participation=True, access=False)],
    }[veto_]
    return student_facts(
        minor=age == "minor", expressions=expressions, withdrawals=withdrawals,
        assessments=assessments, vetoes=vetoes,
        contacts=[PersonRef(PersonKind.STAFF, "psy2")],  # the booking's and referral's
    )  # fmt: skip


@pytest.mark.parametrize("actor", list(ACTORS))
def test_access_matrix(actor: str) -> None:
    person = ACTORS[actor]
    subject = make_actor(person)
    wrong: list[str] = []
    checked = 0
    for consent, veto_, age in itertools.product(CONSENTS, VETOES, AGES):
        facts = make_facts(person, world(consent, veto_, age))
        for resource_name, resource in RESOURCES.items():
            allowed = expected(actor, resource_name, consent, veto_, age)
            for action in Action:
                decision = decide(subject, action, resource, facts)
                checked += 1
                if decision.allowed != (action in allowed):
                    verdict = "ALLOWED" if decision.allowed else "denied"
                    wrong.append(
                        f"{verdict}: {actor} {action.value} {resource_name} "
                        f"[consent={consent}, veto={veto_}, age={age}]: {decision.reason}"
                    )
    assert checked == len(CONSENTS) * len(VETOES) * len(AGES) * len(RESOURCES) * len(Action)
    assert not wrong, "\n".join(wrong[:20]) + f"\n… {len(wrong)} in all"


def test_every_denial_says_why() -> None:
    facts = make_facts(ACTORS["teacher"], world("given", "none", "minor"))
    decision = decide(make_actor(ACTORS["teacher"]), R, RESOURCES["record"], facts)
    assert not decision.allowed
    assert "being a teacher gives no access" in decision.reason
    assert "§ 14(4)" in decision.reason
    assert decision.id
    assert decision.basis is None
