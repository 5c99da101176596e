"""A student's transfer to a new education provider (OHL § 23(3); OppivL 23 §).

Two kinds of data go, on two different footings. The data needed to arrange the education
of a student of compulsory-education age (under 18) goes without consent (Oppivelvollisuus-
laki 1214/2020 23 §(3)); for an adult it takes the transfer consent too. The welfare
records go only with the consent of the student (or of the guardian, after a capacity
assessment) naming the receiving provider (OHL § 23(3)); each one sent writes a § 20(5)
disclosure entry. The register-responsible role prepares it; a transfer has a status
(prepared, sent, received) and keeps the receiving provider's receipt.
"""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any

import attrs

from welfarekit._session_parts import SessionParts
from welfarekit.access import Action, Resource, ResourceType
from welfarekit.errors import AccessDenied, ConsentRequired, IntegrityError, NotFound
from welfarekit.model import (
    ConsentPurpose,
    EducationProvider,
    Institution,
    NotificationTopic,
    PersonKind,
    PersonRef,
    Student,
    Transfer,
    TransferStatus,
)
from welfarekit.records import RecordTimeline, timeline_to_dict
from welfarekit.rules import LegalBasis, consent_requirement, current_will
from welfarekit.sealed import SealedDisclosure, SealedEntry, SealedRecord
from welfarekit.vault import Vault

if TYPE_CHECKING:
    from welfarekit.crypto import Keyset
    from welfarekit.storage import StorageTransaction

__all__ = ["TransferPackage", "TransfersMixin"]

TRANSFER_DISCLOSURE = "the welfare record, on transfer to a new education provider"


@attrs.frozen(kw_only=True)
class TransferPackage:
    """What goes to the new provider: the education data, and the welfare records when the
    consent covers them. The host delivers it over its own channel (a secure transfer, the
    national KOSKI service for the education data)."""

    transfer: Transfer
    education_data: dict[str, Any]
    """OppivL 23 §(3): what the new provider needs to arrange the education."""
    records: tuple[RecordTimeline, ...] = ()
    """Only with the consent naming the receiving provider (OHL § 23(3))."""

    def to_json(self) -> str:
        return json.dumps(
            {
                "transfer": {
                    "id": self.transfer.id,
                    "to_provider": self.transfer.to_provider,
                    "prepared_at": self.transfer.prepared_at.isoformat(),
                    "consent_id": self.transfer.consent_id,
                },
                "education_data": self.education_data,
                "welfare_records": [timeline_to_dict(t) for t in self.records],
            },
            ensure_ascii=False,
            indent=2,
            sort_keys=True,
        )


class TransfersMixin(SessionParts):
    """The transfer operations of :class:`~welfarekit.session.Session`."""

    if TYPE_CHECKING:  # provided by Session or another of its mixins

        def _build_timeline(
            self,
            header: SealedRecord,
            sealed: list[SealedEntry],
            disclosures: list[SealedDisclosure],
            stored_keys: Keyset | None,
        ) -> RecordTimeline: ...

    def prepare_transfer(
        self,
        *,
        student_id: str,
        to_provider: str,
        with_records: bool = False,
        transfer_id: str | None = None,
    ) -> TransferPackage:
        """Put together what goes to the new provider. ``with_records`` sends the welfare
        records along, which needs the transfer consent naming ``to_provider``; without it
        :class:`~welfarekit.errors.ConsentRequired` says whose consent it takes and nothing
        is prepared. An adult's education data also needs that consent."""
        provider_id, transfer_id = self.actor.provider_id, transfer_id or uuid.uuid4().hex
        with self._transaction() as tx:
            resource = self._transfer_resource(student_id, transfer_id, to_provider)
            decision, facts = self._decide(tx, Action.MANAGE, resource, None)
            if not decision.allowed or facts is None or facts.student is None:
                raise AccessDenied(decision)
            student = facts.student
            adult = not student.student.is_minor_on(facts.today)
            if not adult:
                # A minor's education data goes on its statutory basis, decided and audited
                # as such (OppivL 23 §(3)); an adult's on the consent checked below.
                self._require(tx, Action.DISCLOSE, resource,
                              LegalBasis.COMPULSORY_EDUCATION_TRANSFER)  # fmt: skip
            consent_id = None
            if with_records or adult:
                required = consent_requirement(student, ConsentPurpose.TRANSFER, self.now,
                                               recipient=to_provider)  # fmt: skip
                if required is not None:
                    raise ConsentRequired(required)
                will = current_will(student, ConsentPurpose.TRANSFER, self.now,
                                    recipient=to_provider)  # fmt: skip
                assert will is not None
                consent_id = will.id if with_records else None
            transfer = Transfer(
                id=transfer_id, provider_id=provider_id, student_id=student_id,
                to_provider=to_provider, prepared_at=self.now, prepared_by=self._staff(),
                consent_id=consent_id,
            )  # fmt: skip
            tx.insert(transfer)
            education = _education_data(tx, student.student)
            rows = []
            if with_records:
                for header in tx.list(SealedRecord, provider_id, student_id=student_id):
                    rows.append(self._send_record(tx, header, to_provider, consent_id))
            keys = self._vault.keyset(tx, provider_id, student_id, create=False)
        records = tuple(self._build_timeline(h, e, d, keys) for h, e, d in rows)
        return TransferPackage(transfer=transfer, education_data=education, records=records)

    def _send_record(
        self, tx: StorageTransaction, header: SealedRecord, to_provider: str, consent_id: str | None
    ) -> tuple[SealedRecord, list[SealedEntry], list[SealedDisclosure]]:
        """Audit the record's read for the transfer and write its § 20(5) entry."""
        provider_id, student_id = header.provider_id, header.student_id
        resource = Resource(type=ResourceType.WELFARE_RECORD, provider_id=provider_id,
                            id=header.id, student_id=student_id, recipient=to_provider)  # fmt: skip
        self._require(tx, Action.MANAGE, resource)
        keyset = self._vault.keyset(tx, provider_id, student_id, create=False)
        if keyset is None:
            raise NotFound("the student's keys were destroyed: the records cannot be sent")
        disclosure_id = uuid.uuid4().hex
        context = Vault.context(provider_id, student_id, "disclosure", disclosure_id)
        content = {"what": TRANSFER_DISCLOSURE, "recipient": to_provider}
        tx.save(SealedDisclosure(
            id=disclosure_id, provider_id=provider_id, record_id=header.id,
            student_id=student_id, disclosed_at=self.now, by=self._staff(), basis=None,
            consent_id=consent_id, content=Vault.seal_json(keyset, content, context),
        ))  # fmt: skip
        entries = tx.list(SealedEntry, provider_id, record_id=header.id)
        disclosures = tx.list(SealedDisclosure, provider_id, record_id=header.id)
        return header, entries, disclosures

    def mark_transfer_sent(self, transfer_id: str) -> Transfer:
        """Record that the package has left."""
        return self._move(transfer_id, TransferStatus.PREPARED, TransferStatus.SENT)

    def confirm_transfer_received(self, transfer_id: str, *, receipt: str) -> Transfer:
        """Keep the receiving provider's acknowledgement; the student is told it arrived."""
        return self._move(transfer_id, TransferStatus.SENT, TransferStatus.RECEIVED, receipt)

    def transfers(self, student_id: str) -> list[Transfer]:
        """The student's transfers, for the register-responsible role."""
        with self._transaction() as tx:
            resource = self._transfer_resource(student_id, None, None)
            self._require(tx, Action.MANAGE, resource)
            found = tx.list(Transfer, self.actor.provider_id, student_id=student_id)
        return sorted(found, key=lambda t: t.prepared_at)

    def _move(self, transfer_id: str, expected: TransferStatus, status: TransferStatus,
              receipt: str | None = None) -> Transfer:  # fmt: skip
        with self._transaction() as tx:
            transfer = tx.get(Transfer, self.actor.provider_id, transfer_id)
            if transfer is None:
                raise NotFound(f"no transfer {transfer_id!r}")
            resource = self._transfer_resource(transfer.student_id, transfer.id,
                                               transfer.to_provider)  # fmt: skip
            self._require(tx, Action.MANAGE, resource)
            if transfer.status is not expected:
                raise IntegrityError(
                    f"the transfer is {transfer.status.value}; only a {expected.value} one can "
                    f"become {status.value}"
                )
            moment = self.now
            if status is TransferStatus.SENT:
                transfer = attrs.evolve(transfer, status=status, sent_at=moment)
            else:
                transfer = attrs.evolve(transfer, status=status, received_at=moment,
                                        receipt=receipt)  # fmt: skip
                student = PersonRef(PersonKind.STUDENT, transfer.student_id)
                self._tell(tx, [student], NotificationTopic.TRANSFER_RECEIVED)
            tx.save(transfer)
        return transfer

    def _transfer_resource(self, student_id: str, transfer_id: str | None,
                           to_provider: str | None) -> Resource:  # fmt: skip
        return Resource(type=ResourceType.WELFARE_RECORD, provider_id=self.actor.provider_id,
                        id=transfer_id, student_id=student_id, recipient=to_provider)  # fmt: skip

    def _staff(self) -> PersonRef:
        person = self.actor.person
        if person is None or person.kind is not PersonKind.STAFF:
            raise IntegrityError("a transfer is prepared by staff")
        return person


def _education_data(tx: StorageTransaction, student: Student) -> dict[str, Any]:
    provider = tx.get(EducationProvider, student.provider_id, student.provider_id)
    institution = tx.get(Institution, student.provider_id, student.institution_id)
    return {
        "given_names": student.given_names,
        "family_name": student.family_name,
        "date_of_birth": student.date_of_birth.isoformat(),
        "home_municipality": student.home_municipality,
        "from_provider": provider.name if provider else student.provider_id,
        "from_institution": institution.name if institution else student.institution_id,
    }
