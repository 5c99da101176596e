"""Expression-of-will operations of a session: consents, refusals, withdrawals, capacity
assessments and § 18(2) vetoes (*tahdonilmaisut*, kept in the register, § 21(1)).

Each is decided by the rules, checked against whose will counts, and saved append-only with
its audit entry in one transaction.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable
from typing import Any

import attrs

from welfarekit._session_parts import SessionParts
from welfarekit.access import Action, Resource, ResourceType
from welfarekit.errors import AccessDenied, ConsentRequired, IntegrityError, InvalidValue
from welfarekit.model import (
    COUNTY_ROLES,
    CapacityAssessment,
    ConsentPurpose,
    Evidence,
    EvidenceMethod,
    ExpressionOfWill,
    GuardianVeto,
    PersonKind,
    PersonRef,
    WillKind,
    Withdrawal,
)
from welfarekit.rules import (
    Facts,
    consent_authority,
    consent_requirement,
    current_will,
)

__all__ = ["WillHistory", "WillMixin"]


@attrs.frozen
class WillHistory:
    """A student's expressions of will and everything that changed them, in the order they
    were recorded; nothing is ever removed (§ 21(1))."""

    expressions: tuple[ExpressionOfWill, ...]
    withdrawals: tuple[Withdrawal, ...]
    assessments: tuple[CapacityAssessment, ...]
    vetoes: tuple[GuardianVeto, ...]


class WillMixin(SessionParts):
    """The expression-of-will operations of :class:`~welfarekit.session.Session`."""

    # -- expressions of will (tahdonilmaisut) ------------------------------------------------

    def _resource(self, student_id: str, record_id: str | None = None) -> Resource:
        return Resource(
            type=ResourceType.EXPRESSION_OF_WILL,
            provider_id=self.actor.provider_id,
            id=record_id,
            student_id=student_id,
        )

    def _evidence(self, method: EvidenceMethod | str) -> Evidence:
        if self.actor.person is None:
            raise IntegrityError("an expression of will is recorded by a person, not a system")
        return Evidence(recorded_by=self.actor.person, recorded_at=self.now, method=method)

    def _write(
        self,
        student_id: str,
        record_id: str,
        check: Callable[[Facts], None],
        entity: Callable[[], Any],
    ) -> Any:
        """Decide, check, save and audit in one transaction: all or nothing."""
        with self._transaction() as tx:
            decision, facts = self._decide(
                tx, Action.WRITE, self._resource(student_id, record_id), None
            )
            if not decision.allowed or facts is None:
                raise AccessDenied(decision)
            check(facts)
            saved = entity()
            tx.save(saved)
            return saved

    def record_expression_of_will(
        self,
        *,
        student_id: str,
        grantor: Any,
        kind: WillKind | str,
        purpose: ConsentPurpose | str,
        validity: Any,
        method: EvidenceMethod | str,
        group_id: str | None = None,
        covers: Iterable[Any] = (),
        covers_roles: Iterable[Any] = (),
        recipient: str | None = None,
        written_and_specific: bool = False,
        record_id: str | None = None,
    ) -> ExpressionOfWill:
        """Record a consent or refusal (*tahdonilmaisu*) given by ``grantor``.

        The actor records it: the grantor in person, or a staff member who heard it (the
        evidence says who and how). A consent from someone whose will does not count is
        refused with :class:`~welfarekit.errors.ConsentRequired` naming who must give it:
        the student's, or the guardian's when a professional has assessed that the student
        cannot assess the meaning of consent (OHL § 14(4), § 19).
        """
        record_id = record_id or uuid.uuid4().hex
        expression = ExpressionOfWill(
            id=record_id, provider_id=self.actor.provider_id, student_id=student_id,
            grantor=grantor, kind=kind, purpose=purpose, group_id=group_id, covers=covers,
            covers_roles=covers_roles, recipient=recipient, validity=validity,
            written_and_specific=written_and_specific, evidence=self._evidence(method),
        )  # fmt: skip

        def check(facts: Facts) -> None:
            assert facts.student is not None
            person = self.actor.person
            own_will_only = person is not None and person.kind in (
                PersonKind.STUDENT,
                PersonKind.GUARDIAN,
            )
            if own_will_only and person != expression.grantor:
                raise IntegrityError("a student or guardian records only their own will")
            if expression.purpose is ConsentPurpose.GUARDIAN_ACCESS:
                if facts.student.student.is_minor_on(facts.today):
                    raise IntegrityError(
                        "a guardian of a minor has access already; the student's permission "
                        "matters from their 18th birthday"
                    )
                return
            authority = consent_authority(facts.student, facts.now)
            if expression.grantor not in authority.grantors:
                requirement = consent_requirement(
                    facts.student, expression.purpose, facts.now,
                    group_id=expression.group_id, recipient=expression.recipient,
                )  # fmt: skip
                if requirement is None:  # a consent is in force already, but not theirs
                    raise IntegrityError(f"{expression.grantor}: {authority.reason}")
                raise ConsentRequired(attrs.evolve(requirement, reason=authority.reason))

        saved: ExpressionOfWill = self._write(student_id, record_id, check, lambda: expression)
        return saved

    def withdraw(
        self,
        *,
        student_id: str,
        record_id: str,
        method: EvidenceMethod | str,
        withdrawn_by: PersonRef | None = None,
        withdrawal_id: str | None = None,
    ) -> Withdrawal:
        """Withdraw a consent or refusal, or lift a § 18(2) veto, from now on.

        A withdrawal is the will of the person who expressed it, or of whoever's will counts
        now; a veto is lifted by the student or by a welfare professional working with the
        student. A student or guardian withdraws their own; staff who record someone's
        withdrawal (heard in a meeting, on a paper form) name whose it is in
        ``withdrawn_by``, and the evidence says who recorded it and how. Nothing done before
        is undone or erased.
        """
        withdrawal_id = withdrawal_id or uuid.uuid4().hex
        person = self.actor.person
        evidence = self._evidence(method)
        assert person is not None  # _evidence refuses a system actor
        if withdrawn_by is not None and not isinstance(withdrawn_by, PersonRef):
            raise InvalidValue("withdrawn_by", "must be a PersonRef")
        recorder_is_staff = person.kind is PersonKind.STAFF
        if not recorder_is_staff and withdrawn_by not in (None, person):
            raise IntegrityError("a student or guardian withdraws only their own will")
        whose = withdrawn_by or person

        def check(facts: Facts) -> None:
            student = facts.student
            assert student is not None
            records: list[ExpressionOfWill | GuardianVeto] = [*student.expressions, *student.vetoes]
            target = next((r for r in records if r.id == record_id), None)
            if target is None:
                raise IntegrityError(f"no expression of will or veto {record_id!r} for the student")
            if student.withdrawn_at(record_id) is not None:
                raise IntegrityError(f"{record_id!r} was withdrawn already")
            if isinstance(target, GuardianVeto):
                # the student, or the professional whose assessment it rests on or another
                # working with the student (the rules allowed the actor to write it)
                allowed = whose == student.student.ref or (
                    whose == person and _is_welfare_professional(facts)
                )
            else:
                if recorder_is_staff and withdrawn_by is None:
                    raise IntegrityError(
                        "staff record a withdrawal on someone's behalf: name whose will it is "
                        "(withdrawn_by: the person who expressed it, or whoever's will counts "
                        "now)"
                    )
                authority = consent_authority(student, facts.now).grantors
                allowed = whose in (target.grantor, *authority)
            if not allowed:
                raise IntegrityError(
                    f"{whose} cannot withdraw it: only the person who expressed it or whoever's "
                    "will counts now withdraws a consent or refusal, and a § 18(2) veto is "
                    "lifted by the student or a welfare professional"
                )

        def entity() -> Withdrawal:
            return Withdrawal(
                id=withdrawal_id, provider_id=self.actor.provider_id, student_id=student_id,
                withdraws=record_id, by=whose, evidence=evidence,
            )  # fmt: skip

        saved: Withdrawal = self._write(student_id, withdrawal_id, check, entity)
        return saved

    def record_capacity_assessment(
        self, *, student_id: str, can_assess: bool, assessment_id: str | None = None
    ) -> CapacityAssessment:
        """Record the actor's assessment of whether the student can assess the meaning of
        consent (OHL § 14(4), § 19(1)). Only a social or health care professional of the
        welfare staff records one."""
        assessment_id = assessment_id or uuid.uuid4().hex
        person = self.actor.person

        def check(facts: Facts) -> None:
            if not _is_welfare_professional(facts):
                raise IntegrityError(
                    "a capacity assessment is made by a social or health care professional "
                    "of the welfare staff"
                )

        def entity() -> CapacityAssessment:
            assert person is not None
            return CapacityAssessment(
                id=assessment_id, provider_id=self.actor.provider_id, student_id=student_id,
                can_assess=can_assess, assessed_by=person, assessed_at=self.now,
            )  # fmt: skip

        saved: CapacityAssessment = self._write(student_id, assessment_id, check, entity)
        return saved

    def record_guardian_veto(
        self,
        *,
        student_id: str,
        participation: bool,
        access: bool,
        method: EvidenceMethod | str,
        guardian_ids: Iterable[str] = (),
        veto_id: str | None = None,
    ) -> GuardianVeto:
        """Record a minor's § 18(2) prohibition of a guardian's participation or access,
        which the actor, a social or health care professional of the welfare staff, has
        assessed: the reason is weighty and the veto not clearly against the minor's
        interest."""
        veto_id = veto_id or uuid.uuid4().hex
        person = self.actor.person
        evidence = self._evidence(method)

        def check(facts: Facts) -> None:
            assert facts.student is not None
            if not _is_welfare_professional(facts):
                raise IntegrityError(
                    "a § 18(2) veto is assessed and recorded by a social or health care "
                    "professional of the welfare staff"
                )
            if not facts.student.student.is_minor_on(facts.today):
                raise IntegrityError("a § 18(2) veto is a minor's; an adult decides alone")

        def entity() -> GuardianVeto:
            assert person is not None
            return GuardianVeto(
                id=veto_id, provider_id=self.actor.provider_id, student_id=student_id,
                guardian_ids=frozenset(guardian_ids), participation=participation,
                access=access, assessed_by=person, evidence=evidence,
            )  # fmt: skip

        saved: GuardianVeto = self._write(student_id, veto_id, check, entity)
        return saved

    def will_history(self, student_id: str) -> WillHistory:
        """The student's expressions of will with their whole history (audited read)."""
        with self._transaction() as tx:
            decision, facts = self._decide(tx, Action.LIST, self._resource(student_id), None)
            if not decision.allowed or facts is None or facts.student is None:
                raise AccessDenied(decision)
            student = facts.student

            def order(r: Any) -> dt.datetime:
                at: dt.datetime = getattr(r, "assessed_at", None) or r.evidence.recorded_at
                return at

            return WillHistory(
                expressions=tuple(sorted(student.expressions, key=order)),
                withdrawals=tuple(sorted(student.withdrawals, key=order)),
                assessments=tuple(sorted(student.assessments, key=order)),
                vetoes=tuple(sorted(student.vetoes, key=order)),
            )

    def require_consent(
        self,
        *,
        student_id: str,
        purpose: ConsentPurpose | str,
        group_id: str | None = None,
        recipient: str | None = None,
    ) -> ExpressionOfWill:
        """The consent in force for the purpose, or :class:`~welfarekit.errors.ConsentRequired`
        naming whose consent it takes and in what form."""
        wanted = ConsentPurpose(purpose)
        with self._transaction() as tx:
            decision, facts = self._decide(tx, Action.READ, self._resource(student_id), None)
            if not decision.allowed or facts is None or facts.student is None:
                raise AccessDenied(decision)
            requirement = consent_requirement(
                facts.student, wanted, facts.now, group_id=group_id, recipient=recipient
            )
            if requirement is not None:
                raise ConsentRequired(requirement)
            will = current_will(facts.student, wanted, facts.now, group_id=group_id,
                                recipient=recipient)  # fmt: skip
            assert will is not None
            return will


def _is_welfare_professional(facts: Facts) -> bool:
    staff = facts.actor.staff
    return staff is not None and bool(staff.roles & COUNTY_ROLES)
