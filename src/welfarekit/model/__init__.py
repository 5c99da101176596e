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
from welfarekit.model.will import (
    SPECIFIC_WRITTEN_PURPOSES,
    CapacityAssessment,
    ConsentPurpose,
    Evidence,
    EvidenceMethod,
    ExpressionOfWill,
    GuardianVeto,
    WillKind,
    Withdrawal,
)

__all__ = [
    "COUNTY_ROLES",
    "SPECIFIC_WRITTEN_PURPOSES",
    "STAFF_ROLES",
    "CapacityAssessment",
    "ConsentPurpose",
    "EducationProvider",
    "EmployerKind",
    "Evidence",
    "EvidenceMethod",
    "ExpressionOfWill",
    "GroupDisplayNames",
    "GroupKind",
    "GroupPosition",
    "Guardian",
    "GuardianVeto",
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
    "WillKind",
    "Withdrawal",
    "validate_business_id",
]
