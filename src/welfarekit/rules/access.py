"""Access decisions: ``decide(actor, action, resource, facts) -> Decision``.

Deny by default (DESIGN.md invariant 1). An actor gets access only through a relationship
to the resource that the law recognises — being the student, an entitled guardian, a member
of the student's expert group whom consent covers — and each relationship grants only the
actions in :data:`PERMISSIONS`. Being a teacher, the group advisor, the principal or a member
of the institution's welfare group never grants access to a student's welfare data by
itself (OHL § 14(2), § 14(4), § 22).

The rules are pure: no I/O, no clock, no plugins. The session loads the facts, asks
``decide``, lets plugins veto an allowed decision (never grant), audits the outcome and
raises :class:`~welfarekit.errors.AccessDenied` on a refusal. What a decision derives from
the facts is kept on them (:mod:`welfarekit.rules.facts`), so that later decisions on the
same snapshot look it up: a few microseconds, whatever the size of the provider.
"""

from __future__ import annotations

import enum
import os
from collections.abc import Callable, Iterable, Iterator, Mapping

import attrs

from welfarekit.access import Action, Actor, Resource, ResourceType
from welfarekit.model import (
    COUNTY_ROLES,
    ConsentPurpose,
    GroupKind,
    GroupPosition,
    InstitutionKind,
    PersonKind,
    Role,
)
from welfarekit.rules.bases import LegalBasis
from welfarekit.rules.consent import (
    Finding,
    consent_in_force,
    guardian_entitled,
    membership_covered,
    veto_in_force,
)
from welfarekit.rules.facts import Facts, StudentFacts

__all__ = ["PERMISSIONS", "Decision", "Relationship", "apply_vetoes", "decide"]

R, L, W, X, D, M = (
    Action.READ, Action.LIST, Action.WRITE, Action.EXPORT, Action.DISCLOSE, Action.MANAGE,
)  # fmt: skip


class Relationship(enum.StrEnum):
    """How an actor stands to a resource. Only these grant anything."""

    THE_STUDENT = "the student"
    ENTITLED_GUARDIAN = "an entitled guardian"
    PARTICIPATING_GUARDIAN = "an entitled guardian whose participation the student allows"
    GUARDIAN_WHO_BOOKED = "an entitled guardian, for a booking they made"
    EXPERT_GROUP_MEMBER = "a member of the student's expert group covered by consent"
    RESPONSIBLE_PERSON = "the expert group's responsible person (vastuuhenkilö)"
    OUTSIDE_PARTICIPANT = "an outside participant named in written consent"
    CASE_GROUP_MEMBER = "a member of the student's expert group (consent or not)"
    WELFARE_PROFESSIONAL = (
        "a social or health care professional of the welfare staff working with the student"
    )
    REGISTER_MANAGER = "the provider's register-responsible role"
    AUTHOR = "the person who wrote or left it"
    HOLDER = "the person it was left with or addressed to"
    GROUP_MEMBER = "a member of the group concerned"
    GROUP_LEADER = "the leader of the group concerned"
    CRISIS_RESPONDER = "a group advisor or a member of a communal welfare group"
    STEERING_MEMBER = "a member of the provider's steering group"
    PERSON_OF_PROVIDER = "a student, guardian or staff member of the provider"
    STAFF_OF_PROVIDER = "a staff member of the provider"
    HOST_SYSTEM = "the host's own system process"


_ = Relationship
# A student's expert group is the handling of the student's matter: a guardian whose
# participation the minor has forbidden (OHL § 18(2)) does not see it.
_GROUP_PERMISSIONS: Mapping[Relationship, frozenset[Action]] = {
    _.THE_STUDENT: frozenset({R, L}),
    _.PARTICIPATING_GUARDIAN: frozenset({R, L}),
    _.EXPERT_GROUP_MEMBER: frozenset({R, L}),
    _.OUTSIDE_PARTICIPANT: frozenset({R}),
    _.RESPONSIBLE_PERSON: frozenset({R, L, W, M}),
    _.GROUP_LEADER: frozenset({R, L, W, M}),
    _.PERSON_OF_PROVIDER: frozenset({R, L}),
}
PERMISSIONS: Mapping[ResourceType, Mapping[Relationship, frozenset[Action]]] = {
    ResourceType.WELFARE_RECORD: {
        _.THE_STUDENT: frozenset({R, L, X}),
        _.ENTITLED_GUARDIAN: frozenset({R, L, X}),
        _.EXPERT_GROUP_MEMBER: frozenset({R, L, W}),
        _.RESPONSIBLE_PERSON: frozenset({R, L, W}),
        _.REGISTER_MANAGER: frozenset({M}),
    },
    ResourceType.EXPRESSION_OF_WILL: {
        _.THE_STUDENT: frozenset({R, L, W, X}),
        _.ENTITLED_GUARDIAN: frozenset({R, L, W, X}),
        _.CASE_GROUP_MEMBER: frozenset({R, L, W}),
        _.WELFARE_PROFESSIONAL: frozenset({W}),
        _.REGISTER_MANAGER: frozenset({M}),
    },
    ResourceType.GROUP: _GROUP_PERMISSIONS,
    ResourceType.MEMBERSHIP: _GROUP_PERMISSIONS,
    ResourceType.INITIATIVE: {
        _.AUTHOR: frozenset({R, W}),
        _.HOLDER: frozenset({R, W, M}),
        _.GROUP_MEMBER: frozenset({R, L, W}),
        # an anonymous initiative comes through the host's own form, unread by the host
        _.HOST_SYSTEM: frozenset({W}),
    },
    ResourceType.COMMUNAL_DOCUMENT: {
        _.GROUP_MEMBER: frozenset({R, L, W}),
        _.GROUP_LEADER: frozenset({R, L, W, M}),
    },
    ResourceType.CONFIDENTIAL_MATTER: {
        _.AUTHOR: frozenset({R, L, W}),
        _.HOLDER: frozenset({R, L, W, M}),
        # an anonymous matter comes through the host's own form; the host never reads it
        _.HOST_SYSTEM: frozenset({W}),
    },
    ResourceType.REFERRAL: {
        # any staff member may bring a student's matter forward (§ 16) and then no longer
        # sees it: the content is for the professional it is addressed to
        _.STAFF_OF_PROVIDER: frozenset({W}),
        _.HOLDER: frozenset({R, L, W}),
        _.THE_STUDENT: frozenset({R, L}),
        _.ENTITLED_GUARDIAN: frozenset({R, L}),
    },
    ResourceType.BOOKING: {
        _.THE_STUDENT: frozenset({R, L, W}),
        # a guardian may book (§ 15(2)) and change what they booked, but never cancel the
        # student's own booking: a guardian cannot forbid a minor's use of services (§ 18(3))
        _.ENTITLED_GUARDIAN: frozenset({R, L}),
        _.GUARDIAN_WHO_BOOKED: frozenset({R, L, W}),
        _.HOLDER: frozenset({R, L, W}),
    },
    ResourceType.CRISIS_EVENT: {
        _.CRISIS_RESPONDER: frozenset({R, L, W}),
        _.GROUP_MEMBER: frozenset({R, L, W, M}),
    },
    ResourceType.WELFARE_PLAN: {
        _.PERSON_OF_PROVIDER: frozenset({R, L, W}),
        _.STEERING_MEMBER: frozenset({R, L, W, M}),
    },
    ResourceType.AUDIT_LOG: {
        _.THE_STUDENT: frozenset({R, L, X}),
        _.ENTITLED_GUARDIAN: frozenset({R, L}),
        _.REGISTER_MANAGER: frozenset({R, L, X, M}),
    },
    ResourceType.DIRECTORY: {_.HOST_SYSTEM: frozenset({R, L, W, M})},
}
"""For each kind of resource, what each relationship may do. Nothing else is allowed
(deny by default). The grounds: the student's own data (JulkL 12 §), a guardian acting for
a minor (OHL § 18, § 18(2)-(3)), the expert group on consent (§ 14(4), § 19), communal work
without named students (§ 14(1)-(2)), the register's management (§ 21(1)), the referral
duty (§ 16), bookings (§ 15) and the welfare plan (§ 13).

``DISCLOSE`` appears nowhere: a disclosure is decided on its basis (:func:`decide` with
``basis``, or a disclosure consent), never on a relationship alone."""


def _decision_id() -> str:
    """128 random bits from the operating system's CSPRNG, as 32 hex digits: unique and
    unguessable as a version 4 UUID (which has 122 such bits), and of the same shape as
    ``uuid4().hex``.

    Every decision takes one, and a system call for each would cost a fifth of the whole
    decision: the bits are read for a batch of ids at once. Taking one is a single step of a
    list iterator, which threads cannot split, so no two take the same; a process forked
    from this one forgets the batch it inherited (below), so parent and child never share
    ids either."""
    global _ids  # noqa: PLW0603 (a batch is replaced whole, never changed)
    found = next(_ids, None)
    if found is None:
        bits = os.urandom(16 * _IDS_PER_BATCH).hex()
        _ids = iter([bits[i : i + 32] for i in range(0, len(bits), 32)])
        found = next(_ids)
    return found


def _forget_ids() -> None:
    global _ids  # noqa: PLW0603
    _ids = iter(())


_IDS_PER_BATCH = 256
_ids: Iterator[str] = iter(())
os.register_at_fork(after_in_child=_forget_ids)


@attrs.frozen(kw_only=True, weakref_slot=False)
class Decision:
    """The answer to "may this actor do this to that?", with why and on what basis."""

    allowed: bool
    reason: str
    basis: str | None
    actor: Actor
    action: Action
    resource: Resource
    legal_basis: LegalBasis | None = None
    vetoed_by: str | None = None
    id: str = attrs.field(factory=_decision_id)


def decide(
    actor: Actor,
    action: Action,
    resource: Resource,
    facts: Facts,
    *,
    basis: LegalBasis | None = None,
) -> Decision:
    """Decide, deny by default. ``basis`` names the statutory basis of a disclosure."""
    # The hottest path of the library, kept to one call: on facts already asked about, a
    # decision is these checks, one look-up and a new Decision.
    provider, student = resource.provider_id, facts.student
    if actor.provider_id != provider or facts.provider.id != provider:
        finding = _OTHER_PROVIDER
    elif resource.student_id is not None and (
        student is None or student.student.id != resource.student_id
    ):
        finding = _NO_STUDENT_FACTS
    elif action is D:  # (the alias: looking a member up on an enum class costs 0.1 µs)
        finding = _disclosure(actor, resource, facts, basis)
    elif basis is not None:
        finding = _BASIS_WITHOUT_DISCLOSURE
    else:
        shape = _shape(actor, resource)
        key = (action, resource.type, shape)
        derived = facts._derived
        found: Finding | None = derived.get(key)
        if found is None:
            held = _relationships(actor, resource, facts, shape)
            found = derived[key] = _outcome(actor, action, resource, facts, held)
        finding = found
    # Decision(...), made as attrs makes it at a fifth of the cost (see _DecisionParts)
    decision = _DecisionParts()
    decision.allowed = finding.holds
    decision.reason = finding.reason
    decision.basis = finding.basis
    decision.actor = actor
    decision.action = action
    decision.resource = resource
    decision.legal_basis = basis if finding.holds else None
    decision.vetoed_by = None
    decision.id = next(_ids, None) or _decision_id()  # the batch's next, as a rule
    decision.__class__ = Decision  # type: ignore[assignment]
    return decision  # type: ignore[return-value]


_OTHER_PROVIDER = Finding(
    False,
    "each education provider is a tenant of its own: no access across providers "
    "(DESIGN.md invariant 8)",
)
_NO_STUDENT_FACTS = Finding(
    False, "the facts about the student concerned are missing (fail closed)"
)
_BASIS_WITHOUT_DISCLOSURE = Finding(False, "a statutory basis applies only to a disclosure")


_DECISION_FIELDS = (
    "allowed", "reason", "basis", "actor", "action", "resource", "legal_basis", "vetoed_by", "id",
)  # fmt: skip


class _DecisionParts:
    """A Decision under construction: the same slots, writable. A frozen attrs class sets
    each slot through ``object.__setattr__`` (about 0.1 µs apiece, most of a decision on
    facts already derived); plain slot stores cost a tenth of that, and the finished object
    becomes a Decision by taking its class, which Python allows between classes of the same
    layout. Decision converts and validates nothing, so this makes the same value as
    ``Decision(...)``; the checks below make sure both stay so."""

    __slots__ = _DECISION_FIELDS
    allowed: bool
    reason: str
    basis: str | None
    actor: Actor
    action: Action
    resource: Resource
    legal_basis: LegalBasis | None
    vetoed_by: str | None
    id: str


if (
    tuple(f.name for f in attrs.fields(Decision)) != _DECISION_FIELDS
    or getattr(Decision, "__slots__", None) != _DECISION_FIELDS  # the same layout, or
    # taking the class fails
    or any(f.validator or f.converter for f in attrs.fields(Decision))
):
    raise RuntimeError("decide must set every field of Decision, which checks none")


def apply_vetoes(decision: Decision, vetoes: Iterable[tuple[str, str | None]]) -> Decision:
    """Let plugins narrow an allowed decision: ``vetoes`` are (plugin, reason or None).

    Any reason refuses (invariant 2: plugins narrow, never widen). A mandatory notification
    (a duty notwithstanding secrecy) cannot be vetoed."""
    if not decision.allowed or (decision.legal_basis and decision.legal_basis.mandatory):
        return decision
    for plugin, reason in vetoes:
        if reason is not None:
            return attrs.evolve(
                decision, allowed=False, reason=f"refused by {plugin}: {reason}", vetoed_by=plugin
            )
    return decision


# -- evaluation -----------------------------------------------------------------------------


def _outcome(
    actor: Actor,
    action: Action,
    resource: Resource,
    facts: Facts,
    held: Mapping[Relationship, Finding],
) -> Finding:
    """Allowed by the first relationship held that grants the action, or why not."""
    permissions = PERMISSIONS[resource.type]
    for relationship, finding in held.items():
        if finding.holds and action in permissions.get(relationship, frozenset()):
            return Finding(
                True, f"allowed as {relationship.value}: {finding.reason}", finding.basis
            )
    return Finding(False, _why_not(actor, action, resource, facts, held))


def _shape(actor: Actor, resource: Resource) -> tuple[object, ...]:
    """Everything of the actor and the resource that :func:`_derive_relationships` and
    :func:`_outcome` read besides the action and the kind of resource (a resource's
    student, when it names one, is the facts' student: ``decide`` checks that first)."""
    person, owner, holder = actor.person, resource.owner, resource.holder
    return (
        # the person's kind and id, not the PersonRef: a str hashes in C, attrs' __hash__ not
        (person.kind, person.id) if person is not None else None,
        actor.system,
        resource.student_id is None,
        owner is None,
        owner is not None and owner == person,  # (most resources name neither)
        holder is not None and holder == person,
        resource.group_id,
    )


def _relationships(
    actor: Actor, resource: Resource, facts: Facts, shape: tuple[object, ...]
) -> Mapping[Relationship, Finding]:
    """Every relationship the actor holds (or nearly holds, with the reason it fails).

    Derived once per facts for each shape of actor and resource, then looked up, so a
    decision on facts already seen is a table look-up."""
    derived = facts._derived
    held: Mapping[Relationship, Finding] | None = derived.get(shape)
    if held is None:
        if len(derived) >= _SHAPES_KEPT:
            derived.clear()  # facts kept long and asked about ever new resources stay small
        held = derived[shape] = _derive_relationships(actor, resource, facts)
    return held


_SHAPES_KEPT = 256


def _derive_relationships(
    actor: Actor, resource: Resource, facts: Facts
) -> dict[Relationship, Finding]:
    """Every relationship the actor holds to the resource, each with its finding: the
    relationships to the provider and its communal groups (OHL § 14(1)-(2)), the
    register-responsible role (§ 21(1)), a staff member's referral duty (§ 16), and those to
    the student the resource concerns (:func:`_student_relationships`)."""
    found: dict[Relationship, Finding] = {}
    person, student = actor.person, facts.student
    if person is None:
        # the host passes on what came anonymously through its own form; what a named
        # person wrote or left is theirs, never the host's to write
        found[_.HOST_SYSTEM] = (
            Finding(True, f"host system {actor.system}")
            if resource.owner is None
            else _NAMED_AUTHOR
        )
        return found
    # never a door into one student's matters, and not for people from outside
    if resource.student_id is None and person.kind is not PersonKind.EXTERNAL:
        found[_.PERSON_OF_PROVIDER] = Finding(True, "a person of this provider")
    if resource.owner == person:
        found[_.AUTHOR] = Finding(True, "its author")
    if resource.holder == person:
        found[_.HOLDER] = Finding(True, "the person it is addressed to")
    staff = facts.actor.staff
    roles = staff.roles if staff is not None and person.kind is PersonKind.STAFF else frozenset()
    if staff is not None and person.kind is PersonKind.STAFF:
        found[_.STAFF_OF_PROVIDER] = Finding(True, "staff bound by welfare secrecy", "OHL § 16")
    if facts.provider.register_responsible_role in roles:
        found[_.REGISTER_MANAGER] = Finding(
            True, "register management tasks, not the content", "OHL § 21(1)"
        )
    _group_relationships(found, actor, resource, facts)
    if Role.GROUP_ADVISOR in roles:
        found.setdefault(_.CRISIS_RESPONDER, Finding(True, "group advisor (the seeds' crisis "
                                                         "contact)"))  # fmt: skip
    if student is not None and resource.student_id is not None:
        owned = resource.owner is not None and resource.owner == person
        _student_relationships(found, actor, student, facts, roles, owned=owned)
    return found


def _group_relationships(
    found: dict[Relationship, Finding], actor: Actor, resource: Resource, facts: Facts
) -> None:
    """Relationships through the actor's current memberships of groups."""
    groups = {g.id: g for g in facts.actor.groups}
    for membership in facts.actor.memberships:
        group = groups.get(membership.group_id)
        if group is None or membership.member != actor.person:
            continue
        if not membership.validity.contains(facts.today):
            continue
        if group.kind is GroupKind.STEERING:
            found[_.STEERING_MEMBER] = Finding(True, "member of the steering group", "OHL § 14(1)")
        if group.kind in (GroupKind.STEERING, GroupKind.INSTITUTION):
            found[_.CRISIS_RESPONDER] = Finding(True, "member of a communal welfare group")
        # A communal group handles no named student's matter (OHL § 14(2)).
        communal = group.kind is not GroupKind.CASE and resource.student_id is None
        if resource.group_id == group.id and communal:
            found[_.GROUP_MEMBER] = Finding(True, "member of the group")
            if membership.position is GroupPosition.LEADER:
                found[_.GROUP_LEADER] = Finding(True, "leader of the group", "OHL § 14(2)")


def _student_relationships(
    found: dict[Relationship, Finding],
    actor: Actor,
    student: StudentFacts,
    facts: Facts,
    roles: frozenset[Role],
    *,
    owned: bool,
) -> None:
    """Relationships to one student: the student (JulkL 12 §), a guardian (OHL § 18,
    § 18(2)-(3)), a member of the student's expert group with the consent covering them
    (§ 14(4), § 19), an outside participant named in written consent (§ 19(2)), and a
    social or health care professional working with the student (§ 18(2), § 19(1)).
    ``owned``: the resource names the actor as the one who made it (a booking)."""
    person, now = actor.person, facts.now
    assert person is not None
    if person.kind is PersonKind.STUDENT and person.id == student.student.id:  # its ref
        found[_.THE_STUDENT] = Finding(True, "the student's own data", "JulkL 12 §; GDPR art. 15")
    if person.kind is PersonKind.GUARDIAN:
        entitled = found[_.ENTITLED_GUARDIAN] = guardian_entitled(student, person.id, now)
        found[_.PARTICIPATING_GUARDIAN] = (
            _PARTICIPATION_FORBIDDEN
            if entitled.holds and veto_in_force(student, person.id, now, access=False)
            else entitled
        )
        if owned:
            found[_.GUARDIAN_WHO_BOOKED] = entitled
    groups = {g.id for g in student.case_groups if g.kind is GroupKind.CASE}
    for membership in student.case_memberships:
        if (
            membership.member != person
            or membership.group_id not in groups
            or not membership.validity.contains(facts.today)
        ):
            continue
        if person.kind is PersonKind.EXTERNAL:
            # Sitting in two of the student's groups, covered in one: it is covered, whatever
            # order the memberships come in (a refusal never replaces what holds).
            covered = membership_covered(student, membership, now)
            held = found.get(_.OUTSIDE_PARTICIPANT)
            if held is None or (covered.holds and not held.holds):
                found[_.OUTSIDE_PARTICIPANT] = covered
            continue
        if person.kind is not PersonKind.STAFF:
            continue  # the student and guardians hold their own relationships
        found[_.CASE_GROUP_MEMBER] = Finding(True, "member of the student's expert group")
        covered = membership_covered(student, membership, now)
        if membership.position is GroupPosition.RESPONSIBLE_PERSON:
            found[_.RESPONSIBLE_PERSON] = covered
            found.setdefault(_.EXPERT_GROUP_MEMBER, covered)
        else:
            found[_.EXPERT_GROUP_MEMBER] = covered
    if roles & COUNTY_ROLES:
        # A professional's role alone opens no student's matters: only one working with
        # this student records the student's will (a § 18(2) veto, a capacity assessment):
        # the welfare staff of the student's institution (staff with no institution serve
        # the whole provider), or one the student's group, booking or referral names.
        staff = facts.actor.staff
        assert staff is not None  # roles come from the staff record
        serves = not staff.institution_ids or student.student.institution_id in (
            staff.institution_ids
        )
        working = serves or _.CASE_GROUP_MEMBER in found or person in student.contacts
        found[_.WELFARE_PROFESSIONAL] = _WORKING_WITH_STUDENT if working else _NOT_WORKING_WITH


_NAMED_AUTHOR = Finding(
    False,
    "a host system process writes only anonymous initiatives and matters; one with a named "
    "author is written as that person",
)
_PARTICIPATION_FORBIDDEN = Finding(
    False,
    "the student has forbidden this guardian's participation in their welfare matter "
    "(OHL § 18(2), assessed by a social or health care professional)",
)
_WORKING_WITH_STUDENT = Finding(
    True, "welfare staff working with the student", "OHL § 18(2), § 19(1)"
)
_NOT_WORKING_WITH = Finding(
    False,
    "a social or health care professional records a student's expressions of will only when "
    "working with the student: serving the student's institution, in the student's expert "
    "group, or through the student's booking or a referral addressed to them (OHL § 22(2))",
)


def _why_not(
    actor: Actor,
    action: Action,
    resource: Resource,
    facts: Facts,
    held: Mapping[Relationship, Finding],
) -> str:
    """Why nothing the actor holds allows the action: every relationship that nearly held,
    with its reason, or the reason that applies to the actor (OHL § 14(4), § 18(3), § 22)."""
    guardian = held.get(_.ENTITLED_GUARDIAN)
    if (
        resource.type is ResourceType.BOOKING
        and action is Action.WRITE
        and guardian is not None
        and guardian.holds
    ):
        return (
            "denied: a guardian cannot cancel or change the student's own booking: a guardian "
            "cannot forbid a minor's use of welfare services (OHL § 18(3))"
        )
    failed = list(dict.fromkeys(f.reason for f in held.values() if not f.holds))
    if failed:
        return "denied: " + "; ".join(failed)
    what = resource.type.value.replace("_", " ")
    if actor.person is None:
        return f"denied: a host system process cannot {action.value} a {what}; act as a person"
    if resource.student_id is not None and resource.type in (
        ResourceType.WELFARE_RECORD,
        ResourceType.EXPRESSION_OF_WILL,
    ):
        staff = facts.actor.staff
        if staff is not None and staff.roles:
            roles = ", ".join(sorted(r.value.replace("_", " ") for r in staff.roles))
            return (
                f"denied: being a {roles} gives no access to a student's welfare data; only "
                "membership of the student's expert group with the consent covering it does "
                "(OHL § 14(4), § 22)"
            )
    granting = [r.value for r, f in held.items() if f.holds]
    return (
        f"denied: no relationship that allows to {action.value} this {what} "
        f"(the actor is {', '.join(granting) or 'unrelated to it'})"
    )


def _disclosure(
    actor: Actor, resource: Resource, facts: Facts, basis: LegalBasis | None
) -> Finding:
    """A disclosure needs a basis: the student's specific written consent naming the
    recipient (OHL § 22(2)), or a statutory basis (DOMAIN.md § 8.2)."""
    if resource.type is not ResourceType.WELFARE_RECORD or facts.student is None:
        return Finding(False, "only a student's welfare record is disclosed, on a basis")
    student, person = facts.student, actor.person
    staff = facts.actor.staff
    if person is None or person.kind is not PersonKind.STAFF or staff is None:
        return Finding(False, "only staff bound by welfare secrecy disclose (OHL § 22(2))")
    held = _relationships(actor, resource, facts, _shape(actor, resource))
    discloser = _Discloser(
        in_team=any(
            held.get(r, _NOT_HELD).holds for r in (_.EXPERT_GROUP_MEMBER, _.RESPONSIBLE_PERSON)
        ),
        register_manager=held.get(_.REGISTER_MANAGER, _NOT_HELD).holds,
    )
    if basis is None:
        if not discloser.in_team:
            return Finding(False, "only a member of the student's expert group covered by "
                           "consent discloses on the student's consent")  # fmt: skip
        if resource.recipient is None:
            return Finding(False, "a disclosure names its recipient (OHL § 20(5))")
        consent = consent_in_force(
            student, ConsentPurpose.DISCLOSURE, facts.now, recipient=resource.recipient
        )
        if not consent:
            return Finding(
                False,
                "a disclosure needs the specific written consent naming this recipient, or a "
                f"statutory basis (OHL § 22(2)): {consent.reason}",
            )
        return Finding(True, f"disclosure on consent: {consent.reason}", consent.basis)
    return _STATUTORY[basis](student, facts, discloser, basis)


@attrs.frozen
class _Discloser:
    """How the person disclosing stands to the student, as the statutory bases ask."""

    in_team: bool
    """Takes part in the student's individual welfare: a covered member of an expert group."""
    register_manager: bool
    """Holds the register-responsible role, which acts for the provider (transfers)."""


_NOT_HELD = Finding(False, "")


def _mandatory(
    student: StudentFacts, facts: Facts, discloser: _Discloser, basis: LegalBasis
) -> Finding:
    """The child-welfare notification (LsL 25 §) and the police notification of a suspected
    crime against a child (LsL 25 §(3)): duties of every employee, notwithstanding secrecy,
    so no refusal, § 18(2) veto or plugin blocks them. Child welfare law covers children:
    for an adult, social services are contacted with consent (SHL 35 §)."""
    if not student.student.is_minor_on(facts.today):
        return Finding(False, f"{basis.section} concerns children under 18; for an adult, "
                       "contact social services with consent (SHL 35 §)")  # fmt: skip
    return Finding(True, "a duty notwithstanding secrecy: no refusal or veto blocks it",
                   basis.section)  # fmt: skip


def _any_staff(
    student: StudentFacts, facts: Facts, discloser: _Discloser, basis: LegalBasis
) -> Finding:
    """Anyone performing tasks under the act may notify the police of what is needed to
    assess a threat to life or health (OHL § 23(4); LukioL 58 §(2), AmmL 109 §(5))."""
    return Finding(True, "anyone performing tasks under the act may notify", basis.section)


def _team_only(
    student: StudentFacts, facts: Facts, discloser: _Discloser, basis: LegalBasis
) -> Finding:
    """Information necessary to arrange the student's individual welfare moves between
    those taking part in it (OHL § 23(2)); safety information goes from them to the
    principal and the others the education acts name (LukioL 58 §, AmmL 109 §(4))."""
    if not discloser.in_team:
        return Finding(False, f"{basis.section} lets only those taking part in the student's "
                       "individual welfare give information")  # fmt: skip
    return Finding(True, "necessary information within the individual welfare", basis.section)


_SCHOOL_OF_BASIS = {
    LegalBasis.SAFETY_INFORMATION_LUKIO: InstitutionKind.GENERAL_UPPER_SECONDARY,
    LegalBasis.SAFETY_INFORMATION_VOCATIONAL: InstitutionKind.VOCATIONAL,
}


def _safety_information(
    student: StudentFacts, facts: Facts, discloser: _Discloser, basis: LegalBasis
) -> Finding:
    """Necessary health and functional-capacity information for safe studying, from those
    taking part in the student's welfare to the principal and the others the act names:
    the Act on General Upper Secondary Education for a lukio student (LukioL 58 §), the
    Act on Vocational Education for a vocational student (AmmL 109 §(4)). Each act covers
    its own students only."""
    school = _SCHOOL_OF_BASIS[basis]
    if student.institution_kind is not school:
        return Finding(False, f"{basis.section} covers students of a "
                       f"{school.value.replace('_', ' ')} institution; this student's is "
                       f"{_kind_name(student.institution_kind)}")  # fmt: skip
    return _team_only(student, facts, discloser, basis)


def _kind_name(kind: InstitutionKind | None) -> str:
    return "not known" if kind is None else f"a {kind.value.replace('_', ' ')} one"


def _compulsory_education(
    student: StudentFacts, facts: Facts, discloser: _Discloser, basis: LegalBasis
) -> Finding:
    """For a student of compulsory-education age (under 18), the previous provider sends
    the new one, notwithstanding secrecy, what is necessary to arrange the education
    (OppivL 23 §(3)), and welfare workers may give the student's principal and teachers the
    same (23 §(4)). The provider acts through its register-responsible role; welfare workers
    through their part in the student's welfare. The welfare record itself moves to a new
    provider only with consent (OHL § 23(3))."""
    if not student.student.is_minor_on(facts.today):
        return Finding(False, f"{basis.section} concerns students of compulsory-education age "
                       "(under 18); an adult's data moves with their consent")  # fmt: skip
    if not (discloser.in_team or discloser.register_manager):
        return Finding(False, f"{basis.section}: the provider (its register-responsible role) "
                       "or a welfare worker taking part in the student's welfare gives it")  # fmt: skip
    return Finding(
        True,
        "only what is necessary to arrange the education of a student of compulsory-education age",
        basis.section,
    )


_STATUTORY: Mapping[
    LegalBasis, Callable[[StudentFacts, Facts, _Discloser, LegalBasis], Finding]
] = {
    LegalBasis.CHILD_WELFARE_NOTIFICATION: _mandatory,
    LegalBasis.POLICE_NOTIFICATION_CHILD: _mandatory,
    LegalBasis.THREAT_TO_LIFE_OR_HEALTH: _any_staff,
    LegalBasis.WITHIN_WELFARE_TEAM: _team_only,
    LegalBasis.SAFETY_INFORMATION_LUKIO: _safety_information,
    LegalBasis.SAFETY_INFORMATION_VOCATIONAL: _safety_information,
    LegalBasis.COMPULSORY_EDUCATION_TRANSFER: _compulsory_education,
}
