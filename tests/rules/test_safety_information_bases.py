"""The safety-information bases differ by the kind of school: the Act on General Upper
Secondary Education (LukioL 58 §) covers lukio students, the Act on Vocational Education
(AmmL 109 §(4)) vocational students. Each is usable only for its own students, only by
those taking part in the student's welfare, and an unknown school refuses both."""

from __future__ import annotations

import attrs
import pytest
from builders import NOW, P, formation_consent, student_facts
from builders import facts as make_facts

from welfarekit import Action, Actor, PersonKind, PersonRef, Resource, ResourceType
from welfarekit.model import InstitutionKind
from welfarekit.rules import LegalBasis, decide

PSY = PersonRef(PersonKind.STAFF, "psy")  # a covered member of Aino's expert group
RECORD = Resource(type=ResourceType.WELFARE_RECORD, provider_id=P, student_id="aino",
                  recipient="the principal")  # fmt: skip
LUKIO, VOCATIONAL = InstitutionKind.GENERAL_UPPER_SECONDARY, InstitutionKind.VOCATIONAL


@pytest.mark.parametrize(
    ("school", "basis", "allowed"),
    [
        (LUKIO, LegalBasis.SAFETY_INFORMATION_LUKIO, True),
        (LUKIO, LegalBasis.SAFETY_INFORMATION_VOCATIONAL, False),
        (VOCATIONAL, LegalBasis.SAFETY_INFORMATION_VOCATIONAL, True),
        (VOCATIONAL, LegalBasis.SAFETY_INFORMATION_LUKIO, False),
        (None, LegalBasis.SAFETY_INFORMATION_LUKIO, False),
        (None, LegalBasis.SAFETY_INFORMATION_VOCATIONAL, False),
    ],
)
def test_each_education_act_covers_its_own_students(
    school: InstitutionKind | None, basis: LegalBasis, allowed: bool
) -> None:
    facts = attrs.evolve(student_facts(expressions=formation_consent()), institution_kind=school)
    decision = decide(Actor(provider_id=P, person=PSY), Action.DISCLOSE, RECORD,
                      make_facts(PSY, facts, now=NOW), basis=basis)  # fmt: skip
    assert decision.allowed is allowed, decision.reason
    if allowed:
        assert decision.legal_basis is basis
        assert decision.basis == basis.section
    else:
        assert basis.section in decision.reason
        assert ("not known" in decision.reason) is (school is None)
