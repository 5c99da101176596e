"""The access matrix: every actor × consent state × veto × age × action × resource, checked
against an oracle written by hand from DOMAIN.md (§§ 4, 8, 14 a) and the rules stated in
words in docs/who-can-see-what.md, not derived from the code.

Every kind of resource appears; a disclosure is asked on the student's consent and on each
statutory basis. Zero unexpected allows, and zero unexpected denials.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import NamedTuple

import attrs
import pytest
from builders import (
    CASE_MEMBERSHIPS,
    COMMUNAL_MEMBERSHIPS,
    ENDED_CASE_MEMBERSHIP,
    FORMER,
    GUARDIAN,
    MORE_COMMUNAL_MEMBERSHIPS,
    REPRESENTATIVE,
    STUDENT,
    WELLBEING,
    assessment,
    every_facts,
    formation_consent,
    representation,
    student_facts,
    veto,
    will,
    withdrawal,
)
from builders import (
    actor_for as make_actor,
)

from welfarekit import Action, PersonKind, PersonRef, Resource, ResourceType
from welfarekit.model import ExpressionOfWill, GroupPosition
from welfarekit.rules import LegalBasis, StudentFacts, decide

R, L, W, X, D, M = (
    Action.READ, Action.LIST, Action.WRITE, Action.EXPORT, Action.DISCLOSE, Action.MANAGE,
)  # fmt: skip
NONE: frozenset[Action] = frozenset()

ACTORS: dict[str, PersonRef | None] = {
    "the student": STUDENT,
    "another student": PersonRef(PersonKind.STUDENT, "eetu"),
    "the guardian": GUARDIAN,
    "another guardian": PersonRef(PersonKind.GUARDIAN, "jaana"),
    # an edunvalvoja, appointed from the 18th birthday (builders.representation)
    "legal representative of the adult student": REPRESENTATIVE,
    "group member psychologist": PersonRef(PersonKind.STAFF, "psy"),
    "responsible social worker": PersonRef(PersonKind.STAFF, "kuraattori"),
    "group member nurse not covered": PersonRef(PersonKind.STAFF, "nurse"),
    # covered by the consent (a psychologist), but the membership ended on 1 November
    "psychologist whose group membership ended": PersonRef(PersonKind.STAFF, FORMER.id),
    "teacher": PersonRef(PersonKind.STAFF, "teacher"),
    "group advisor": PersonRef(PersonKind.STAFF, "advisor"),
    # the register-responsible role, a member of the steering group and the leader of the
    # institution's welfare group
    "principal": PersonRef(PersonKind.STAFF, "principal"),
    "wellbeing group member": PersonRef(PersonKind.STAFF, "senior"),
    "wellbeing group leader": PersonRef(PersonKind.STAFF, "vice"),
    "steering group member": PersonRef(PersonKind.STAFF, "director"),
    "psychologist outside the group": PersonRef(PersonKind.STAFF, "psy2"),
    "psychologist not working with the student": PersonRef(PersonKind.STAFF, "psy3"),
    "youth worker named in written consent": PersonRef(PersonKind.EXTERNAL, "youth-worker"),
    "uncle without written consent": PersonRef(PersonKind.EXTERNAL, "uncle"),
    "host system": None,
}

CONSENTS = (
    "none",
    "given",  # to form the group (covering psychologist and social worker) and the youth worker
    "given, with disclosure consent",  # and the written consent naming the recipient
    "given, disclosure consent naming another recipient",
    "withdrawn",  # all of it, with a disclosure consent
    "refused",
    "guardian while capable",  # the guardian's, with a disclosure consent
    "guardian after incapacity assessment",
    "representative after incapacity assessment",  # the legal representative's
)
VETOES = ("none", "access", "participation")
AGES = ("minor", "adult", "adult who allows the guardian")

P = "p1"
NURSE = PersonRef(PersonKind.STAFF, "nurse")
PSY2 = PersonRef(PersonKind.STAFF, "psy2")
RECIPIENT = "Harjun nuorisoasema"
RESOURCES = {
    "record": Resource(type=ResourceType.WELFARE_RECORD, provider_id=P, student_id="aino"),
    "will": Resource(type=ResourceType.EXPRESSION_OF_WILL, provider_id=P, student_id="aino"),
    "case group": Resource(type=ResourceType.GROUP, provider_id=P, student_id="aino",
                           group_id="case-aino"),
    "case group members": Resource(type=ResourceType.MEMBERSHIP, provider_id=P,
                                   student_id="aino", group_id="case-aino"),
    "access report": Resource(type=ResourceType.AUDIT_LOG, provider_id=P, student_id="aino"),
    "booking": Resource(type=ResourceType.BOOKING, provider_id=P, student_id="aino",
                        holder=PSY2, owner=STUDENT),
    "booking the guardian made": Resource(type=ResourceType.BOOKING, provider_id=P,
                                          student_id="aino", owner=GUARDIAN, holder=PSY2),
    "referral": Resource(type=ResourceType.REFERRAL, provider_id=P, student_id="aino",
                         holder=PSY2),
    # the record, to be disclosed to a named recipient (OHL § 20(5), § 22(2))
    "disclosure": Resource(type=ResourceType.WELFARE_RECORD, provider_id=P, student_id="aino",
                           recipient=RECIPIENT),
    # communal: they concern no student (OHL § 14(2))
    "wellbeing group": Resource(type=ResourceType.GROUP, provider_id=P, group_id="wellbeing"),
    "wellbeing group members": Resource(type=ResourceType.MEMBERSHIP, provider_id=P,
                                        group_id="wellbeing"),
    "initiative to the wellbeing group": Resource(
        type=ResourceType.INITIATIVE, provider_id=P, group_id="wellbeing",
        owner=PersonRef(PersonKind.STUDENT, "venla")),
    "anonymous initiative": Resource(type=ResourceType.INITIATIVE, provider_id=P,
                                     group_id="wellbeing"),
    "matter left with the nurse": Resource(type=ResourceType.CONFIDENTIAL_MATTER, provider_id=P,
                                           owner=STUDENT, holder=NURSE),
    "anonymous matter left with the nurse": Resource(type=ResourceType.CONFIDENTIAL_MATTER,
                                                     provider_id=P, holder=NURSE),
    "crisis": Resource(type=ResourceType.CRISIS_EVENT, provider_id=P, group_id="wellbeing"),
    "plan": Resource(type=ResourceType.WELFARE_PLAN, provider_id=P),
    "communal minutes": Resource(type=ResourceType.COMMUNAL_DOCUMENT, provider_id=P,
                                 group_id="wellbeing"),
    "steering minutes": Resource(type=ResourceType.COMMUNAL_DOCUMENT, provider_id=P,
                                 group_id="steering"),
    "whole audit log": Resource(type=ResourceType.AUDIT_LOG, provider_id=P),
    "directory": Resource(type=ResourceType.DIRECTORY, provider_id=P),
}  # fmt: skip
STAFF = [name for name, person in ACTORS.items() if person and person.kind is PersonKind.STAFF]

_COMMUNAL = (*COMMUNAL_MEMBERSHIPS, *MORE_COMMUNAL_MEMBERSHIPS)
LEADERS = {m.member for m in _COMMUNAL
           if m.group_id == WELLBEING.id and m.position is GroupPosition.LEADER}  # fmt: skip
"""Who lead the institution's welfare group: an initiative to the group is addressed to
them (``holder``), as :mod:`welfarekit.communal` addresses it."""
SITTING = {m.member for m in (*CASE_MEMBERSHIPS, *_COMMUNAL)
           if m.member.kind is PersonKind.STAFF} - {NURSE}  # fmt: skip
"""Staff sitting in a welfare group, with whom a student may leave a matter (the nurse's is
among :data:`RESOURCES`)."""


def resources_of(actor: str) -> dict[str, Resource]:
    """The resources asked about by this actor: :data:`RESOURCES`, an initiative the actor
    wrote (a person of the provider), and a matter the student left with the actor (a
    member of a welfare group)."""
    person = ACTORS[actor]
    found = dict(RESOURCES)
    holder = person if person in LEADERS else None
    for name in ("initiative to the wellbeing group", "anonymous initiative"):
        found[name] = attrs.evolve(found[name], holder=holder)
    if person is not None and person.kind is not PersonKind.EXTERNAL:
        found["initiative the actor wrote"] = Resource(
            type=ResourceType.INITIATIVE, provider_id=P, group_id="wellbeing", owner=person,
            holder=holder,
        )  # fmt: skip
    if person in SITTING:
        found["matter left with the actor"] = Resource(
            type=ResourceType.CONFIDENTIAL_MATTER, provider_id=P, owner=STUDENT, holder=person
        )
    return found


# -- the oracle: conditions from the law, and the table ------------------------------------

Condition = Callable[[str, str, str], bool]  # (consent, veto, age) -> holds


def always(consent: str, veto_: str, age: str) -> bool:
    return True


def minor(consent: str, veto_: str, age: str) -> bool:
    """Child welfare law covers children, persons under 18 (LsL 25 §); compulsory education
    ends at 18 (OppivL 23 §(3)-(4))."""
    return age == "minor"


def guardian_entitled(consent: str, veto_: str, age: str) -> bool:
    """§ 18: a guardian acts for a minor unless the minor forbade access for a weighty reason
    (§ 18(2)); after 18 only if the student allows it."""
    return (age == "minor" and veto_ != "access") or age == "adult who allows the guardian"


def guardian_participates(consent: str, veto_: str, age: str) -> bool:
    """§ 18(2): a minor may also forbid the guardian's participation in the handling of the
    matter, which the expert group is; an adult's guardian takes part only as allowed."""
    return guardian_entitled(consent, veto_, age) and not (
        age == "minor" and veto_ == "participation"
    )


def representative_entitled(consent: str, veto_: str, age: str) -> bool:
    """§§ 18-19 (DOMAIN.md § 4): the legal representative (appointed at 18) acts for an
    adult student whom a professional assessed unable to assess the meaning of consent."""
    return age != "minor" and consent in (
        "guardian after incapacity assessment",
        "representative after incapacity assessment",
    )


def consent_effective(consent: str, veto_: str, age: str) -> bool:
    """§ 14(4), § 19(1): the student's own consent; after a professional assessed the student
    unable to assess it, a minor's guardian's, or an adult's legal representative's (an
    adult's guardian is no legal representative)."""
    return (
        consent.startswith("given")
        or (consent == "guardian after incapacity assessment" and age == "minor")
        or (consent == "representative after incapacity assessment" and age != "minor")
    )


def minor_and_consent_effective(consent: str, veto_: str, age: str) -> bool:
    return minor(consent, veto_, age) and consent_effective(consent, veto_, age)


def disclosure_consented(consent: str, veto_: str, age: str) -> bool:
    """§ 22(2): the specific written consent naming this recipient, from whoever's consent
    counts (as :func:`consent_effective`), and a discloser covered by the group's consent."""
    named = consent in (
        "given, with disclosure consent",
        "guardian after incapacity assessment",
        "representative after incapacity assessment",
    )
    return named and consent_effective(consent, veto_, age)


PERSON_OF_PROVIDER: dict[str, frozenset[Action]] = {
    # § 13(3): the plan is drawn up with staff, students and guardians; the communal groups
    # are public within the provider; an initiative's author reads and adds to it
    "wellbeing group": frozenset({R, L}),
    "wellbeing group members": frozenset({R, L}),
    "initiative the actor wrote": frozenset({R, W}),
    "plan": frozenset({R, L, W}),
}
"""What any student, guardian or staff member of the provider may do (not people from
outside, not the host)."""


Row = tuple[frozenset[Action], Condition]


def person_of_provider(actor: str, **more: frozenset[Action]) -> dict[tuple[str, str], Row]:
    """The actor's rows for :data:`PERSON_OF_PROVIDER`, and ``more`` (resource names with
    underscores for spaces), which replace those rows: always, whatever the student's state.
    """
    rows = {**PERSON_OF_PROVIDER, **{name.replace("_", " "): acts for name, acts in more.items()}}
    return {(actor, name): (actions, always) for name, actions in rows.items()}


# § 14(2): the leader of the institution's welfare group manages the group, its documents,
# the initiatives addressed to it and its crisis work (both the principal and the leader
# who is not the principal lead it in the builders' world)
LEADS_THE_WELLBEING_GROUP: dict[str, frozenset[Action]] = {
    "wellbeing_group": frozenset({R, L, W, M}),
    "wellbeing_group_members": frozenset({R, L, W, M}),
    "initiative_to_the_wellbeing_group": frozenset({R, L, W, M}),
    "anonymous_initiative": frozenset({R, L, W, M}),
    "initiative_the_actor_wrote": frozenset({R, L, W, M}),
    "communal_minutes": frozenset({R, L, W, M}),
    "crisis": frozenset({R, L, W, M}),
    "matter_left_with_the_actor": frozenset({R, L, W, M}),
}


ORACLE: dict[tuple[str, str], Row] = {
    # JulkL 12 §, GDPR art. 15: the student's own data; the student records their own will,
    # books and cancels their bookings, and reads what they left with the nurse
    ("the student", "record"): (frozenset({R, L, X}), always),
    ("the student", "will"): (frozenset({R, L, W, X}), always),
    ("the student", "case group"): (frozenset({R, L}), always),
    ("the student", "case group members"): (frozenset({R, L}), always),
    ("the student", "access report"): (frozenset({R, L, X}), always),
    ("the student", "booking"): (frozenset({R, L, W}), always),
    ("the student", "booking the guardian made"): (frozenset({R, L, W}), always),
    ("the student", "referral"): (frozenset({R, L}), always),
    ("the student", "matter left with the nurse"): (frozenset({R, L, W}), always),
    **person_of_provider("the student"),
    **person_of_provider("another student"),
    # § 18, § 18(2): the guardian acts for a minor; a participation veto keeps the guardian
    # out of the expert group and its list of members, not out of the record
    ("the guardian", "record"): (frozenset({R, L, X}), guardian_entitled),
    ("the guardian", "will"): (frozenset({R, L, W, X}), guardian_entitled),
    ("the guardian", "case group"): (frozenset({R, L}), guardian_participates),
    ("the guardian", "case group members"): (frozenset({R, L}), guardian_participates),
    ("the guardian", "access report"): (frozenset({R, L}), guardian_entitled),
    # § 18(3): a guardian cannot forbid a minor's use of services, so never cancels the
    # student's own booking; what the guardian booked (§ 15(2)) the guardian may change
    ("the guardian", "booking"): (frozenset({R, L}), guardian_entitled),
    ("the guardian", "booking the guardian made"): (frozenset({R, L, W}), guardian_entitled),
    ("the guardian", "referral"): (frozenset({R, L}), guardian_entitled),
    **person_of_provider("the guardian"),
    **person_of_provider("another guardian"),
    # the legal representative of an adult assessed unable to assess consent (§§ 18-19); the
    # guardian, not the representative, made the guardian's booking
    ("legal representative of the adult student", "record"): (
        frozenset({R, L, X}), representative_entitled),
    ("legal representative of the adult student", "will"): (
        frozenset({R, L, W, X}), representative_entitled),
    ("legal representative of the adult student", "case group"): (
        frozenset({R, L}), representative_entitled),
    ("legal representative of the adult student", "case group members"): (
        frozenset({R, L}), representative_entitled),
    ("legal representative of the adult student", "access report"): (
        frozenset({R, L}), representative_entitled),
    ("legal representative of the adult student", "booking"): (
        frozenset({R, L}), representative_entitled),
    ("legal representative of the adult student", "booking the guardian made"): (
        frozenset({R, L}), representative_entitled),
    ("legal representative of the adult student", "referral"): (
        frozenset({R, L}), representative_entitled),
    **person_of_provider("legal representative of the adult student"),
    # § 14(4), § 19(1): members of the expert group whom the consent covers, while it is in
    # force; the responsible person also manages the group; any staff member of the group
    # records the student's will (consent or not)
    ("group member psychologist", "record"): (frozenset({R, L, W}), consent_effective),
    ("group member psychologist", "will"): (frozenset({R, L, W}), always),
    ("group member psychologist", "case group"): (frozenset({R, L}), consent_effective),
    ("group member psychologist", "case group members"): (frozenset({R, L}), consent_effective),
    **person_of_provider("group member psychologist",
                         matter_left_with_the_actor=frozenset({R, L, W, M})),
    ("responsible social worker", "record"): (frozenset({R, L, W}), consent_effective),
    ("responsible social worker", "will"): (frozenset({R, L, W}), always),
    ("responsible social worker", "case group"): (frozenset({R, L, W, M}), consent_effective),
    ("responsible social worker", "case group members"): (
        frozenset({R, L, W, M}), consent_effective),
    **person_of_provider("responsible social worker",
                         matter_left_with_the_actor=frozenset({R, L, W, M})),
    ("group member nurse not covered", "will"): (frozenset({R, L, W}), always),
    **person_of_provider("group member nurse not covered",
                         matter_left_with_the_nurse=frozenset({R, L, W, M}),
                         anonymous_matter_left_with_the_nurse=frozenset({R, L, W, M})),
    # an ended membership gives nothing, though the consent covers the role; at another
    # institution and named by nothing of the student's, not working with the student
    **person_of_provider("psychologist whose group membership ended"),
    # § 14(2), § 22: teaching, advising, leading or sitting in a communal group gives no
    # access to a student's welfare data; crisis events are for group advisors and the
    # communal groups' members, managed by the group concerned (§ 13, the crisis plan)
    **person_of_provider("teacher"),
    **person_of_provider("group advisor", crisis=frozenset({R, L, W})),
    # the register-responsible role manages the register without reading it, and reads the
    # access logs to monitor use (Tiedonhallintalaki 17 §); the principal is also a steering
    # group member and leads the institution's welfare group (builders)
    ("principal", "record"): (frozenset({M}), always),
    ("principal", "will"): (frozenset({M}), always),
    ("principal", "access report"): (frozenset({R, L, X, M}), always),
    ("principal", "whole audit log"): (frozenset({R, L, X, M}), always),
    **person_of_provider(
        "principal",
        **LEADS_THE_WELLBEING_GROUP,
        plan=frozenset({R, L, W, M}),
        steering_minutes=frozenset({R, L, W}),
    ),
    **person_of_provider(
        "wellbeing group member",
        initiative_to_the_wellbeing_group=frozenset({R, L, W}),
        anonymous_initiative=frozenset({R, L, W}),
        initiative_the_actor_wrote=frozenset({R, L, W}),
        communal_minutes=frozenset({R, L, W}),
        crisis=frozenset({R, L, W, M}),
        matter_left_with_the_actor=frozenset({R, L, W, M}),
    ),
    **person_of_provider("wellbeing group leader", **LEADS_THE_WELLBEING_GROUP),
    # § 14(1): the steering group plans and steers the provider's welfare: it manages the
    # welfare plan; it is a communal welfare group (crisis), not the institution's group
    **person_of_provider(
        "steering group member",
        crisis=frozenset({R, L, W}),
        plan=frozenset({R, L, W, M}),
        steering_minutes=frozenset({R, L, W}),
        matter_left_with_the_actor=frozenset({R, L, W, M}),
    ),
    # a professional working with the student (here: serving the whole provider, and the
    # professional of the booking and the referral) records the student's will; psy3, at
    # another institution and not named by anything of the student's, records nothing
    ("psychologist outside the group", "will"): (frozenset({W}), always),
    ("psychologist outside the group", "booking"): (frozenset({R, L, W}), always),
    ("psychologist outside the group", "booking the guardian made"): (frozenset({R, L, W}), always),
    **person_of_provider("psychologist outside the group"),
    **person_of_provider("psychologist not working with the student"),
    # § 19(2): an outside participant only with the specific written consent naming them
    ("youth worker named in written consent", "case group"): (frozenset({R}), consent_effective),
    ("youth worker named in written consent", "case group members"): (
        frozenset({R}), consent_effective),
    # § 16: any staff member refers; only the professional addressed reads it afterwards
    **{(staff, "referral"): (frozenset({W}), always) for staff in STAFF},
    ("psychologist outside the group", "referral"): (frozenset({R, L, W}), always),
    # the host mirrors the directory, and passes on anonymous initiatives and matters from
    # its own form, unread
    ("host system", "directory"): (frozenset({R, L, W, M}), always),
    ("host system", "anonymous initiative"): (frozenset({W}), always),
    ("host system", "anonymous matter left with the nurse"): (frozenset({W}), always),
}  # fmt: skip
"""What each actor may do to each resource, and when. Every pair not listed: nothing.
DISCLOSE is never allowed by a relationship: see :data:`DISCLOSURES`. The resource
"disclosure" is the record, as far as the other actions go."""

TEAM = ("group member psychologist", "responsible social worker")
"""Those taking part in the student's individual welfare: the expert group's members whom
the consent covers (§ 23(2)); while it is in force (:func:`consent_effective`)."""
B = LegalBasis
DISCLOSURES: dict[tuple[str, LegalBasis | None], Condition] = {
    # LsL 25 §, 25 §(3): every employee's duty notwithstanding secrecy, for a child; no
    # refusal or veto blocks it
    **{(staff, B.CHILD_WELFARE_NOTIFICATION): minor for staff in STAFF},
    **{(staff, B.POLICE_NOTIFICATION_CHILD): minor for staff in STAFF},
    # § 23(4): anyone performing tasks under the act may notify the police of a threat
    **{(staff, B.THREAT_TO_LIFE_OR_HEALTH): always for staff in STAFF},
    # § 23(2), LukioL 58 §: from those taking part in the student's welfare. AmmL 109 § is
    # vocational education's: never for this student of a lukio
    **{(member, B.WITHIN_WELFARE_TEAM): consent_effective for member in TEAM},
    **{(member, B.SAFETY_INFORMATION_LUKIO): consent_effective for member in TEAM},
    # OppivL 23 §(3)-(4): for a student of compulsory-education age, by the provider (its
    # register-responsible role) or a welfare worker taking part in the student's welfare
    **{(member, B.COMPULSORY_EDUCATION_TRANSFER): minor_and_consent_effective
       for member in TEAM},
    ("principal", B.COMPULSORY_EDUCATION_TRANSFER): minor,
    # § 22(2): on the specific written consent naming the recipient, by a covered member
    **{(member, None): disclosure_consented for member in TEAM},
}  # fmt: skip
"""Who may disclose the record to the named recipient on which basis (None: on consent),
and when. Every pair not listed: never; nothing else is ever disclosed."""


def question(action: Action, basis: LegalBasis | None) -> str:
    if action is not D:
        return action.value
    return f"disclose on {basis.value if basis else 'consent'}"


def questions(resource: str) -> list[tuple[Action, LegalBasis | None]]:
    """Every action; a disclosure of the record to the named recipient also on each basis."""
    asked: list[tuple[Action, LegalBasis | None]] = [(action, None) for action in Action]
    if resource == "disclosure":
        asked += [(D, basis) for basis in LegalBasis]
    return asked


def expected(
    actor: str,
    resource: str,
    action: Action,
    basis: LegalBasis | None,
    state: tuple[str, str, str],
) -> bool:
    if action is D:
        condition = DISCLOSURES.get((actor, basis)) if resource == "disclosure" else None
        return condition is not None and condition(*state)
    actions, condition = ORACLE.get(
        (actor, "record" if resource == "disclosure" else resource), (NONE, always)
    )
    return action in actions and condition(*state)


# -- building the facts of each state -------------------------------------------------------


def disclosure_consent(grantor: PersonRef, recipient: str = RECIPIENT) -> list[ExpressionOfWill]:
    return [will("disclose", "disclosure", grantor=grantor, group_id=None, recipient=recipient,
                 days_before=3)]  # fmt: skip


def world(consent: str, veto_: str, age: str) -> StudentFacts:
    expressions, withdrawals, assessments = [], [], []
    if consent.startswith("given") or consent in ("withdrawn", "refused"):
        expressions += formation_consent(STUDENT)
    if consent in ("given, with disclosure consent", "withdrawn"):
        expressions += disclosure_consent(STUDENT)
    if consent == "given, disclosure consent naming another recipient":
        expressions += disclosure_consent(STUDENT, "Jyväskylän nuorisopalvelut")
    if consent == "withdrawn":
        withdrawals += [withdrawal("form"), withdrawal("outside"), withdrawal("disclose")]
    if consent == "refused":
        expressions.append(will("refuse", "form_expert_group", kind="refusal", days_before=5))
    if consent.startswith("guardian"):
        expressions += [*formation_consent(GUARDIAN), *disclosure_consent(GUARDIAN)]
    if consent == "representative after incapacity assessment":
        expressions += [*formation_consent(REPRESENTATIVE), *disclosure_consent(REPRESENTATIVE)]
    if consent.endswith("after incapacity assessment"):
        assessments.append(assessment(can_assess=False))
    if age == "adult who allows the guardian":
        expressions.append(
            will("opt-in", "guardian_access", group_id=None, covers={GUARDIAN}, days_before=20)
        )
    vetoes = {
        "none": [],
        "access": [veto(participation=False, access=True)],
        "participation": [veto(participation=True, access=False)],
    }[veto_]
    facts = student_facts(
        minor=age == "minor", expressions=expressions, withdrawals=withdrawals,
        assessments=assessments, vetoes=vetoes,
        memberships=(*CASE_MEMBERSHIPS, ENDED_CASE_MEMBERSHIP),
        contacts=[PSY2],  # the booking's and referral's
    )  # fmt: skip
    return attrs.evolve(facts, guardianships=(*facts.guardianships, representation(age == "minor")))


STATES = list(itertools.product(CONSENTS, VETOES, AGES))


def mismatches(actor: str, only: tuple[str, str] | None = None) -> tuple[int, list[Mismatch]]:
    """How many questions the actor was asked, and every answer that differs from the
    oracle; only the given (resource, question) when ``only``."""
    person = ACTORS[actor]
    subject = make_actor(person)
    resources = resources_of(actor)
    checked, found = 0, []
    for state in STATES:
        facts = every_facts(person, world(*state))
        for name, resource in resources.items():
            for action, basis in questions(name):
                asked = question(action, basis)
                if only is not None and only != (name, asked):
                    continue
                decision = decide(subject, action, resource, facts, basis=basis)
                checked += 1
                if decision.allowed != expected(actor, name, action, basis, state):
                    verdict = "ALLOWED" if decision.allowed else "denied"
                    consent, veto_, age = state
                    found.append(Mismatch(name, asked, (
                        f"{verdict}: {actor} {asked} {name} "
                        f"[consent={consent}, veto={veto_}, age={age}]: {decision.reason}"
                    )))  # fmt: skip
    return checked, found


class Mismatch(NamedTuple):
    resource: str
    asked: str
    message: str


@pytest.mark.parametrize("actor", list(ACTORS))
def test_access_matrix(actor: str) -> None:
    checked, found = mismatches(actor)
    assert checked == len(CONSENTS) * len(VETOES) * len(AGES) * (
        len(resources_of(actor)) * len(Action) + len(LegalBasis)
    )
    wrong = [m.message for m in found]
    assert not wrong, "\n".join(wrong[:20]) + f"\n… {len(wrong)} in all"


def test_the_matrix_covers_every_kind_of_resource_and_basis() -> None:
    assert {resource.type for resource in RESOURCES.values()} == set(ResourceType)
    assert {basis for _, basis in DISCLOSURES} | {B.SAFETY_INFORMATION_VOCATIONAL} == {
        None,
        *LegalBasis,
    }
    # the oracle names only actors and resources of the matrix (a misspelt entry would
    # silently expect nothing)
    for actor, resource in ORACLE:
        assert resource in resources_of(actor), (actor, resource)
    for actor, _ in DISCLOSURES:
        assert actor in ACTORS


def test_every_denial_says_why() -> None:
    facts = every_facts(ACTORS["teacher"], world("given", "none", "minor"))
    decision = decide(make_actor(ACTORS["teacher"]), R, RESOURCES["record"], facts)
    assert not decision.allowed
    assert "being a teacher gives no access" in decision.reason
    assert "§ 14(4)" in decision.reason
    assert decision.id
    assert decision.basis is None
