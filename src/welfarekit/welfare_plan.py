"""Welfare plan and self-monitoring operations of a session (§ 13; DOMAIN.md § 11).

The plan is prepared together: members of the steering group and of each institution's
welfare group edit its sections (every change a new version with who and why), staff,
students and guardians comment, the steering group approves and publishes it. The
self-monitoring report (*omavalvonta*) gives the steering group aggregates only.
"""

from __future__ import annotations

import datetime as dt
import statistics
import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import attrs

from welfarekit._session_parts import SessionParts
from welfarekit.access import Action, Resource, ResourceType
from welfarekit.appointments import DEADLINE_ROLES
from welfarekit.errors import AccessDenied, ConflictError, IntegrityError, NotFound
from welfarekit.identifiable import NameIndex
from welfarekit.model import (
    AvailabilitySlot,
    Booking,
    BookingStatus,
    EducationProvider,
    GroupKind,
    Initiative,
    InitiativeStatus,
    Institution,
    Membership,
    PersonRef,
    PlanComment,
    PlanSectionVersion,
    PlanState,
    PlanStatus,
    PolicyDocument,
    Role,
    StaffMember,
    Student,
    WelfareGroup,
)
from welfarekit.plan import DEFAULT_OUTLINE, GroupRoster, PublishedPlan, render_plan
from welfarekit.working_days import discussion_deadline

if TYPE_CHECKING:
    from welfarekit.storage import StorageTransaction

__all__ = ["MIN_CELL", "STATUTORY_RATIOS", "SelfMonitoringReport", "WelfarePlanMixin"]

MIN_CELL = 5
"""Shares over fewer cases than this are not shown: with so few, a member of a group could
tell whose case it was."""

STATUTORY_RATIOS = {Role.SCHOOL_SOCIAL_WORKER: 670, Role.PSYCHOLOGIST: 780}
"""§ 9 a: at most this many students per school social worker and per psychologist."""


@attrs.frozen(kw_only=True)
class SelfMonitoringReport:
    """Aggregates for the provider's self-monitoring (*omavalvonta*); nothing individual."""

    made_on: dt.date
    deadline_requests: int
    """Bookings with a psychologist or social worker (§ 15), cancelled ones aside."""
    deadline_met: int
    deadline_share: float | None
    """``deadline_met / deadline_requests``; ``None`` under :data:`MIN_CELL` requests."""
    students: int
    students_per_professional: dict[str, float | None]
    """Per role (``school_social_worker``, ``psychologist``): students per professional,
    ``None`` when the provider has none."""
    ratio_met: dict[str, bool]
    """Whether each is within :data:`STATUTORY_RATIOS`."""
    sections_past_review: tuple[str, ...]
    open_initiatives: int
    oldest_open_initiative_days: int | None
    median_open_initiative_days: float | None


class WelfarePlanMixin(SessionParts):
    """The welfare plan and self-monitoring operations of
    :class:`~welfarekit.session.Session`."""

    if TYPE_CHECKING:  # provided by Session or another of its mixins

        def _plan_resource(self) -> Resource: ...

        def _me(self) -> PersonRef: ...

        def _institution_group(
            self, tx: StorageTransaction, institution_id: str
        ) -> WelfareGroup: ...

    # -- preparing the plan ---------------------------------------------------------------------

    def start_welfare_plan(self) -> list[PlanSectionVersion]:
        """Start the provider's plan from the default outline (a steering group member):
        the provider-level sections once, the per-institution ones for each institution.
        Sections that exist are left as they are."""
        provider_id = self.actor.provider_id
        made = []
        with self._transaction() as tx:
            self._require(tx, Action.MANAGE, self._plan_resource())
            institutions = tx.list(Institution, provider_id)
            for outline in DEFAULT_OUTLINE:
                scopes = [i.id for i in institutions] if outline.per_institution else [None]
                for institution_id in scopes:
                    key = _section_key(outline.key, institution_id)
                    if tx.list(PlanSectionVersion, provider_id, section_key=key):
                        continue
                    version = self._version(key, 1, title=outline.title,
                                            institution_id=institution_id, body=outline.prompt,
                                            review_by=None, note="default outline")  # fmt: skip
                    tx.insert(version)
                    made.append(version)
            if tx.get(PlanState, provider_id, "plan") is None:
                tx.save(PlanState(provider_id=provider_id))
        return made

    def edit_plan_section(
        self,
        section_key: str,
        *,
        body: str,
        title: str | None = None,
        review_by: dt.date | None = None,
        note: str | None = None,
        expected_version: int | None = None,
    ) -> PlanSectionVersion:
        """A new version of a section, by a member of the steering group or, for an
        institution's section, of that institution's welfare group. The plan names no
        student (the text is scanned); an approved or published plan goes back to draft.

        ``expected_version`` is the version the editor read: if another edit came first,
        :class:`~welfarekit.errors.ConflictError` says so and nothing is overwritten. Two
        edits at the same moment cannot both win either (the version's id is claimed)."""
        provider_id = self.actor.provider_id
        with self._transaction() as tx:
            current = self._current(tx, section_key)
            self._may_edit(tx, current)
            if expected_version is not None and current.version != expected_version:
                raise ConflictError(
                    f"{section_key} is at version {current.version} now, not "
                    f"{expected_version}: someone else edited it; read it again"
                )
            NameIndex(tx.list(Student, provider_id)).check("PlanSectionVersion.body", body)
            version = self._version(section_key, current.version + 1,
                                    title=title or current.title,
                                    institution_id=current.institution_id, body=body,
                                    review_by=review_by or current.review_by, note=note)  # fmt: skip
            tx.insert(version)
            self._back_to_draft(tx)
        return version

    def welfare_plan(self) -> list[PlanSectionVersion]:
        """The plan's current sections, in the outline's order, for anyone of the provider."""
        with self._transaction() as tx:
            self._require(tx, Action.READ, self._plan_resource())
            return self._sections(tx)

    def plan_state(self) -> PlanState:
        """Where the plan stands (draft, in review, approved, published), who approved it
        and when, for anyone of the provider; :class:`~welfarekit.errors.NotFound` before
        the plan is started."""
        with self._transaction() as tx:
            self._require(tx, Action.READ, self._plan_resource())
            state = tx.get(PlanState, self.actor.provider_id, "plan")
        if state is None:
            raise NotFound("there is no welfare plan yet; start it first")
        return state

    def plan_history(self, section_key: str) -> list[PlanSectionVersion]:
        """Every version of a section: who changed what, when and why."""
        with self._transaction() as tx:
            self._require(tx, Action.READ, self._plan_resource())
            versions = tx.list(PlanSectionVersion, self.actor.provider_id, section_key=section_key)
        if not versions:
            raise NotFound(f"no plan section {section_key!r}")
        return sorted(versions, key=lambda v: v.version)

    def comment_on_plan(self, section_key: str, text: str) -> PlanComment:
        """A comment from staff, a student or a guardian (the plan is prepared together,
        § 13(3)). It names no student."""
        provider_id = self.actor.provider_id
        with self._transaction() as tx:
            self._require(tx, Action.WRITE, self._plan_resource())
            self._current(tx, section_key)
            NameIndex(tx.list(Student, provider_id)).check("PlanComment.text", text)
            comment = PlanComment(id=uuid.uuid4().hex, provider_id=provider_id,
                                  section_key=section_key, author=self._me(),
                                  text=text, created_at=self.now)  # fmt: skip
            tx.insert(comment)
        return comment

    def plan_comments(self, section_key: str | None = None) -> list[PlanComment]:
        with self._transaction() as tx:
            self._require(tx, Action.READ, self._plan_resource())
            filters = {"section_key": section_key} if section_key else {}
            found = tx.list(PlanComment, self.actor.provider_id, **filters)
        return sorted(found, key=lambda c: c.created_at)

    def submit_plan_for_review(self) -> PlanState:
        return self._move_plan({PlanStatus.DRAFT}, PlanStatus.IN_REVIEW)

    def approve_plan(self) -> PlanState:
        """Approve the plan under review (a steering group member). Every section the
        policy requires must be there with text."""
        with self._transaction() as tx:
            required = self._required_sections(tx)
            present = {s.section_key.split("@")[0] for s in self._sections(tx) if s.body.strip()}
            missing = sorted(set(required) - present)
        if missing:
            raise IntegrityError(f"the plan lacks required sections: {missing}")
        return self._move_plan({PlanStatus.IN_REVIEW}, PlanStatus.APPROVED)

    def publish_plan(self) -> PublishedPlan:
        """Publish the approved plan as Markdown and HTML for the host's annual-planning
        page, with the groups' current members."""
        provider_id = self.actor.provider_id
        state = self._move_plan({PlanStatus.APPROVED, PlanStatus.PUBLISHED}, PlanStatus.PUBLISHED)
        with self._transaction() as tx:
            provider = tx.get(EducationProvider, provider_id, provider_id)
            assert provider is not None
            institutions = {i.id: i.name for i in tx.list(Institution, provider_id)}
            from welfarekit.clock import today_in_finland

            rosters = list(_rosters(tx, provider, institutions, today_in_finland(self.now)))
            sections = self._sections(tx)
        return render_plan(provider.name, sections, institutions, rosters,
                           status=state.status.value)  # fmt: skip

    # -- self-monitoring ------------------------------------------------------------------------

    def self_monitoring_report(self) -> SelfMonitoringReport:
        """The provider's self-monitoring figures (a steering group member): the share of
        psychologist and social worker bookings within the § 15 deadline, students per
        professional against § 9 a, plan sections past their review date, and open
        initiatives with their age. Aggregates only; a share over fewer than
        :data:`MIN_CELL` cases is not given."""
        provider_id = self.actor.provider_id
        from welfarekit.clock import today_in_finland

        today = today_in_finland(self.now)
        with self._transaction() as tx:
            self._require(tx, Action.MANAGE, self._plan_resource())
            slots = {s.id: s for s in tx.list(AvailabilitySlot, provider_id)}
            requests = met = 0
            for booking in tx.list(Booking, provider_id):
                slot = slots.get(booking.slot_id)
                if slot is None or slot.service not in DEADLINE_ROLES:
                    continue
                if booking.status is BookingStatus.CANCELLED:
                    continue  # moved or called off: the booking that replaced it counts
                requests += 1
                deadline = discussion_deadline(booking.asked_on, urgent=booking.urgent)
                met += today_in_finland(slot.starts_at) <= deadline
            students = len(tx.list(Student, provider_id))
            staff = tx.list(StaffMember, provider_id)
            per: dict[str, float | None] = {}
            within: dict[str, bool] = {}
            for role, limit in STATUTORY_RATIOS.items():
                count = sum(1 for s in staff if role in s.roles)
                per[role.value] = round(students / count, 1) if count else None
                within[role.value] = count > 0 and students / count <= limit
            past = tuple(s.section_key for s in self._sections(tx)
                         if s.review_by is not None and s.review_by < today)  # fmt: skip
            ages = sorted(
                (today - today_in_finland(i.received_at)).days
                for i in tx.list(Initiative, provider_id)
                if i.status in (InitiativeStatus.RECEIVED, InitiativeStatus.IN_PROGRESS)
            )
        return SelfMonitoringReport(
            made_on=today, deadline_requests=requests, deadline_met=met,
            deadline_share=round(met / requests, 3) if requests >= MIN_CELL else None,
            students=students, students_per_professional=per, ratio_met=within,
            sections_past_review=past, open_initiatives=len(ages),
            oldest_open_initiative_days=ages[-1] if ages else None,
            median_open_initiative_days=statistics.median(ages) if ages else None,
        )  # fmt: skip

    # -- helpers --------------------------------------------------------------------------------

    def _version(self, key: str, number: int, *, title: str, institution_id: str | None,
                 body: str, review_by: dt.date | None, note: str | None) -> PlanSectionVersion:  # fmt: skip
        return PlanSectionVersion(
            id=f"{key}.v{number}", provider_id=self.actor.provider_id, section_key=key,
            version=number, title=title, institution_id=institution_id, body=body,
            review_by=review_by, changed_by=self._me(), changed_at=self.now,
            note=note,
        )  # fmt: skip

    def _current(self, tx: StorageTransaction, section_key: str) -> PlanSectionVersion:
        versions = tx.list(PlanSectionVersion, self.actor.provider_id, section_key=section_key)
        if not versions:
            raise NotFound(f"no plan section {section_key!r}; start the plan first")
        return max(versions, key=lambda v: v.version)

    def _sections(self, tx: StorageTransaction) -> list[PlanSectionVersion]:
        latest: dict[str, PlanSectionVersion] = {}
        for version in tx.list(PlanSectionVersion, self.actor.provider_id):
            known = latest.get(version.section_key)
            if known is None or version.version > known.version:
                latest[version.section_key] = version
        order = {o.key: n for n, o in enumerate(DEFAULT_OUTLINE)}
        return sorted(latest.values(), key=lambda v: (
            order.get(v.section_key.split("@")[0], len(order)), v.institution_id or "",
            v.section_key))  # fmt: skip

    def _may_edit(self, tx: StorageTransaction, section: PlanSectionVersion) -> None:
        steering, _ = self._decide(tx, Action.MANAGE, self._plan_resource(), None)
        if steering.allowed:
            return
        if section.institution_id is not None:
            group = self._institution_group(tx, section.institution_id)
            member, _ = self._decide(tx, Action.WRITE, Resource(
                type=ResourceType.COMMUNAL_DOCUMENT, provider_id=self.actor.provider_id,
                group_id=group.id), None)  # fmt: skip
            if member.allowed:
                return
        raise AccessDenied(steering)

    def _back_to_draft(self, tx: StorageTransaction) -> None:
        state = tx.get(PlanState, self.actor.provider_id, "plan") or PlanState(
            provider_id=self.actor.provider_id
        )
        if state.status is not PlanStatus.DRAFT:
            tx.save(attrs.evolve(state, status=PlanStatus.DRAFT, approved_by=None,
                                 approved_at=None))  # fmt: skip
        elif tx.get(PlanState, self.actor.provider_id, "plan") is None:
            tx.save(state)

    def _move_plan(self, expected: set[PlanStatus], status: PlanStatus) -> PlanState:
        with self._transaction() as tx:
            self._require(tx, Action.MANAGE, self._plan_resource())
            state = tx.get(PlanState, self.actor.provider_id, "plan")
            if state is None:
                raise NotFound("there is no welfare plan yet; start it first")
            if state.status not in expected:
                wanted = " or ".join(sorted(s.value for s in expected))
                raise IntegrityError(f"the plan is {state.status.value}; it must be {wanted}")
            changes: dict[str, Any] = {"status": status}
            if status is PlanStatus.APPROVED:
                changes |= {"approved_by": self._me(), "approved_at": self.now}
            if status is PlanStatus.PUBLISHED:
                changes |= {"published_at": self.now}
            state = attrs.evolve(state, **changes)
            tx.save(state)
        return state

    def _required_sections(self, tx: StorageTransaction) -> tuple[str, ...]:
        from welfarekit.policy import WelfarePolicy

        stored = tx.get(PolicyDocument, self.actor.provider_id, "provider")
        policy = WelfarePolicy.from_json(stored.body) if stored else WelfarePolicy()
        return policy.required_sections or tuple(o.key for o in DEFAULT_OUTLINE)


def _section_key(key: str, institution_id: str | None) -> str:
    return key if institution_id is None else f"{key}@{institution_id}"


def _rosters(tx: StorageTransaction, provider: EducationProvider, institutions: dict[str, str],
             today: dt.date) -> Iterable[GroupRoster]:  # fmt: skip
    names = provider.group_names
    for kind in (GroupKind.STEERING, GroupKind.INSTITUTION):
        for group in tx.list(WelfareGroup, provider.id, kind=kind.value):
            members = []
            for membership in tx.list(Membership, provider.id, group_id=group.id):
                if not membership.validity.contains(today):
                    continue
                person = membership.member
                if person.kind.value != "staff":
                    members.append(("opiskelijajäsen", membership.role.value.replace("_", " ")))
                    continue  # a student member is listed by role, not by name
                staff = tx.get(StaffMember, provider.id, person.id)
                if staff is not None:
                    members.append((staff.full_name,
                                    staff.title or membership.role.value.replace("_", " ")))  # fmt: skip
            yield GroupRoster(
                name=group.name or (names.steering if kind is GroupKind.STEERING
                                    else names.institution),
                institution=institutions.get(group.institution_id or ""),
                members=tuple(members),
            )  # fmt: skip
