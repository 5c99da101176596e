"""``to_entry_kind``: its look-up of a stored value gives what the Enum call gives, and an
unknown value still passes through for the field's validator to report."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import pytest

from welfarekit.errors import InvalidValue
from welfarekit.model import PersonKind, PersonRef
from welfarekit.model._validate import coerce_enum
from welfarekit.model.record import EntryKind, RecordEntry, to_entry_kind


class _Text(str):
    __slots__ = ()


class _Other(enum.StrEnum):
    PLAN = "plan"


@pytest.mark.parametrize(
    "value",
    [
        *(kind.value for kind in EntryKind),
        *EntryKind,
        _Text("meeting"),
        _Other.PLAN,
        "Plan",
        "unknown",
        "",
        1,
        None,
        b"plan",
        ["plan"],
    ],
    ids=repr,
)
def test_the_same_as_coerce_enum(value: Any) -> None:
    found, expected = to_entry_kind(value), coerce_enum(EntryKind, value)
    assert found is expected or (type(found) is type(expected) and found == expected)


@pytest.mark.parametrize("kind", ["diary", "PLAN", None])
def test_an_unknown_kind_is_still_refused_naming_the_field(kind: Any) -> None:
    moment = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
    with pytest.raises(InvalidValue) as refused:
        RecordEntry(
            id="e1", provider_id="p1", record_id="r1", student_id="aino", kind=kind,
            event_date=moment.date(), recorded_at=moment,
            author=PersonRef(PersonKind.STAFF, "psy"), author_title="psykologi",
            text="Sovittiin tukitoimista.",
        )  # fmt: skip
    assert refused.value.field == "RecordEntry.kind"
    assert f"got {kind!r}" in refused.value.reason
