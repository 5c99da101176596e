"""The facts a decision is made on: a snapshot, loaded by the session, read by pure rules.

Facts are per student and per actor, so a decision never depends on how many students,
staff or records a provider holds.

Facts are frozen and hold only frozen values, so what the rules derive from them (the
earliest withdrawal of each record, whose consent counts at a moment, an actor's
relationships) is derived once per facts object and kept on it: the first decision on a
snapshot reads its lists, later ones look up what the first derived. :func:`attrs.evolve`
makes a new object, which derives afresh.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

import attrs

from welfarekit.clock import today_in_finland
from welfarekit.model import (
    CapacityAssessment,
    EducationProvider,
    ExpressionOfWill,
    Guardianship,
    GuardianVeto,
    InstitutionKind,
    Membership,
    PersonRef,
    StaffMember,
    Student,
    WelfareGroup,
    Withdrawal,
)
from welfarekit.model._validate import aware_datetime

__all__ = ["ActorFacts", "Facts", "StudentFacts"]


@attrs.frozen(kw_only=True)
class ActorFacts:
    """What the directory says about the actor."""

    staff: StaffMember | None = None
    """The actor's staff record, when the actor is staff: its roles are the ones that count
    (the host's directory, not claims the actor brings)."""
    memberships: tuple[Membership, ...] = ()
    """The actor's memberships of communal groups (steering, institution), current or
    ended; memberships of a student's expert group come with that student's facts."""
    groups: tuple[WelfareGroup, ...] = ()
    """The groups of those memberships."""


@attrs.frozen(kw_only=True)
class StudentFacts:
    """Everything about one student that the rules look at."""

    student: Student
    guardianships: tuple[Guardianship, ...] = ()
    case_groups: tuple[WelfareGroup, ...] = ()
    """The student's case expert groups."""
    case_memberships: tuple[Membership, ...] = ()
    """Memberships of those groups, current or ended."""
    expressions: tuple[ExpressionOfWill, ...] = ()
    withdrawals: tuple[Withdrawal, ...] = ()
    assessments: tuple[CapacityAssessment, ...] = ()
    vetoes: tuple[GuardianVeto, ...] = ()
    institution_kind: InstitutionKind | None = None
    """The kind of the student's institution, for the bases that differ by it (LukioL
    58 § for a lukio, AmmL 109 § for a vocational institution); ``None`` when unknown, and
    those bases then refuse (fail closed)."""
    contacts: frozenset[PersonRef] = frozenset()
    """The welfare staff the student has turned to outside an expert group: the
    professionals of the student's bookings (§ 15) and those the student's referrals were
    addressed to (§ 16). A social or health care professional among them may record the
    student's expressions of will, such as a § 18(2) veto heard in a discussion, even when
    not serving the student's institution."""

    def withdrawn_at(self, record_id: str) -> dt.datetime | None:
        """When the record was withdrawn (the earliest withdrawal), or ``None``."""
        # every rule on consents and vetoes asks, for record after record: map them once
        derived = self._derived
        earliest: dict[str, dt.datetime] | None = derived.get(_WITHDRAWN)
        if earliest is None:
            earliest = {}
            for withdrawal in self.withdrawals:
                at, record = withdrawal.evidence.recorded_at, withdrawal.withdraws
                if record not in earliest or at < earliest[record]:
                    earliest[record] = at
            derived[_WITHDRAWN] = earliest  # complete before another thread can see it
        return earliest.get(record_id)

    @functools.cached_property
    def _derived(self) -> dict[Any, Any]:
        """What the rules derived from these facts (the earliest withdrawals; whose consent
        counts at each moment, kept by :mod:`welfarekit.rules.consent`)."""
        return {}


_WITHDRAWN = "earliest withdrawals"


@attrs.frozen(kw_only=True)
class Facts:
    """The moment, the provider, the actor and (for student-specific resources) the
    student."""

    now: dt.datetime = attrs.field(validator=aware_datetime)
    provider: EducationProvider
    actor: ActorFacts = attrs.field(factory=ActorFacts)
    student: StudentFacts | None = None

    @property
    def today(self) -> dt.date:
        return today_in_finland(self.now)

    @functools.cached_property
    def _derived(self) -> dict[Any, Any]:
        """The actor's relationships derived for each shape of resource
        (:mod:`welfarekit.rules.access` keeps them)."""
        return {}
