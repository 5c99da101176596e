"""Communal welfare operations of a session (DOMAIN.md §§ 2, 3, 11): the steering group's
policies, the communal groups' agendas and minutes, initiatives, crisis response and the
guardians' notices of bullying, harassment and violence.

Communal welfare comes first by law, and it names no student: every communal text is
scanned (:mod:`welfarekit.identifiable`) and refused if it names one, with a message that
says how to take the matter forward the individual way.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import attrs

from welfarekit._session_parts import SessionParts
from welfarekit.access import Action, Resource, ResourceType
from welfarekit.audit import AuditEvent
from welfarekit.auditing import emit
from welfarekit.clock import today_in_finland
from welfarekit.crypto import Keyset, WrappedKeyset, keyset_associated_data
from welfarekit.errors import IntegrityError, InvalidValue, NotFound
from welfarekit.identifiable import NameIndex
from welfarekit.model import (
    CommunalDocument,
    CommunalDocumentKind,
    CrisisEvent,
    CrisisKind,
    CrisisStatus,
    EducationProvider,
    GroupKind,
    GroupPosition,
    Guardian,
    Guardianship,
    Initiative,
    InitiativeStatus,
    Institution,
    Membership,
    NotificationTopic,
    PersonKind,
    PersonRef,
    PlanSectionVersion,
    PolicyDocument,
    Role,
    StaffMember,
    Student,
    WelfareGroup,
)
from welfarekit.model._validate import instance_of
from welfarekit.plan import CRISIS_SECTION, crisis_steps
from welfarekit.policy import WelfarePolicy, check_override, effective_policy
from welfarekit.vault import Vault

if TYPE_CHECKING:
    from welfarekit.storage import StorageTransaction

__all__ = [
    "NOTICE_ROLES",
    "CommunalMixin",
    "CrisisLog",
    "GuardianNotice",
    "InitiativeView",
]

PROVIDER_SCOPE = "provider"

NOTICE_ROLES = frozenset(
    {Role.TEACHER, Role.GROUP_ADVISOR, Role.SPECIAL_NEEDS_TEACHER, Role.STUDY_COUNSELLOR,
     Role.PRINCIPAL}
)  # fmt: skip
"""Who informs guardians of bullying, harassment or violence: a teacher or the principal
(LukioL 40 §(7), AmmL 80 §(6))."""


@attrs.frozen(kw_only=True)
class InitiativeView:
    """An initiative opened for its initiator, the group or the group's leader."""

    id: str
    group_id: str
    initiator: PersonRef | None
    received_at: dt.datetime
    status: InitiativeStatus
    subject: str
    text: str
    response: str | None
    names_a_student: bool
    routed_to: str | None


@attrs.frozen(kw_only=True)
class CrisisStep:
    step: str
    done_by: str | None = None
    done_at: str | None = None
    note: str | None = None


@attrs.frozen(kw_only=True)
class CrisisLog:
    """A crisis with its checklist (the crisis plan's steps, who did what and when), the
    aftercare given and the debrief."""

    event: CrisisEvent
    checklist: tuple[CrisisStep, ...]
    aftercare: tuple[dict[str, str], ...]


@attrs.frozen(kw_only=True)
class GuardianNotice:
    """One family's notice: about their own child only, to their own guardians only."""

    student_id: str
    role: str
    """``target`` or ``suspected``."""
    guardians: tuple[Guardian, ...]
    text: str


class CommunalMixin(SessionParts):
    """The communal welfare operations of :class:`~welfarekit.session.Session`."""

    if TYPE_CHECKING:  # provided by Session or another of its mixins

        def _me(self) -> PersonRef: ...

        def refer(self, *, student_id: str, professional_id: str, concern: str,
                  referral_id: str | None = None) -> str: ...  # fmt: skip

        def propose_expert_group(self, *, student_id: str, responsible_id: str,
                                 group_id: str | None = None,
                                 name: str | None = None) -> Any: ...  # fmt: skip

    # -- helpers ------------------------------------------------------------------------------

    def _names(self, tx: StorageTransaction) -> NameIndex:
        return NameIndex(tx.list(Student, self.actor.provider_id))

    def _communal_group(self, tx: StorageTransaction, group_id: str) -> WelfareGroup:
        group = tx.get(WelfareGroup, self.actor.provider_id, group_id)
        if group is None:
            raise NotFound(f"no welfare group {group_id!r}")
        if group.kind is GroupKind.CASE:
            raise IntegrityError("an expert group is no communal group; its work goes into the "
                                 "student's record")  # fmt: skip
        return group

    def _plan_resource(self) -> Resource:
        return Resource(type=ResourceType.WELFARE_PLAN, provider_id=self.actor.provider_id)

    # -- the steering group's policies --------------------------------------------------------

    def set_policy(self, policy: WelfarePolicy, *, institution_id: str | None = None) -> None:
        """Set the provider's policy (a member of the steering group), or an institution's
        overrides (the leader of its welfare group), within what the provider allows. The
        provider's display names and register-responsible role are applied to the
        directory's provider record, where the rules read them."""
        provider_id = self.actor.provider_id
        with self._transaction() as tx:
            if institution_id is None:
                self._require(tx, Action.MANAGE, self._plan_resource())
                if policy.group_names or policy.register_responsible_role:
                    provider = tx.get(EducationProvider, provider_id, provider_id)
                    assert provider is not None
                    tx.save(attrs.evolve(
                        provider,
                        group_names=policy.group_names or provider.group_names,
                        register_responsible_role=policy.register_responsible_role
                        or provider.register_responsible_role,
                    ))  # fmt: skip
            else:
                group = self._institution_group(tx, institution_id)
                self._require(tx, Action.MANAGE, Resource(
                    type=ResourceType.COMMUNAL_DOCUMENT, provider_id=provider_id,
                    group_id=group.id))  # fmt: skip
                check_override(self._stored_policy(tx, None) or WelfarePolicy(), policy)
            tx.save(PolicyDocument(
                provider_id=provider_id, scope=institution_id or PROVIDER_SCOPE,
                body=policy.to_json(), updated_at=self.now,
                updated_by=self._me(),
            ))  # fmt: skip

    def policy(self, *, institution_id: str | None = None) -> WelfarePolicy:
        """The policy that applies to the provider or to one institution."""
        provider_id = self.actor.provider_id
        with self._transaction() as tx:
            self._require(tx, Action.READ, self._plan_resource())
            provider = tx.get(EducationProvider, provider_id, provider_id)
            assert provider is not None
            base = self._stored_policy(tx, None)
            override = self._stored_policy(tx, institution_id) if institution_id else None
        return effective_policy(provider, base, override)

    def _stored_policy(self, tx: StorageTransaction, scope: str | None) -> WelfarePolicy | None:
        stored = tx.get(PolicyDocument, self.actor.provider_id, scope or PROVIDER_SCOPE)
        return WelfarePolicy.from_json(stored.body) if stored else None

    def _institution_group(self, tx: StorageTransaction, institution_id: str) -> WelfareGroup:
        groups = tx.list(WelfareGroup, self.actor.provider_id, kind=GroupKind.INSTITUTION.value,
                         institution_id=institution_id)  # fmt: skip
        if not groups:
            raise NotFound(f"institution {institution_id!r} has no welfare group")
        return groups[0]

    # -- agendas and minutes --------------------------------------------------------------------

    def write_communal_document(
        self,
        *,
        group_id: str,
        kind: CommunalDocumentKind | str,
        meeting_date: dt.date,
        title: str,
        body: str,
        document_id: str | None = None,
    ) -> CommunalDocument:
        """Write an agenda or minutes of a steering or institution group meeting, as a
        member. A text that names a student is refused
        (:class:`~welfarekit.identifiable.IdentifiesStudent`) with how to go forward instead."""
        provider_id = self.actor.provider_id
        with self._transaction() as tx:
            group = self._communal_group(tx, group_id)
            self._require(tx, Action.WRITE, Resource(type=ResourceType.COMMUNAL_DOCUMENT,
                                                   provider_id=provider_id,
                                                   id=document_id, group_id=group.id))  # fmt: skip
            document = CommunalDocument(
                id=document_id or uuid.uuid4().hex, provider_id=provider_id, group_id=group.id,
                kind=kind, meeting_date=meeting_date, title=title, body=body,
                written_by=self._me(), written_at=self.now,
            )  # fmt: skip
            names = self._names(tx)
            names.check("CommunalDocument.title", title)
            names.check("CommunalDocument.body", body)
            tx.save(document)
        return document

    def communal_documents(self, group_id: str) -> list[CommunalDocument]:
        """The group's agendas and minutes, for its members, newest meeting first."""
        provider_id = self.actor.provider_id
        with self._transaction() as tx:
            group = self._communal_group(tx, group_id)
            self._require(tx, Action.LIST, Resource(type=ResourceType.COMMUNAL_DOCUMENT,
                                                  provider_id=provider_id, group_id=group.id))  # fmt: skip
            found = tx.list(CommunalDocument, provider_id, group_id=group_id)
        return sorted(found, key=lambda d: (d.meeting_date, d.written_at), reverse=True)

    # -- initiatives ----------------------------------------------------------------------------

    def send_initiative(
        self,
        *,
        group_id: str,
        subject: str,
        text: str,
        about_student: str | None = None,
        initiative_id: str | None = None,
    ) -> InitiativeView:
        """Send an initiative (*aloite*) to a welfare group: a student, a guardian, staff or,
        through the host's form as a host system, anyone. The initiator is told it arrived.

        An initiative that names a student (``about_student``, or a name or identity code
        in it) is never listed to the group: it waits for the group's leader to route it the
        individual way (:meth:`route_initiative`)."""
        provider_id, initiative_id = self.actor.provider_id, initiative_id or uuid.uuid4().hex
        with self._transaction() as tx:
            group = self._communal_group(tx, group_id)
            resource = Resource(type=ResourceType.INITIATIVE, provider_id=provider_id,
                                id=initiative_id, group_id=group.id, owner=self.actor.person)  # fmt: skip
            self._require(tx, Action.WRITE, resource)
            named = sorted(self._names(tx).students_named(f"{subject}\n{text}"))
            student_id = about_student or (named[0] if named else None)
            if about_student is not None and tx.get(Student, provider_id, about_student) is None:
                raise NotFound(f"no student {about_student!r}")
            keyset = Keyset.new()
            wrapped = keyset.wrap(self._vault.keyring,
                                  initiative_associated_data(provider_id, initiative_id))  # fmt: skip
            content = {"subject": subject, "text": text, "response": None}
            _InitiativeText(subject=subject, text=text)  # validated before anything is written
            initiative = Initiative(
                id=initiative_id, provider_id=provider_id, group_id=group.id,
                initiator=self.actor.person, received_at=self.now, student_id=student_id,
                kek_id=wrapped.kek_id, keyset=wrapped.blob,
                content=Vault.seal_json(keyset, content, _initiative_context(provider_id,
                                                                             initiative_id)),
            )  # fmt: skip
            tx.insert(initiative)
            if self.actor.person is not None:
                self._tell(tx, [self.actor.person], NotificationTopic.INITIATIVE_RECEIVED,
                           include_actor=True)  # fmt: skip
            handlers = (self._leaders(tx, group) if student_id
                        else [m.member for m in self._members(tx, group)])  # fmt: skip
            self._tell(tx, handlers, NotificationTopic.INITIATIVE_TO_HANDLE)
        return self._open_initiative(initiative)

    def initiatives(self, group_id: str) -> list[InitiativeView]:
        """The group's initiatives as the actor may see them: a member sees the communal
        ones; the leader also those naming a student, to route them."""
        provider_id = self.actor.provider_id
        opened = []
        with self._transaction() as tx:
            group = self._communal_group(tx, group_id)
            self._require(tx, Action.LIST, Resource(type=ResourceType.INITIATIVE,
                                                  provider_id=provider_id, group_id=group.id))  # fmt: skip
            leaders = self._leaders(tx, group)
            for initiative in sorted(tx.list(Initiative, provider_id, group_id=group_id),
                                     key=lambda i: i.received_at):  # fmt: skip
                if initiative.student_id is not None and self.actor.person not in leaders:
                    continue  # never listed to the group by name
                self._require(tx, Action.READ, self._initiative_resource(initiative, leaders))
                opened.append(self._open_initiative(initiative))
        return opened

    def my_initiatives(self) -> list[InitiativeView]:
        """The initiatives the actor sent, with their status and the group's answer."""
        person = self._me()
        provider_id = self.actor.provider_id
        with self._transaction() as tx:
            mine = [i for i in tx.list(Initiative, provider_id) if i.initiator == person]
            for initiative in mine:
                self._require(tx, Action.READ, self._initiative_resource(initiative, []))
        return [self._open_initiative(i) for i in sorted(mine, key=lambda i: i.received_at)]

    def answer_initiative(
        self, initiative_id: str, *, response: str, status: InitiativeStatus | str = "answered"
    ) -> InitiativeView:
        """The group's answer (a member); the initiator is told there is one."""
        wanted = InitiativeStatus(status)
        if wanted not in (InitiativeStatus.IN_PROGRESS, InitiativeStatus.ANSWERED):
            raise InvalidValue("status", "an answer leaves an initiative in progress or answered")
        provider_id = self.actor.provider_id
        with self._transaction() as tx:
            initiative = self._initiative(tx, initiative_id)
            group = self._communal_group(tx, initiative.group_id)
            self._require(tx, Action.WRITE,
                        self._initiative_resource(initiative, self._leaders(tx, group)))  # fmt: skip
            if initiative.student_id is not None:
                raise IntegrityError("an initiative naming a student is routed, not answered in "
                                     "the communal group")  # fmt: skip
            self._names(tx).check("Initiative.response", response)
            keyset = self._initiative_keyset(initiative)
            context = _initiative_context(provider_id, initiative.id)
            content = {**Vault.open_json(keyset, initiative.content, context), "response": response}
            initiative = attrs.evolve(
                initiative, status=wanted, content=Vault.seal_json(keyset, content, context),
                answered_at=self.now if wanted is InitiativeStatus.ANSWERED else None,
            )  # fmt: skip
            tx.save(initiative)
            if initiative.initiator is not None:
                self._tell(tx, [initiative.initiator], NotificationTopic.INITIATIVE_ANSWERED)
        return self._open_initiative(initiative)

    def route_initiative(
        self,
        initiative_id: str,
        *,
        refer_to: str | None = None,
        propose_group_with: str | None = None,
    ) -> InitiativeView:
        """The group's leader routes an initiative naming a student the individual way: a
        § 16 referral to ``refer_to``, or an expert-group proposal with
        ``propose_group_with`` as its responsible person. Exactly one of the two."""
        if (refer_to is None) == (propose_group_with is None):
            raise InvalidValue("route", "route to a referral or to an expert-group proposal, one")
        with self._transaction() as tx:
            initiative = self._initiative(tx, initiative_id)
            group = self._communal_group(tx, initiative.group_id)
            self._require(tx, Action.MANAGE,
                        self._initiative_resource(initiative, self._leaders(tx, group)))  # fmt: skip
            if initiative.student_id is None:
                raise IntegrityError("this initiative names no student: the group answers it")
            if initiative.status is InitiativeStatus.ROUTED:
                raise IntegrityError(f"routed already, to {initiative.routed_to}")
        opened = self._open_initiative(initiative)
        student_id = initiative.student_id
        if refer_to is not None:
            concern = f"{opened.subject}: {opened.text}"
            referral = self.refer(student_id=student_id, professional_id=refer_to, concern=concern)
            routed = f"referral:{referral}"
        else:
            assert propose_group_with is not None
            state = self.propose_expert_group(student_id=student_id,
                                              responsible_id=propose_group_with)  # fmt: skip
            routed = f"expert_group:{state.group_id}"
        with self._transaction() as tx:
            initiative = attrs.evolve(self._initiative(tx, initiative_id),
                                      status=InitiativeStatus.ROUTED, routed_to=routed)  # fmt: skip
            tx.save(initiative)
        return self._open_initiative(initiative)

    def _initiative(self, tx: StorageTransaction, initiative_id: str) -> Initiative:
        initiative = tx.get(Initiative, self.actor.provider_id, initiative_id)
        if initiative is None:
            raise NotFound(f"no initiative {initiative_id!r}")
        return initiative

    def _initiative_resource(self, initiative: Initiative, leaders: list[PersonRef]) -> Resource:
        me = self.actor.person
        return Resource(
            type=ResourceType.INITIATIVE, provider_id=initiative.provider_id, id=initiative.id,
            student_id=initiative.student_id, group_id=initiative.group_id,
            owner=initiative.initiator, holder=me if me in leaders else None,
        )  # fmt: skip

    def _initiative_keyset(self, initiative: Initiative) -> Keyset:
        associated = initiative_associated_data(initiative.provider_id, initiative.id)
        return WrappedKeyset(initiative.kek_id, initiative.keyset).unwrap(
            self._vault.keyring, associated
        )

    def _open_initiative(self, initiative: Initiative) -> InitiativeView:
        context = _initiative_context(initiative.provider_id, initiative.id)
        content = Vault.open_json(self._initiative_keyset(initiative), initiative.content, context)
        return InitiativeView(
            id=initiative.id, group_id=initiative.group_id, initiator=initiative.initiator,
            received_at=initiative.received_at, status=initiative.status,
            subject=content["subject"], text=content["text"], response=content["response"],
            names_a_student=initiative.student_id is not None, routed_to=initiative.routed_to,
        )  # fmt: skip

    def _members(self, tx: StorageTransaction, group: WelfareGroup) -> list[Membership]:
        today = today_in_finland(self.now)
        return [m for m in tx.list(Membership, group.provider_id, group_id=group.id)
                if m.validity.contains(today)]  # fmt: skip

    def _leaders(self, tx: StorageTransaction, group: WelfareGroup) -> list[PersonRef]:
        return [m.member for m in self._members(tx, group)
                if m.position is GroupPosition.LEADER]  # fmt: skip

    # -- crisis response -----------------------------------------------------------------------

    def activate_crisis(
        self,
        *,
        institution_id: str,
        kind: CrisisKind | str,
        title: str,
        crisis_id: str | None = None,
    ) -> CrisisLog:
        """Activate the crisis response at an institution (a group advisor or a member of a
        communal welfare group): the institution's welfare group, which is also its crisis
        group, is notified, and a checklist opens from the crisis plan's steps. The title
        names no student."""
        provider_id, crisis_id = self.actor.provider_id, crisis_id or uuid.uuid4().hex
        with self._transaction() as tx:
            if tx.get(Institution, provider_id, institution_id) is None:
                raise NotFound(f"no institution {institution_id!r}")
            group = self._institution_group(tx, institution_id)
            self._require(tx, Action.WRITE, Resource(type=ResourceType.CRISIS_EVENT,
                                                   provider_id=provider_id, id=crisis_id,
                                                   group_id=group.id))  # fmt: skip
            self._names(tx).check("CrisisEvent.title", title)
            plan = _latest_section(tx, provider_id, CRISIS_SECTION)
            checklist = [attrs.asdict(CrisisStep(step=s)) for s in crisis_steps(plan)]
            event = CrisisEvent(
                id=crisis_id, provider_id=provider_id, institution_id=institution_id,
                kind=kind, title=title, activated_by=self._me(),
                activated_at=self.now, checklist=json.dumps(checklist, ensure_ascii=False),
            )  # fmt: skip
            tx.insert(event)
            self._tell(tx, [m.member for m in self._members(tx, group)],
                       NotificationTopic.CRISIS_ACTIVATED)  # fmt: skip
        return _crisis_log(event)

    def complete_crisis_step(
        self, crisis_id: str, step: int, *, note: str | None = None
    ) -> CrisisLog:
        """Mark step ``step`` (counting from 0) of the checklist done, by the actor, now."""
        return self._update_crisis(crisis_id, Action.WRITE, lambda event, names: _with_step(
            event, step, by=str(self._me()), now=self.now, note=note, names=names))  # fmt: skip

    def record_aftercare(self, crisis_id: str, *, support: str) -> CrisisLog:
        """Record psychosocial support and aftercare given (to groups, never to a named
        student: an individual follow-up goes the individual way, with consent)."""

        def change(event: CrisisEvent, names: NameIndex) -> CrisisEvent:
            names.check("CrisisEvent.aftercare", support)
            entries = [*json.loads(event.aftercare), {"at": self.now.isoformat(),
                                                     "by": str(self.actor), "support": support}]  # fmt: skip
            return attrs.evolve(event, aftercare=json.dumps(entries, ensure_ascii=False),
                                status=CrisisStatus.AFTERCARE)  # fmt: skip

        return self._update_crisis(crisis_id, Action.WRITE, change)

    def close_crisis(self, crisis_id: str, *, debrief: str) -> CrisisLog:
        """End the crisis with its debrief (*jälkipuinti*), as a member of the crisis group."""

        def change(event: CrisisEvent, names: NameIndex) -> CrisisEvent:
            names.check("CrisisEvent.debrief", debrief)
            return attrs.evolve(event, debrief=debrief, status=CrisisStatus.CLOSED,
                                closed_at=self.now)  # fmt: skip

        return self._update_crisis(crisis_id, Action.MANAGE, change)

    def crisis_log(self, crisis_id: str) -> CrisisLog:
        with self._transaction() as tx:
            event = self._crisis(tx, crisis_id)
            self._require(tx, Action.READ, self._crisis_resource(tx, event))
        return _crisis_log(event)

    def _crisis(self, tx: StorageTransaction, crisis_id: str) -> CrisisEvent:
        event = tx.get(CrisisEvent, self.actor.provider_id, crisis_id)
        if event is None:
            raise NotFound(f"no crisis {crisis_id!r}")
        return event

    def _crisis_resource(self, tx: StorageTransaction, event: CrisisEvent) -> Resource:
        group = self._institution_group(tx, event.institution_id)
        return Resource(type=ResourceType.CRISIS_EVENT, provider_id=event.provider_id,
                        id=event.id, group_id=group.id)  # fmt: skip

    def _update_crisis(self, crisis_id: str, action: Action, change: Any) -> CrisisLog:
        with self._transaction() as tx:
            event = self._crisis(tx, crisis_id)
            self._require(tx, action, self._crisis_resource(tx, event))
            if event.status is CrisisStatus.CLOSED:
                raise IntegrityError("the crisis is closed; its log stays as it was")
            event = change(event, self._names(tx))
            tx.save(event)
        return _crisis_log(event)

    # -- notices of bullying, harassment and violence ------------------------------------------

    def bullying_notices(
        self,
        *,
        incident_date: dt.date,
        description: str,
        measures: str,
        target_id: str,
        suspected_ids: Iterable[str],
    ) -> list[GuardianNotice]:
        """The notices a teacher or the principal gives the guardians of the minor target and
        of each minor suspected party (LukioL 40 §(7), AmmL 80 §(6)): one per family, each
        about that family's own child only. ``description`` and ``measures`` must name no
        student (the library puts each family's own child in); both are scanned. Each notice
        is audited, and the guardians are notified that a message waits."""
        suspected = list(dict.fromkeys(suspected_ids))
        if not suspected or target_id in suspected:
            raise InvalidValue("suspected_ids", "name the suspected parties, other than the target")
        provider_id = self.actor.provider_id
        notices = []
        with self._transaction() as tx:
            me = self._me()
            staff = tx.get(StaffMember, provider_id, me.id) if me.kind is PersonKind.STAFF else None
            resource = Resource(type=ResourceType.DIRECTORY, provider_id=provider_id,
                                id="bullying-notice")  # fmt: skip
            if staff is None or not staff.roles & NOTICE_ROLES:
                self._refuse(tx, Action.WRITE, resource, "a teacher or the principal informs "
                             "the guardians (LukioL 40 §(7), AmmL 80 §(6))")  # fmt: skip
            names = self._names(tx)
            names.check("description", description)
            names.check("measures", measures)
            today = today_in_finland(self.now)
            for student_id, role in [(target_id, "target"), *((s, "suspected") for s in suspected)]:
                student = tx.get(Student, provider_id, student_id)
                if student is None:
                    raise NotFound(f"no student {student_id!r}")
                if not student.is_minor_on(today):
                    continue  # an adult student is informed in person, not through guardians
                guardians = tuple(
                    g for link in tx.list(Guardianship, provider_id, student_id=student_id)
                    if link.validity.contains(today)
                    and (g := tx.get(Guardian, provider_id, link.guardian_id)) is not None
                )  # fmt: skip
                notices.append(GuardianNotice(
                    student_id=student_id, role=role, guardians=guardians,
                    text=_notice_text(student, role, day=incident_date, description=description,
                                      measures=measures, teller=staff.full_name),
                ))  # fmt: skip
                emit(tx, self._hook, AuditEvent(
                    provider_id=provider_id, actor=str(self.actor), action="bullying_notice.write",
                    resource_type="bullying_notice", resource_id=student_id,
                    student_id=student_id, reason=f"guardians informed, as the {role} "
                    "(LukioL 40 §(7), AmmL 80 §(6))",
                ))  # fmt: skip
                self._tell(tx, [g.ref for g in guardians], NotificationTopic.GUARDIAN_NOTICE)
        return notices


@attrs.frozen
class _InitiativeText:
    subject: str = attrs.field(validator=instance_of(str))
    text: str = attrs.field(validator=instance_of(str))

    @subject.validator
    def _check_subject(self, attribute: attrs.Attribute[str], value: str) -> None:
        from welfarekit.model._validate import text

        text(200)(self, attribute, value)

    @text.validator
    def _check_text(self, attribute: attrs.Attribute[str], value: str) -> None:
        from welfarekit.model._validate import text

        text(10000, multiline=True)(self, attribute, value)


def initiative_associated_data(provider_id: str, initiative_id: str) -> bytes:
    """What binds an initiative's wrapped keyset to it (and KEK rotation rewraps with)."""
    return keyset_associated_data(provider_id, f"initiative:{initiative_id}")


def _initiative_context(provider_id: str, initiative_id: str) -> Any:
    return Vault.context(provider_id, f"initiative.{initiative_id}", "initiative", initiative_id)


def _latest_section(tx: StorageTransaction, provider_id: str, key: str) -> str | None:
    versions = tx.list(PlanSectionVersion, provider_id, section_key=key)
    return max(versions, key=lambda v: v.version).body if versions else None


def _crisis_log(event: CrisisEvent) -> CrisisLog:
    return CrisisLog(
        event=event,
        checklist=tuple(CrisisStep(**step) for step in json.loads(event.checklist)),
        aftercare=tuple(json.loads(event.aftercare)),
    )


def _with_step(event: CrisisEvent, index: int, *, by: str, now: dt.datetime, note: str | None,
               names: NameIndex) -> CrisisEvent:  # fmt: skip
    steps = json.loads(event.checklist)
    if not 0 <= index < len(steps):
        raise InvalidValue("step", f"the checklist has steps 0 to {len(steps) - 1}")
    if note:
        names.check("CrisisEvent.checklist", note)
    steps[index] = {**steps[index], "done_by": by, "done_at": now.isoformat(), "note": note}
    return attrs.evolve(event, checklist=json.dumps(steps, ensure_ascii=False))


def _notice_text(student: Student, role: str, *, day: dt.date, description: str, measures: str,
                 teller: str) -> str:  # fmt: skip
    part = ("joutunut kiusaamisen, häirinnän tai väkivallan kohteeksi" if role == "target"
            else "ollut osallisena epäiltynä kiusaamisessa, häirinnässä tai väkivallassa")  # fmt: skip
    return (
        f"Hyvä huoltaja,\n\nilmoitamme, että {student.full_name} on {day:%d.%m.%Y} {part} "
        f"koulussa tai koulumatkalla.\n\nMitä tapahtui: {description}\n\n"
        f"Mitä asiassa tehdään: {measures}\n\n"
        "Ilmoitus perustuu lukiolain 40 §:n 7 momenttiin ja ammatillisesta koulutuksesta "
        f"annetun lain 80 §:n 6 momenttiin.\n\n{teller}"
    )
