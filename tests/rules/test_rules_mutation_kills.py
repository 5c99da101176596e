"""What the rules promise beyond the matrix and the scenarios, found missing by mutation
testing (docs/mutation-testing.md): the words of a consent requirement, and ids after a
fork."""

from __future__ import annotations

import os

import attrs
import pytest
from builders import GUARDIAN, STUDENT, P, formation_consent, staff_ref, student_facts, will
from builders import actor_for as make_actor
from builders import facts as make_facts
from test_access_matrix import RESOURCES

from welfarekit import Action, PersonKind, PersonRef, Resource, ResourceType
from welfarekit.model import ConsentPurpose, ExpressionOfWill
from welfarekit.rules import ConsentRequirement, LegalBasis, decide
from welfarekit.rules import access as access_rules

OTHER_GUARDIAN = PersonRef(PersonKind.GUARDIAN, "jaana")


@pytest.mark.parametrize(
    ("requirement", "words"),
    [
        (
            ConsentRequirement(
                student_id="aino", purpose=ConsentPurpose.FORM_EXPERT_GROUP,
                grantors=(STUDENT,), written_and_specific=False, group_id="case-aino",
                reason="no consent in force for form expert group",
            ),
            "needs the consent of student:aino: form expert group for group 'case-aino' "
            "(OHL § 14(4), § 19(1)); no consent in force for form expert group",
        ),
        (
            ConsentRequirement(
                student_id="aino", purpose=ConsentPurpose.DISCLOSURE,
                grantors=(GUARDIAN, OTHER_GUARDIAN), written_and_specific=True,
                recipient="Harjun nuorisoasema",
            ),
            "needs the specific written consent of guardian:sanna or guardian:jaana: "
            "disclosure to 'Harjun nuorisoasema' (OHL § 22(2))",
        ),
        (
            ConsentRequirement(
                student_id="aino", purpose=ConsentPurpose.NAME_MEMBERS, grantors=(),
                written_and_specific=False,
            ),
            "needs the consent of a guardian or legal representative: name members "
            "(OHL § 14(4))",
        ),
    ],
)  # fmt: skip
def test_a_consent_requirement_says_whose_consent_for_what_in_words(
    requirement: ConsentRequirement, words: str
) -> None:
    assert requirement.describe() == words


def test_a_forked_child_reads_fresh_bits_before_its_next_decision(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The hook registered to run in a forked child empties the batch of ids it inherited
    (tests/rules/test_derived_once.py forks; mutmut cannot follow it into the child)."""
    facts = make_facts(STUDENT, student_facts())
    decide(make_actor(STUDENT), Action.READ, RESOURCES["record"], facts)
    reads: list[int] = []
    urandom = os.urandom

    def counted(size: int) -> bytes:
        reads.append(size)
        return urandom(size)

    monkeypatch.setattr(access_rules.os, "urandom", counted)
    access_rules._forget_ids()
    decision = decide(make_actor(STUDENT), Action.READ, RESOURCES["record"], facts)

    assert reads == [16 * access_rules._IDS_PER_BATCH]
    assert len(decision.id) == 32


# -- disclosures: on consent, and on each statutory basis -----------------------------------

RECIPIENT = "Harjun nuorisoasema"
DISCLOSURE = Resource(
    type=ResourceType.WELFARE_RECORD, provider_id=P, student_id="aino", recipient=RECIPIENT
)
CONSENTED = (
    *formation_consent(),
    will("disclose", "disclosure", group_id=None, recipient=RECIPIENT, days_before=3),
)


def disclose(
    who: PersonRef,
    basis: LegalBasis | None = None,
    *,
    minor: bool = True,
    resource: Resource = DISCLOSURE,
    expressions: tuple[ExpressionOfWill, ...] = CONSENTED,
) -> tuple[bool, str, str | None, LegalBasis | None]:
    facts = make_facts(who, student_facts(minor=minor, expressions=expressions))
    decision = decide(make_actor(who), Action.DISCLOSE, resource, facts, basis=basis)
    return decision.allowed, decision.reason, decision.basis, decision.legal_basis


PSY, TEACHER = staff_ref("psy"), staff_ref("teacher")
TEAM_ONLY = " lets only those taking part in the student's individual welfare give information"


@pytest.mark.parametrize(
    ("who", "basis", "outcome"),
    [
        (TEACHER, LegalBasis.THREAT_TO_LIFE_OR_HEALTH,
         (True, "anyone performing tasks under the act may notify", "OHL 1287/2013 § 23(4)")),
        (PSY, LegalBasis.WITHIN_WELFARE_TEAM,
         (True, "necessary information within the individual welfare", "OHL 1287/2013 § 23(2)")),
        (TEACHER, LegalBasis.WITHIN_WELFARE_TEAM,
         (False, "OHL 1287/2013 § 23(2)" + TEAM_ONLY, None)),
        (PSY, LegalBasis.SAFETY_INFORMATION_LUKIO,
         (True, "necessary information within the individual welfare",
          "Lukiolaki 714/2018 58 §")),
        (TEACHER, LegalBasis.SAFETY_INFORMATION_VOCATIONAL,
         (False, "Laki ammatillisesta koulutuksesta 531/2017 109 §" + TEAM_ONLY, None)),
        (PSY, LegalBasis.COMPULSORY_EDUCATION_TRANSFER,
         (False, "Oppivelvollisuuslaki 1214/2020 23 §(3) moves education data, never the "
          "welfare record; the record moves to a new provider only with consent (OHL § 23(3))",
          None)),
        (TEACHER, LegalBasis.POLICE_NOTIFICATION_CHILD,
         (True, "a duty notwithstanding secrecy: no refusal or veto blocks it",
          "Lastensuojelulaki 417/2007 25 §(3)")),
    ],
)  # fmt: skip
def test_a_disclosure_on_a_statutory_basis_is_decided_on_that_basis(
    who: PersonRef, basis: LegalBasis, outcome: tuple[bool, str, str | None]
) -> None:
    allowed, reason, section = outcome
    assert disclose(who, basis) == (allowed, reason, section, basis if allowed else None)


def test_child_welfare_law_does_not_reach_an_adult() -> None:
    assert disclose(TEACHER, LegalBasis.CHILD_WELFARE_NOTIFICATION, minor=False) == (
        False,
        "Lastensuojelulaki 417/2007 25 § concerns children under 18; for an adult, contact "
        "social services with consent (SHL 35 §)",
        None,
        None,
    )


def test_a_disclosure_on_consent_needs_the_team_a_recipient_and_the_consent() -> None:
    assert disclose(PSY) == (
        True,
        "disclosure on consent: consent for disclosure given by student:aino",
        "OHL § 22(2)",
        None,
    )
    assert disclose(TEACHER)[:2] == (
        False,
        "only a member of the student's expert group covered by consent discloses on the "
        "student's consent",
    )
    unnamed = attrs.evolve(DISCLOSURE, recipient=None)
    assert disclose(PSY, resource=unnamed)[:2] == (
        False,
        "a disclosure names its recipient (OHL § 20(5))",
    )
    assert disclose(PSY, expressions=CONSENTED[:-1])[:2] == (
        False,
        "a disclosure needs the specific written consent naming this recipient, or a "
        "statutory basis (OHL § 22(2)): no consent in force for disclosure",
    )


def test_only_staff_disclose_and_only_a_students_record() -> None:
    booking = Resource(type=ResourceType.BOOKING, provider_id=P, student_id="aino")
    assert disclose(PSY, resource=booking)[:2] == (
        False,
        "only a student's welfare record is disclosed, on a basis",
    )
    for who in (STUDENT, GUARDIAN, PersonRef(PersonKind.EXTERNAL, "youth-worker")):
        assert disclose(who, LegalBasis.THREAT_TO_LIFE_OR_HEALTH)[:2] == (
            False,
            "only staff bound by welfare secrecy disclose (OHL § 22(2))",
        )
