"""``SealContexts``: the contexts of many rows of one student, made without checking their
shared parts again, are the contexts the constructor makes — equal, with the same associated
data, so every value sealed under one opens under the other — and a bad record id or version
is refused as the constructor refuses it."""

from __future__ import annotations

import pickle
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from welfarekit.crypto import Keyset, SealContext, open_sealed, seal
from welfarekit.crypto.seal import SealContexts
from welfarekit.errors import InvalidValue

SHARED = {
    "provider_id": "provider-1",
    "register": "welfare_register",
    "record_type": "entry",
    "field": "content",
    "student_id": "student-42",
}


def made(record_id: Any, version: Any) -> SealContext:
    return SealContext(**SHARED, record_id=record_id, version=version)


def test_each_context_is_the_one_the_constructor_makes(keyset: Keyset) -> None:
    contexts = SealContexts(**SHARED)
    rows = [(f"entry-{n}", n % 4) for n in range(20)] + [("väli:ä+1", 10**30)]
    for record_id, version in rows:
        fast, slow = contexts(record_id, version), made(record_id, version)
        assert fast == slow
        assert hash(fast) == hash(slow)
        assert repr(fast) == repr(slow)
        assert vars(fast) == vars(slow)
        assert fast.associated_data() == slow.associated_data()
        assert open_sealed(keyset, seal(keyset, "note", slow), fast).reveal() == "note"
        assert open_sealed(keyset, seal(keyset, "note", fast), slow).reveal() == "note"
        assert pickle.loads(pickle.dumps(fast)) == slow


def test_the_version_defaults_to_one() -> None:
    contexts = SealContexts(**SHARED)
    contexts("first")
    assert contexts("entry-1") == made("entry-1", 1)


def test_many_versions_from_one_maker_frame_their_own_number() -> None:
    """Each version's framing is kept for the next row of that version (up to a bound):
    a hundred versions, twice over, and an int subclass, frame as the constructor does."""
    contexts = SealContexts(**SHARED)

    class Number(int):
        pass

    for version in [*range(100), *range(100), Number(7), Number(7), 7]:
        fast, slow = contexts(f"entry-{version}", version), made(f"entry-{version}", version)
        assert (fast, fast.associated_data()) == (slow, slow.associated_data())
        assert type(fast.version) is type(version)


def outcome(make: Any, record_id: str, version: int) -> tuple[str, ...]:
    try:
        context = make(record_id, version)
    except InvalidValue as refused:  # a lone surrogate
        return ("refused", refused.field, refused.reason)
    return ("made", repr(context), context.associated_data().hex())


@given(
    record_id=st.text(min_size=1, max_size=40),
    version=st.integers(min_value=0, max_value=2**70),
)
def test_any_record_id_and_version_frame_the_same_bytes(record_id: str, version: int) -> None:
    contexts = SealContexts(**SHARED)
    contexts("first")
    assert outcome(contexts, record_id, version) == outcome(made, record_id, version)


@pytest.mark.parametrize(
    ("record_id", "version", "field", "reason"),
    [
        ("", 1, "SealContext.record_id", "must be a non-empty string"),
        (None, 1, "SealContext.record_id", "must be a non-empty string"),
        (17, 1, "SealContext.record_id", "must be a non-empty string"),
        ("entry\ud800", 1, "SealContext.record_id", "must be valid Unicode text"),
        ("entry-1", -1, "SealContext.version", "must be a whole number, 0 or more"),
        ("entry-1", True, "SealContext.version", "must be a whole number, 0 or more"),
        ("entry-1", 1.0, "SealContext.version", "must be a whole number, 0 or more"),
        ("entry-1", "1", "SealContext.version", "must be a whole number, 0 or more"),
        ("", -1, "SealContext.record_id", "must be a non-empty string"),
    ],
)
@pytest.mark.parametrize("first", [True, False], ids=["first context", "a later context"])
def test_a_bad_record_id_or_version_is_refused_as_the_constructor_refuses_it(
    record_id: Any, version: Any, field: str, reason: str, first: bool
) -> None:
    contexts = SealContexts(**SHARED)
    if not first:
        contexts("entry-0", 1)
    with pytest.raises(InvalidValue) as constructor:
        made(record_id, version)
    with pytest.raises(InvalidValue) as fast:
        contexts(record_id, version)
    assert (fast.value.field, fast.value.reason) == (field, reason)
    assert (constructor.value.field, constructor.value.reason) == (field, reason)
    assert contexts("entry-2", 2) == made("entry-2", 2)  # a refusal changes nothing


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"provider_id": ""}, "SealContext.provider_id", "must be a non-empty string"),
        ({"register": None}, "SealContext.register", "must be a non-empty string"),
        ({"record_type": ""}, "SealContext.record_type", "must be a non-empty string"),
        ({"field": "body\ud800"}, "SealContext.field", "must be valid Unicode text"),
        ({"student_id": "student\udfff"}, "SealContext.student_id", "must be valid Unicode text"),
    ],
)
def test_a_bad_shared_part_is_refused_on_every_context(
    change: dict[str, Any], field: str, reason: str
) -> None:
    contexts = SealContexts(**{**SHARED, **change})
    for record_id in ("entry-1", "entry-2"):
        with pytest.raises(InvalidValue) as refused:
            contexts(record_id, 1)
        assert (refused.value.field, refused.value.reason) == (field, reason)


def test_a_timelines_contexts_are_the_vaults() -> None:
    """What ``records`` opens a timeline's entries with is what :meth:`Vault.context` seals
    them with."""
    from welfarekit.records import _contexts
    from welfarekit.vault import Vault

    contexts = _contexts("provider-1", "student-42", "entry")
    for n in range(3):
        fast = contexts(f"entry-{n}", n + 1)
        slow = Vault.context("provider-1", "student-42", "entry", f"entry-{n}", version=n + 1)
        assert (fast, fast.associated_data()) == (slow, slow.associated_data())


class _Version(int):
    """An int subclass whose text is not its number's: equal to 1 and hashed as 1."""

    def __str__(self) -> str:
        return "v1"


def test_a_cached_version_is_never_served_for_an_equal_value_of_another_type() -> None:
    # True == 1 and _Version(1) == 1 as dictionary keys: neither may take, or leave behind,
    # the framing of the whole number 1
    contexts = SealContexts(**SHARED)
    contexts("entry-0", 1)  # the first context, and 1's framing kept
    assert contexts("entry-1", 1) == made("entry-1", 1)
    with pytest.raises(InvalidValue, match="whole number"):
        contexts("entry-2", True)
    odd = contexts("entry-3", _Version(1))
    assert odd.associated_data() == made("entry-3", _Version(1)).associated_data()
    assert contexts("entry-4", 1).associated_data() == made("entry-4", 1).associated_data()
    fresh = SealContexts(**SHARED)
    fresh("entry-0", 0)
    fresh("entry-5", _Version(1))  # not kept: a later 1 frames its own number
    assert fresh("entry-6", 1).associated_data() == made("entry-6", 1).associated_data()
