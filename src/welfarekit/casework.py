"""Casework operations of a session: expert groups' lives, confidential matters, referrals.

DOMAIN.md §§ 3, 4, 8 and 9. Each operation decides first and audits in its own transaction;
what is confidential is sealed before it reaches storage; every step that tells someone
writes a notification to the outbox (:mod:`welfarekit.notify`) with a fixed text.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING

import attrs

from welfarekit._session_parts import SessionParts
from welfarekit.access import Action, Resource, ResourceType
from welfarekit.clock import today_in_finland
from welfarekit.crypto import Keyset, WrappedKeyset, keyset_associated_data
from welfarekit.directory import check_references
from welfarekit.errors import AccessDenied, ConsentRequired, IntegrityError, InvalidValue, NotFound
from welfarekit.model import (
    ConsentPurpose,
    ExpertGroupState,
    ExpertGroupStatus,
    GroupKind,
    GroupPosition,
    Membership,
    NotificationTopic,
    Period,
    PersonKind,
    PersonRef,
    Role,
    StaffMember,
    Student,
    WelfareGroup,
)
from welfarekit.model._validate import text as text_rule
from welfarekit.model.record import Measure
from welfarekit.records import RecordTimeline
from welfarekit.rules import (
    ConsentRequirement,
    LegalBasis,
    consent_authority,
    consent_requirement,
    guardian_entitled,
    membership_covered,
    veto_in_force,
)
from welfarekit.sealed import SealedMatter, SealedRecord, SealedReferral
from welfarekit.storage import StorageTransaction
from welfarekit.vault import Vault

if TYPE_CHECKING:
    from welfarekit.rules import Facts, StudentFacts

__all__ = ["CaseworkMixin", "ConfidentialMatter", "ExpertGroupView", "MeasureDue", "Referral"]

FORWARD_BASES = ("expert_group", "referral")


@attrs.frozen(kw_only=True)
class ExpertGroupView:
    """A case expert group as its members see it: its state and current members."""

    group: WelfareGroup
    state: ExpertGroupState
    members: tuple[Membership, ...]


@attrs.frozen(kw_only=True)
class MeasureDue:
    """An agreed measure whose follow-up date has come (§ 20(4) item 4)."""

    student_id: str
    group_id: str
    record_id: str
    entry_id: str
    measure: Measure


@attrs.frozen(kw_only=True)
class ConfidentialMatter:
    """A matter left confidentially with a group member, opened for its holder or author."""

    id: str
    holder_id: str
    author: PersonRef | None
    """``None``: left anonymously (never guessed)."""
    left_at: dt.datetime
    text: str
    status: str
    student_id: str | None
    forward_basis: str | None
    forwarded_at: dt.datetime | None


@attrs.frozen(kw_only=True)
class Referral:
    """A § 16 referral, opened for the professional it is addressed to, the student or an
    entitled guardian."""

    id: str
    student_id: str
    referred_by: PersonRef
    professional_id: str
    referred_at: dt.datetime
    concern: str
    guardian_informed: bool
    received_at: dt.datetime | None


class CaseworkMixin(SessionParts):
    """The casework operations of :class:`~welfarekit.session.Session`."""

    if TYPE_CHECKING:  # provided by Session or another of its mixins

        def timeline(self, record_id: str) -> RecordTimeline: ...

    # -- helpers ------------------------------------------------------------------------------

    def _me(self) -> PersonRef:
        if self.actor.person is None:
            raise IntegrityError("a host system process cannot do this; act as a person")
        return self.actor.person

    @staticmethod
    def _the_student(facts: Facts) -> StudentFacts:
        assert facts.student is not None
        return facts.student

    # -- the case expert group's life (§ 14(4)) -------------------------------------------

    def propose_expert_group(
        self,
        *,
        student_id: str,
        responsible_id: str,
        group_id: str | None = None,
        name: str | None = None,
    ) -> ExpertGroupState:
        """Propose a case expert group (*monialainen asiantuntijaryhmä*) for one student,
        naming the staff member who would be responsible for it (*vastuuhenkilö*).

        Nothing of the matter is handled until the right person's consent forms it
        (:meth:`form_expert_group`); those whose consent counts are notified."""
        provider_id, group_id = self.actor.provider_id, group_id or uuid.uuid4().hex
        responsible = PersonRef(PersonKind.STAFF, responsible_id)
        with self._transaction() as tx:
            resource = Resource(type=ResourceType.REFERRAL, provider_id=provider_id,
                                id=group_id, student_id=student_id, holder=responsible)  # fmt: skip
            _, facts = self._require(tx, Action.WRITE, resource)
            student = self._the_student(facts)
            if tx.get(StaffMember, provider_id, responsible_id) is None:
                raise NotFound(f"no staff member {responsible_id!r} to be responsible")
            group = WelfareGroup(id=group_id, provider_id=provider_id, kind=GroupKind.CASE,
                                 institution_id=student.student.institution_id,
                                 student_id=student_id, name=name)  # fmt: skip
            check_references(tx, group)
            tx.insert(group)
            state = ExpertGroupState(
                group_id=group_id, provider_id=provider_id, student_id=student_id,
                status=ExpertGroupStatus.PROPOSED, proposed_by=self._me(), proposed_at=self.now,
                responsible=responsible,
            )  # fmt: skip
            tx.save(state)
            grantors = consent_authority(student, self.now).grantors
            self._tell(tx, grantors, NotificationTopic.EXPERT_GROUP_PROPOSED)
            self._tell(tx, [responsible], NotificationTopic.EXPERT_GROUP_MEMBERSHIP)
        return state

    def form_expert_group(
        self, group_id: str, *, members: Iterable[tuple[PersonRef, Role | str]]
    ) -> ExpertGroupView:
        """Form a proposed group on the consent in force, with its members.

        Only the responsible person named in the proposal forms it; it is always a member
        (with the position *vastuuhenkilö*). Every member must be covered by consent: the
        consent to form the group naming them or their role, a later consent naming
        members, or for an outside participant or a person close to the student a specific
        written consent (§ 19(2)). Otherwise :class:`~welfarekit.errors.ConsentRequired`
        says whose consent it takes, and nothing is formed."""
        provider_id = self.actor.provider_id
        with self._transaction() as tx:
            state = self._group_state(tx, group_id)
            resource = self._group_resource(state, Action.WRITE)
            _, facts = self._require(tx, Action.WRITE, resource)
            if self.actor.person != state.responsible:
                self._refuse(tx, Action.WRITE, resource, "only the responsible person named "
                             "in the proposal forms the expert group")  # fmt: skip
            if state.status is not ExpertGroupStatus.PROPOSED:
                raise IntegrityError(f"the expert group is {state.status.value}, not proposed")
            student = self._the_student(facts)
            required = consent_requirement(
                student, ConsentPurpose.FORM_EXPERT_GROUP, self.now, group_id=group_id
            )
            if required is not None:
                raise ConsentRequired(required)
            wanted = {PersonRef(p.kind, p.id) if isinstance(p, PersonRef) else p: Role(r)
                      for p, r in members}  # fmt: skip
            if state.responsible not in wanted:
                raise InvalidValue("members", "the responsible person is a member of the group")
            made = [self._membership(tx, state, person, role) for person, role in wanted.items()]
            self._check_covered(student, made)
            for membership in made:
                check_references(tx, membership)
                tx.save(membership)
            state = attrs.evolve(state, status=ExpertGroupStatus.FORMED, formed_at=self.now)
            tx.save(state)
            self._tell(tx, [m.member for m in made], NotificationTopic.EXPERT_GROUP_FORMED)
            group = tx.get(WelfareGroup, provider_id, group_id)
            assert group is not None
        return ExpertGroupView(group=group, state=state, members=tuple(made))

    def add_group_member(self, group_id: str, member: PersonRef, role: Role | str) -> Membership:
        """Add a member to a formed group, as far as consent covers them (§ 14(4), § 19(2));
        the responsible person manages the group."""
        with self._transaction() as tx:
            state = self._group_state(tx, group_id)
            _, facts = self._require(tx, Action.MANAGE, self._group_resource(state, Action.MANAGE))
            if state.status is not ExpertGroupStatus.FORMED:
                raise IntegrityError(f"the expert group is {state.status.value}, not formed")
            current = self._current_members(tx, state)
            if any(m.member == member for m in current):
                raise IntegrityError(f"{member} is a member already")
            membership = self._membership(tx, state, member, Role(role))
            self._check_covered(self._the_student(facts), [membership])
            check_references(tx, membership)
            tx.save(membership)
            self._tell(tx, [member], NotificationTopic.EXPERT_GROUP_MEMBERSHIP)
        return membership

    def remove_group_member(self, group_id: str, member: PersonRef) -> Membership:
        """End a membership today: access ends with it; the membership stays as history."""
        with self._transaction() as tx:
            state = self._group_state(tx, group_id)
            self._require(tx, Action.MANAGE, self._group_resource(state, Action.MANAGE))
            if member == state.responsible:
                raise IntegrityError("name another responsible person before removing this one")
            found = [m for m in self._current_members(tx, state) if m.member == member]
            if not found:
                raise NotFound(f"{member} is not a current member of the group")
            return self._end(tx, found[0])

    def close_expert_group(self, group_id: str, *, reason: str) -> ExpertGroupState:
        """Close the group when its work is done or its consent withdrawn: every membership
        ends today, and with it access. Only the responsible person closes it; that needs no
        consent in force (closing is how the group stops after a withdrawal)."""
        with self._transaction() as tx:
            state = self._group_state(tx, group_id)
            resource = self._group_resource(state, Action.WRITE)
            self._require(tx, Action.WRITE, resource)
            if self.actor.person != state.responsible:
                self._refuse(tx, Action.WRITE, resource,
                             "only the responsible person closes the expert group")  # fmt: skip
            if state.status is ExpertGroupStatus.CLOSED:
                raise IntegrityError("the expert group is closed already")
            members = self._current_members(tx, state)
            for membership in members:
                self._end(tx, membership)
            state = attrs.evolve(state, status=ExpertGroupStatus.CLOSED, closed_at=self.now,
                                 close_reason=reason)  # fmt: skip
            tx.save(state)
            self._tell(tx, [m.member for m in members], NotificationTopic.EXPERT_GROUP_CLOSED)
        return state

    def expert_group(self, group_id: str) -> ExpertGroupView:
        """The group, its state and current members, for those who may see the group."""
        provider_id = self.actor.provider_id
        with self._transaction() as tx:
            state = self._group_state(tx, group_id)
            self._require(tx, Action.READ, self._group_resource(state, Action.READ))
            group = tx.get(WelfareGroup, provider_id, group_id)
            assert group is not None
            members = self._current_members(tx, state)
        return ExpertGroupView(group=group, state=state, members=tuple(members))

    def expert_groups(self, *, student_id: str | None = None) -> list[ExpertGroupView]:
        """The case expert groups the actor may see, proposals included, oldest first.

        With ``student_id``: that student's groups, for the student, an entitled guardian
        or a member. Without: the groups the actor sits in now or is named responsible for
        (*vastuuhenkilö*). Each group shown is decided and audited as a read; one the rules
        refuse (a withdrawn consent, a § 18(2) veto) is left out, its refusal audited."""
        provider_id = self.actor.provider_id
        with self._transaction() as tx:
            if student_id is not None:
                states = tx.list(ExpertGroupState, provider_id, student_id=student_id)
            else:
                me = self._me()
                mine = {m.group_id for m in tx.list(Membership, provider_id,
                                                    member_kind=me.kind.value, member_id=me.id)
                        if m.validity.contains(self._today())}  # fmt: skip
                states = [s for s in tx.list(ExpertGroupState, provider_id)
                          if s.group_id in mine or s.responsible == me]  # fmt: skip
            views: list[ExpertGroupView] = []
            for state in sorted(states, key=lambda s: (s.proposed_at, s.group_id)):
                # a proposal is seen as what it is, a request addressed to the responsible
                # person; a formed group as the group
                proposed = state.status is ExpertGroupStatus.PROPOSED
                resource = self._group_resource(state, Action.WRITE if proposed else Action.READ)
                decision, _ = self._decide(tx, Action.READ, resource, None)
                if not decision.allowed:
                    continue
                group = tx.get(WelfareGroup, provider_id, state.group_id)
                assert group is not None
                views.append(ExpertGroupView(group=group, state=state,
                                             members=tuple(self._current_members(tx, state))))  # fmt: skip
        return views

    def measures_due(self, *, on: dt.date | None = None) -> list[MeasureDue]:
        """The measures to follow up by ``on`` (default today) in the records of the formed
        expert groups the actor sits in now, earliest first. Each record read is decided
        and audited: a group whose consent was withdrawn shows nothing any more."""
        person = self._me()
        provider_id, day = self.actor.provider_id, on or self._today()
        with self._storage.transaction() as tx:
            mine = [m for m in tx.list(Membership, provider_id, member_kind=person.kind.value,
                                       member_id=person.id)
                    if m.validity.contains(self._today())]  # fmt: skip
            states = [s for m in mine
                      if (s := tx.get(ExpertGroupState, provider_id, m.group_id)) is not None
                      and s.status is ExpertGroupStatus.FORMED]  # fmt: skip
            headers = [h for state in states
                       for h in tx.list(SealedRecord, provider_id, student_id=state.student_id)
                       if h.group_id == state.group_id]  # fmt: skip
        due: list[MeasureDue] = []
        for header in headers:
            try:
                timeline = self.timeline(header.id)
            except AccessDenied:
                continue  # no basis now (consent withdrawn): nothing to follow up here
            for entry in timeline.current:
                due.extend(
                    MeasureDue(student_id=header.student_id, group_id=header.group_id,
                               record_id=header.id, entry_id=entry.id, measure=measure)
                    for measure in entry.measures
                    if measure.due is not None and measure.due <= day
                )  # fmt: skip
        return sorted(due, key=lambda d: (d.measure.due or day, d.record_id))

    def _group_state(self, tx: StorageTransaction, group_id: str) -> ExpertGroupState:
        state = tx.get(ExpertGroupState, self.actor.provider_id, group_id)
        if state is None:
            raise NotFound(f"no case expert group {group_id!r}")
        return state

    def _group_resource(self, state: ExpertGroupState, action: Action) -> Resource:
        if action is Action.WRITE:  # forming and closing: the proposal's holder
            return Resource(type=ResourceType.REFERRAL, provider_id=state.provider_id,
                            id=state.group_id, student_id=state.student_id,
                            holder=state.responsible)  # fmt: skip
        return Resource(type=ResourceType.GROUP, provider_id=state.provider_id,
                        id=state.group_id, student_id=state.student_id,
                        group_id=state.group_id)  # fmt: skip

    def _membership(self, tx: StorageTransaction, state: ExpertGroupState, person: PersonRef,
                    role: Role) -> Membership:  # fmt: skip
        responsible = person == state.responsible
        return Membership(
            id=f"{state.group_id}.{person.kind.value}.{person.id}.{uuid.uuid4().hex[:8]}",
            provider_id=state.provider_id, group_id=state.group_id, member=person, role=role,
            position=GroupPosition.RESPONSIBLE_PERSON if responsible else GroupPosition.MEMBER,
            validity=Period(start=self._today()),
        )  # fmt: skip

    def _check_covered(self, student: StudentFacts, memberships: list[Membership]) -> None:
        """Refuse with what consent it takes when consent does not cover a member."""
        for membership in memberships:
            finding = membership_covered(student, membership, self.now)
            if finding:
                continue
            member = membership.member
            if member.kind is PersonKind.GUARDIAN and veto_in_force(
                student, member.id, self.now, access=False
            ):
                # no consent lifts a minor's § 18(2) prohibition: it is no ConsentRequired
                raise IntegrityError(f"{member}: {finding.reason}")
            outside = membership.member.kind is PersonKind.EXTERNAL or membership.role in (
                Role.OUTSIDE_PARTICIPANT, Role.PERSON_CLOSE_TO_STUDENT)  # fmt: skip
            purpose = ConsentPurpose.OUTSIDE_PARTICIPANT if outside else ConsentPurpose.NAME_MEMBERS
            raise ConsentRequired(ConsentRequirement(
                student_id=student.student.id, purpose=purpose,
                grantors=consent_authority(student, self.now).grantors,
                written_and_specific=outside, group_id=membership.group_id,
                reason=f"{membership.member} as {membership.role.value}: {finding.reason}",
            ))  # fmt: skip

    def _current_members(self, tx: StorageTransaction, state: ExpertGroupState) -> list[Membership]:
        today = self._today()
        return [
            m
            for m in tx.list(Membership, state.provider_id, group_id=state.group_id)
            if m.validity.contains(today)
        ]

    def _end(self, tx: StorageTransaction, membership: Membership) -> Membership:
        """End a membership so that it no longer holds today. Periods are in whole days: a
        membership that began today is deleted instead (it never held a whole day)."""
        today = self._today()
        if membership.validity.start >= today:
            tx.delete(Membership, membership.provider_id, membership.id)
            return membership
        ended = attrs.evolve(
            membership, validity=Period(start=membership.validity.start, end=today)
        )
        tx.save(ended)
        return ended

    def _today(self) -> dt.date:
        return today_in_finland(self.now)

    # -- a matter left confidentially with a group member -----------------------------------

    def leave_matter(self, *, holder_id: str, text: str, matter_id: str | None = None) -> str:
        """Leave a matter confidentially with one member of a welfare group; returns its id.

        The actor is its author. An anonymous matter comes through the host's own form, as a
        host system actor (:meth:`~welfarekit.access.Actor.host_system`): then no author is
        recorded and welfarekit never guesses one. The member is notified that a message
        waits, nothing more."""
        provider_id, matter_id = self.actor.provider_id, matter_id or uuid.uuid4().hex
        holder = PersonRef(PersonKind.STAFF, holder_id)
        author = self.actor.person
        resource = Resource(type=ResourceType.CONFIDENTIAL_MATTER, provider_id=provider_id,
                            id=matter_id, owner=author, holder=holder)  # fmt: skip
        _MatterText(text)  # validated before anything is written
        with self._transaction() as tx:
            self._require(tx, Action.WRITE, resource)
            if not self._sits_in_a_group(tx, holder):
                raise IntegrityError(
                    f"{holder_id!r} is no current member of a welfare group: a matter is left "
                    "with a member of one"
                )
            keyset = Keyset.new()
            wrapped = keyset.wrap(
                self._vault.keyring, matter_associated_data(provider_id, matter_id)
            )
            context = Vault.context(provider_id, f"matter.{matter_id}", "matter", matter_id)
            tx.save(SealedMatter(
                id=matter_id, provider_id=provider_id, holder_id=holder_id, author=author,
                left_at=self.now, kek_id=wrapped.kek_id, keyset=wrapped.blob,
                content=Vault.seal_json(keyset, {"text": text}, context),
            ))  # fmt: skip
            self._tell(tx, [holder], NotificationTopic.MATTER_RECEIVED)
        return matter_id

    def matters(self) -> list[ConfidentialMatter]:
        """The matters left with the actor and those the actor left, opened (each read is
        audited)."""
        person = self._me()
        provider_id = self.actor.provider_id
        opened = []
        with self._transaction() as tx:
            found = {m.id: m for m in tx.list(SealedMatter, provider_id, holder_id=person.id)
                     if person.kind is PersonKind.STAFF}  # fmt: skip
            # a person's own matters: few, so filtering the provider's open ones is enough
            for matter in tx.list(SealedMatter, provider_id):
                if matter.author == person:
                    found[matter.id] = matter
            for matter in sorted(found.values(), key=lambda m: m.left_at):
                self._require(tx, Action.READ, self._matter_resource(matter))
                opened.append(self._open_matter(matter))
        return opened

    def bring_matter_forward(
        self,
        matter_id: str,
        *,
        student_id: str,
        group_id: str | None = None,
        refer_to: str | None = None,
        basis: LegalBasis | None = None,
    ) -> ConfidentialMatter:
        """The member it was left with brings the matter forward, on exactly one basis:

        - ``group_id``: the student's consent to handle it in that expert group is in force
          (else :class:`~welfarekit.errors.ConsentRequired`);
        - ``refer_to``: a § 16 referral to that welfare professional, made now (see
          :meth:`refer`);
        - ``basis``: a notification the law requires or allows notwithstanding secrecy
          (a child welfare or police notification, a threat to life or health).

        The matter then names the student; its text stays sealed and readable only by its
        holder and author."""
        chosen = [x for x in (group_id, refer_to, basis) if x is not None]
        if len(chosen) != 1:
            raise InvalidValue("basis", "bring a matter forward on exactly one basis: an "
                               "expert group's consent, a referral, or a statutory notification")  # fmt: skip
        if basis is not None and not (
            basis.mandatory or basis is LegalBasis.THREAT_TO_LIFE_OR_HEALTH
        ):
            raise InvalidValue("basis", f"{basis.value} is no basis to bring a matter forward")
        provider_id = self.actor.provider_id
        with self._transaction() as tx:
            matter = tx.get(SealedMatter, provider_id, matter_id)
            if matter is None:
                raise NotFound(f"no confidential matter {matter_id!r}")
            resource = attrs.evolve(self._matter_resource(matter))
            self._require(tx, Action.MANAGE, resource)
            if matter.status != "open":
                raise IntegrityError(f"the matter was {matter.status.replace('_', ' ')} already")
            if tx.get(Student, provider_id, student_id) is None:
                raise NotFound(f"no student {student_id!r}")
            if group_id is not None:
                _, facts = self._decide(tx, Action.READ, Resource(
                    type=ResourceType.GROUP, provider_id=provider_id, id=group_id,
                    student_id=student_id, group_id=group_id), None)  # fmt: skip
                assert facts is not None
                required = consent_requirement(self._the_student(facts),
                                               ConsentPurpose.FORM_EXPERT_GROUP, self.now,
                                               group_id=group_id)  # fmt: skip
                if required is not None:
                    raise ConsentRequired(required)
                forward = "expert_group"
            elif basis is not None:
                forward = basis.value
            else:
                forward = "referral"
            opened = self._open_matter(matter)
            changed = attrs.evolve(matter, status="brought_forward", student_id=student_id,
                                   forward_basis=forward, forwarded_at=self.now)  # fmt: skip
            tx.save(changed)
        if refer_to is not None:
            self.refer(student_id=student_id, professional_id=refer_to, concern=opened.text)
        return attrs.evolve(opened, status=changed.status, student_id=student_id,
                            forward_basis=forward, forwarded_at=changed.forwarded_at)  # fmt: skip

    def _matter_resource(self, matter: SealedMatter) -> Resource:
        return Resource(type=ResourceType.CONFIDENTIAL_MATTER, provider_id=matter.provider_id,
                        id=matter.id, owner=matter.author,
                        holder=PersonRef(PersonKind.STAFF, matter.holder_id))  # fmt: skip

    def _open_matter(self, matter: SealedMatter) -> ConfidentialMatter:
        associated = matter_associated_data(matter.provider_id, matter.id)
        keyset = WrappedKeyset(matter.kek_id, matter.keyset).unwrap(self._vault.keyring, associated)
        context = Vault.context(matter.provider_id, f"matter.{matter.id}", "matter", matter.id)
        content = Vault.open_json(keyset, matter.content, context)
        return ConfidentialMatter(
            id=matter.id, holder_id=matter.holder_id, author=matter.author,
            left_at=matter.left_at, text=content["text"], status=matter.status,
            student_id=matter.student_id, forward_basis=matter.forward_basis,
            forwarded_at=matter.forwarded_at,
        )  # fmt: skip

    def _sits_in_a_group(self, tx: StorageTransaction, person: PersonRef) -> bool:
        today = self._today()
        memberships = tx.list(Membership, self.actor.provider_id, member_kind=person.kind.value,
                              member_id=person.id)  # fmt: skip
        return any(m.validity.contains(today) for m in memberships)

    # -- referral (§ 16) ---------------------------------------------------------------------

    def refer(self, *, student_id: str, professional_id: str, concern: str,
              referral_id: str | None = None) -> str:  # fmt: skip
        """Refer a student to a welfare professional (§ 16): done together with the student,
        recorded with who, when and to whom; the concern is sealed and afterwards visible to
        the professional, the student and an entitled guardian, not to the referrer. The
        guardians of a minor are informed unless the student has forbidden it (§ 18(2)).
        Returns the referral's id."""
        provider_id, referral_id = self.actor.provider_id, referral_id or uuid.uuid4().hex
        professional = PersonRef(PersonKind.STAFF, professional_id)
        with self._transaction() as tx:
            resource = Resource(type=ResourceType.REFERRAL, provider_id=provider_id,
                                id=referral_id, student_id=student_id, holder=professional)  # fmt: skip
            _, facts = self._require(tx, Action.WRITE, resource)
            staff = tx.get(StaffMember, provider_id, professional_id)
            if staff is None or not staff.roles & _REFERRAL_ROLES:
                raise IntegrityError(
                    f"{professional_id!r} is no welfare professional to refer to (a school social "
                    "worker, psychologist, nurse or doctor)"
                )
            student = self._the_student(facts)
            informed = self._guardians_to_inform(student)
            keyset = self._vault.keyset(tx, provider_id, student_id, create=True)
            assert keyset is not None
            context = Vault.context(provider_id, student_id, "referral", referral_id)
            tx.save(SealedReferral(
                id=referral_id, provider_id=provider_id, student_id=student_id,
                referred_by=self._me(), professional_id=professional_id, referred_at=self.now,
                guardian_informed=bool(informed),
                content=Vault.seal_json(keyset, {"concern": concern}, context),
            ))  # fmt: skip
            self._tell(tx, [professional], NotificationTopic.REFERRAL_RECEIVED)
            self._tell(tx, informed, NotificationTopic.GUARDIAN_INFORMED_OF_REFERRAL)
        return referral_id

    def _guardians_to_inform(self, student: StudentFacts) -> list[PersonRef]:
        today = self._today()
        if not student.student.is_minor_on(today):
            return []
        return [
            PersonRef(PersonKind.GUARDIAN, link.guardian_id)
            for link in student.guardianships
            if link.validity.contains(today)
            and guardian_entitled(student, link.guardian_id, self.now)
            and veto_in_force(student, link.guardian_id, self.now, access=True) is None
        ]

    def referrals(self, *, student_id: str | None = None) -> list[Referral]:
        """Referrals addressed to the actor (a professional's caseload) or, with
        ``student_id``, the student's referrals for the student or an entitled guardian.
        Those of a crypto-shredded student are left out: nothing of them can be opened."""
        person = self._me()
        provider_id = self.actor.provider_id
        with self._transaction() as tx:
            if student_id is None:
                found = tx.list(SealedReferral, provider_id, professional_id=person.id)
            else:
                found = tx.list(SealedReferral, provider_id, student_id=student_id)
            opened = []
            for referral in sorted(found, key=lambda r: r.referred_at):
                resource = Resource(type=ResourceType.REFERRAL, provider_id=provider_id,
                                    id=referral.id, student_id=referral.student_id,
                                    holder=PersonRef(PersonKind.STAFF, referral.professional_id))  # fmt: skip
                self._require(tx, Action.READ, resource)
                keyset = self._vault.keyset(tx, provider_id, referral.student_id, create=False)
                if keyset is None:
                    continue  # the student was crypto-shredded: nothing left to open
                context = Vault.context(provider_id, referral.student_id, "referral", referral.id)
                content = Vault.open_json(keyset, referral.content, context)
                opened.append(Referral(
                    id=referral.id, student_id=referral.student_id,
                    referred_by=referral.referred_by, professional_id=referral.professional_id,
                    referred_at=referral.referred_at, concern=content["concern"],
                    guardian_informed=referral.guardian_informed,
                    received_at=referral.received_at,
                ))  # fmt: skip
        return opened

    def receive_referral(self, referral_id: str) -> None:
        """The professional marks a referral taken up."""
        provider_id = self.actor.provider_id
        with self._transaction() as tx:
            referral = tx.get(SealedReferral, provider_id, referral_id)
            if referral is None:
                raise NotFound(f"no referral {referral_id!r}")
            resource = Resource(type=ResourceType.REFERRAL, provider_id=provider_id,
                                id=referral.id, student_id=referral.student_id,
                                holder=PersonRef(PersonKind.STAFF, referral.professional_id))  # fmt: skip
            self._require(tx, Action.WRITE, resource)
            if self.actor.person != resource.holder:
                self._refuse(tx, Action.WRITE, resource,
                             "only the professional it is addressed to takes a referral up")  # fmt: skip
            if referral.received_at is None:
                tx.save(attrs.evolve(referral, received_at=self.now))


_REFERRAL_ROLES = frozenset({Role.SCHOOL_SOCIAL_WORKER, Role.PSYCHOLOGIST, Role.NURSE, Role.DOCTOR})


@attrs.frozen
class _MatterText:
    text: str = attrs.field(validator=text_rule(10000, multiline=True))


def matter_associated_data(provider_id: str, matter_id: str) -> bytes:
    """What a matter's own keyset is wrapped with: its provider and id."""
    return keyset_associated_data(provider_id, f"matter:{matter_id}")
