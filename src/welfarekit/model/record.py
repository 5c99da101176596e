"""The student welfare record (*opiskeluhuoltokertomus*) as the law shapes it (§ 20, 2023).

One record per matter: a new topic opens a new record. Entries are continuous and
chronological and never change: a correction is a new version that names the entry it
corrects and why, and an entry can be marked entered in error; the history stays. Recording
time (when it was written) and event time (when it happened) are kept apart.

These are the plaintext values a session hands to authorised readers; storage only ever
sees them sealed (DESIGN.md invariant 3). The student's identifying details (§ 20(4)
item 1: name, identity code, home municipality, and for a minor the guardians' names and
contact details) are not copied into the record: a record view takes them from the directory.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable

import attrs

from welfarekit.model._validate import (
    aware_datetime,
    calendar_date,
    coerce_enum,
    fail,
    identifier,
    instance_of,
    member_of,
    optional_calendar_date,
    optional_identifier,
    optional_text,
    text,
)
from welfarekit.model.people import PersonRef

WITHHELD = "Withheld from the guardian"

__all__ = [
    "WITHHELD",
    "EntryKind",
    "EntryStatus",
    "Measure",
    "Participant",
    "RecordEntry",
    "WelfareRecord",
]


class EntryKind(enum.StrEnum):
    MEETING = "meeting"
    """The handling of the matter in an expert-group meeting, with the participants and
    their positions (§ 20(4) item 3)."""
    PLAN = "plan"
    """The plan of measures and who implements and follows them up (§ 20(4) item 4)."""
    MEASURES = "measures"
    """Strictly necessary information on measures carried out or to be carried out
    (§ 20(4) item 5)."""


_ENTRY_KINDS: dict[object, EntryKind] = {kind.value: kind for kind in EntryKind}


def to_entry_kind(value: EntryKind | str) -> EntryKind:
    # A timeline's thousand stored values are looked up here, not through the Enum call;
    # anything else (unknown, unhashable) goes to coerce_enum, which reports it as before.
    try:
        return _ENTRY_KINDS[value]
    except (KeyError, TypeError):
        return coerce_enum(EntryKind, value)


class EntryStatus(enum.StrEnum):
    CURRENT = "current"
    CORRECTED = "corrected"
    """A later version corrects it; it stays readable in the history."""
    ENTERED_IN_ERROR = "entered_in_error"
    """Written into the wrong record or by mistake; kept, marked, not counted."""


@attrs.frozen(kw_only=True)
class Participant:
    """Someone at a meeting, with their position (*asema*, § 20(4) item 3)."""

    name: str = attrs.field(validator=text(200))
    position: str = attrs.field(validator=text(120))


@attrs.frozen(kw_only=True)
class Measure:
    """One agreed measure with who implements it and who follows it up (§ 20(4) item 4)."""

    measure: str = attrs.field(validator=text(2000))
    responsible: str = attrs.field(validator=text(200))
    follow_up_by: str = attrs.field(validator=text(200))
    due: dt.date | None = attrs.field(default=None, validator=optional_calendar_date)


def _participants(value: Iterable[Participant]) -> tuple[Participant, ...]:
    return tuple(value)


def _measures(value: Iterable[Measure]) -> tuple[Measure, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class WelfareRecord:
    """One matter's record. ``subject``, ``background`` and ``initiator`` are § 20(4)
    item 2: the subject of the matter, its background and who brought it up."""

    id: str = attrs.field(validator=identifier)
    provider_id: str = attrs.field(validator=identifier)
    student_id: str = attrs.field(validator=identifier)
    group_id: str = attrs.field(validator=identifier)
    """The case expert group whose work the record documents (§ 20(3))."""
    subject: str = attrs.field(validator=text(500))
    background: str = attrs.field(validator=text(5000, multiline=True))
    initiator: str = attrs.field(validator=text(200))
    """Who brought the matter up (*vireillepanija*), e.g. "the student", "group advisor"."""
    opened_at: dt.datetime = attrs.field(validator=aware_datetime)
    opened_by: PersonRef = attrs.field(validator=instance_of(PersonRef))


@attrs.frozen(kw_only=True)
class RecordEntry:
    """One entry, in one version. ``author_title`` is the author's profession or position
    as it stood when writing (§ 20(4) item 6)."""

    id: str = attrs.field(validator=identifier)
    provider_id: str = attrs.field(validator=identifier)
    record_id: str = attrs.field(validator=identifier)
    student_id: str = attrs.field(validator=identifier)
    kind: EntryKind = attrs.field(converter=to_entry_kind, validator=member_of(EntryKind))
    event_date: dt.date = attrs.field(validator=calendar_date)
    """When it happened (the meeting's day)."""
    recorded_at: dt.datetime = attrs.field(validator=aware_datetime)
    """When it was written."""
    author: PersonRef = attrs.field(validator=instance_of(PersonRef))
    author_title: str = attrs.field(validator=text(120))
    text: str = attrs.field(validator=text(20000, multiline=True))
    participants: tuple[Participant, ...] = attrs.field(default=(), converter=_participants)
    measures: tuple[Measure, ...] = attrs.field(default=(), converter=_measures)
    version: int = attrs.field(default=1, validator=attrs.validators.ge(1))
    corrects: str | None = attrs.field(default=None, validator=optional_identifier)
    """The id of the entry this version corrects."""
    correction_reason: str | None = attrs.field(default=None, validator=optional_text(1000))
    entered_in_error: bool = False
    """This version marks the corrected entry as entered in error (the text says why)."""
    withheld_from_guardian: str | None = attrs.field(default=None, validator=optional_text(500))
    """Why the entry is not shown to a guardian: giving it would be against the child's
    interest (JulkL 11 §(2)(1)). A guardian reading the record sees this reason in its
    place; the student and the group see the entry."""

    @property
    def _shown_elsewhere(self) -> bool:
        """An entry marked in error, or one withheld, may stand without its details."""
        return self.entered_in_error or (
            self.withheld_from_guardian is not None and self.text.startswith(WITHHELD)
        )

    @participants.validator
    def _meeting_has_participants(
        self, attribute: attrs.Attribute[tuple[Participant, ...]], value: object
    ) -> None:
        if not isinstance(value, tuple) or not all(isinstance(p, Participant) for p in value):
            raise fail(self, attribute, "must be Participant objects")
        if self.kind is EntryKind.MEETING and not value and not self._shown_elsewhere:
            raise fail(self, attribute, "a meeting entry lists its participants (§ 20(4) item 3)")

    @measures.validator
    def _plan_has_measures(
        self, attribute: attrs.Attribute[tuple[Measure, ...]], value: object
    ) -> None:
        if not isinstance(value, tuple) or not all(isinstance(m, Measure) for m in value):
            raise fail(self, attribute, "must be Measure objects")
        if self.kind is EntryKind.PLAN and not value and not self._shown_elsewhere:
            raise fail(self, attribute, "a plan lists its measures (§ 20(4) item 4)")

    @correction_reason.validator
    def _correction_has_reason(
        self, attribute: attrs.Attribute[str | None], value: str | None
    ) -> None:
        if self.corrects is not None and value is None:
            raise fail(self, attribute, "a correction says why")
        if self.corrects is None and (value is not None or self.entered_in_error):
            raise fail(self, attribute, "only a correction of an earlier entry has a reason")
        if (self.version > 1) != (self.corrects is not None):
            raise fail(self, attrs.fields(RecordEntry).version, "a later version corrects an entry")
