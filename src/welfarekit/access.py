"""Who acts, on what, doing what: the vocabulary of access decisions.

These value types are what the core's rules and the ``welfarekit_veto`` hook speak about.
"""

from __future__ import annotations

import enum

import attrs

from welfarekit.model._validate import (
    coerce_enum,
    fail,
    identifier,
    instance_of,
    member_of,
    optional_identifier,
    optional_text,
)
from welfarekit.model.people import PersonRef

__all__ = ["Action", "Actor", "AuthenticationLevel", "Resource", "ResourceType"]


class Action(enum.StrEnum):
    READ = "read"
    WRITE = "write"
    LIST = "list"
    EXPORT = "export"
    DISCLOSE = "disclose"
    MANAGE = "manage"


class ResourceType(enum.StrEnum):
    DIRECTORY = "directory"
    """The directory of people and groups mirrored from the host."""
    WELFARE_RECORD = "welfare_record"
    """*opiskeluhuoltokertomus* and its entries."""
    EXPRESSION_OF_WILL = "expression_of_will"
    """*tahdonilmaisu*: consent, refusal, veto (§ 21(1))."""
    GROUP = "group"
    MEMBERSHIP = "membership"
    INITIATIVE = "initiative"
    CONFIDENTIAL_MATTER = "confidential_matter"
    """A matter left confidentially with one member of a welfare group."""
    REFERRAL = "referral"
    """A student's matter brought to welfare services: a § 16 referral (*ohjaus*) or a
    proposal to form an expert group."""
    BOOKING = "booking"
    CRISIS_EVENT = "crisis_event"
    COMMUNAL_DOCUMENT = "communal_document"
    """An agenda or the minutes of a steering or institution welfare group."""
    WELFARE_PLAN = "welfare_plan"
    AUDIT_LOG = "audit_log"


def to_resource_type(value: ResourceType | str) -> ResourceType:
    return coerce_enum(ResourceType, value)


class AuthenticationLevel(enum.IntEnum):
    """How strongly the identity provider authenticated the actor."""

    NONE = 0
    """The host vouches for the actor (a system process)."""
    PASSWORD = 1
    STRONG = 2
    """Strong electronic identification (e.g. bank ID, mobile certificate)."""


def to_authentication_level(value: AuthenticationLevel | int | str) -> AuthenticationLevel:
    """Accept a member, its number or its name (``"strong"``, as configuration says it)."""
    if isinstance(value, str) and value.upper() in AuthenticationLevel.__members__:
        return AuthenticationLevel[value.upper()]
    return coerce_enum(AuthenticationLevel, value)


@attrs.frozen(kw_only=True)
class Actor:
    """The person (or the host's system process) on whose behalf an operation runs."""

    provider_id: str = attrs.field(validator=identifier)
    person: PersonRef | None = attrs.field(
        default=None, validator=attrs.validators.optional(instance_of(PersonRef))
    )
    system: str | None = attrs.field(default=None, validator=optional_text(80))
    """Name of a host system process (provisioning, a roster import) acting on its own."""
    authentication_level: AuthenticationLevel = attrs.field(
        default=AuthenticationLevel.NONE,
        converter=to_authentication_level,
        validator=member_of(AuthenticationLevel),
    )

    @system.validator
    def _person_or_system(self, attribute: attrs.Attribute[str | None], value: object) -> None:
        if (self.person is None) == (value is None):
            raise fail(self, attribute, "an actor is either a person or a system, exactly one")

    @classmethod
    def host_system(cls, provider_id: str, name: str) -> Actor:
        return cls(provider_id=provider_id, system=name)

    def __str__(self) -> str:
        return str(self.person) if self.person is not None else f"system:{self.system}"


_optional_ref = attrs.validators.optional(instance_of(PersonRef))


@attrs.frozen(kw_only=True)
class Resource:
    """What an operation touches: the kind, the object and, when it concerns one student,
    that student (access to welfare data is student-specific, DOMAIN.md § 8.4)."""

    type: ResourceType = attrs.field(converter=to_resource_type, validator=member_of(ResourceType))
    provider_id: str = attrs.field(validator=identifier)
    id: str | None = attrs.field(default=None)
    student_id: str | None = attrs.field(default=None, validator=optional_identifier)
    """The student it concerns; communal resources concern none (OHL § 14(2))."""
    group_id: str | None = attrs.field(default=None, validator=optional_identifier)
    """The group it belongs to or is addressed to."""
    owner: PersonRef | None = attrs.field(default=None, validator=_optional_ref)
    """Who wrote or left it (an initiative's initiator, a confidential matter's author)."""
    holder: PersonRef | None = attrs.field(default=None, validator=_optional_ref)
    """Who it is addressed to (the member a matter was left with, a booking's professional)."""
    recipient: str | None = attrs.field(default=None, validator=optional_text(200))
    """For a disclosure: the named recipient."""
