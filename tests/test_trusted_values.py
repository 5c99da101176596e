"""``trusted()``: rebuilding an object from values validated before (a timeline's entries
opened from their seals) gives the same object the validating constructor gives, and a
programming slip — a field missing or misspelled — is still caught."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest

from welfarekit.model import PersonKind, PersonRef
from welfarekit.model._validate import trusted, trusted_builder
from welfarekit.model.record import EntryKind, RecordEntry

NOW = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
VALUES = {
    "id": "e1", "provider_id": "p1", "record_id": "r1", "student_id": "aino",
    "kind": EntryKind.MEASURES, "event_date": NOW.date(), "recorded_at": NOW,
    "author": PersonRef(PersonKind.STAFF, "psy"), "author_title": "psykologi",
    "text": "Sovittiin tukitoimista.", "participants": (), "measures": (), "version": 1,
    "corrects": None, "correction_reason": None, "entered_in_error": False,
    "withheld_from_guardian": None,
}  # fmt: skip


def test_the_same_object_as_the_validating_constructor_makes() -> None:
    made = trusted(RecordEntry, **VALUES)
    assert made == RecordEntry(**VALUES)
    assert hash(made) == hash(RecordEntry(**VALUES))
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        made.text = "changed"  # type: ignore[misc]


def test_a_missing_or_unknown_field_is_refused() -> None:
    missing = {k: v for k, v in VALUES.items() if k != "text"}
    with pytest.raises(TypeError, match=r"missing \['text'\]"):
        trusted(RecordEntry, **missing)
    with pytest.raises(TypeError, match=r"unknown \['txet'\]"):
        trusted(RecordEntry, **missing, txet="typo")


@attrs.frozen(slots=False)
class _Plain:
    kind: str = attrs.field(validator=attrs.validators.in_(["a"]))
    build: int = 0


def test_a_class_without_slots_and_fields_named_like_the_builders_locals() -> None:
    """The builder written for each class takes the fields as keyword arguments: a field
    named ``kind`` or ``build`` is set, not mistaken for the class or the function."""
    made = trusted(_Plain, build=2, kind="not checked")
    assert (made.kind, made.build, vars(made)) == ("not checked", 2, {"kind": "not checked",
                                                                      "build": 2})  # fmt: skip
    assert trusted(RecordEntry, **dict(reversed(VALUES.items()))) == RecordEntry(**VALUES)
    with pytest.raises(TypeError, match=r"_Plain: missing \['build'\], unknown \[\]"):
        trusted(_Plain, kind="a")


def test_the_builder_for_a_loop_makes_the_same_and_names_a_missing_field() -> None:
    build = trusted_builder(RecordEntry)
    assert build is trusted_builder(RecordEntry)
    assert build(**VALUES) == RecordEntry(**VALUES)
    with pytest.raises(TypeError, match=r"trusted_RecordEntry\(\) missing .*'text'"):
        build(**{k: v for k, v in VALUES.items() if k != "text"})
