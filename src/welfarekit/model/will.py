"""Expressions of will (*tahdonilmaisut*): consents, refusals, withdrawals, capacity
assessments and § 18(2) vetoes.

They are kept in the student welfare register (§ 21(1) as amended by 377/2022) and are never
overwritten: a change of mind is a new record (a refusal, or a :class:`Withdrawal` that stops
what follows and erases nothing). The shape follows FHIR R5 ``Consent``: a subject (the
student), a grantor, a purpose, what it covers, a validity period and its evidence.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable

import attrs

from welfarekit.model._validate import (
    aware_datetime,
    coerce_enum,
    fail,
    identifier,
    instance_of,
    member_of,
    optional_identifier,
    optional_text,
)
from welfarekit.model.people import PersonKind, PersonRef, Role, to_identifiers, to_roles
from welfarekit.model.period import Period

__all__ = [
    "SPECIFIC_WRITTEN_PURPOSES",
    "CapacityAssessment",
    "ConsentPurpose",
    "Evidence",
    "EvidenceMethod",
    "ExpressionOfWill",
    "GuardianVeto",
    "WillKind",
    "Withdrawal",
]


class WillKind(enum.StrEnum):
    CONSENT = "consent"
    """*suostumus*"""
    REFUSAL = "refusal"
    """*kieltäytyminen*: a refusal stands until a later consent replaces it."""


def to_will_kind(value: WillKind | str) -> WillKind:
    return coerce_enum(WillKind, value)


class ConsentPurpose(enum.StrEnum):
    """What an expression of will is about."""

    FORM_EXPERT_GROUP = "form_expert_group"
    """Forming a case expert group and handling the matter in it (§ 14(4), § 19(1))."""
    NAME_MEMBERS = "name_members"
    """Naming further experts as members of an existing expert group (§ 14(4))."""
    OUTSIDE_PARTICIPANT = "outside_participant"
    """A cooperation partner or a person close to the student taking part (§ 19(2)):
    specific and written."""
    DISCLOSURE = "disclosure"
    """Giving welfare data to a named recipient outside the student's welfare (§ 22(2)):
    specific and written."""
    TRANSFER = "transfer"
    """Transferring welfare records to a new education provider (§ 23(3))."""
    GUARDIAN_ACCESS = "guardian_access"
    """An adult student lets a guardian keep seeing their welfare data (the practice of
    the school systems, DOMAIN.md § 4); only the student can give it."""


def to_purpose(value: ConsentPurpose | str) -> ConsentPurpose:
    return coerce_enum(ConsentPurpose, value)


SPECIFIC_WRITTEN_PURPOSES = frozenset(
    {ConsentPurpose.OUTSIDE_PARTICIPANT, ConsentPurpose.DISCLOSURE}
)
"""Purposes whose consent must be specific and written (*yksilöity kirjallinen*,
§ 19(2), § 22(2))."""

_GROUP_PURPOSES = frozenset(
    {
        ConsentPurpose.FORM_EXPERT_GROUP,
        ConsentPurpose.NAME_MEMBERS,
        ConsentPurpose.OUTSIDE_PARTICIPANT,
    }
)
_RECIPIENT_PURPOSES = frozenset({ConsentPurpose.DISCLOSURE, ConsentPurpose.TRANSFER})


class EvidenceMethod(enum.StrEnum):
    WRITTEN = "written"
    """A signed document (paper or scanned)."""
    ELECTRONIC = "electronic"
    """Given by the person in the service after authentication; counts as written."""
    ORAL = "oral"
    """Said to a staff member, who recorded it; never counts as written."""


def to_evidence_method(value: EvidenceMethod | str) -> EvidenceMethod:
    return coerce_enum(EvidenceMethod, value)


def _staff_ref(instance: object, attribute: attrs.Attribute[PersonRef], value: object) -> None:
    if not isinstance(value, PersonRef) or value.kind is not PersonKind.STAFF:
        raise fail(instance, attribute, "must be a staff member (PersonRef of kind staff)")


@attrs.frozen(kw_only=True)
class Evidence:
    """Who recorded an expression of will, when and how."""

    recorded_by: PersonRef = attrs.field(validator=instance_of(PersonRef))
    recorded_at: dt.datetime = attrs.field(validator=aware_datetime)
    method: EvidenceMethod = attrs.field(
        converter=to_evidence_method, validator=member_of(EvidenceMethod)
    )

    @property
    def is_written(self) -> bool:
        return self.method is not EvidenceMethod.ORAL


def _refs(value: Iterable[PersonRef]) -> frozenset[PersonRef]:
    return frozenset(value) if isinstance(value, Iterable) else value


@attrs.frozen(kw_only=True)
class ExpressionOfWill:
    """A consent or refusal by the student, or by a guardian or legal representative when
    the student cannot assess its meaning (§ 14(4), § 19)."""

    id: str = attrs.field(validator=identifier)
    provider_id: str = attrs.field(validator=identifier)
    student_id: str = attrs.field(validator=identifier)
    grantor: PersonRef = attrs.field(validator=instance_of(PersonRef))
    """The student, or a guardian / legal representative."""
    kind: WillKind = attrs.field(converter=to_will_kind, validator=member_of(WillKind))
    purpose: ConsentPurpose = attrs.field(converter=to_purpose, validator=member_of(ConsentPurpose))
    group_id: str | None = attrs.field(default=None, validator=optional_identifier)
    """The case expert group concerned, for the group purposes."""
    covers: frozenset[PersonRef] = attrs.field(default=frozenset(), converter=_refs)
    """Named people the consent covers (members, outside participants, guardians)."""
    covers_roles: frozenset[Role] = attrs.field(default=frozenset(), converter=to_roles)
    """Roles the consent covers ("the school psychologist"), for the group purposes."""
    recipient: str | None = attrs.field(default=None, validator=optional_text(200))
    """The named recipient of a disclosure, or the new provider of a transfer."""
    validity: Period = attrs.field(validator=instance_of(Period))
    written_and_specific: bool = attrs.field(default=False, validator=instance_of(bool))
    evidence: Evidence = attrs.field(validator=instance_of(Evidence))

    @grantor.validator
    def _grantor_kind(self, attribute: attrs.Attribute[PersonRef], value: PersonRef) -> None:
        if value.kind not in (PersonKind.STUDENT, PersonKind.GUARDIAN):
            raise fail(self, attribute, "is the student, or a guardian or legal representative")
        if value.kind is PersonKind.STUDENT and value.id != self.student_id:
            raise fail(self, attribute, "a student expresses their will only about themself")

    @covers.validator
    def _covers(self, attribute: attrs.Attribute[frozenset[PersonRef]], value: object) -> None:
        if not isinstance(value, frozenset) or not all(isinstance(v, PersonRef) for v in value):
            raise fail(self, attribute, "must be a collection of PersonRef")

    @evidence.validator
    def _purpose_shape(self, attribute: attrs.Attribute[Evidence], evidence: Evidence) -> None:
        purpose, consent = self.purpose, self.kind is WillKind.CONSENT
        if purpose in _GROUP_PURPOSES and self.group_id is None:
            raise fail(self, attrs.fields(ExpressionOfWill).group_id, "names the expert group")
        if purpose in _RECIPIENT_PURPOSES and self.recipient is None:
            raise fail(
                self, attrs.fields(ExpressionOfWill).recipient, "names the recipient (§ 20(5))"
            )
        if purpose in SPECIFIC_WRITTEN_PURPOSES and consent:
            specific = attrs.fields(ExpressionOfWill).written_and_specific
            if not self.written_and_specific:
                raise fail(
                    self, specific, f"a {purpose.value} consent must be specific and written"
                )
            if purpose is ConsentPurpose.OUTSIDE_PARTICIPANT and (
                not self.covers or self.covers_roles
            ):
                raise fail(
                    self,
                    attrs.fields(ExpressionOfWill).covers,
                    "an outside participant consent names the people, not roles (§ 19(2))",
                )
        if self.written_and_specific and not evidence.is_written:
            raise fail(self, attribute, "oral evidence cannot show a written consent")
        if purpose is ConsentPurpose.GUARDIAN_ACCESS:
            if self.grantor.kind is not PersonKind.STUDENT:
                raise fail(
                    self, attrs.fields(ExpressionOfWill).grantor, "only the student gives it"
                )
            if not self.covers or any(p.kind is not PersonKind.GUARDIAN for p in self.covers):
                raise fail(self, attrs.fields(ExpressionOfWill).covers, "names the guardians")


@attrs.frozen(kw_only=True)
class Withdrawal:
    """Withdraws an earlier expression of will or lifts a veto, from ``evidence.recorded_at``
    on. What was done before stays done and recorded."""

    id: str = attrs.field(validator=identifier)
    provider_id: str = attrs.field(validator=identifier)
    student_id: str = attrs.field(validator=identifier)
    withdraws: str = attrs.field(validator=identifier)
    """The id of the :class:`ExpressionOfWill` or :class:`GuardianVeto` withdrawn."""
    by: PersonRef = attrs.field(validator=instance_of(PersonRef))
    evidence: Evidence = attrs.field(validator=instance_of(Evidence))


@attrs.frozen(kw_only=True)
class CapacityAssessment:
    """A professional's recorded assessment of whether the student can assess the meaning of
    consent (§ 14(4), § 19(1)). There is no fixed age: without an assessment that says
    otherwise, consent is the student's own. The newest assessment counts."""

    id: str = attrs.field(validator=identifier)
    provider_id: str = attrs.field(validator=identifier)
    student_id: str = attrs.field(validator=identifier)
    can_assess: bool = attrs.field(validator=instance_of(bool))
    assessed_by: PersonRef = attrs.field(validator=_staff_ref)
    assessed_at: dt.datetime = attrs.field(validator=aware_datetime)


@attrs.frozen(kw_only=True)
class GuardianVeto:
    """A minor's prohibition, for a weighty reason, of the guardian's participation in their
    welfare matter or of disclosing their welfare data to the guardian (§ 18(2)).

    Recording it records that a social or health care professional on the welfare staff
    assessed the reason as weighty and the veto as not clearly against the minor's interest.
    """

    id: str = attrs.field(validator=identifier)
    provider_id: str = attrs.field(validator=identifier)
    student_id: str = attrs.field(validator=identifier)
    guardian_ids: frozenset[str] = attrs.field(default=frozenset(), converter=to_identifiers)
    """The guardians it concerns; empty means every guardian."""
    participation: bool = attrs.field(validator=instance_of(bool))
    """Forbids the guardian's participation in the welfare matter."""
    access: bool = attrs.field(validator=instance_of(bool))
    """Forbids giving the student's confidential welfare data to the guardian."""
    assessed_by: PersonRef = attrs.field(validator=_staff_ref)
    evidence: Evidence = attrs.field(validator=instance_of(Evidence))

    @access.validator
    def _forbids_something(self, attribute: attrs.Attribute[bool], value: bool) -> None:
        if not value and not self.participation:
            raise fail(self, attribute, "a veto forbids participation, access or both")

    @guardian_ids.validator
    def _guardian_ids(self, attribute: attrs.Attribute[frozenset[str]], value: object) -> None:
        if not isinstance(value, frozenset):
            raise fail(self, attribute, "must be a collection of guardian identifiers")
        for guardian_id in value:
            identifier(self, attribute, guardian_id)

    def concerns(self, guardian_id: str) -> bool:
        return not self.guardian_ids or guardian_id in self.guardian_ids
