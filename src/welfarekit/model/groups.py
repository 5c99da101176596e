"""Welfare groups of the three kinds, and their memberships."""

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
from welfarekit.model.people import STAFF_ROLES, PersonKind, PersonRef, Role, to_role
from welfarekit.model.period import Period

__all__ = ["GroupKind", "GroupPosition", "Membership", "WelfareGroup"]


class GroupKind(enum.StrEnum):
    """The three kinds of welfare group (DOMAIN.md § 3)."""

    STEERING = "steering"
    """§ 14(1) *opiskeluhuollon ohjausryhmä*: plans, steers and evaluates the provider's
    welfare as a whole. The seeds call it *opiskeluhuoltoryhmä*."""
    INSTITUTION = "institution"
    """§ 14(2) *oppilaitoskohtainen opiskeluhuoltoryhmä* (locally e.g. *hyvinvointiryhmä*):
    communal welfare of one institution only; also the crisis group."""
    CASE = "case"
    """§ 14(4) *tapauskohtaisesti koottava monialainen asiantuntijaryhmä*: formed for one
    student with consent."""


def to_group_kind(value: GroupKind | str) -> GroupKind:
    return coerce_enum(GroupKind, value)


class GroupPosition(enum.StrEnum):
    LEADER = "leader"
    """Leads the group; for an institution group the provider names them (§ 14(2))."""
    RESPONSIBLE_PERSON = "responsible_person"
    """*vastuuhenkilö* of a case expert group, who must keep the record (§ 14(4), § 20(3))."""
    MEMBER = "member"


def to_group_position(value: GroupPosition | str) -> GroupPosition:
    return coerce_enum(GroupPosition, value)


@attrs.frozen(kw_only=True)
class WelfareGroup:
    """A welfare group. Its display name comes from the provider's
    :class:`~welfarekit.model.org.GroupDisplayNames` unless ``name`` overrides it."""

    id: str = attrs.field(validator=identifier)
    provider_id: str = attrs.field(validator=identifier)
    kind: GroupKind = attrs.field(converter=to_group_kind, validator=member_of(GroupKind))
    institution_id: str | None = attrs.field(default=None, validator=optional_identifier)
    student_id: str | None = attrs.field(default=None, validator=optional_identifier)
    """Only for a case expert group: the one student it is formed for."""
    name: str | None = attrs.field(default=None, validator=optional_text(200))

    @institution_id.validator
    def _institution_fits_kind(self, attribute: attrs.Attribute[str | None], value: object) -> None:
        if self.kind is GroupKind.STEERING and value is not None:
            raise fail(
                self, attribute, "a steering group works for the whole provider; leave it empty"
            )
        if self.kind in (GroupKind.INSTITUTION, GroupKind.CASE) and value is None:
            raise fail(self, attribute, f"a {self.kind.value} group belongs to an institution")

    @student_id.validator
    def _student_only_for_case(self, attribute: attrs.Attribute[str | None], value: object) -> None:
        if self.kind is GroupKind.CASE and value is None:
            raise fail(self, attribute, "a case expert group is formed for one student; name them")
        if self.kind is not GroupKind.CASE and value is not None:
            raise fail(
                self,
                attribute,
                "only a case expert group concerns a student; steering and institution groups "
                "handle communal matters only (§ 14(2), § 14(4))",
            )


_ROLES_BY_KIND: dict[PersonKind, frozenset[Role]] = {
    PersonKind.STAFF: STAFF_ROLES,
    PersonKind.STUDENT: frozenset({Role.STUDENT, Role.STUDENT_MEMBER}),
    PersonKind.GUARDIAN: frozenset({Role.GUARDIAN}),
    PersonKind.EXTERNAL: frozenset(
        {Role.OUTSIDE_PARTICIPANT, Role.PERSON_CLOSE_TO_STUDENT, Role.OTHER_EXPERT}
    ),
}


@attrs.frozen(kw_only=True)
class Membership:
    """A person's membership of a welfare group: in which role, in which position, and for
    which period. Ending a membership ends the access it gave; the row stays as history."""

    id: str = attrs.field(validator=identifier)
    provider_id: str = attrs.field(validator=identifier)
    group_id: str = attrs.field(validator=identifier)
    member: PersonRef = attrs.field(validator=instance_of(PersonRef))
    role: Role = attrs.field(converter=to_role, validator=member_of(Role))
    position: GroupPosition = attrs.field(
        default=GroupPosition.MEMBER,
        converter=to_group_position,
        validator=member_of(GroupPosition),
    )
    validity: Period = attrs.field(validator=instance_of(Period))

    @role.validator
    def _role_fits_member(self, attribute: attrs.Attribute[Role], value: Role) -> None:
        if isinstance(self.member, PersonRef) and value not in _ROLES_BY_KIND[self.member.kind]:
            allowed = ", ".join(sorted(r.value for r in _ROLES_BY_KIND[self.member.kind]))
            raise fail(
                self, attribute, f"a {self.member.kind.value} can sit in a group as: {allowed}"
            )

    @position.validator
    def _position_fits_member(
        self, attribute: attrs.Attribute[GroupPosition], value: object
    ) -> None:
        if value is not GroupPosition.MEMBER and (
            not isinstance(self.member, PersonRef) or self.member.kind is not PersonKind.STAFF
        ):
            raise fail(
                self, attribute, "only a staff member can lead a group or be its responsible person"
            )
