"""The law as pure rules: who may do what with a student's welfare data, and whose consent
it takes. No I/O; the session loads the facts and enforces the decisions."""

from welfarekit.rules.access import PERMISSIONS, Decision, Relationship, apply_vetoes, decide
from welfarekit.rules.bases import LegalBasis
from welfarekit.rules.consent import (
    ConsentAuthority,
    ConsentRequirement,
    Finding,
    consent_authority,
    consent_in_force,
    consent_requirement,
    current_will,
    guardian_entitled,
    membership_covered,
    veto_in_force,
)
from welfarekit.rules.facts import ActorFacts, Facts, StudentFacts

__all__ = [
    "PERMISSIONS",
    "ActorFacts",
    "ConsentAuthority",
    "ConsentRequirement",
    "Decision",
    "Facts",
    "Finding",
    "LegalBasis",
    "Relationship",
    "StudentFacts",
    "apply_vetoes",
    "consent_authority",
    "consent_in_force",
    "consent_requirement",
    "current_will",
    "decide",
    "guardian_entitled",
    "membership_covered",
    "veto_in_force",
]
