"""What storage holds of confidential data: ciphertext and the metadata needed to find it.

Storage adapters see these and never the plaintext (DESIGN.md invariant 3). Each
``content`` is sealed with the student's data key, bound by associated data to its provider,
register, record type, record id, field, student and version, so a ciphertext moved to
another row does not open. Keysets and blind indexes are the student's secrets: destroying
them (crypto-shredding) leaves the ciphertext unreadable for good.
"""

from __future__ import annotations

import datetime as dt

import attrs

from welfarekit.model._validate import (
    aware_datetime,
    identifier,
    instance_of,
    optional_identifier,
    text,
)
from welfarekit.model.people import PersonRef

__all__ = [
    "BlindIndexEntry",
    "ProviderSecret",
    "SealedDisclosure",
    "SealedEntry",
    "SealedIdentityCode",
    "SealedMatter",
    "SealedRecord",
    "SealedReferral",
    "StoredKeyset",
    "SubjectAccessRequest",
]

_bytes = instance_of(bytes)
_ref = instance_of(PersonRef)
_optional_ref = attrs.validators.optional(_ref)


@attrs.frozen(kw_only=True)
class StoredKeyset:
    """A student's data keys, wrapped under the provider's key-encryption key ``kek_id``."""

    provider_id: str = attrs.field(validator=identifier)
    student_id: str = attrs.field(validator=identifier)
    kek_id: str = attrs.field(validator=identifier)
    blob: bytes = attrs.field(validator=_bytes)
    updated_at: dt.datetime = attrs.field(validator=aware_datetime)


@attrs.frozen(kw_only=True)
class SubjectAccessRequest:
    """A request by the student or a guardian for a copy of the student's welfare data,
    with the date it must be answered by (JulkL 14 §(4): two weeks, a month when large)."""

    id: str = attrs.field(validator=identifier)
    provider_id: str = attrs.field(validator=identifier)
    student_id: str = attrs.field(validator=identifier)
    requested_by: PersonRef = attrs.field(validator=_ref)
    received_on: dt.date = attrs.field(validator=instance_of(dt.date))
    large: bool = False
    due_on: dt.date = attrs.field(validator=instance_of(dt.date))
    answered_at: dt.datetime | None = attrs.field(
        default=None, validator=attrs.validators.optional(aware_datetime)
    )


@attrs.frozen(kw_only=True)
class ProviderSecret:
    """A provider-wide secret (the blind-index key's seed), wrapped like a keyset."""

    provider_id: str = attrs.field(validator=identifier)
    name: str = attrs.field(validator=identifier)
    kek_id: str = attrs.field(validator=identifier)
    blob: bytes = attrs.field(validator=_bytes)
    created_at: dt.datetime = attrs.field(validator=aware_datetime)


@attrs.frozen(kw_only=True)
class BlindIndexEntry:
    """A keyed, truncated hash of a searchable value (the identity code), shared by a few
    students on purpose so that the index alone identifies nobody."""

    provider_id: str = attrs.field(validator=identifier)
    student_id: str = attrs.field(validator=identifier)
    name: str = attrs.field(validator=identifier)
    value: str = attrs.field(validator=identifier)


@attrs.frozen(kw_only=True)
class SealedIdentityCode:
    """A student's personal identity code, sealed."""

    provider_id: str = attrs.field(validator=identifier)
    student_id: str = attrs.field(validator=identifier)
    ciphertext: bytes = attrs.field(validator=_bytes)


@attrs.frozen(kw_only=True)
class SealedRecord:
    """A welfare record's header; ``content`` seals subject, background and initiator."""

    id: str = attrs.field(validator=identifier)
    provider_id: str = attrs.field(validator=identifier)
    student_id: str = attrs.field(validator=identifier)
    group_id: str = attrs.field(validator=identifier)
    opened_at: dt.datetime = attrs.field(validator=aware_datetime)
    opened_by: PersonRef = attrs.field(validator=_ref)
    content: bytes = attrs.field(validator=_bytes)


@attrs.frozen(kw_only=True)
class SealedEntry:
    """One version of a record entry; ``content`` seals its text, participants, measures,
    the author's title and any correction reason."""

    id: str = attrs.field(validator=identifier)
    provider_id: str = attrs.field(validator=identifier)
    record_id: str = attrs.field(validator=identifier)
    student_id: str = attrs.field(validator=identifier)
    kind: str = attrs.field(validator=identifier)
    event_date: dt.date = attrs.field(validator=instance_of(dt.date))
    recorded_at: dt.datetime = attrs.field(validator=aware_datetime)
    author: PersonRef = attrs.field(validator=_ref)
    version: int = attrs.field(validator=attrs.validators.ge(1))
    corrects: str | None = attrs.field(default=None, validator=optional_identifier)
    entered_in_error: bool = False
    content: bytes = attrs.field(validator=_bytes)


@attrs.frozen(kw_only=True)
class SealedDisclosure:
    """A § 20(5) disclosure entry: ``content`` seals what was given and to whom; the basis
    (a statutory basis code or the consent's id) stays readable for reporting."""

    id: str = attrs.field(validator=identifier)
    provider_id: str = attrs.field(validator=identifier)
    record_id: str = attrs.field(validator=identifier)
    student_id: str = attrs.field(validator=identifier)
    disclosed_at: dt.datetime = attrs.field(validator=aware_datetime)
    by: PersonRef = attrs.field(validator=_ref)
    basis: str | None = attrs.field(default=None)
    consent_id: str | None = attrs.field(default=None, validator=optional_identifier)
    content: bytes = attrs.field(validator=_bytes)

    @basis.validator
    def _basis_or_consent(self, attribute: attrs.Attribute[str | None], value: object) -> None:
        if value is not None:
            text(40)(self, attribute, value)
        if (value is None) == (self.consent_id is None):
            raise ValueError("a disclosure rests on a statutory basis or on a consent, one of them")


@attrs.frozen(kw_only=True)
class SealedMatter:
    """A matter left confidentially with one member of a welfare group (as the seeds
    promise). ``content`` seals what was said under a keyset of the matter's own, since it
    may name no student; that keyset is kept wrapped in the row (``kek_id``, ``keyset``),
    so deleting the row destroys the matter for good. Only the member it was left with and
    its author see it, until the member brings it forward on a basis."""

    id: str = attrs.field(validator=identifier)
    provider_id: str = attrs.field(validator=identifier)
    holder_id: str = attrs.field(validator=identifier)
    """The staff member it was left with."""
    author: PersonRef | None = attrs.field(default=None, validator=_optional_ref)
    """Who left it; ``None`` for an anonymous matter (never guessed)."""
    left_at: dt.datetime = attrs.field(validator=aware_datetime)
    status: str = attrs.field(default="open", validator=identifier)
    """``open``, ``brought_forward`` or ``closed``."""
    student_id: str | None = attrs.field(default=None, validator=optional_identifier)
    """The student it concerns, once the holder brings it forward."""
    forward_basis: str | None = attrs.field(default=None, validator=optional_identifier)
    """How it was brought forward: ``expert_group``, ``referral`` or a statutory basis."""
    forwarded_at: dt.datetime | None = attrs.field(
        default=None, validator=attrs.validators.optional(aware_datetime)
    )
    kek_id: str = attrs.field(validator=identifier)
    keyset: bytes = attrs.field(validator=_bytes)
    """The matter's own keyset, wrapped under the key-encryption key ``kek_id``."""
    content: bytes = attrs.field(validator=_bytes)


@attrs.frozen(kw_only=True)
class SealedReferral:
    """A § 16 referral: a staff member who thinks a student needs welfare services contacts
    a welfare professional together with the student. ``content`` (what the concern is)
    seals under the student's keyset; who, when and to whom stay readable."""

    id: str = attrs.field(validator=identifier)
    provider_id: str = attrs.field(validator=identifier)
    student_id: str = attrs.field(validator=identifier)
    referred_by: PersonRef = attrs.field(validator=_ref)
    professional_id: str = attrs.field(validator=identifier)
    referred_at: dt.datetime = attrs.field(validator=aware_datetime)
    guardian_informed: bool = False
    """Whether guardians were told (not when the student has forbidden it, § 18(2))."""
    received_at: dt.datetime | None = attrs.field(
        default=None, validator=attrs.validators.optional(aware_datetime)
    )
    """When the professional took it up."""
    content: bytes = attrs.field(validator=_bytes)
