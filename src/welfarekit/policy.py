"""The steering group's policies: provider-level settings that institutions inherit.

The steering group (*opiskeluhuollon ohjausryhmä*, § 14(1)) sets common policy for every
unit, as the seeds describe: what the groups are called, which role is responsible for the
register, how long each kind of data is kept, who the crisis contacts are and which
sections the welfare plan must have. An institution overrides a setting only where the
provider's policy allows it (:attr:`WelfarePolicy.overridable`).

Pure values with JSON round-trips; the session stores them (:class:`~welfarekit.model.
PolicyDocument`) and decides who may change them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import attrs

from welfarekit.errors import InvalidValue
from welfarekit.model import EducationProvider, GroupDisplayNames, Role
from welfarekit.model._validate import optional_text, text
from welfarekit.model.people import to_role
from welfarekit.retention import RetentionPolicy

__all__ = ["POLICY_FIELDS", "CrisisContact", "WelfarePolicy", "check_override", "effective_policy"]


@attrs.frozen(kw_only=True)
class CrisisContact:
    """Someone to call in a crisis: a service, an authority or a role, never a student."""

    name: str = attrs.field(validator=text(200))
    role: str = attrs.field(validator=text(200))
    phone: str | None = attrs.field(default=None, validator=optional_text(40))


def _contacts(value: Any) -> tuple[CrisisContact, ...] | None:
    if value is None:
        return None
    return tuple(c if isinstance(c, CrisisContact) else CrisisContact(**c) for c in value)


def _sections(value: Any) -> tuple[str, ...] | None:
    return None if value is None else tuple(value)


def _role(value: Any) -> Role | None:
    return None if value is None else to_role(value)


def _names(value: Any) -> GroupDisplayNames | None:
    if value is None or isinstance(value, GroupDisplayNames):
        return value
    return GroupDisplayNames(**value)


def _retention(value: Any) -> RetentionPolicy | None:
    if value is None or isinstance(value, RetentionPolicy):
        return value
    return RetentionPolicy(**value)


def _frozen(value: Iterable[str]) -> frozenset[str]:
    return frozenset(value)


POLICY_FIELDS = (
    "group_names",
    "register_responsible_role",
    "retention",
    "crisis_contacts",
    "required_sections",
)
"""The settings a policy holds; each may be made overridable for institutions."""


@attrs.frozen(kw_only=True)
class WelfarePolicy:
    """A policy: every setting ``None`` means "inherit" (from the provider's policy, and at
    the provider from the directory's :class:`~welfarekit.model.EducationProvider`)."""

    group_names: GroupDisplayNames | None = attrs.field(default=None, converter=_names)
    register_responsible_role: Role | None = attrs.field(default=None, converter=_role)
    retention: RetentionPolicy | None = attrs.field(default=None, converter=_retention)
    crisis_contacts: tuple[CrisisContact, ...] | None = attrs.field(
        default=None, converter=_contacts
    )
    required_sections: tuple[str, ...] | None = attrs.field(default=None, converter=_sections)
    """The welfare plan's section keys every plan must have (see :mod:`welfarekit.plan`)."""
    overridable: frozenset[str] = attrs.field(default=frozenset(), converter=_frozen)
    """At the provider: the settings an institution may override. Empty in an override."""

    @overridable.validator
    def _known(self, attribute: attrs.Attribute[frozenset[str]], value: frozenset[str]) -> None:
        unknown = sorted(value - set(POLICY_FIELDS))
        if unknown:
            raise InvalidValue("WelfarePolicy.overridable",
                               f"unknown settings {unknown}; settings are {list(POLICY_FIELDS)}")  # fmt: skip

    def set_fields(self) -> set[str]:
        return {name for name in POLICY_FIELDS if getattr(self, name) is not None}

    def to_json(self) -> str:
        def plain(value: Any) -> Any:
            if attrs.has(type(value)):
                return {k: plain(v) for k, v in attrs.asdict(value, recurse=False).items()}
            if isinstance(value, tuple | list):
                return [plain(v) for v in value]
            if isinstance(value, frozenset | set):
                return sorted(value)
            if isinstance(value, Role):
                return value.value
            return value

        return json.dumps(plain(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, body: str) -> WelfarePolicy:
        try:
            values = json.loads(body)
            return cls(**values)
        except (ValueError, TypeError) as error:
            raise InvalidValue("PolicyDocument.body", f"not a policy: {error}") from None


def effective_policy(
    provider: EducationProvider,
    provider_policy: WelfarePolicy | None,
    override: WelfarePolicy | None = None,
) -> WelfarePolicy:
    """What applies: the institution's overrides where the provider allows them, then the
    provider's policy, then the directory's provider record. An override of a setting the
    provider does not allow raises :class:`InvalidValue`."""
    base = provider_policy or WelfarePolicy()
    if override is not None:
        check_override(base, override)
    layers = [override, base] if override is not None else [base]

    def pick(name: str) -> Any:
        for layer in layers:
            value = getattr(layer, name)
            if value is not None:
                return value
        return None

    return WelfarePolicy(
        group_names=pick("group_names") or provider.group_names,
        register_responsible_role=pick("register_responsible_role")
        or provider.register_responsible_role,
        retention=pick("retention"),
        crisis_contacts=pick("crisis_contacts") or (),
        required_sections=pick("required_sections") or (),
        overridable=base.overridable,
    )


def check_override(provider_policy: WelfarePolicy, override: WelfarePolicy) -> None:
    """Refuse an institution's override of a setting the provider keeps for itself."""
    if override.overridable:
        raise InvalidValue("WelfarePolicy.overridable", "only the provider's policy says what "
                           "institutions may override")  # fmt: skip
    refused = sorted(override.set_fields() - provider_policy.overridable)
    if refused:
        raise InvalidValue(
            "WelfarePolicy",
            f"the provider's policy does not let an institution override {refused} "
            f"(overridable: {sorted(provider_policy.overridable) or 'nothing'})",
        )
