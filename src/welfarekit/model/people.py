"""People: students, guardians and staff, referred to by the host's stable identifiers."""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Iterable

import attrs

from welfarekit.errors import InvalidValue
from welfarekit.model._validate import (
    calendar_date,
    coerce_enum,
    fail,
    identifier,
    instance_of,
    member_of,
    optional_identifier,
    optional_text,
    text,
)
from welfarekit.model.identity_codes import PersonalIdentityCode
from welfarekit.model.period import Period

__all__ = [
    "COUNTY_ROLES",
    "STAFF_ROLES",
    "EmployerKind",
    "Guardian",
    "Guardianship",
    "GuardianshipKind",
    "PersonKind",
    "PersonRef",
    "Role",
    "StaffMember",
    "Student",
]


class Role(enum.StrEnum):
    """Every role the law and the seeds name, as a staff role or a role in a group."""

    GROUP_ADVISOR = "group_advisor"
    """*ryhmänohjaaja*"""
    STUDY_COUNSELLOR = "study_counsellor"
    """*opinto-ohjaaja*"""
    TEACHER = "teacher"
    """*opettaja*"""
    SPECIAL_NEEDS_TEACHER = "special_needs_teacher"
    """*erityisopettaja*"""
    SCHOOL_SOCIAL_WORKER = "school_social_worker"
    """*kuraattori*: social welfare professional of the wellbeing services county."""
    PSYCHOLOGIST = "psychologist"
    """*psykologi*: health care professional of the wellbeing services county."""
    NURSE = "nurse"
    """*terveydenhoitaja*: school / student health care nurse."""
    DOCTOR = "doctor"
    """*lääkäri*: school / student health care doctor."""
    PRINCIPAL = "principal"
    """*rehtori*"""
    TRAINING_MANAGER = "training_manager"
    """*koulutuspäällikkö*"""
    UNIT_DIRECTOR = "unit_director"
    """*yksikönjohtaja*"""
    OTHER_EXPERT = "other_expert"
    """*muu asiantuntija*: an expert heard by or sitting in a group (§ 14(3))."""
    STUDENT_MEMBER = "student_member"
    """*opiskelijajäsen*: a student representing students in a communal group."""
    STUDENT = "student"
    """The student a case expert group is formed for."""
    GUARDIAN = "guardian"
    """*huoltaja* or other legal representative taking part in a case expert group."""
    OUTSIDE_PARTICIPANT = "outside_participant"
    """A cooperation partner from outside welfare (§ 19(2)): needs specific written consent."""
    PERSON_CLOSE_TO_STUDENT = "person_close_to_student"
    """*opiskelijan läheinen* (§ 19(2)): needs specific written consent."""


def to_role(value: Role | str) -> Role:
    return coerce_enum(Role, value)


STAFF_ROLES = frozenset(
    {
        Role.GROUP_ADVISOR,
        Role.STUDY_COUNSELLOR,
        Role.TEACHER,
        Role.SPECIAL_NEEDS_TEACHER,
        Role.SCHOOL_SOCIAL_WORKER,
        Role.PSYCHOLOGIST,
        Role.NURSE,
        Role.DOCTOR,
        Role.PRINCIPAL,
        Role.TRAINING_MANAGER,
        Role.UNIT_DIRECTOR,
        Role.OTHER_EXPERT,
    }
)
"""Roles a staff member can hold."""

COUNTY_ROLES = frozenset({Role.SCHOOL_SOCIAL_WORKER, Role.PSYCHOLOGIST, Role.NURSE, Role.DOCTOR})
"""Roles whose holders the wellbeing services county employs since 1.1.2023 (§ 9 as
633/2021). Their own client notes belong to the county's registers, not welfarekit's."""


class EmployerKind(enum.StrEnum):
    """Who employs a staff member, which decides whose register their own notes go to."""

    EDUCATION_PROVIDER = "education_provider"
    """*koulutuksen järjestäjä*"""
    WELLBEING_SERVICES_COUNTY = "wellbeing_services_county"
    """*hyvinvointialue*: employs school social workers, psychologists, nurses and doctors."""


def to_employer_kind(value: EmployerKind | str) -> EmployerKind:
    return coerce_enum(EmployerKind, value)


class PersonKind(enum.StrEnum):
    STUDENT = "student"
    GUARDIAN = "guardian"
    STAFF = "staff"
    EXTERNAL = "external"
    """Someone outside the provider's directory: an outside participant or a person close to
    the student, identified by the host."""


def to_person_kind(value: PersonKind | str) -> PersonKind:
    return coerce_enum(PersonKind, value)


@attrs.frozen
class PersonRef:
    """A reference to a person by kind and the host's identifier."""

    kind: PersonKind = attrs.field(converter=to_person_kind, validator=member_of(PersonKind))
    id: str = attrs.field(validator=identifier)

    def __str__(self) -> str:
        return f"{self.kind.value}:{self.id}"


def _identity_code(value: object) -> object:
    if not isinstance(value, str):
        return value
    try:
        return PersonalIdentityCode(value)
    except InvalidValue as error:
        # a form shows the error beside the student's field, not the code's inner one
        raise InvalidValue("Student.personal_identity_code", error.reason) from None


@attrs.frozen(kw_only=True)
class Student:
    """A student (*opiskelija*) of one of the provider's institutions.

    Minority is a fact of the date of birth; whether the student can consent is not (no fixed
    age, § 14(4), § 19(1)): that takes a recorded capacity assessment.
    """

    id: str = attrs.field(validator=identifier)
    provider_id: str = attrs.field(validator=identifier)
    institution_id: str = attrs.field(validator=identifier)
    given_names: str = attrs.field(validator=text(120))
    family_name: str = attrs.field(validator=text(120))
    date_of_birth: dt.date = attrs.field(validator=calendar_date)
    home_municipality: str = attrs.field(validator=text(100))
    """*kotikunta*, required in the welfare record (§ 20(4) item 1)."""
    study_group_id: str | None = attrs.field(default=None, validator=optional_identifier)
    personal_identity_code: PersonalIdentityCode | None = attrs.field(
        default=None,
        converter=_identity_code,
    )
    """*henkilötunnus*: optional; confidential, so its repr is redacted."""

    @personal_identity_code.validator
    def _code_matches_birth_date(
        self, attribute: attrs.Attribute[PersonalIdentityCode | None], value: object
    ) -> None:
        if value is not None and not isinstance(value, PersonalIdentityCode):
            raise fail(self, attribute, f"must be a string, not {type(value).__name__}")
        if isinstance(value, PersonalIdentityCode) and value.birth_date != self.date_of_birth:
            raise fail(self, attribute, "does not match date_of_birth")

    @property
    def full_name(self) -> str:
        return f"{self.given_names} {self.family_name}"

    @property
    def ref(self) -> PersonRef:
        return PersonRef(PersonKind.STUDENT, self.id)

    def age_on(self, day: dt.date) -> int:
        """Age in full years on ``day``; someone born on 29 February comes of age on
        1 March in a common year."""
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    def is_minor_on(self, day: dt.date) -> bool:
        return self.age_on(day) < 18


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_PHONE = re.compile(r"\+?[0-9 ()-]{5,20}")


def _optional_email(
    instance: object, attribute: attrs.Attribute[str | None], value: object
) -> None:
    if value is not None and (not isinstance(value, str) or not _EMAIL.fullmatch(value)):
        raise fail(instance, attribute, f"{value!r} is not an e-mail address")


def _optional_phone(
    instance: object, attribute: attrs.Attribute[str | None], value: object
) -> None:
    if value is not None and (not isinstance(value, str) or not _PHONE.fullmatch(value)):
        raise fail(instance, attribute, f"{value!r} is not a phone number")


@attrs.frozen(kw_only=True)
class Guardian:
    """A guardian (*huoltaja*) or other legal representative (*laillinen edustaja*).

    Name and contact details go into a minor's welfare record (§ 20(4) item 1).
    """

    id: str = attrs.field(validator=identifier)
    provider_id: str = attrs.field(validator=identifier)
    given_names: str = attrs.field(validator=text(120))
    family_name: str = attrs.field(validator=text(120))
    email: str | None = attrs.field(default=None, validator=_optional_email)
    phone: str | None = attrs.field(default=None, validator=_optional_phone)

    @property
    def full_name(self) -> str:
        return f"{self.given_names} {self.family_name}"

    @property
    def ref(self) -> PersonRef:
        return PersonRef(PersonKind.GUARDIAN, self.id)


class GuardianshipKind(enum.StrEnum):
    GUARDIAN = "guardian"
    """*huoltaja* of a minor."""
    LEGAL_REPRESENTATIVE = "legal_representative"
    """*muu laillinen edustaja*, e.g. an *edunvalvoja* of an adult lacking capacity."""


def to_guardianship_kind(value: GuardianshipKind | str) -> GuardianshipKind:
    return coerce_enum(GuardianshipKind, value)


@attrs.frozen(kw_only=True)
class Guardianship:
    """The link between a guardian and a student, valid for a period."""

    provider_id: str = attrs.field(validator=identifier)
    guardian_id: str = attrs.field(validator=identifier)
    student_id: str = attrs.field(validator=identifier)
    kind: GuardianshipKind = attrs.field(
        default=GuardianshipKind.GUARDIAN,
        converter=to_guardianship_kind,
        validator=member_of(GuardianshipKind),
    )
    validity: Period = attrs.field(validator=instance_of(Period))


def to_roles(value: Iterable[Role | str]) -> frozenset[Role]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        return value  # type: ignore[return-value]  # reported by the validator
    return frozenset(to_role(v) for v in value)


def to_identifiers(value: Iterable[str]) -> frozenset[str]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        return value  # type: ignore[return-value]  # reported by the validator
    return frozenset(value)


@attrs.frozen(kw_only=True)
class StaffMember:
    """A staff member with their professional roles and employer.

    The wellbeing services county employs only the social and health care professionals
    (:data:`COUNTY_ROLES`); teaching and leadership roles belong to the provider's staff.
    """

    id: str = attrs.field(validator=identifier)
    provider_id: str = attrs.field(validator=identifier)
    given_names: str = attrs.field(validator=text(120))
    family_name: str = attrs.field(validator=text(120))
    roles: frozenset[Role] = attrs.field(converter=to_roles)
    employer: EmployerKind = attrs.field(
        default=EmployerKind.EDUCATION_PROVIDER,
        converter=to_employer_kind,
        validator=member_of(EmployerKind),
    )
    institution_ids: frozenset[str] = attrs.field(default=frozenset(), converter=to_identifiers)
    """The institutions the staff member works at; empty for provider-wide staff."""
    title: str | None = attrs.field(default=None, validator=optional_text(120))
    """Official position (*virka-asema*) as it should appear on record entries (§ 20(4)
    item 6); the role's name is used when not given."""
    email: str | None = attrs.field(default=None, validator=_optional_email)

    @roles.validator
    def _check_roles(self, attribute: attrs.Attribute[frozenset[Role]], value: object) -> None:
        if isinstance(value, str | bytes):
            raise fail(self, attribute, "must be a collection of roles, not one string")
        if not isinstance(value, frozenset) or not value:
            raise fail(self, attribute, "must name at least one role")
        for role in value:
            if role not in STAFF_ROLES:
                allowed = ", ".join(sorted(r.value for r in STAFF_ROLES))
                raise fail(self, attribute, f"{role!r} is not a staff role ({allowed})")

    @institution_ids.validator
    def _check_institutions(
        self, attribute: attrs.Attribute[frozenset[str]], value: object
    ) -> None:
        if not isinstance(value, frozenset):
            raise fail(self, attribute, "must be a collection of institution identifiers")
        for institution_id in value:
            identifier(self, attribute, institution_id)

    @employer.validator
    def _check_employer(self, attribute: attrs.Attribute[EmployerKind], value: object) -> None:
        if value is EmployerKind.WELLBEING_SERVICES_COUNTY and isinstance(self.roles, frozenset):
            outside = sorted(r.value for r in self.roles - COUNTY_ROLES)
            if outside:
                raise fail(
                    self,
                    attribute,
                    "the wellbeing services county employs only school social workers, "
                    f"psychologists, nurses and doctors, not: {', '.join(outside)}",
                )

    @property
    def full_name(self) -> str:
        return f"{self.given_names} {self.family_name}"

    @property
    def ref(self) -> PersonRef:
        return PersonRef(PersonKind.STAFF, self.id)

    def has_role(self, role: Role) -> bool:
        return role in self.roles
