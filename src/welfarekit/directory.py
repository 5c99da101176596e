"""The directory: the provider's organisation, people and groups as welfarekit sees them.

The host owns its people (invariant 9): normally its student information system keeps this
directory in step through a sync job, a roster import or the demo. Every write checks the
references between objects, so that the rules can trust them, and every read and write is
audited in the same transaction.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from typing import Any, TypeVar

import attrs

from welfarekit.audit import AuditEvent
from welfarekit.auditing import emit
from welfarekit.errors import IntegrityError, NotFound
from welfarekit.model import (
    EducationProvider,
    GroupKind,
    GroupPosition,
    Guardian,
    Guardianship,
    Institution,
    Membership,
    PersonalIdentityCode,
    PersonKind,
    Role,
    StaffMember,
    Student,
    StudyGroup,
    WelfareGroup,
)
from welfarekit.storage import (
    DIRECTORY_TYPES,
    Entity,
    StorageAdapter,
    StorageTransaction,
    entity_key,
)
from welfarekit.vault import Vault

__all__ = ["Directory"]

E = TypeVar("E", bound=Entity)

_CASE_ONLY_ROLES = frozenset(
    {Role.STUDENT, Role.GUARDIAN, Role.OUTSIDE_PARTICIPANT, Role.PERSON_CLOSE_TO_STUDENT}
)


class Directory:
    """Reads and writes of the directory on behalf of one host system (``source``)."""

    def __init__(
        self, storage: StorageAdapter, hook: Any, source: str, vault: Vault | None = None
    ) -> None:
        self._storage = storage
        self._hook = hook
        self.source = source
        self._vault = vault

    def put(self, *entities: Entity) -> None:
        """Save the objects in one transaction, in the order given: all or none.

        An object with the same key as a stored one replaces it (so a sync can run again
        without duplicating anything). References are checked against what is stored and
        what came earlier in the same call; a broken one raises
        :class:`~welfarekit.errors.IntegrityError` and nothing is saved.
        """
        for entity in entities:
            if type(entity) not in DIRECTORY_TYPES:
                raise TypeError(f"the directory does not keep {type(entity).__name__} objects")
        with self._storage.transaction() as tx:
            for entity in entities:
                _CHECKS[type(entity)](tx, entity)
                if not isinstance(entity, Student) or entity.personal_identity_code is None:
                    tx.save(entity)
                else:
                    code = entity.personal_identity_code
                    # The identity code is confidential: the row holds none, the code is
                    # stored sealed (after the row its keys refer to) and found by blind index.
                    vault = self._vault_for_codes()
                    tx.save(attrs.evolve(entity, personal_identity_code=None))
                    vault.seal_identity_code(tx, entity.provider_id, entity.id, code.value)
                self._audit(
                    tx, entity, "directory.write", type(entity).__name__, entity_key(entity)
                )

    def get(self, kind: type[E], provider_id: str, key: str, /) -> E:
        """The object, or :class:`~welfarekit.errors.NotFound`."""
        with self._storage.transaction() as tx:
            found = tx.get(kind, provider_id, key)
            if found is None:
                raise NotFound(f"no {kind.__name__} {key!r} in provider {provider_id!r}")
            self._audit(tx, found, "directory.read", kind.__name__, key)
            return found

    def find(self, kind: type[E], provider_id: str, key: str, /) -> E | None:
        """The object, or ``None``."""
        try:
            return self.get(kind, provider_id, key)
        except NotFound:
            return None

    def list(self, kind: type[E], provider_id: str, /, **filters: str) -> builtins.list[E]:
        """Objects of a kind in the provider, ordered by key; ``filters`` as in
        :data:`welfarekit.storage.FILTERS`."""
        with self._storage.transaction() as tx:
            found = tx.list(kind, provider_id, **filters)
            query = ",".join(f"{k}={v}" for k, v in sorted(filters.items()))
            self._audit_provider(tx, provider_id, "directory.list", kind.__name__, query or "*")
            return found

    def find_student_by_identity_code(
        self, provider_id: str, code: str | PersonalIdentityCode
    ) -> Student | None:
        """The student with this personal identity code (*henkilötunnus*), with the code, or
        ``None``. The look-up goes through a truncated blind index and opens only the few
        candidates' sealed codes; it is audited."""
        parsed = code if isinstance(code, PersonalIdentityCode) else PersonalIdentityCode(code)
        with self._storage.transaction() as tx:
            self._audit_provider(tx, provider_id, "directory.search", "Student", "identity_code")
            found = self._vault_for_codes().students_with_identity_code(
                tx, provider_id, parsed.value
            )
            student = tx.get(Student, provider_id, found[0]) if found else None
        if student is None:
            return None
        return attrs.evolve(student, personal_identity_code=parsed)

    def identity_code(self, provider_id: str, student_id: str) -> PersonalIdentityCode | None:
        """The student's identity code, opened (an audited read), or ``None``."""
        with self._storage.transaction() as tx:
            self._audit_provider(tx, provider_id, "directory.read", "IdentityCode", student_id)
            code = self._vault_for_codes().open_identity_code(tx, provider_id, student_id)
        return PersonalIdentityCode(code) if code is not None else None

    def _vault_for_codes(self) -> Vault:
        if self._vault is None:
            raise IntegrityError("identity codes need the kit's vault: use kit.directory()")
        return self._vault

    def providers(self) -> builtins.list[EducationProvider]:
        """Every education provider stored (for a vendor's administration)."""
        with self._storage.transaction() as tx:
            return tx.list(EducationProvider, None)

    # -- audit ------------------------------------------------------------------------------

    def _audit(
        self, tx: StorageTransaction, entity: Entity, action: str, resource_type: str, key: str
    ) -> None:
        provider = entity.id if isinstance(entity, EducationProvider) else entity.provider_id
        self._audit_provider(tx, provider, action, resource_type, key)

    def _audit_provider(
        self, tx: StorageTransaction, provider_id: str, action: str, resource_type: str, key: str
    ) -> None:
        event = AuditEvent(
            provider_id=provider_id,
            actor=f"system:{self.source}",
            action=action,
            resource_type=resource_type,
            resource_id=key,
        )
        emit(tx, self._hook, event)


# -- reference checks -----------------------------------------------------------------------


def _need(tx: StorageTransaction, kind: type[E], provider_id: str, key: str, what: str) -> E:
    found = tx.get(kind, provider_id, key)
    if found is None:
        raise IntegrityError(
            f"{what}: no {kind.__name__} {key!r} in provider {provider_id!r}; save it first"
        )
    return found


def _check_provider(tx: StorageTransaction, entity: Any) -> None:
    if not isinstance(entity, EducationProvider):
        _need(tx, EducationProvider, entity.provider_id, entity.provider_id, "provider_id")


def _check_study_group(tx: StorageTransaction, group: StudyGroup) -> None:
    _check_provider(tx, group)
    _need(tx, Institution, group.provider_id, group.institution_id, "StudyGroup.institution_id")
    if group.advisor_id is not None:
        advisor = _need(tx, StaffMember, group.provider_id, group.advisor_id, "advisor_id")
        if not advisor.has_role(Role.GROUP_ADVISOR):
            raise IntegrityError(
                f"StudyGroup.advisor_id: {advisor.full_name} does not hold the group advisor "
                "role (ryhmänohjaaja)"
            )


def _check_student(tx: StorageTransaction, student: Student) -> None:
    _check_provider(tx, student)
    _need(tx, Institution, student.provider_id, student.institution_id, "Student.institution_id")
    if student.study_group_id is not None:
        group = _need(
            tx, StudyGroup, student.provider_id, student.study_group_id, "Student.study_group_id"
        )
        if group.institution_id != student.institution_id:
            raise IntegrityError(
                f"Student.study_group_id: study group {group.id!r} belongs to another institution"
            )


def _check_guardianship(tx: StorageTransaction, link: Guardianship) -> None:
    _check_provider(tx, link)
    _need(tx, Guardian, link.provider_id, link.guardian_id, "Guardianship.guardian_id")
    _need(tx, Student, link.provider_id, link.student_id, "Guardianship.student_id")


def _check_staff(tx: StorageTransaction, staff: StaffMember) -> None:
    _check_provider(tx, staff)
    for institution_id in sorted(staff.institution_ids):
        _need(tx, Institution, staff.provider_id, institution_id, "StaffMember.institution_ids")


def _check_group(tx: StorageTransaction, group: WelfareGroup) -> None:
    _check_provider(tx, group)
    if group.institution_id is not None:
        _need(tx, Institution, group.provider_id, group.institution_id, "institution_id")
    if group.student_id is not None:
        student = _need(tx, Student, group.provider_id, group.student_id, "student_id")
        if student.institution_id != group.institution_id:
            raise IntegrityError(
                "WelfareGroup.institution_id: a case expert group belongs to the student's "
                "own institution"
            )


def _check_membership(tx: StorageTransaction, membership: Membership) -> None:
    _check_provider(tx, membership)
    provider_id, member = membership.provider_id, membership.member
    group = _need(tx, WelfareGroup, provider_id, membership.group_id, "Membership.group_id")
    is_case = group.kind is GroupKind.CASE
    if membership.role in _CASE_ONLY_ROLES and not is_case:
        raise IntegrityError(
            f"Membership.role: a {membership.role.value} takes part only in a case expert "
            "group; steering and institution groups handle communal matters only (§ 14(2))"
        )
    if membership.role is Role.STUDENT_MEMBER and is_case:
        raise IntegrityError("Membership.role: a student member sits in communal groups only")
    if membership.position is GroupPosition.RESPONSIBLE_PERSON and not is_case:
        raise IntegrityError(
            "Membership.position: only a case expert group names a responsible person "
            "(vastuuhenkilö, § 14(4))"
        )
    if member.kind is PersonKind.STAFF:
        staff = _need(tx, StaffMember, provider_id, member.id, "Membership.member")
        if membership.role not in staff.roles:
            raise IntegrityError(
                f"Membership.role: {staff.full_name} does not hold the role {membership.role.value}"
            )
    elif member.kind is PersonKind.STUDENT:
        _need(tx, Student, provider_id, member.id, "Membership.member")
        if membership.role is Role.STUDENT and member.id != group.student_id:
            raise IntegrityError(
                "Membership.member: only the student the group is formed for takes part as "
                "the student"
            )
    elif member.kind is PersonKind.GUARDIAN:
        _need(tx, Guardian, provider_id, member.id, "Membership.member")
        key = f"{member.id}/{group.student_id}"
        if tx.get(Guardianship, provider_id, key) is None:
            raise IntegrityError(
                "Membership.member: this guardian is not a guardian of the group's student"
            )


_CHECKS: dict[type[Entity], Callable[[StorageTransaction, Any], None]] = {
    EducationProvider: _check_provider,
    Institution: _check_provider,
    StudyGroup: _check_study_group,
    Student: _check_student,
    Guardian: _check_provider,
    Guardianship: _check_guardianship,
    StaffMember: _check_staff,
    WelfareGroup: _check_group,
    Membership: _check_membership,
}


def check_references(tx: StorageTransaction, entity: Entity) -> None:
    """Check a directory object's references against what is stored, as
    :meth:`Directory.put` does (for the core's own writes of groups and memberships)."""
    _CHECKS[type(entity)](tx, entity)
