"""Identity codes and business IDs from outside: anything a form or an import can hand in is
either a valid identifier or InvalidValue, never another exception."""

from __future__ import annotations

import datetime as dt

import pytest
from fuzz_support import attempt, fuzz
from hypothesis import assume, example, given
from hypothesis import strategies as st

from welfarekit.errors import InvalidValue
from welfarekit.model.identity_codes import PersonalIdentityCode, validate_business_id

CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"
SIGNS = {1800: "+", 1900: "-YXWVU", 2000: "ABCDEF"}
ASCII_DIGITS = frozenset("0123456789")


@st.composite
def valid_codes(draw: st.DrawFn) -> str:
    """A valid code of any century sign in use, with its check character computed."""
    born = draw(st.dates(min_value=dt.date(1800, 1, 1), max_value=dt.date(2099, 12, 31)))
    century = born.year // 100 * 100
    sign = draw(st.sampled_from(SIGNS[century]))
    individual = draw(st.integers(min_value=2, max_value=999))
    digits = f"{born:%d%m}{born.year % 100:02d}{individual:03d}"
    return f"{born:%d%m}{born.year % 100:02d}{sign}{individual:03d}{CHECK[int(digits) % 31]}"


@st.composite
def valid_business_ids(draw: st.DrawFn) -> str:
    body = draw(st.text(alphabet="0123456789", min_size=7, max_size=7))
    remainder = sum(int(d) * w for d, w in zip(body, (7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
    assume(remainder != 1)
    return f"{body}-{0 if remainder == 0 else 11 - remainder}"


def _mutated(code: str, data: st.DataObject) -> str:
    """One edit of a code: a character replaced, dropped or added, or a case change."""
    position = data.draw(st.integers(min_value=0, max_value=len(code) - 1))
    edit = data.draw(st.sampled_from(["replace", "drop", "insert", "lower"]))
    other = data.draw(st.characters(codec="utf-8"))
    if edit == "replace":
        return code[:position] + other + code[position + 1 :]
    if edit == "drop":
        return code[:position] + code[position + 1 :]
    if edit == "insert":
        return code[:position] + other + code[position:]
    return code.lower()


def _accepted(value: object) -> PersonalIdentityCode | None:
    outcome = attempt(lambda: PersonalIdentityCode(value))  # type: ignore[arg-type]
    if isinstance(outcome, PersonalIdentityCode):
        return outcome
    assert isinstance(outcome, InvalidValue), outcome
    assert outcome.field == "PersonalIdentityCode.value"
    return None


@fuzz(400)
@given(st.text(max_size=14))
@example("010106A9012")  # the documented one
@example("٠١٠١٠٦A٩٠١2")  # the same with Arabic-Indic digits
@example("010106ß9012")  # "ß".upper() is two letters
def test_any_text_is_a_code_or_invalid_value(text: str) -> None:
    code = _accepted(text)
    if code is not None:
        assert len(code.value) == 11
        assert set(code.value[:6] + code.value[7:10]) <= ASCII_DIGITS
        assert code.value == code.value.upper()
        assert PersonalIdentityCode(code.value) == code
        assert text not in repr(code)


@fuzz(300)
@given(valid_codes(), st.data())
def test_valid_codes_are_accepted_and_one_edit_is_a_code_or_invalid_value(
    code: str, data: st.DataObject
) -> None:
    parsed = PersonalIdentityCode(code)
    assert parsed.value == code
    assert f"{parsed.birth_date:%d%m%y}" == code[:6]
    edited = _accepted(_mutated(code, data))
    if edited is not None:  # an edit can make another valid code, never a non-ASCII one
        assert edited.value.isascii()


@pytest.mark.parametrize("value", [None, 10106, b"010106A9012", ["010106A9012"], 1.5])
def test_a_code_that_is_no_string_is_invalid_value(value: object) -> None:
    assert _accepted(value) is None


@fuzz(300)
@given(st.one_of(st.text(max_size=12), st.integers(), st.none(), st.binary(max_size=12)))
@example("0201256-6")
@example("٠٢٠١٢٥٦-٦")  # Arabic-Indic digits
def test_any_value_is_a_business_id_or_invalid_value(value: object) -> None:
    outcome = attempt(lambda: validate_business_id(value, "Org.business_id"))  # type: ignore[arg-type]
    if isinstance(outcome, InvalidValue):
        assert outcome.field == "Org.business_id"
    else:
        assert outcome == value
        assert isinstance(outcome, str)
        assert outcome.isascii()


@fuzz(100)
@given(valid_business_ids())
def test_valid_business_ids_are_accepted(value: str) -> None:
    assert validate_business_id(value) == value
