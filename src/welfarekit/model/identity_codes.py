"""Finnish identifiers: the personal identity code and the business ID.

Pure parsing and validation, no I/O. A personal identity code (*henkilötunnus*) is
confidential personal data: its ``repr`` and ``str`` are redacted so it does not end up in
logs or tracebacks; read ``.value`` on purpose when it is needed.
"""

from __future__ import annotations

import datetime as dt
import re

import attrs

from welfarekit.errors import InvalidValue

__all__ = ["PersonalIdentityCode", "validate_business_id"]

_CHECK_CHARACTERS = "0123456789ABCDEFHJKLMNPRSTUVWXY"
# Century signs; the extra ones (Y X W V U and B C D E F) are in use since 1.1.2023
# (Väestötietojärjestelmälaki 128/2010 as amended by 698/2022).
_CENTURY = {
    "+": 1800,
    "-": 1900,
    "Y": 1900,
    "X": 1900,
    "W": 1900,
    "V": 1900,
    "U": 1900,
    "A": 2000,
    "B": 2000,
    "C": 2000,
    "D": 2000,
    "E": 2000,
    "F": 2000,
}
# ASCII only: ``\d`` alone would take any script's digits, and int() reads them too.
_SHAPE = re.compile(r"(\d{2})(\d{2})(\d{2})([-+A-FU-Y])(\d{3})([0-9A-Y])", re.ASCII)


def _parse(value: str, field: str) -> tuple[dt.date, int]:
    if len(value) != 11:
        raise InvalidValue(
            field, f"a personal identity code has 11 characters (DDMMYYCZZZQ), got {len(value)}"
        )
    shape = _SHAPE.fullmatch(value)
    if shape is None:
        sign = value[6]
        if sign not in _CENTURY:
            raise InvalidValue(
                field,
                f"{sign!r} is not a century sign; use + (1800s), - Y X W V U (1900s) "
                "or A B C D E F (2000s)",
            )
        raise InvalidValue(
            field, "expected six digits, a century sign, three digits and a check character"
        )
    day, month, year2, sign, individual, check = shape.groups()
    try:
        birth = dt.date(_CENTURY[sign] + int(year2), int(month), int(day))
    except ValueError:
        raise InvalidValue(
            field, f"{day}.{month}.{_CENTURY[sign] + int(year2)} is not a date"
        ) from None
    number = int(individual)
    if number < 2:
        raise InvalidValue(field, f"individual number {individual} is not in use (002-999)")
    expected = _CHECK_CHARACTERS[int(day + month + year2 + individual) % 31]
    if check != expected:
        raise InvalidValue(field, "the check character does not match: the code has a typo")
    return birth, number


@attrs.frozen(repr=False)
class PersonalIdentityCode:
    """A validated Finnish personal identity code (*henkilötunnus*).

    Construct it from the string form; an invalid code raises
    :class:`~welfarekit.errors.InvalidValue` saying what is wrong (length, century sign,
    date, individual number or check character).

    >>> code = PersonalIdentityCode("010106A9012")
    >>> code.birth_date, code.is_temporary
    (datetime.date(2006, 1, 1), True)
    >>> code
    PersonalIdentityCode(<redacted>)
    """

    value: str
    birth_date: dt.date = attrs.field(init=False)
    individual_number: int = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.value, str):
            raise InvalidValue(
                "PersonalIdentityCode.value",
                f"must be a string, not {type(self.value).__name__}",
            )
        birth, number = _parse(self.value.upper(), "PersonalIdentityCode.value")
        object.__setattr__(self, "value", self.value.upper())
        object.__setattr__(self, "birth_date", birth)
        object.__setattr__(self, "individual_number", number)

    @property
    def is_temporary(self) -> bool:
        """Individual numbers 900-999 are temporary codes and the range used for testing."""
        return self.individual_number >= 900

    def __repr__(self) -> str:
        return "PersonalIdentityCode(<redacted>)"

    __str__ = __repr__


def validate_business_id(value: str, field: str = "business_id") -> str:
    """Validate a Finnish business ID (*Y-tunnus*, ``1234567-1``) and return it.

    >>> validate_business_id("0201256-6")
    '0201256-6'
    """
    if not isinstance(value, str) or re.fullmatch(r"\d{7}-\d", value, re.ASCII) is None:
        raise InvalidValue(field, f"{value!r} is not a business ID of the form 1234567-8")
    weights = (7, 9, 10, 5, 8, 4, 2)
    remainder = sum(int(d) * w for d, w in zip(value[:7], weights, strict=True)) % 11
    if remainder == 1:
        raise InvalidValue(field, f"{value!r} cannot be a business ID (no valid check digit)")
    expected = 0 if remainder == 0 else 11 - remainder
    if int(value[8]) != expected:
        raise InvalidValue(field, f"the check digit of {value!r} does not match: a typo?")
    return value
