"""The domain model refuses invalid values at construction, naming the field."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from welfarekit import (
    EducationProvider,
    GroupKind,
    GroupPosition,
    Guardian,
    Guardianship,
    Institution,
    InvalidValue,
    Membership,
    Period,
    PersonalIdentityCode,
    PersonKind,
    PersonRef,
    Role,
    StaffMember,
    Student,
    WelfareGroup,
    validate_business_id,
)
from welfarekit.model._validate import _CONTROL_MULTILINE, has_control

YEAR = Period(start=dt.date(2026, 8, 1))


def student(**overrides: object) -> Student:
    values: dict[str, object] = {
        "id": "aino", "provider_id": "p1", "institution_id": "lukio", "given_names": "Aino",
        "family_name": "Korhonen", "date_of_birth": dt.date(2010, 3, 1),
        "home_municipality": "Jyväskylä",
    }  # fmt: skip
    values.update(overrides)
    return Student(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("overrides", "field", "reason"),
    [
        ({"id": ""}, "Student.id", "not a valid identifier"),
        ({"id": "has space"}, "Student.id", "not a valid identifier"),
        ({"id": "x" * 129}, "Student.id", "not a valid identifier"),
        ({"id": 17}, "Student.id", "must be a string"),
        ({"given_names": "  "}, "Student.given_names", "must not be empty"),
        ({"given_names": " Aino"}, "Student.given_names", "whitespace"),
        ({"family_name": "K\x00"}, "Student.family_name", "control characters"),
        ({"home_municipality": "x" * 101}, "Student.home_municipality", "at most 100"),
        ({"date_of_birth": "2010-03-01"}, "Student.date_of_birth", "datetime.date"),
        ({"date_of_birth": dt.datetime(2010, 3, 1)}, "Student.date_of_birth", "datetime.date"),
        ({"personal_identity_code": 12}, "Student.personal_identity_code", "must be a string"),
        # a mistyped code is reported at the student's field, where a form shows it
        ({"personal_identity_code": "010110A901X"}, "Student.personal_identity_code",
         "check character"),
    ],
)  # fmt: skip
def test_invalid_student_values_name_the_field(
    overrides: dict[str, object], field: str, reason: str
) -> None:
    with pytest.raises(InvalidValue, match=reason) as error:
        student(**overrides)
    assert error.value.field == field
    assert str(error.value).startswith(f"{field}: ")


def test_invalid_value_is_also_a_value_error() -> None:
    with pytest.raises(ValueError, match=r"Student\.id"):
        student(id="")


def test_model_objects_are_frozen_and_slotted() -> None:
    aino = student()
    with pytest.raises(AttributeError):
        aino.family_name = "Virtanen"  # type: ignore[misc]
    assert not hasattr(aino, "__dict__")


def test_age_and_minority_follow_the_birthday() -> None:
    aino = student(date_of_birth=dt.date(2008, 11, 24))
    assert aino.age_on(dt.date(2026, 11, 23)) == 17
    assert aino.is_minor_on(dt.date(2026, 11, 23))
    assert not aino.is_minor_on(dt.date(2026, 11, 24))


def test_leap_day_student_comes_of_age_on_first_of_march_in_a_common_year() -> None:
    leap = student(date_of_birth=dt.date(2008, 2, 29))
    assert leap.is_minor_on(dt.date(2026, 2, 28))
    assert not leap.is_minor_on(dt.date(2026, 3, 1))


# -- identity codes -------------------------------------------------------------------------

# Each code is valid: the check character is (DDMMYYZZZ mod 31) looked up in the table.
VALID_CODES = [
    ("131052-308T", dt.date(1952, 10, 13)),
    ("010594Y9032", dt.date(1994, 5, 1)),
    ("010594X9021", dt.date(1994, 5, 1)),
    ("010594W9032", dt.date(1994, 5, 1)),
    ("010594V9021", dt.date(1994, 5, 1)),
    ("010594U9010", dt.date(1994, 5, 1)),
    ("020505A902P", dt.date(2005, 5, 2)),
    ("020505B903R", dt.date(2005, 5, 2)),
    ("020505C904S", dt.date(2005, 5, 2)),
    ("020505D901N", dt.date(2005, 5, 2)),
    ("020505E902P", dt.date(2005, 5, 2)),
    ("020505F903R", dt.date(2005, 5, 2)),
    ("010150+9876", dt.date(1850, 1, 1)),
]


def _check_char(body: str) -> str:
    return "0123456789ABCDEFHJKLMNPRSTUVWXY"[int(body) % 31]


@pytest.mark.parametrize(("code", "born"), VALID_CODES)
def test_valid_identity_codes_with_every_century_sign(code: str, born: dt.date) -> None:
    # The table above is checked by an independent computation, not by the code under test.
    assert code[-1] == _check_char(code[:6] + code[7:10])
    parsed = PersonalIdentityCode(code)
    assert parsed.birth_date == born
    assert parsed.value == code


def test_lowercase_century_sign_and_check_are_normalised() -> None:
    assert PersonalIdentityCode("131052-308t").value == "131052-308T"


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("131052-308", "11 characters"),
        ("131052*308T", "'\\*' is not a century sign"),
        ("131052G308T", "'G' is not a century sign"),
        ("311152-308T", "31.11.1952 is not a date"),
        ("290223A9022", "29.02.2023 is not a date"),
        ("131052-001T", "individual number 001 is not in use"),
        ("131052-308U", "check character does not match"),
        ("13105X-308T", "six digits"),
        ("131052-3O8T", "six digits"),
        # digits of another script: the regular expression's \d and int() would read them
        ("٠١٠١٠٦A٩٠١2", "six digits"),
        ("０１０１０６A９０１2", "six digits"),
    ],
)
def test_invalid_identity_codes_say_what_is_wrong(code: str, reason: str) -> None:
    with pytest.raises(InvalidValue, match=reason):
        PersonalIdentityCode(code)


def test_temporary_and_test_range_is_recognised() -> None:
    assert PersonalIdentityCode("020505A902P").is_temporary
    assert not PersonalIdentityCode("131052-308T").is_temporary


def test_identity_code_never_shows_in_repr_or_str() -> None:
    aino = student(date_of_birth=dt.date(2005, 5, 2), personal_identity_code="020505A902P")
    assert "020505A902P" not in repr(aino)
    assert "020505A902P" not in str(aino.personal_identity_code)
    assert aino.personal_identity_code is not None
    assert aino.personal_identity_code.value == "020505A902P"


def test_identity_code_must_match_date_of_birth() -> None:
    with pytest.raises(InvalidValue, match="does not match date_of_birth") as error:
        student(date_of_birth=dt.date(2005, 5, 3), personal_identity_code="020505A902P")
    assert error.value.field == "Student.personal_identity_code"


@pytest.mark.parametrize("business_id", ["0201256-6", "1234567-1", "0737546-2"])
def test_valid_business_ids(business_id: str) -> None:
    assert validate_business_id(business_id) == business_id


@pytest.mark.parametrize(
    ("business_id", "reason"),
    [
        ("0201256-5", "check digit"),
        ("201256-6", "form"),
        ("0201256_6", "form"),
        ("1234568-0", "check digit"),
        ("٠٢٠١٢٥٦-٦", "form"),  # Arabic-Indic digits
    ],
)
def test_invalid_business_ids(business_id: str, reason: str) -> None:
    with pytest.raises(InvalidValue, match=reason):
        EducationProvider(id="p", name="P", business_id=business_id)


# -- organisation, staff and groups -------------------------------------------------------


def test_institution_kind_accepts_value_or_member_and_refuses_others() -> None:
    assert (
        Institution(id="i", provider_id="p", name="L", kind="vocational").kind.value == "vocational"
    )
    with pytest.raises(InvalidValue, match="general_upper_secondary, vocational") as error:
        Institution(id="i", provider_id="p", name="L", kind="university")
    assert error.value.field == "Institution.kind"


def test_register_responsible_role_defaults_to_principal_and_is_configurable() -> None:
    assert EducationProvider(id="p", name="P").register_responsible_role is Role.PRINCIPAL
    provider = EducationProvider(id="p", name="P", register_responsible_role="unit_director")
    assert provider.register_responsible_role is Role.UNIT_DIRECTOR


def staff(**overrides: object) -> StaffMember:
    values: dict[str, object] = {
        "id": "s", "provider_id": "p", "given_names": "Minna", "family_name": "Lehtonen",
        "roles": ["school_social_worker"],
    }  # fmt: skip
    values.update(overrides)
    return StaffMember(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize("role", ["school_social_worker", "psychologist", "nurse", "doctor"])
def test_county_employs_social_and_health_professionals(role: str) -> None:
    assert staff(roles=[role], employer="wellbeing_services_county").roles == {Role(role)}


@pytest.mark.parametrize("role", ["teacher", "principal", "group_advisor", "study_counsellor"])
def test_county_does_not_employ_teachers_or_leaders(role: str) -> None:
    with pytest.raises(InvalidValue, match=f"not: {role}") as error:
        staff(roles=[role], employer="wellbeing_services_county")
    assert error.value.field == "StaffMember.employer"


def test_staff_needs_a_staff_role() -> None:
    with pytest.raises(InvalidValue, match="at least one role"):
        staff(roles=[])
    with pytest.raises(InvalidValue, match="not a staff role"):
        staff(roles=["student_member"])
    with pytest.raises(InvalidValue, match="not a staff role"):
        staff(roles=["janitor"])
    # one role given as a string is a common slip: said so, not "no role"
    with pytest.raises(InvalidValue, match="a collection of roles, not one string"):
        staff(roles="nurse")


def test_staff_institution_ids_are_identifiers() -> None:
    with pytest.raises(InvalidValue, match="StaffMember.institution_ids"):
        staff(institution_ids={"bad id"})


def test_guardian_contact_details_are_checked() -> None:
    with pytest.raises(InvalidValue, match="not an e-mail address"):
        Guardian(id="g", provider_id="p", given_names="S", family_name="K", email="sanna")
    with pytest.raises(InvalidValue, match="not a phone number"):
        Guardian(id="g", provider_id="p", given_names="S", family_name="K", phone="call me")


def test_period_end_after_start_and_contains() -> None:
    with pytest.raises(InvalidValue, match="Period.end: must be after start"):
        Period(start=dt.date(2026, 8, 1), end=dt.date(2026, 8, 1))
    period = Period(start=dt.date(2026, 8, 1), end=dt.date(2027, 6, 1))
    assert period.contains(dt.date(2026, 8, 1))
    assert not period.contains(dt.date(2027, 6, 1))
    assert not period.contains(dt.date(2026, 7, 31))
    assert YEAR.contains(dt.date(2099, 1, 1))
    assert period.ended(dt.date(2026, 9, 1)) == Period(
        start=dt.date(2026, 8, 1), end=dt.date(2026, 9, 1)
    )


@pytest.mark.parametrize(
    ("kind", "institution_id", "student_id", "field"),
    [
        ("steering", "lukio", None, "WelfareGroup.institution_id"),
        ("institution", None, None, "WelfareGroup.institution_id"),
        ("institution", "lukio", "aino", "WelfareGroup.student_id"),
        ("steering", None, "aino", "WelfareGroup.student_id"),
        ("case", "lukio", None, "WelfareGroup.student_id"),
    ],
)
def test_group_kinds_fit_their_scope(
    kind: str, institution_id: str | None, student_id: str | None, field: str
) -> None:
    with pytest.raises(InvalidValue) as error:
        WelfareGroup(
            id="g", provider_id="p", kind=kind, institution_id=institution_id, student_id=student_id
        )
    assert error.value.field == field


def test_institution_group_refusal_explains_the_communal_rule() -> None:
    with pytest.raises(InvalidValue, match=r"communal matters only \(§ 14\(2\)"):
        WelfareGroup(id="g", provider_id="p", kind=GroupKind.INSTITUTION,
                     institution_id="lukio", student_id="aino")  # fmt: skip


def membership(member: PersonRef, role: str, position: str = "member") -> Membership:
    return Membership(id="m", provider_id="p", group_id="g", member=member, role=role,
                      position=position, validity=YEAR)  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "role"),
    [
        (PersonKind.STAFF, "student"),
        (PersonKind.STUDENT, "nurse"),
        (PersonKind.GUARDIAN, "student_member"),
        (PersonKind.EXTERNAL, "psychologist"),
    ],
)
def test_membership_role_fits_the_kind_of_person(kind: PersonKind, role: str) -> None:
    with pytest.raises(InvalidValue, match=f"a {kind.value} can sit in a group as") as error:
        membership(PersonRef(kind, "x"), role)
    assert error.value.field == "Membership.role"


def test_only_staff_lead_or_are_responsible() -> None:
    with pytest.raises(InvalidValue, match="only a staff member"):
        membership(PersonRef(PersonKind.STUDENT, "x"), "student", "responsible_person")
    assert membership(PersonRef("staff", "x"), "nurse", "leader").position is GroupPosition.LEADER


def test_person_ref_validates_and_prints() -> None:
    assert str(PersonRef("guardian", "sanna")) == "guardian:sanna"
    with pytest.raises(InvalidValue, match="PersonRef.kind"):
        PersonRef("pet", "x")


@pytest.mark.parametrize(
    ("make", "field", "expected"),
    [
        (lambda: Membership(id="m", provider_id="p1", group_id="g", member="staff:x",
                            role="nurse", validity=YEAR),
         "Membership.member", "must be a PersonRef, not str"),
        (lambda: Membership(id="m", provider_id="p1", group_id="g",
                            member=PersonRef("staff", "x"), role="nurse", validity=None),
         "Membership.validity", "must be a Period, not NoneType"),
        (lambda: Guardianship(provider_id="p1", guardian_id="g", student_id="s",
                              validity="2026-08-01"),
         "Guardianship.validity", "must be a Period, not str"),
        (lambda: EducationProvider(id="p1", name="P", group_names={"steering": "x"}),
         "EducationProvider.group_names", "must be a GroupDisplayNames, not dict"),
    ],
)  # fmt: skip
def test_a_value_of_the_wrong_type_is_refused_naming_the_field(
    make: Callable[[], object], field: str, expected: str
) -> None:
    # an InvalidValue (a WelfareKitError and a ValueError) a form can show beside the field,
    # not attrs' TypeError with a tuple of its internals
    with pytest.raises(InvalidValue) as error:
        make()
    assert error.value.field == field
    assert str(error.value) == f"{field}: {expected}"


# Any text, lone surrogates and every control character included: the check finds a control
# character exactly where a regular expression over the characters does.
_ANY_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=60)


@settings(max_examples=500, derandomize=True)
@given(_ANY_TEXT | st.builds(lambda a, b: a + b, _ANY_TEXT, st.sampled_from("\t\n\r\x00\x7f")))
def test_control_characters_are_found_exactly_as_a_pattern_finds_them(value: str) -> None:
    assert has_control(value) == bool(re.search(r"[\x00-\x1f\x7f]", value))
    assert has_control(value, _CONTROL_MULTILINE) == bool(
        re.search(r"[\x00-\x08\x0b-\x1f\x7f]", value)
    )
