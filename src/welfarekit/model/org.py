"""The organisation: the education provider, its institutions and study groups."""

from __future__ import annotations

import enum

import attrs

from welfarekit.model._validate import (
    coerce_enum,
    identifier,
    instance_of,
    member_of,
    optional_identifier,
    optional_text,
    text,
)
from welfarekit.model.identity_codes import validate_business_id
from welfarekit.model.people import Role, to_role

__all__ = [
    "EducationProvider",
    "GroupDisplayNames",
    "Institution",
    "InstitutionKind",
    "StudyGroup",
]


class InstitutionKind(enum.StrEnum):
    """The kinds of institution the Pupil and Student Welfare Act covers here (§ 1)."""

    GENERAL_UPPER_SECONDARY = "general_upper_secondary"
    """*lukio*: a general upper secondary school."""
    VOCATIONAL = "vocational"
    """*ammatillinen oppilaitos* (*ammattiopisto*): a vocational institution."""


def to_institution_kind(value: InstitutionKind | str) -> InstitutionKind:
    return coerce_enum(InstitutionKind, value)


def _optional_business_id(
    instance: object, attribute: attrs.Attribute[str | None], value: str | None
) -> None:
    if value is not None:
        validate_business_id(value, f"{type(instance).__name__}.{attribute.name}")


@attrs.frozen(kw_only=True)
class GroupDisplayNames:
    """What the provider calls its three kinds of welfare group.

    The law's names are the defaults; the seeds show local names (the steering group called
    *opiskeluhuoltoryhmä*, the institution group *hyvinvointiryhmä*), and § 14(2) allows
    "another suitable multidisciplinary institution-level group".
    """

    steering: str = attrs.field(default="Opiskeluhuollon ohjausryhmä", validator=text(120))
    """§ 14(1) *opiskeluhuollon ohjausryhmä*: the provider-level steering group."""
    institution: str = attrs.field(
        default="Oppilaitoskohtainen opiskeluhuoltoryhmä", validator=text(120)
    )
    """§ 14(2) *oppilaitoskohtainen opiskeluhuoltoryhmä*: an institution's welfare group."""
    case: str = attrs.field(default="Monialainen asiantuntijaryhmä", validator=text(120))
    """§ 14(4) *monialainen asiantuntijaryhmä*: the expert group formed for one student."""


@attrs.frozen(kw_only=True)
class EducationProvider:
    """The education provider (*koulutuksen järjestäjä*).

    The provider is the controller of the student welfare register (§ 21(1), 2023) and a
    tenant of its own: nothing reads across providers.
    """

    id: str = attrs.field(validator=identifier)
    name: str = attrs.field(validator=text(200))
    business_id: str | None = attrs.field(default=None, validator=_optional_business_id)
    """*Y-tunnus*, validated with its check digit when given."""
    group_names: GroupDisplayNames = attrs.field(
        factory=GroupDisplayNames, validator=instance_of(GroupDisplayNames)
    )
    register_responsible_role: Role = attrs.field(
        default=Role.PRINCIPAL, converter=to_role, validator=member_of(Role)
    )
    """Who handles the register's management tasks. The 2023 law names only the provider as
    controller; the principal is local practice (as in the seeds), hence configurable."""


@attrs.frozen(kw_only=True)
class Institution:
    """An institution (*oppilaitos*) of the provider: a lukio or a vocational college."""

    id: str = attrs.field(validator=identifier)
    provider_id: str = attrs.field(validator=identifier)
    name: str = attrs.field(validator=text(200))
    kind: InstitutionKind = attrs.field(
        converter=to_institution_kind, validator=member_of(InstitutionKind)
    )


@attrs.frozen(kw_only=True)
class StudyGroup:
    """A study group (*ryhmä*, *kotiryhmä*) of an institution with its group advisor
    (*ryhmänohjaaja*)."""

    id: str = attrs.field(validator=identifier)
    provider_id: str = attrs.field(validator=identifier)
    institution_id: str = attrs.field(validator=identifier)
    name: str = attrs.field(validator=text(120))
    advisor_id: str | None = attrs.field(default=None, validator=optional_identifier)
    """The staff member who is the group advisor; they must hold the group advisor role."""
    description: str | None = attrs.field(default=None, validator=optional_text(500))
