"""Statutory bases that let welfare data move without consent (DOMAIN.md § 8.2).

Each member's value is a stable code; ``section`` cites the law. The mandatory ones are
duties "notwithstanding secrecy" (*salassapitosäännösten estämättä*): no refusal, no § 18(2)
veto and no plugin can block them, and each use is still a decision with its basis,
audited and written into the record (§ 20(5)).
"""

from __future__ import annotations

import enum

__all__ = ["LegalBasis"]


class LegalBasis(enum.StrEnum):
    WITHIN_WELFARE_TEAM = "ohl_23_2"
    """Those taking part in the student's individual welfare give each other what is
    necessary to arrange it (§ 23(2))."""
    THREAT_TO_LIFE_OR_HEALTH = "ohl_23_4"
    """Notifying the police of what is needed to assess a threat to life or health
    (§ 23(4), as 274/2015; LukioL 58 §(2), AmmL 109 §(5))."""
    CHILD_WELFARE_NOTIFICATION = "lsl_25"
    """Child welfare notification to the wellbeing services county, without delay (LsL 25 §,
    as 610/2022). Mandatory."""
    POLICE_NOTIFICATION_CHILD = "lsl_25_3"
    """Notifying the police of a suspected sexual offence or a serious crime against a
    child's life or health (LsL 25 §(3), as 1302/2014). Mandatory."""
    SAFETY_INFORMATION_LUKIO = "lukiol_58"
    """Necessary health and functional-capacity information for safe studying to the
    principal and others named (Lukiolaki 714/2018 58 §)."""
    SAFETY_INFORMATION_VOCATIONAL = "amml_109"
    """The same in vocational education (Laki ammatillisesta koulutuksesta 531/2017
    109 §(4))."""
    COMPULSORY_EDUCATION_TRANSFER = "oppivl_23_3"
    """Data necessary to arrange the education of a student of compulsory-education age: to
    the new provider (Oppivelvollisuuslaki 1214/2020 23 §(3)), or from welfare workers to the
    student's principal and teachers (23 §(4)). Only what the education needs; the welfare
    record itself moves to a new provider only with consent (OHL § 23(3))."""

    @property
    def section(self) -> str:
        return _SECTIONS[self]

    @property
    def mandatory(self) -> bool:
        """A duty that a refusal, a veto or a plugin cannot block."""
        return self in (
            LegalBasis.CHILD_WELFARE_NOTIFICATION,
            LegalBasis.POLICE_NOTIFICATION_CHILD,
        )

    @property
    def minors_only(self) -> bool:
        """Child welfare law covers children, that is persons under 18."""
        return self.mandatory


_SECTIONS = {
    LegalBasis.WITHIN_WELFARE_TEAM: "OHL 1287/2013 § 23(2)",
    LegalBasis.THREAT_TO_LIFE_OR_HEALTH: "OHL 1287/2013 § 23(4)",
    LegalBasis.CHILD_WELFARE_NOTIFICATION: "Lastensuojelulaki 417/2007 25 §",
    LegalBasis.POLICE_NOTIFICATION_CHILD: "Lastensuojelulaki 417/2007 25 §(3)",
    LegalBasis.SAFETY_INFORMATION_LUKIO: "Lukiolaki 714/2018 58 §",
    LegalBasis.SAFETY_INFORMATION_VOCATIONAL: "Laki ammatillisesta koulutuksesta 531/2017 109 §",
    LegalBasis.COMPULSORY_EDUCATION_TRANSFER: "Oppivelvollisuuslaki 1214/2020 23 §(3)-(4)",
}
