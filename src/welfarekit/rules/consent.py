"""Whose consent counts, which consents are in force, and what the guardian may see.

Pure functions over :class:`~welfarekit.rules.facts.StudentFacts`; no I/O. Each rule cites
the section of the Pupil and Student Welfare Act 1287/2013 (OHL) it encodes.
"""

from __future__ import annotations

import datetime as dt

import attrs

from welfarekit.clock import today_in_finland
from welfarekit.model import (
    SPECIFIC_WRITTEN_PURPOSES,
    ConsentPurpose,
    ExpressionOfWill,
    GuardianshipKind,
    GuardianVeto,
    Membership,
    PersonKind,
    PersonRef,
    Role,
    WillKind,
)
from welfarekit.rules.facts import StudentFacts

__all__ = [
    "ConsentAuthority",
    "ConsentRequirement",
    "Finding",
    "consent_authority",
    "consent_in_force",
    "consent_requirement",
    "current_will",
    "guardian_entitled",
    "membership_covered",
    "veto_in_force",
]


@attrs.frozen
class Finding:
    """The outcome of one rule: whether it holds, why, and on what basis."""

    holds: bool
    reason: str
    basis: str | None = None

    def __bool__(self) -> bool:
        return self.holds


@attrs.frozen
class ConsentAuthority:
    """Whose consent counts for the student now."""

    grantors: tuple[PersonRef, ...]
    student_decides: bool
    reason: str


def consent_authority(facts: StudentFacts, now: dt.datetime) -> ConsentAuthority:
    """Consent is the student's own unless the newest recorded capacity assessment says the
    student cannot assess its meaning; then it is the guardian's (of a minor) or the legal
    representative's (OHL § 14(4), § 19(1), § 19(2)). There is no fixed age."""
    # Every consent rule asks this, several times in one decision: derived once per facts
    # and moment (equal datetimes are the same instant, and only the instant counts here).
    derived = facts._derived
    key = (_AUTHORITY, now)
    found: ConsentAuthority | None = derived.get(key)
    if found is None:
        if len(derived) >= _MOMENTS_KEPT:
            derived.clear()  # a snapshot asked about ever new moments keeps only the latest
        found = derived[key] = _consent_authority(facts, now)
    return found


_AUTHORITY = "consent authority"
_MOMENTS_KEPT = 16


def _consent_authority(facts: StudentFacts, now: dt.datetime) -> ConsentAuthority:
    student = facts.student
    assessments = [a for a in facts.assessments if a.assessed_at <= now]
    latest = max(assessments, key=lambda a: a.assessed_at, default=None)
    if latest is None or latest.can_assess:
        return ConsentAuthority(
            (student.ref,),
            student_decides=True,
            reason="the student's own consent counts (OHL § 14(4), § 19(1))",
        )
    today = today_in_finland(now)
    minor = student.is_minor_on(today)
    representatives = tuple(
        PersonRef(PersonKind.GUARDIAN, link.guardian_id)
        for link in facts.guardianships
        if link.validity.contains(today)
        and (minor or link.kind is GuardianshipKind.LEGAL_REPRESENTATIVE)
    )
    return ConsentAuthority(
        representatives,
        student_decides=False,
        reason=(
            "a professional assessed that the student cannot assess the meaning of consent, "
            "so the guardian's or legal representative's consent counts (OHL § 14(4), § 19)"
        ),
    )


def _in_force(record: ExpressionOfWill, facts: StudentFacts, now: dt.datetime) -> bool:
    if record.evidence.recorded_at > now:
        return False
    if not record.validity.contains(today_in_finland(now)):
        return False
    withdrawn = facts.withdrawn_at(record.id)
    return withdrawn is None or withdrawn > now


def current_will(
    facts: StudentFacts,
    purpose: ConsentPurpose,
    now: dt.datetime,
    *,
    group_id: str | None = None,
    recipient: str | None = None,
) -> ExpressionOfWill | None:
    """The newest expression of will in force for the purpose (and group or recipient),
    from someone whose will counts now; a refusal newer than a consent wins.

    A withdrawal stops a record from its moment on and erases nothing (§ 21(1))."""
    if purpose is ConsentPurpose.GUARDIAN_ACCESS:
        grantors: tuple[PersonRef, ...] = (facts.student.ref,)
    else:
        grantors = consent_authority(facts, now).grantors
    candidates = [
        record
        for record in facts.expressions
        if record.purpose is purpose
        and (group_id is None or record.group_id == group_id)
        and (recipient is None or record.recipient == recipient)
        and record.grantor in grantors
        and _in_force(record, facts, now)
    ]
    return max(candidates, key=lambda r: r.evidence.recorded_at, default=None)


def consent_in_force(
    facts: StudentFacts,
    purpose: ConsentPurpose,
    now: dt.datetime,
    *,
    group_id: str | None = None,
    recipient: str | None = None,
) -> Finding:
    """Whether a consent for the purpose is in force, with the reason when it is not: the
    newest expression of will of whoever's consent counts now (the student's, or after a
    capacity assessment the guardian's or legal representative's, OHL § 14(4), § 19(1)),
    within its validity and not withdrawn (withdrawal works from then on, § 21(1)); for a
    disclosure, naming the recipient (§ 22(2))."""
    will = current_will(facts, purpose, now, group_id=group_id, recipient=recipient)
    what = purpose.value.replace("_", " ")
    if will is None:
        return Finding(False, f"no consent in force for {what}")
    if will.kind is WillKind.REFUSAL:
        return Finding(False, f"{what} was refused by {will.grantor}")
    return Finding(True, f"consent for {what} given by {will.grantor}", _PURPOSE_BASIS[purpose])


PURPOSE_BASIS = _PURPOSE_BASIS = {
    ConsentPurpose.FORM_EXPERT_GROUP: "OHL § 14(4), § 19(1)",
    ConsentPurpose.NAME_MEMBERS: "OHL § 14(4)",
    ConsentPurpose.OUTSIDE_PARTICIPANT: "OHL § 19(2)",
    ConsentPurpose.DISCLOSURE: "OHL § 22(2)",
    ConsentPurpose.TRANSFER: "OHL § 23(3)",
    ConsentPurpose.GUARDIAN_ACCESS: "the adult student's consent (DOMAIN.md § 4)",
}


def veto_in_force(
    facts: StudentFacts, guardian_id: str, now: dt.datetime, *, access: bool
) -> GuardianVeto | None:
    """A § 18(2) veto in force against this guardian, of access (``access=True``) or of
    participation (``access=False``). It binds while the student is a minor."""
    if not facts.student.is_minor_on(today_in_finland(now)):
        return None
    for veto in facts.vetoes:
        forbids = veto.access if access else veto.participation
        withdrawn = facts.withdrawn_at(veto.id)
        if (
            forbids
            and veto.concerns(guardian_id)
            and veto.evidence.recorded_at <= now
            and (withdrawn is None or withdrawn > now)
        ):
            return veto
    return None


def guardian_entitled(facts: StudentFacts, guardian_id: str, now: dt.datetime) -> Finding:
    """May this guardian see the student's welfare data now?

    A guardian acts for a minor (OHL § 18; JulkL 11 §), unless the minor has forbidden it
    for a weighty reason (§ 18(2)). The right ends on the student's 18th birthday unless the
    adult student allows it; a legal representative keeps it for an adult who was assessed
    unable to assess consent."""
    today = today_in_finland(now)
    links = [
        link
        for link in facts.guardianships
        if link.guardian_id == guardian_id and link.validity.contains(today)
    ]
    if not links:
        return Finding(False, "not a guardian of the student (no guardianship in force)")
    student = facts.student
    if student.is_minor_on(today):
        if veto_in_force(facts, guardian_id, now, access=True) is not None:
            return Finding(
                False,
                "the student has forbidden giving their welfare data to this guardian "
                "(OHL § 18(2), assessed by a social or health care professional)",
            )
        return Finding(True, "guardian of a minor student", "OHL § 18; JulkL 11 §")
    representative = any(link.kind is GuardianshipKind.LEGAL_REPRESENTATIVE for link in links)
    if representative and not consent_authority(facts, now).student_decides:
        return Finding(
            True,
            "legal representative of a student assessed unable to assess consent",
            "OHL § 18, § 19",
        )
    opt_in = current_will(facts, ConsentPurpose.GUARDIAN_ACCESS, now)
    guardian = PersonRef(PersonKind.GUARDIAN, guardian_id)
    if opt_in is not None and opt_in.kind is WillKind.CONSENT and guardian in opt_in.covers:
        return Finding(True, "the adult student allows this guardian to see their data")
    birthday = _eighteenth_birthday(student.date_of_birth)
    return Finding(
        False,
        f"the student turned 18 on {birthday.isoformat()}: a guardian's access ended then, "
        "unless the student allows it",
    )


def _eighteenth_birthday(born: dt.date) -> dt.date:
    try:
        return born.replace(year=born.year + 18)
    except ValueError:  # born on 29 February
        return dt.date(born.year + 18, 3, 1)


def membership_covered(facts: StudentFacts, membership: Membership, now: dt.datetime) -> Finding:
    """Does consent cover this member of the student's expert group now?

    Processing in the group rests on the consent to form it (§ 14(4), § 19(1)); experts sit
    in it only as that consent, or a later one naming members, covers them; an outside
    participant or a person close to the student only with specific written consent
    (§ 19(2)); a guardian of a minor takes part unless the minor forbade it (§ 18(2))."""
    group_id = membership.group_id
    formed = consent_in_force(facts, ConsentPurpose.FORM_EXPERT_GROUP, now, group_id=group_id)
    if not formed:
        return Finding(False, f"the expert group has no basis: {formed.reason}")
    member, role = membership.member, membership.role
    if member.kind is PersonKind.STUDENT:
        return Finding(True, "the student themself", formed.basis)
    if member.kind is PersonKind.GUARDIAN:
        if veto_in_force(facts, member.id, now, access=False) is not None:
            return Finding(False, "the student has forbidden this guardian's participation "
                           "(OHL § 18(2))")  # fmt: skip
        if facts.student.is_minor_on(today_in_finland(now)):
            return Finding(True, "guardian of a minor student", "OHL § 18")
    if member.kind is PersonKind.EXTERNAL or role in (
        Role.OUTSIDE_PARTICIPANT,
        Role.PERSON_CLOSE_TO_STUDENT,
    ):
        outside = _covering(
            facts, ConsentPurpose.OUTSIDE_PARTICIPANT,
            group_id=group_id, member=member, role=role, now=now,
        )  # fmt: skip
        if outside is None:
            return Finding(
                False, "an outside participant needs the student's specific written consent "
                "naming them (OHL § 19(2))",
            )  # fmt: skip
        return Finding(True, "named in a specific written consent", "OHL § 19(2)")
    for purpose in (ConsentPurpose.FORM_EXPERT_GROUP, ConsentPurpose.NAME_MEMBERS):
        if _covering(facts, purpose, group_id=group_id, member=member, role=role, now=now):
            return Finding(True, "a member the consent covers", "OHL § 14(4), § 19(1)")
    return Finding(False, "the consent does not cover this member (OHL § 14(4))")


def _covering(
    facts: StudentFacts,
    purpose: ConsentPurpose,
    *,
    group_id: str,
    member: PersonRef,
    role: Role,
    now: dt.datetime,
) -> ExpressionOfWill | None:
    grantors = consent_authority(facts, now).grantors
    for record in facts.expressions:
        if (
            record.purpose is purpose
            and record.kind is WillKind.CONSENT
            and record.group_id == group_id
            and record.grantor in grantors
            and (member in record.covers or role in record.covers_roles)
            and _in_force(record, facts, now)
            and not _refused_later(facts, record, now)
        ):
            return record
    return None


def _refused_later(facts: StudentFacts, consent: ExpressionOfWill, now: dt.datetime) -> bool:
    """A later refusal of the same purpose for the same group, by someone whose will
    counts, overrides a consent."""
    grantors = consent_authority(facts, now).grantors
    return any(
        other.kind is WillKind.REFUSAL
        and other.grantor in grantors
        and other.purpose is consent.purpose
        and other.group_id == consent.group_id
        and other.evidence.recorded_at > consent.evidence.recorded_at
        and _in_force(other, facts, now)
        for other in facts.expressions
    )


@attrs.frozen(kw_only=True)
class ConsentRequirement:
    """Whose consent an operation takes, for what, and in what form."""

    student_id: str
    purpose: ConsentPurpose
    grantors: tuple[PersonRef, ...]
    written_and_specific: bool
    group_id: str | None = None
    recipient: str | None = None
    reason: str = ""

    def describe(self) -> str:
        who = " or ".join(str(g) for g in self.grantors) or "a guardian or legal representative"
        what = self.purpose.value.replace("_", " ")
        target = f" for group {self.group_id!r}" if self.group_id else ""
        to = f" to {self.recipient!r}" if self.recipient else ""
        form = "specific written " if self.written_and_specific else ""
        basis = _PURPOSE_BASIS[self.purpose]
        tail = f"; {self.reason}" if self.reason else ""
        return f"needs the {form}consent of {who}: {what}{target}{to} ({basis}){tail}"


def consent_requirement(
    facts: StudentFacts,
    purpose: ConsentPurpose,
    now: dt.datetime,
    *,
    group_id: str | None = None,
    recipient: str | None = None,
) -> ConsentRequirement | None:
    """``None`` when a consent for the purpose is in force; otherwise what it would take:
    whose consent (OHL § 14(4), § 19(1)), and whether it must be specific and written
    (outside participants § 19(2), disclosures § 22(2))."""
    found = consent_in_force(facts, purpose, now, group_id=group_id, recipient=recipient)
    if found:
        return None
    if purpose is ConsentPurpose.GUARDIAN_ACCESS:
        grantors: tuple[PersonRef, ...] = (facts.student.ref,)
    else:
        grantors = consent_authority(facts, now).grantors
    return ConsentRequirement(
        student_id=facts.student.id,
        purpose=purpose,
        grantors=grantors,
        written_and_specific=purpose in SPECIFIC_WRITTEN_PURPOSES,
        group_id=group_id,
        recipient=recipient,
        reason=found.reason,
    )
