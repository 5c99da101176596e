"""The domain model: frozen, slotted attrs value classes, validated at construction."""

from welfarekit.model.groups import GroupKind, GroupPosition, Membership, WelfareGroup
from welfarekit.model.identity_codes import PersonalIdentityCode, validate_business_id
from welfarekit.model.org import (
    EducationProvider,
    GroupDisplayNames,
    Institution,
    InstitutionKind,
    StudyGroup,
)
from welfarekit.model.people import (
    COUNTY_ROLES,
    STAFF_ROLES,
    EmployerKind,
    Guardian,
    Guardianship,
    GuardianshipKind,
    PersonKind,
    PersonRef,
    Role,
    StaffMember,
    Student,
)
from welfarekit.model.period import Period

__all__ = [
    "COUNTY_ROLES",
    "STAFF_ROLES",
    "EducationProvider",
    "EmployerKind",
    "GroupDisplayNames",
    "GroupKind",
    "GroupPosition",
    "Guardian",
    "Guardianship",
    "GuardianshipKind",
    "Institution",
    "InstitutionKind",
    "Membership",
    "Period",
    "PersonKind",
    "PersonRef",
    "PersonalIdentityCode",
    "Role",
    "StaffMember",
    "Student",
    "StudyGroup",
    "WelfareGroup",
    "validate_business_id",
]
