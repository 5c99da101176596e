"""Rosters from OneRoster 1.2 CSV bundles into welfarekit's directory.

:func:`read_bundle` reads and checks a bundle folder (``orgs.csv``, ``users.csv``,
``roles.csv``, ``classes.csv``, ``enrollments.csv``, ``demographics.csv``) and reports every
problem with its file, line and field (:class:`InvalidBundle`); :func:`import_bundle` puts
what the bundle and the :class:`RosterMapping` say into the directory in one transaction —
all or nothing — and applies changes since the last import.

OneRoster knows teachers and administrators but not the welfare staff, their employer, the
institutions' kinds or the welfare groups: the mapping file supplies them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tomllib
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from welfarekit import (
    EducationProvider,
    Guardian,
    Guardianship,
    Institution,
    Membership,
    Period,
    PersonKind,
    PersonRef,
    StaffMember,
    Student,
    StudyGroup,
    WelfareGroup,
    WelfareKit,
)
from welfarekit.errors import InvalidValue, WelfareKitError

if TYPE_CHECKING:
    from _csv import Reader

__all__ = [
    "FILES",
    "Bundle",
    "ImportReport",
    "InvalidBundle",
    "RosterError",
    "RosterMapping",
    "import_bundle",
    "read_bundle",
]

FILES: Mapping[str, tuple[str, ...]] = {
    "orgs.csv": ("sourcedId", "status", "name", "type"),
    "users.csv": ("sourcedId", "status", "givenName", "familyName", "email", "agentSourcedIds"),
    "roles.csv": ("userSourcedId", "roleType", "role", "orgSourcedId"),
    "classes.csv": ("sourcedId", "status", "title", "schoolSourcedId"),
    "enrollments.csv": ("sourcedId", "status", "classSourcedId", "userSourcedId", "role"),
    "demographics.csv": ("sourcedId", "status", "birthDate"),
}
"""The files a bundle must have, with the columns welfarekit reads (others are ignored)."""

STUDENT_ROLES = frozenset({"student"})
GUARDIAN_ROLES = frozenset({"guardian", "parent", "relative"})
STAFF_ROLES = frozenset({"teacher", "administrator", "aide", "counselor", "principal",
                         "siteAdministrator", "districtAdministrator", "proctor"})  # fmt: skip


@attrs.frozen
class RosterError:
    """One problem in a bundle: where, and what."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.message}"


class InvalidBundle(WelfareKitError):
    """The bundle has errors; nothing was imported. ``errors`` lists each one."""

    def __init__(self, errors: list[RosterError]) -> None:
        shown = "\n".join(str(e) for e in errors[:20])
        more = f"\n… {len(errors) - 20} more" if len(errors) > 20 else ""
        super().__init__(f"the bundle has {len(errors)} error(s); nothing was imported:\n"
                         f"{shown}{more}")  # fmt: skip
        self.errors = errors


Row = dict[str, str]


@attrs.frozen
class Bundle:
    """The rows of a checked bundle, by file; rows marked ``tobedeleted`` are left out."""

    rows: Mapping[str, tuple[tuple[int, Row], ...]]

    def of(self, name: str) -> tuple[Row, ...]:
        return tuple(row for _, row in self.rows[name])


def read_bundle(folder: str | Path, progress: Callable[[str], None] = lambda step: None) -> Bundle:
    """Read and check a bundle; raise :class:`InvalidBundle` listing every problem.
    ``progress`` hears of each file as it is read (for a large bundle's progress display)."""
    folder = Path(folder)
    errors: list[RosterError] = []
    rows: dict[str, tuple[tuple[int, Row], ...]] = {}
    for number, (name, columns) in enumerate(FILES.items(), 1):
        rows[name] = _read(folder / name, name, columns, errors)
        progress(f"[{number}/{len(FILES)}] {name}: {len(rows[name])} rows")
    if not errors:
        _check_references(rows, errors)
    if errors:
        raise InvalidBundle(errors)
    return Bundle(rows={n: tuple((i, r) for i, r in found if r.get("status") != "tobedeleted")
                        for n, found in rows.items()})  # fmt: skip


def _read(path: Path, name: str, columns: tuple[str, ...],
          errors: list[RosterError]) -> tuple[tuple[int, Row], ...]:  # fmt: skip
    if not path.is_file():
        errors.append(RosterError(name, 0, "-", "the file is missing from the bundle"))
        return ()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        errors.append(RosterError(name, 0, "-", f"not UTF-8 text ({error.reason} at byte "
                                  f"{error.start}); OneRoster files are UTF-8"))  # fmt: skip
        return ()
    # newline="": a quoted field keeps its line breaks, and only \r and \n end a row (not
    # the other characters str.splitlines() breaks at, which a name may hold).
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        return _rows(reader, name, columns, errors)
    except csv.Error as error:  # e.g. an unterminated quote runs past the field size limit
        errors.append(RosterError(name, reader.line_num, "-", f"not CSV: {error}"))
        return ()


def _rows(reader: Reader, name: str, columns: tuple[str, ...],
          errors: list[RosterError]) -> tuple[tuple[int, Row], ...]:  # fmt: skip
    """The rows of one file, each with the line it starts on (a quoted field can span
    lines); values of columns missing from a short row are empty, extra values ignored."""
    header = next(reader, [])
    missing = [c for c in columns if c not in header]
    if missing:
        errors.append(RosterError(name, 1, ", ".join(missing), "missing column(s)"))
        return ()
    found: list[tuple[int, Row]] = []
    seen: dict[str, int] = {}
    key = "sourcedId" if "sourcedId" in columns else None
    line = reader.line_num + 1
    for values in reader:
        start, line = line, reader.line_num + 1
        if not values:
            continue  # a blank line
        clean = {column: values[i].strip() if i < len(values) else ""
                 for i, column in enumerate(header)}  # fmt: skip
        if key is not None:
            ident = clean[key]
            if not ident:
                errors.append(RosterError(name, start, key, "empty"))
                continue
            if ident in seen:
                errors.append(RosterError(name, start, key,
                                          f"{ident!r} is already on line {seen[ident]}"))  # fmt: skip
                continue
            seen[ident] = start
        found.append((start, clean))
    return tuple(found)


def _check_references(rows: Mapping[str, tuple[tuple[int, Row], ...]],
                      errors: list[RosterError]) -> None:  # fmt: skip
    orgs = {r["sourcedId"] for _, r in rows["orgs.csv"]}
    users = {r["sourcedId"] for _, r in rows["users.csv"]}
    classes = {r["sourcedId"] for _, r in rows["classes.csv"]}

    def need(file: str, line: int, field: str, value: str, *, known: set[str], what: str) -> None:
        if value not in known:
            errors.append(RosterError(file, line, field, f"no {what} {value!r} in the bundle"))

    for line, row in rows["users.csv"]:
        for agent in filter(None, row["agentSourcedIds"].split(",")):
            need("users.csv", line, "agentSourcedIds", agent.strip(), known=users, what="user")
    for line, row in rows["roles.csv"]:
        need("roles.csv", line, "userSourcedId", row["userSourcedId"], known=users, what="user")
        need("roles.csv", line, "orgSourcedId", row["orgSourcedId"], known=orgs, what="org")
        if row["roleType"] not in ("primary", "secondary"):
            errors.append(RosterError("roles.csv", line, "roleType",
                                      "must be primary or secondary"))  # fmt: skip
    for line, row in rows["classes.csv"]:
        need("classes.csv", line, "schoolSourcedId", row["schoolSourcedId"], known=orgs, what="org")
    for line, row in rows["enrollments.csv"]:
        need(
            "enrollments.csv",
            line,
            "classSourcedId",
            row["classSourcedId"],
            known=classes,
            what="class",
        )
        need(
            "enrollments.csv", line, "userSourcedId", row["userSourcedId"], known=users, what="user"
        )
    for line, row in rows["demographics.csv"]:
        need("demographics.csv", line, "sourcedId", row["sourcedId"], known=users, what="user")
        try:
            dt.date.fromisoformat(row["birthDate"])
        except ValueError:
            errors.append(RosterError("demographics.csv", line, "birthDate",
                                      f"{row['birthDate']!r} is not a date (YYYY-MM-DD)"))  # fmt: skip


@attrs.frozen(kw_only=True)
class RosterMapping:
    """What OneRoster does not say (see the README for the file's shape)."""

    provider_id: str
    provider_name: str
    default_home_municipality: str
    institutions: Mapping[str, Mapping[str, Any]]
    staff: Mapping[str, Mapping[str, Any]] = attrs.field(factory=dict)
    groups: tuple[Mapping[str, Any], ...] = ()

    @classmethod
    def load(cls, path: str | Path) -> RosterMapping:
        """The mapping in a TOML file; :class:`InvalidBundle` names each problem in it."""
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
            provider = data["provider"]
            mapping = cls(
                provider_id=provider["id"], provider_name=provider["name"],
                default_home_municipality=data["default_home_municipality"],
                institutions=data.get("institutions", {}), staff=data.get("staff", {}),
                groups=tuple(data.get("groups", ())),
            )  # fmt: skip
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, KeyError,
                TypeError) as error:  # fmt: skip
            raise InvalidBundle([RosterError(str(path), 0, "-", f"not a roster mapping: "
                                             f"{type(error).__name__}: {error}")]) from None  # fmt: skip
        mapping.check(str(path))
        return mapping

    def check(self, where: str = "the mapping") -> None:
        """Raise :class:`InvalidBundle` naming each value of the wrong shape (``where`` names
        the file in the errors); the values themselves are checked when the import builds
        the directory's objects."""
        errors = [RosterError(where, 0, field, message) for field, message in _shape(self)]
        if errors:
            raise InvalidBundle(errors)


Problems = Iterator[tuple[str, str]]
"""(field, problem) pairs of a mapping's shape."""


def _shape(mapping: RosterMapping) -> Problems:
    """Each value the import cannot read: a table that is not a table, a missing key, a name
    that is not text, a date that is not one."""
    yield from _text(mapping.provider_id, "provider.id")
    yield from _text(mapping.provider_name, "provider.name")
    yield from _text(mapping.default_home_municipality, "default_home_municipality")
    yield from _tables(mapping.institutions, "institutions", _institution)
    yield from _tables(mapping.staff, "staff", _staff_extra)
    if not isinstance(mapping.groups, tuple | list):
        yield "groups", "must be an array of tables"
        return
    for number, group in enumerate(mapping.groups, 1):
        yield from _group(group, f"groups[{number}]")


def _text(value: object, field: str, *, required: bool = True) -> Problems:
    if value is None and not required:
        return
    if not isinstance(value, str) or not value:
        yield field, "must be text" if value is not None else "is missing"


def _tables(section: object, name: str, each: Callable[[Mapping[str, Any], str], Problems]
            ) -> Problems:  # fmt: skip
    if not isinstance(section, Mapping):
        yield name, "must be a table of tables, one per sourcedId"
        return
    for key, item in section.items():
        if isinstance(item, Mapping):
            yield from each(item, f"{name}.{key}")
        else:
            yield f"{name}.{key}", "must be a table"


def _institution(item: Mapping[str, Any], field: str) -> Problems:
    yield from _text(item.get("kind"), f"{field}.kind")
    yield from _text(item.get("name"), f"{field}.name", required=False)


def _staff_extra(item: Mapping[str, Any], field: str) -> Problems:
    roles = item.get("roles", [])
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        yield f"{field}.roles", "must be a list of roles"
    yield from _text(item.get("employer"), f"{field}.employer", required=False)
    yield from _text(item.get("title"), f"{field}.title", required=False)


def _group(group: object, field: str) -> Problems:
    if not isinstance(group, Mapping):
        yield field, "must be a table"
        return
    yield from _text(group.get("id"), f"{field}.id")
    yield from _text(group.get("kind"), f"{field}.kind")
    yield from _text(group.get("institution"), f"{field}.institution", required=False)
    yield from _text(group.get("name"), f"{field}.name", required=False)
    start = group.get("from", "2000-01-01")
    try:
        dt.date.fromisoformat(str(start))
    except ValueError:
        yield f"{field}.from", f"{start!r} is not a date (YYYY-MM-DD)"
    members = group.get("members", [])
    if not isinstance(members, list):
        yield f"{field}.members", "must be an array of tables"
        return
    for index, member in enumerate(members, 1):
        where = f"{field}.members[{index}]"
        if not isinstance(member, Mapping):
            yield where, "must be a table with user and role"
            continue
        yield from _text(member.get("user"), f"{where}.user")
        yield from _text(member.get("role"), f"{where}.role")
        yield from _text(member.get("position"), f"{where}.position", required=False)


@attrs.frozen(kw_only=True)
class ImportReport:
    written: int
    students: int
    staff: int
    guardians: int
    left: tuple[str, ...]
    """Students no longer in the bundle: their guardianships were ended."""


def import_bundle(
    kit: WelfareKit,
    folder: str | Path,
    mapping: RosterMapping,
    *,
    today: dt.date | None = None,
    progress: Callable[[str], None] = lambda step: None,
) -> ImportReport:
    """Read, check and import a bundle in one transaction (all or nothing)."""
    from welfarekit.clock import today_in_finland

    today = today or today_in_finland()
    mapping.check()
    bundle = read_bundle(folder, progress)
    progress("checked: no errors")
    try:
        entities, counts = _entities(bundle, mapping)
    except InvalidValue as error:  # a value OneRoster allows but welfarekit refuses
        raise InvalidBundle([RosterError("-", 0, error.field, error.reason)]) from None
    directory = kit.directory("oneroster")
    students = {e.id for e in entities if isinstance(e, Student)}
    left = []
    known = directory.list(Student, mapping.provider_id) if _exists(
        directory, mapping.provider_id) else []  # fmt: skip
    for student in known:
        if student.id in students:
            continue
        left.append(student.id)
        for link in directory.list(Guardianship, mapping.provider_id, student_id=student.id):
            if link.validity.end is None or link.validity.end > today:
                start = min(link.validity.start, today - dt.timedelta(days=1))
                entities.append(attrs.evolve(link, validity=Period(start=start, end=today)))
    progress("writing")
    directory.put(*entities)
    return ImportReport(written=len(entities), left=tuple(sorted(left)), **counts)


def _exists(directory: Any, provider_id: str) -> bool:
    return any(p.id == provider_id for p in directory.providers())


@attrs.frozen
class _Facts:
    """What the bundle says about each user, gathered once."""

    users: Mapping[str, Row]
    roles: Mapping[str, set[str]]
    primary_org: Mapping[str, str]
    births: Mapping[str, dt.date]
    advisors: Mapping[str, str]
    """Homeroom class -> its teacher (the group advisor, *ryhmänohjaaja*)."""
    member_of: Mapping[str, str]

    @classmethod
    def of(cls, bundle: Bundle) -> _Facts:
        roles: dict[str, set[str]] = {}
        primary: dict[str, str] = {}
        for row in bundle.of("roles.csv"):
            roles.setdefault(row["userSourcedId"], set()).add(row["role"])
            if row["roleType"] == "primary":
                primary[row["userSourcedId"]] = row["orgSourcedId"]
        homerooms = {c["sourcedId"] for c in bundle.of("classes.csv")
                     if c.get("classType") == "homeroom"}  # fmt: skip
        advisors: dict[str, str] = {}
        member_of: dict[str, str] = {}
        for enrollment in bundle.of("enrollments.csv"):
            group, user = enrollment["classSourcedId"], enrollment["userSourcedId"]
            if enrollment["role"] == "teacher" and group in homerooms:
                advisors.setdefault(group, user)
            elif enrollment["role"] == "student":
                member_of.setdefault(user, group)
        return cls(
            users={u["sourcedId"]: u for u in bundle.of("users.csv")}, roles=roles,
            primary_org=primary, advisors=advisors, member_of=member_of,
            births={r["sourcedId"]: dt.date.fromisoformat(r["birthDate"])
                    for r in bundle.of("demographics.csv")},
        )  # fmt: skip


def _entities(bundle: Bundle, mapping: RosterMapping) -> tuple[list[Any], dict[str, int]]:
    facts = _Facts.of(bundle)
    p = mapping.provider_id
    entities: list[Any] = [EducationProvider(id=p, name=mapping.provider_name)]
    for row in bundle.of("orgs.csv"):
        settings = mapping.institutions.get(row["sourcedId"])
        if settings is not None:  # others (a district) welfarekit does not keep
            entities.append(Institution(id=row["sourcedId"], provider_id=p,
                                        name=settings.get("name", row["name"]),
                                        kind=settings["kind"]))  # fmt: skip
    staff = _staff(facts, mapping)
    entities += staff
    staff_ids = {s.id for s in staff}
    classes = [c for c in bundle.of("classes.csv") if c["schoolSourcedId"] in mapping.institutions]
    for group in classes:
        advisor = facts.advisors.get(group["sourcedId"])
        entities.append(StudyGroup(id=group["sourcedId"], provider_id=p,
                                   institution_id=group["schoolSourcedId"], name=group["title"],
                                   advisor_id=advisor if advisor in staff_ids else None))  # fmt: skip
    students, guardians, links = _students(facts, mapping, {c["sourcedId"] for c in classes})
    entities += students + guardians + links + _groups(mapping, staff_ids)
    counts = {"students": len(students), "staff": len(staff), "guardians": len(guardians)}
    return entities, counts


def _staff(facts: _Facts, mapping: RosterMapping) -> list[StaffMember]:
    found = []
    ids = {u for u, r in facts.roles.items() if r & STAFF_ROLES} | set(mapping.staff)
    advisors = set(facts.advisors.values())
    for user_id in sorted(ids & set(facts.users)):
        user, extra = facts.users[user_id], mapping.staff.get(user_id, {})
        listed = facts.roles.get(user_id, set())
        roles = set(extra.get("roles", ()))
        roles |= {"teacher"} if "teacher" in listed else set()
        roles |= {"principal"} if "principal" in listed else set()
        roles |= {"group_advisor"} if user_id in advisors else set()
        org = facts.primary_org.get(user_id)
        found.append(StaffMember(
            id=user_id, provider_id=mapping.provider_id, given_names=user["givenName"],
            family_name=user["familyName"], roles=roles or {"other_expert"},
            employer=extra.get("employer", "education_provider"),
            institution_ids={org} if org is not None and org in mapping.institutions else set(),
            title=extra.get("title"), email=user["email"] or None,
        ))  # fmt: skip
    return found


def _students(
    facts: _Facts, mapping: RosterMapping, class_ids: set[str]
) -> tuple[list[Student], list[Guardian], list[Guardianship]]:
    students, links = [], []
    guardian_ids: set[str] = set()
    p = mapping.provider_id
    for user_id, user in facts.users.items():
        school = facts.primary_org.get(user_id)
        if not facts.roles.get(user_id, set()) & STUDENT_ROLES:
            continue
        if school is None or school not in mapping.institutions or user_id not in facts.births:
            continue  # no school welfarekit keeps, or no birth date
        born = facts.births[user_id]
        group = facts.member_of.get(user_id)
        students.append(Student(
            id=user_id, provider_id=p, institution_id=school, given_names=user["givenName"],
            family_name=user["familyName"], date_of_birth=born,
            home_municipality=user.get("metadata.homeMunicipality")
            or mapping.default_home_municipality,
            study_group_id=group if group in class_ids else None,
        ))  # fmt: skip
        for agent in filter(None, (a.strip() for a in user["agentSourcedIds"].split(","))):
            if facts.roles.get(agent, set()) & GUARDIAN_ROLES:
                guardian_ids.add(agent)
                links.append(Guardianship(provider_id=p, guardian_id=agent, student_id=user_id,
                                          validity=Period(start=born)))  # fmt: skip
    guardians = [
        Guardian(id=g, provider_id=p, given_names=facts.users[g]["givenName"],
                 family_name=facts.users[g]["familyName"], email=facts.users[g]["email"] or None)
        for g in sorted(guardian_ids)
    ]  # fmt: skip
    return students, guardians, links


def _groups(mapping: RosterMapping, staff_ids: Iterable[str]) -> list[Any]:
    found: list[Any] = []
    known = set(staff_ids)
    for group in mapping.groups:
        found.append(WelfareGroup(id=group["id"], provider_id=mapping.provider_id,
                                  kind=group["kind"], institution_id=group.get("institution"),
                                  name=group.get("name")))  # fmt: skip
        start = dt.date.fromisoformat(str(group.get("from", "2000-01-01")))
        for member in group.get("members", ()):
            if member["user"] not in known:
                raise InvalidValue("groups.members", f"{member['user']!r} is no staff user")
            found.append(Membership(
                id=f"{group['id']}.{member['user']}", provider_id=mapping.provider_id,
                group_id=group["id"], member=PersonRef(PersonKind.STAFF, member["user"]),
                role=member["role"], position=member.get("position", "member"),
                validity=Period(start=start),
            ))  # fmt: skip
    return found
