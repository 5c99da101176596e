"""``Session(actor)``: every operation on welfare data, asked of the rules first.

A session loads the facts a decision needs (one student's, one actor's), asks the pure
rules, lets plugins veto an allowed decision, audits the outcome in the same transaction as
the operation and raises :class:`~welfarekit.errors.AccessDenied` on a refusal.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, NoReturn

import attrs

from welfarekit.access import Action, Actor, Resource, ResourceType
from welfarekit.appointments import AppointmentsMixin
from welfarekit.audit import AuditEvent, AuditOutcome
from welfarekit.audit_chain import ChainedEvent, VerifyReport, chain, verify
from welfarekit.auditing import append_chained, emit
from welfarekit.casework import CaseworkMixin
from welfarekit.communal import CommunalMixin
from welfarekit.errors import AccessDenied, IntegrityError, InvalidValue
from welfarekit.export import SubjectExport, answer_due
from welfarekit.model import (
    Booking,
    CapacityAssessment,
    EducationProvider,
    ExpressionOfWill,
    GroupKind,
    Guardian,
    Guardianship,
    GuardianVeto,
    Institution,
    Membership,
    NotificationTopic,
    OutboxMessage,
    PersonKind,
    PersonRef,
    StaffMember,
    Student,
    WelfareGroup,
    Withdrawal,
)
from welfarekit.notify import enqueue
from welfarekit.records import RecordsMixin
from welfarekit.rules import (
    ActorFacts,
    Decision,
    Facts,
    LegalBasis,
    StudentFacts,
    apply_vetoes,
    decide,
)
from welfarekit.sealed import (
    SealedDisclosure,
    SealedEntry,
    SealedRecord,
    SealedReferral,
    StoredKeyset,
    SubjectAccessRequest,
)
from welfarekit.storage import (
    REGISTER_TYPES,
    Entity,
    StorageAdapter,
    StorageTransaction,
    entity_key,
)
from welfarekit.transfers import TransfersMixin
from welfarekit.vault import Vault
from welfarekit.welfare_plan import WelfarePlanMixin
from welfarekit.wills import WillHistory, WillMixin

__all__ = ["AccessReportEntry", "AuditTrail", "Session", "WillHistory"]


@attrs.frozen(kw_only=True)
class AccessReportEntry:
    """One access to a student's data, as the student's access report shows it."""

    at: dt.datetime
    who: str
    """``staff:<id>``, ``guardian:<id>`` … (the host resolves the name)."""
    action: str
    outcome: str
    role: str
    """In which role: the relationship that allowed it, or why it was refused."""


@attrs.frozen(kw_only=True)
class AuditTrail:
    """The provider's audit trail as the register's manager reads it (the controller's
    accountability, GDPR art. 5(2); the register of OHL § 21): the newest entries, and
    whether the whole chain verifies."""

    entries: tuple[ChainedEvent, ...]
    """The newest entries, newest first; identifiers and outcomes only, never content."""
    total: int
    """How many entries the chain holds."""
    verification: VerifyReport
    """The whole chain walked and checked, as ``welfarekit audit verify`` does (without the
    signed checkpoints, which live outside the database)."""


class Session(
    RecordsMixin,
    WillMixin,
    CaseworkMixin,
    AppointmentsMixin,
    TransfersMixin,
    CommunalMixin,
    WelfarePlanMixin,
):
    """Operations on behalf of one actor. Create it with :meth:`WelfareKit.session`.

    ``now`` fixes the clock (for tests and replays); by default each operation uses the
    current time.
    """

    def __init__(
        self,
        storage: StorageAdapter,
        hook: Any,
        actor: Actor,
        *,
        vault: Vault,
        now: dt.datetime | None = None,
    ) -> None:
        if now is not None and now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        self._vault = vault
        self._storage = storage
        self._hook = hook
        self.actor = actor
        self._now = now
        self._batch_audited: list[Decision] | None = None
        """The decisions audited inside an open :meth:`batch` (``None``: no batch open)."""
        self._batch_facts: dict[str | None, Facts] = {}
        """Facts loaded inside the open batch, by student; emptied by any write that could
        change them."""

    @property
    def now(self) -> dt.datetime:
        return self._now if self._now is not None else dt.datetime.now(dt.UTC)

    @contextmanager
    def batch(self) -> Iterator[Session]:
        """Run several operations as one transaction — the entries of a meeting, a bulk
        import — so that they are written with their audit events together, or none is,
        and the database commits once.

        Each operation is still decided and audited as on its own; the facts a decision
        needs are loaded once per student and reused until something in the batch writes
        what they are made of. Entries and other records of the register are written
        together with their audit events, in one round trip per kind, before the next
        read and at the latest when the batch ends: so a record whose key is taken already
        (an ``entry_id`` imported twice) is refused with
        :class:`~welfarekit.errors.IntegrityError` then, not at the call, and the whole
        batch rolls back — to skip what is there, read first. An error inside ends the
        batch and nothing of it is written — but what happened is still audited afterwards: every refusal, and every
        read whose data was returned (a rolled-back batch undoes writes, not reads)::

            with session.batch():
                for text in texts:
                    session.add_entry(record_id=record_id, kind="measures",
                                      event_date=day, text=text)
        """
        if self._batch_audited is not None:
            raise IntegrityError("a batch is open already in this session")
        storage = self._storage
        self._batch_audited, self._batch_facts = [], {}
        try:
            with storage.transaction() as raw:
                tx = _BatchTransaction(raw, changed=self._batch_facts.clear)
                self._storage = _InOneTransaction(storage, tx)
                try:
                    yield self
                finally:
                    self._storage = storage
                tx.write_held()
        except BaseException:
            audited, self._batch_audited = self._batch_audited, None
            happened = [d for d in audited if not d.allowed or d.action in _READS]
            if happened:
                with storage.transaction() as again:
                    for decision in happened:
                        self._audit(again, decision)
            raise
        finally:
            self._batch_audited, self._batch_facts = None, {}

    # -- decisions ----------------------------------------------------------------------------

    @contextmanager
    def _transaction(self) -> Iterator[StorageTransaction]:
        """One operation's transaction: all of it or nothing, and a refusal is still
        audited. An :class:`~welfarekit.errors.AccessDenied` raised inside rolls back what
        the operation had written (a reschedule that booked the new slot and was then
        refused the cancellation keeps neither), then writes the refusal's audit entry on
        its own and raises. Inside :meth:`batch` the batch decides: a refusal that leaves
        the batch rolls it back, and the batch audits its refusals."""
        if self._batch_audited is not None:
            with self._storage.transaction() as tx:
                yield tx
            return
        refused: AccessDenied | None = None
        try:
            with self._storage.transaction() as tx:
                yield tx
        except AccessDenied as error:
            refused = error
        if refused is not None:
            # the sinks were told of the refusal when it was decided; the chain keeps it now
            with self._storage.transaction() as tx:
                self._audit(tx, refused.decision, forward=False)
            raise refused

    def decide(
        self, action: Action, resource: Resource, *, basis: LegalBasis | None = None
    ) -> Decision:
        """The decision, audited; plugins may have vetoed it. Does not raise on a refusal."""
        with self._storage.transaction() as tx:
            decision, _ = self._decide(tx, action, resource, basis)
            return decision

    def require(
        self, action: Action, resource: Resource, *, basis: LegalBasis | None = None
    ) -> Decision:
        """The decision if it allows; :class:`~welfarekit.errors.AccessDenied` otherwise."""
        decision = self.decide(action, resource, basis=basis)
        if not decision.allowed:
            raise AccessDenied(decision)
        return decision

    def _decide(
        self,
        tx: StorageTransaction,
        action: Action,
        resource: Resource,
        basis: LegalBasis | None,
    ) -> tuple[Decision, Facts | None]:
        now = self.now
        facts = self._facts(tx, resource.student_id, now)
        if facts is None:
            decision = Decision(
                allowed=False,
                reason="denied: the actor, provider or student is unknown to the directory",
                basis=None,
                actor=self.actor,
                action=action,
                resource=resource,
            )
        else:
            decision = decide(self.actor, action, resource, facts, basis=basis)
            decision = apply_vetoes(decision, self._vetoes(decision))
        self._audit(tx, decision)
        return decision, facts

    def _require(
        self,
        tx: StorageTransaction,
        action: Action,
        resource: Resource,
        basis: LegalBasis | None = None,
    ) -> tuple[Decision, Facts]:
        """Decide and audit; :class:`~welfarekit.errors.AccessDenied` on a refusal."""
        decision, facts = self._decide(tx, action, resource, basis)
        if not decision.allowed or facts is None:
            raise AccessDenied(decision)
        return decision, facts

    def _refuse(
        self, tx: StorageTransaction, action: Action, resource: Resource, reason: str
    ) -> NoReturn:
        """Refuse what the rules allow but the operation's own condition does not (only the
        responsible person forms a group): audited as a denial, then raised."""
        decision = Decision(allowed=False, reason=f"denied: {reason}", basis=None,
                            actor=self.actor, action=action, resource=resource)  # fmt: skip
        self._audit(tx, decision)
        raise AccessDenied(decision)

    def _tell(
        self,
        tx: StorageTransaction,
        who: Iterable[PersonRef],
        topic: NotificationTopic,
        *,
        include_actor: bool = False,
    ) -> None:
        """Notify each person once through the outbox, in ``tx``; not the actor, unless
        ``include_actor`` (an acknowledgement)."""
        me = self.actor.person
        for person in dict.fromkeys(who):
            if include_actor or person != me:
                enqueue(tx, self.actor.provider_id, person, topic, self.now)

    def _vetoes(self, decision: Decision) -> Iterable[tuple[str, str | None]]:
        if not decision.allowed or (decision.legal_basis and decision.legal_basis.mandatory):
            return
        for impl in self._hook.welfarekit_veto.get_hookimpls():
            try:
                reason = impl.function(
                    actor=decision.actor, action=decision.action, resource=decision.resource
                )
            except Exception as error:  # a broken policy plugin fails closed
                reason = f"the policy plugin failed ({type(error).__name__})"
            if reason is not None and not isinstance(reason, str):
                reason = "the policy plugin answered something other than a reason"
            yield impl.plugin_name, reason

    def _audit(
        self,
        tx: StorageTransaction,
        decision: Decision,
        action: str | None = None,
        *,
        forward: bool = True,
    ) -> None:
        resource = decision.resource
        event = AuditEvent(
            provider_id=resource.provider_id,
            actor=str(self.actor),
            action=action or f"{resource.type.value}.{decision.action.value}",
            resource_type=resource.type.value,
            resource_id=resource.id or resource.student_id or "*",
            student_id=resource.student_id,
            outcome=AuditOutcome.SUCCESS if decision.allowed else AuditOutcome.DENIED,
            reason=_audited_reason(decision),
        )
        if forward:
            emit(tx, self._hook, event)
        else:
            append_chained(tx, chain([event], head=tx.audit_head(event.provider_id)))
        if self._batch_audited is not None:
            self._batch_audited.append(decision)

    # -- facts ---------------------------------------------------------------------------------

    def facts(self, student_id: str | None = None) -> Facts | None:
        """The facts the rules would see now (for hosts that explain decisions)."""
        with self._storage.transaction() as tx:
            return self._facts(tx, student_id, self.now)

    def _facts(
        self, tx: StorageTransaction, student_id: str | None, now: dt.datetime
    ) -> Facts | None:
        """One actor's and (when named) one student's facts: a fixed number of indexed
        look-ups, whatever the size of the provider (once per student within a batch)."""
        if self._batch_audited is not None:
            cached = self._batch_facts.get(student_id)
            if cached is not None:
                return cached if cached.now == now else attrs.evolve(cached, now=now)
            loaded = self._load_facts(tx, student_id, now)
            if loaded is not None:
                self._batch_facts[student_id] = loaded
            return loaded
        return self._load_facts(tx, student_id, now)

    def _load_facts(
        self, tx: StorageTransaction, student_id: str | None, now: dt.datetime
    ) -> Facts | None:
        actor, provider_id = self.actor, self.actor.provider_id
        provider = tx.get(EducationProvider, provider_id, provider_id)
        if provider is None:
            return None
        person = actor.person
        record: StaffMember | Student | Guardian | None = None
        if person is not None:
            kind = _DIRECTORY_KINDS.get(person.kind)
            record = tx.get(kind, provider_id, person.id) if kind is not None else None
            if kind is not None and record is None:
                return None
        student_facts = None
        if student_id is not None:
            # a student asking about their own data was read just now
            known = record if isinstance(record, Student) and record.id == student_id else None
            student_facts = self._student_facts(tx, provider_id, student_id, known)
            if student_facts is None:
                return None
        actor_facts = ActorFacts()
        if person is not None:
            memberships, groups = _communal_memberships(tx, provider_id, person, student_facts)
            actor_facts = ActorFacts(
                staff=record if isinstance(record, StaffMember) else None,
                memberships=memberships,
                groups=groups,
            )
        return Facts(now=now, provider=provider, actor=actor_facts, student=student_facts)

    @staticmethod
    def _student_facts(
        tx: StorageTransaction, provider_id: str, student_id: str, student: Student | None = None
    ) -> StudentFacts | None:
        student = student if student is not None else tx.get(Student, provider_id, student_id)
        if student is None:
            return None
        case_groups = tuple(tx.list(WelfareGroup, provider_id, kind="case", student_id=student_id))
        institution = tx.get(Institution, provider_id, student.institution_id)
        memberships = tuple(
            m for g in case_groups for m in tx.list(Membership, provider_id, group_id=g.id)
        )
        return StudentFacts(
            student=student,
            guardianships=tuple(tx.list(Guardianship, provider_id, student_id=student_id)),
            case_groups=case_groups,
            case_memberships=memberships,
            expressions=tuple(tx.list(ExpressionOfWill, provider_id, student_id=student_id)),
            withdrawals=tuple(tx.list(Withdrawal, provider_id, student_id=student_id)),
            assessments=tuple(tx.list(CapacityAssessment, provider_id, student_id=student_id)),
            vetoes=tuple(tx.list(GuardianVeto, provider_id, student_id=student_id)),
            institution_kind=institution.kind if institution is not None else None,
            contacts=frozenset(
                [b.professional for b in tx.list(Booking, provider_id, student_id=student_id)]
                + [
                    PersonRef(PersonKind.STAFF, r.professional_id)
                    for r in tx.list(SealedReferral, provider_id, student_id=student_id)
                ]
            ),
        )

    def export_subject_data(self, student_id: str) -> SubjectExport:
        """The complete copy the student, or an entitled guardian, may have: identifying
        details, every record with its history, the expressions of will, the disclosures and
        the access report (JulkL 11-12 §, GDPR art. 15). Decided as an export and audited;
        ``.to_json()`` and ``.to_html()`` render it."""
        resource = Resource(type=ResourceType.WELFARE_RECORD, provider_id=self.actor.provider_id,
                            student_id=student_id)  # fmt: skip
        with self._transaction() as tx:
            decision, facts = self._decide(tx, Action.EXPORT, resource, None)
            if not decision.allowed or facts is None or facts.student is None:
                raise AccessDenied(decision)
            student = facts.student.student
            guardians = []
            for link in facts.student.guardianships:
                guardian = tx.get(Guardian, self.actor.provider_id, link.guardian_id)
                if guardian is not None and link.validity.contains(facts.today):
                    guardians.append((guardian, link))
        records = tuple(self.timeline(r.id) for r in self.records(student_id))
        self._mark_requests_answered(student_id)
        return SubjectExport(
            student=student, guardians=tuple(guardians), records=records,
            will=self.will_history(student_id), access_report=tuple(self.access_report(student_id)),
            made_at=self.now, made_for=str(self.actor),
            referrals=tuple(self.referrals(student_id=student_id)),
            bookings=tuple(self.bookings(student_id=student_id)),
        )  # fmt: skip

    def request_subject_access(
        self, student_id: str, *, large: bool = False, request_id: str | None = None
    ) -> SubjectAccessRequest:
        """Record the student's, or an entitled guardian's, request for a copy of the
        student's data, due in two weeks, or a month when ``large`` (JulkL 14 §(4)). Making
        the copy (:meth:`export_subject_data`) answers it."""
        resource = Resource(type=ResourceType.WELFARE_RECORD, provider_id=self.actor.provider_id,
                            student_id=student_id)  # fmt: skip
        person = self.actor.person
        with self._transaction() as tx:
            decision, facts = self._decide(tx, Action.EXPORT, resource, None)
            if not decision.allowed or facts is None or person is None:
                raise AccessDenied(decision)
            request = SubjectAccessRequest(
                id=request_id or uuid.uuid4().hex, provider_id=self.actor.provider_id,
                student_id=student_id, requested_by=person, received_on=facts.today,
                large=large, due_on=answer_due(facts.today, large=large),
            )  # fmt: skip
            tx.save(request)
        return request

    def access_requests(self, *, open_only: bool = True) -> list[SubjectAccessRequest]:
        """The provider's subject access requests and their due dates, oldest due first:
        a register management task (the register-responsible role)."""
        resource = Resource(type=ResourceType.AUDIT_LOG, provider_id=self.actor.provider_id)
        with self._transaction() as tx:
            decision, _ = self._decide(tx, Action.MANAGE, resource, None)
            if not decision.allowed:
                raise AccessDenied(decision)
            requests = tx.list(SubjectAccessRequest, self.actor.provider_id)
        chosen = [r for r in requests if not open_only or r.answered_at is None]
        return sorted(chosen, key=lambda r: (r.due_on, r.id))

    def _mark_requests_answered(self, student_id: str) -> None:
        with self._storage.transaction() as tx:
            for request in tx.list(
                SubjectAccessRequest, self.actor.provider_id, student_id=student_id
            ):
                if request.answered_at is None:
                    tx.save(attrs.evolve(request, answered_at=self.now))

    def export_fhir(self, student_id: str) -> dict[str, Any]:
        """The student's expressions of will as FHIR R5 ``Consent`` resources and the audit
        trail about them as ``AuditEvent`` resources, in one ``Bundle`` (see
        :mod:`welfarekit.fhir`), for the student or an entitled guardian; decided and
        audited as an export."""
        from welfarekit.fhir import audit_event_resource, bundle, consent_resource

        provider_id = self.actor.provider_id
        will = Resource(type=ResourceType.EXPRESSION_OF_WILL, provider_id=provider_id,
                        student_id=student_id)  # fmt: skip
        trail = Resource(type=ResourceType.AUDIT_LOG, provider_id=provider_id,
                         student_id=student_id)  # fmt: skip
        with self._transaction() as tx:
            for action, resource in ((Action.EXPORT, will), (Action.READ, trail)):
                decision, _ = self._decide(tx, action, resource, None)
                if not decision.allowed:
                    raise AccessDenied(decision)
            expressions = tx.list(ExpressionOfWill, provider_id, student_id=student_id)
            withdrawals = tx.list(Withdrawal, provider_id, student_id=student_id)
            entries = tx.audit_entries(provider_id, student_id=student_id)
        resources = [consent_resource(w, withdrawals) for w in expressions]
        resources += [audit_event_resource(e) for e in entries]
        return bundle(resources, timestamp=self.now)

    def access_report(self, student_id: str) -> list[AccessReportEntry]:
        """Who accessed the student's data: when, doing what, in which role, with what
        outcome (the student's, or an entitled guardian's, right to know; the register's
        manager may also read it). Asking is itself audited."""
        resource = Resource(type=ResourceType.AUDIT_LOG, provider_id=self.actor.provider_id,
                            student_id=student_id)  # fmt: skip
        with self._transaction() as tx:
            decision, _ = self._decide(tx, Action.READ, resource, None)
            if not decision.allowed:
                raise AccessDenied(decision)
            entries = tx.audit_entries(self.actor.provider_id, student_id=student_id)
        return [
            AccessReportEntry(
                at=e.event.occurred_at,
                who=e.event.actor,
                action=e.event.action,
                outcome=e.event.outcome.value,
                role=e.event.reason or "",
            )
            for e in entries
        ]

    def audit_trail(self, *, newest: int = 50) -> AuditTrail:
        """The provider's whole audit trail: its ``newest`` entries and the chain verified
        end to end. A register management task: the register-responsible role reads it
        (not the content of any record); asking is itself audited. It walks the whole
        chain, so a portal shows it on request rather than on every page."""
        if newest < 0:
            raise InvalidValue("newest", "must be 0 or more")
        resource = Resource(type=ResourceType.AUDIT_LOG, provider_id=self.actor.provider_id)
        with self._transaction() as tx:
            self._require(tx, Action.READ, resource)
            entries = tx.audit_entries(self.actor.provider_id)
        shown = tuple(reversed(entries[-newest:])) if newest else ()
        return AuditTrail(entries=shown, total=len(entries), verification=verify(entries))


_READS = frozenset({Action.READ, Action.LIST, Action.EXPORT})
"""Actions whose data reaches the caller at once, so that their audit entries must outlive
a batch that is rolled back afterwards."""

_FACT_NEUTRAL: tuple[type, ...] = (SealedRecord, SealedEntry, SealedDisclosure, StoredKeyset,
                                   OutboxMessage)  # fmt: skip
"""What a batch may write without changing any decision's facts (the register's sealed
content, keys, outgoing notifications); writing anything else empties the cached facts."""


_CACHED_IN_BATCH: tuple[type, ...] = (SealedRecord, StoredKeyset)
"""What a batch reads once and keeps (until it writes one of them): a record's header and a
student's keys, which every entry written to the record needs again."""


class _BatchTransaction:
    """A batch's transaction, which does less per operation than one transaction each.

    - Writes that could change a decision's facts are reported (``changed``).
    - Each provider's chain head is remembered after it was read or appended, so that
      every audit event need not read it again.
    - Records of the register (append-only) and audit events are held back and written
      together — one round trip per kind (``save_many``, ``append_audit_many``) — before
      anything else touches the database and at the latest when the batch commits. So
      the database sees the same writes in the same order before any read, and the
      audit chain is written before any content leaves a read; a key taken already is
      reported when they are written, and the batch then rolls back.
    - Record headers and keysets once read are kept until the batch writes them.

    Anything else is the wrapped transaction's, after the held-back writes."""

    def __init__(self, tx: StorageTransaction, *, changed: Callable[[], None]) -> None:
        self._tx, self._changed = tx, changed
        self._heads: dict[str, ChainedEvent | None] = {}
        self._held: list[Entity | ChainedEvent] = []
        self._read: dict[tuple[type, str, str], Any] = {}

    def write_held(self) -> None:
        """Write what is held back: each kind at once, kinds in the register's order (a
        record before its entries, a consent before its withdrawal), then the audit
        events, which nothing refers to."""
        held, self._held = self._held, []
        if not held:
            return
        by_kind: dict[type, list[Any]] = {}
        for item in held:
            by_kind.setdefault(type(item), []).append(item)
        audit = by_kind.pop(ChainedEvent, [])
        for kind in sorted(by_kind, key=REGISTER_TYPES.index):
            self._save_run(by_kind[kind])
        if audit:
            append_chained(self._tx, audit)

    def _save_run(self, entities: list[Entity]) -> None:
        save_many = getattr(self._tx, "save_many", None)
        if save_many is None:  # an adapter older than the method
            for entity in entities:
                self._tx.save(entity)
        else:
            save_many(entities)

    def _writing(self, entity_kind: type, provider_id: str | None = None, key: str = "") -> None:
        if not issubclass(entity_kind, _FACT_NEUTRAL):
            self._changed()
        if issubclass(entity_kind, _CACHED_IN_BATCH):
            self._read.pop((entity_kind, provider_id or "", key), None)

    def save(self, entity: Any) -> None:
        self._writing(type(entity), getattr(entity, "provider_id", None), entity_key(entity))
        if isinstance(entity, REGISTER_TYPES):
            self._held.append(entity)
            return
        self.write_held()
        self._tx.save(entity)

    def insert(self, entity: Any) -> None:
        self._writing(type(entity), getattr(entity, "provider_id", None), entity_key(entity))
        self.write_held()
        self._tx.insert(entity)

    def delete(self, kind: type[Any], provider_id: str, key: str, /) -> bool:
        self._writing(kind, provider_id, key)
        self.write_held()
        return self._tx.delete(kind, provider_id, key)

    def get(self, kind: type[Any], provider_id: str, key: str, /) -> Any:
        if not issubclass(kind, _CACHED_IN_BATCH):
            self.write_held()
            return self._tx.get(kind, provider_id, key)
        found = self._read.get((kind, provider_id, key), self)
        if found is self:  # not read yet (None is a result: nothing there)
            self.write_held()
            found = self._read[kind, provider_id, key] = self._tx.get(kind, provider_id, key)
        return found

    def audit_head(self, provider_id: str) -> ChainedEvent | None:
        if provider_id not in self._heads:
            self.write_held()
            self._heads[provider_id] = self._tx.audit_head(provider_id)
        return self._heads[provider_id]

    def append_audit(self, entry: ChainedEvent) -> None:
        self._held.append(entry)
        self._heads[entry.event.provider_id] = entry

    def append_audit_many(self, entries: Sequence[ChainedEvent], /) -> None:
        for entry in entries:
            self.append_audit(entry)

    def __getattr__(self, name: str) -> Any:
        # Reads see every write held back; other writes (rotation) may change a kept read.
        self.write_held()
        self._read.clear()
        return getattr(self._tx, name)


class _InOneTransaction:
    """The storage as a :meth:`Session.batch` sees it: every transaction asked for is the
    batch's own, so nested operations neither commit early nor wait on a second
    connection; anything else is the storage's."""

    def __init__(self, storage: StorageAdapter, tx: StorageTransaction) -> None:
        self._wrapped, self._tx = storage, tx

    @contextmanager
    def transaction(self) -> Iterator[StorageTransaction]:
        yield self._tx

    def __getattr__(self, name: str) -> Any:
        return getattr(self._wrapped, name)


def _audited_reason(decision: Decision) -> str:
    """What the audit entry says: the relationship that allowed, or why it was refused.
    A plugin's own words may hold personal data, and chained audit entries are never
    erased, so of a plugin's refusal only the plugin is named."""
    if decision.vetoed_by:
        return f"refused by {decision.vetoed_by}"
    if decision.allowed:
        # the relationship without its details, and the section it rests on: a statutory
        # disclosure's entry names its basis (Tiedonhallintalaki 17 §; OHL § 20(5))
        relationship = decision.reason.split(": ", 1)[0]
        return f"{relationship} ({decision.basis})" if decision.basis else relationship
    return decision.reason


_DIRECTORY_KINDS: dict[PersonKind, type[StaffMember | Student | Guardian]] = {
    PersonKind.STAFF: StaffMember,
    PersonKind.STUDENT: Student,
    PersonKind.GUARDIAN: Guardian,
}
_COMMUNAL_KINDS = (GroupKind.STEERING, GroupKind.INSTITUTION)
_GROUPS_GOT_ONE_BY_ONE = 2


def _communal_memberships(
    tx: StorageTransaction,
    provider_id: str,
    person: PersonRef,
    student: StudentFacts | None,
) -> tuple[tuple[Membership, ...], tuple[WelfareGroup, ...]]:
    """The person's memberships of communal groups (steering, institution), current or
    ended, and those groups.

    The person's memberships come in one look-up. Most people (students, guardians, most
    teachers) have none, and then no group is read; the student's own expert groups are
    known already; the few groups left are read one by one, or, for a professional sitting
    in many students' expert groups, the communal groups are listed instead: a handful per
    provider, whatever the number of students. Never more than two look-ups of groups."""
    memberships = tx.list(
        Membership, provider_id, member_kind=person.kind.value, member_id=person.id
    )
    known_case = {g.id for g in student.case_groups} if student is not None else set()
    unknown = sorted({m.group_id for m in memberships} - known_case)
    if len(unknown) <= _GROUPS_GOT_ONE_BY_ONE:
        found = (tx.get(WelfareGroup, provider_id, group_id) for group_id in unknown)
        communal = {g.id: g for g in found if g is not None and g.kind in _COMMUNAL_KINDS}
    else:
        communal = {
            g.id: g
            for kind in _COMMUNAL_KINDS
            for g in tx.list(WelfareGroup, provider_id, kind=kind.value)
        }
    chosen = tuple(m for m in memberships if m.group_id in communal)
    groups = tuple(communal[i] for i in sorted({m.group_id for m in chosen}))
    return chosen, groups
