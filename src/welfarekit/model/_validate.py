"""Validators shared by the domain classes.

Each raises :class:`~welfarekit.errors.InvalidValue` naming the field as
``ClassName.field``, so that a host can show the error next to the right input.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Callable
from typing import Any, TypeVar

import attrs

from welfarekit.errors import InvalidValue

_IDENTIFIER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@+\-]{0,127}")
_CONTROL = bytes(range(0x20)) + b"\x7f"  # the C0 controls and DEL
_CONTROL_MULTILINE = _CONTROL.replace(b"\t", b"").replace(b"\n", b"")


def holds_ascii_of(encoded: bytes, these: bytes) -> bool:
    """Whether UTF-8 ``encoded`` text holds one of the ASCII characters ``these``.

    UTF-8 writes every character beyond ASCII as bytes of 0x80 and above, so an ASCII byte
    in the encoding is that character of the text: deleting them from the encoding is two
    passes in C, a third of a regular expression's time over a 2 KiB entry."""
    return len(encoded.translate(None, these)) != len(encoded)


def has_control(value: str, controls: bytes = _CONTROL) -> bool:
    """Whether ``value`` holds one of ``controls`` (ASCII control characters)."""
    # (a lone surrogate is no control character: encoded as it is, not refused here)
    return holds_ascii_of(value.encode("utf-8", "surrogatepass"), controls)


_E = TypeVar("_E", bound=enum.Enum)
_T = TypeVar("_T")

IDENTIFIER_RULE = (
    "an identifier is 1-128 characters: letters A-Z, digits and . _ : @ + -, "
    "starting with a letter or digit"
)


def field_name(instance: object, attribute: attrs.Attribute[Any]) -> str:
    return f"{type(instance).__name__}.{attribute.name}"


def fail(instance: object, attribute: attrs.Attribute[Any], message: str) -> InvalidValue:
    return InvalidValue(field_name(instance, attribute), message)


def is_identifier(value: object) -> bool:
    return isinstance(value, str) and _IDENTIFIER.fullmatch(value) is not None


def identifier(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A stable identifier given by the host (invariant 9: the host owns its people)."""
    if not isinstance(value, str):
        raise fail(instance, attribute, f"must be a string, not {type(value).__name__}")
    if not is_identifier(value):
        raise fail(instance, attribute, f"{value!r} is not a valid identifier; {IDENTIFIER_RULE}")


def optional_identifier(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        identifier(instance, attribute, value)


def text(
    max_length: int, *, multiline: bool = False
) -> Callable[[object, attrs.Attribute[Any], object], None]:
    """Non-blank human-readable text without control characters (``multiline`` allows line
    breaks and tabs, for a document's body)."""
    control = _CONTROL_MULTILINE if multiline else _CONTROL

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, str):
            raise fail(instance, attribute, f"must be a string, not {type(value).__name__}")
        stripped = value.strip()
        if not stripped:
            raise fail(instance, attribute, "must not be empty")
        if value != stripped:
            raise fail(instance, attribute, "must not start or end with whitespace")
        if len(value) > max_length:
            raise fail(instance, attribute, f"must be at most {max_length} characters")
        if has_control(value, control):
            raise fail(instance, attribute, "must not contain control characters")

    return check


def optional_text(
    max_length: int, *, multiline: bool = False
) -> Callable[[object, attrs.Attribute[Any], object], None]:
    check = text(max_length, multiline=multiline)

    def check_optional(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if value is not None:
            check(instance, attribute, value)

    return check_optional


def calendar_date(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    # datetime is a subclass of date; a timestamp where a day is meant hides time-zone bugs.
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise fail(instance, attribute, f"must be a datetime.date, not {type(value).__name__}")


def optional_calendar_date(
    instance: object, attribute: attrs.Attribute[Any], value: object
) -> None:
    if value is not None:
        calendar_date(instance, attribute, value)


def aware_datetime(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A moment with its time zone: a naive timestamp is ambiguous across the DST change."""
    if not isinstance(value, dt.datetime) or value.tzinfo is None:
        raise fail(instance, attribute, "must be a timezone-aware datetime")


def instance_of(*kinds: type) -> Callable[[object, attrs.Attribute[Any], object], None]:
    """The value is an instance of one of ``kinds``: refused with
    :class:`~welfarekit.errors.InvalidValue` naming the field (attrs' own validator raises a
    ``TypeError`` whose message is a tuple of the attribute's internals)."""
    names = " or ".join(kind.__name__ for kind in kinds)

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, kinds):
            raise fail(instance, attribute, f"must be a {names}, not {type(value).__name__}")

    return check


def member_of(enum_type: type[_E]) -> Callable[[object, attrs.Attribute[Any], object], None]:
    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, enum_type):
            allowed = ", ".join(str(m.value) for m in enum_type)
            raise fail(
                instance, attribute, f"must be a {enum_type.__name__} ({allowed}), got {value!r}"
            )

    return check


def coerce_enum(enum_type: type[_E], value: _E | str | int) -> _E:
    """Accept an enum member or its value (as read from a file or a form).

    An unknown value passes through unchanged so that the field's validator reports it with
    the field's name; each enum module wraps this in a named converter for mypy's attrs
    plugin.
    """
    if isinstance(value, enum_type):
        return value
    try:
        return enum_type(value)
    except ValueError:
        return value  # type: ignore[return-value]


_BUILDERS: dict[type, Callable[..., Any]] = {}
_BUILDER_NAMES = ("_trusted_new", "_trusted_set", "_trusted_kind", "_trusted_instance")


def _builder(kind: type[_T]) -> Callable[..., _T]:
    """A function that takes each field of ``kind`` by name, makes an instance and sets
    them: written out field by field, as attrs writes an ``__init__`` (without its
    validators and converters), since a loop over the fields costs twice as much."""
    names = [f.name for f in attrs.fields(kind)]  # type: ignore[arg-type]
    function = f"trusted_{kind.__name__}"  # how a TypeError names it
    if not function.isidentifier():
        function = "trusted_build"
    assert not {*names} & {*_BUILDER_NAMES, function}, "a field shadows the builder's names"
    lines = [
        f"def {function}(*, {', '.join(names)}):" if names else f"def {function}():",
        "    _trusted_instance = _trusted_new(_trusted_kind)",
        *(f"    _trusted_set(_trusted_instance, {name!r}, {name})" for name in names),
        "    return _trusted_instance",
    ]
    scope: dict[str, Any] = {
        "_trusted_new": object.__new__,
        "_trusted_set": object.__setattr__,  # as attrs sets a frozen instance's fields
        "_trusted_kind": kind,
    }
    exec("\n".join(lines), scope)  # noqa: S102 - the code is made of attrs' field names
    build: Callable[..., _T] = scope[function]
    return build


def trusted_builder(kind: type[_T]) -> Callable[..., _T]:
    """:func:`trusted` for ``kind`` as a function of its fields alone, for a loop that
    makes many (each field a keyword argument; Python's ``TypeError`` names a missing or
    unknown one)."""
    build = _BUILDERS.get(kind)
    if build is None:
        build = _BUILDERS[kind] = _builder(kind)
    return build


def trusted(kind: type[_T], /, **values: Any) -> _T:
    """An instance of the frozen attrs class ``kind`` made without running its validators
    or converters again, for values that were validated when they were first made into
    one and come back unchanged: opened from an authenticated seal, or taken from another
    validated instance. Rebuilding a thousand entries of a timeline otherwise checks every
    text again. Every field must be given; ``TypeError`` names the missing or unknown."""
    try:
        return trusted_builder(kind)(**values)
    except TypeError:  # a field missing or unknown: only the call's binding raises it
        names = {f.name for f in attrs.fields(kind)}  # type: ignore[arg-type]
        missing, unknown = sorted(names - values.keys()), sorted(values.keys() - names)
        raise TypeError(f"{kind.__name__}: missing {missing}, unknown {unknown}") from None
