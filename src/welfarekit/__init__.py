"""welfarekit: student welfare work (*opiskeluhuolto*) for school platforms.

The public surface is re-exported here; everything else is an implementation detail.
"""

from welfarekit.access import Action, Actor, AuthenticationLevel, Resource, ResourceType
from welfarekit.audit import AuditEvent, AuditOutcome
from welfarekit.directory import Directory
from welfarekit.errors import (
    AdapterNotFound,
    AuditFailure,
    ConfigurationError,
    IncompatibleAdapter,
    IntegrityError,
    InvalidValue,
    NotFound,
    PluginError,
    StorageError,
    WelfareKitError,
)
from welfarekit.hookspecs import HOOK_API_VERSION, hookimpl
from welfarekit.kit import WelfareKit
from welfarekit.model import (
    COUNTY_ROLES,
    STAFF_ROLES,
    EducationProvider,
    EmployerKind,
    GroupDisplayNames,
    GroupKind,
    GroupPosition,
    Guardian,
    Guardianship,
    GuardianshipKind,
    Institution,
    InstitutionKind,
    Membership,
    Period,
    PersonalIdentityCode,
    PersonKind,
    PersonRef,
    Role,
    StaffMember,
    Student,
    StudyGroup,
    WelfareGroup,
    validate_business_id,
)
from welfarekit.plugins import AdapterRegistry
from welfarekit.settings import Settings
from welfarekit.storage import SchemaStatus, StorageAdapter, StorageTransaction

__version__ = "0.1.0"

__all__ = [
    "COUNTY_ROLES",
    "HOOK_API_VERSION",
    "STAFF_ROLES",
    "Action",
    "Actor",
    "AdapterNotFound",
    "AdapterRegistry",
    "AuditEvent",
    "AuditFailure",
    "AuditOutcome",
    "AuthenticationLevel",
    "ConfigurationError",
    "Directory",
    "EducationProvider",
    "EmployerKind",
    "GroupDisplayNames",
    "GroupKind",
    "GroupPosition",
    "Guardian",
    "Guardianship",
    "GuardianshipKind",
    "IncompatibleAdapter",
    "Institution",
    "InstitutionKind",
    "IntegrityError",
    "InvalidValue",
    "Membership",
    "NotFound",
    "Period",
    "PersonKind",
    "PersonRef",
    "PersonalIdentityCode",
    "PluginError",
    "Resource",
    "ResourceType",
    "Role",
    "SchemaStatus",
    "Settings",
    "StaffMember",
    "StorageAdapter",
    "StorageError",
    "StorageTransaction",
    "Student",
    "StudyGroup",
    "WelfareGroup",
    "WelfareKit",
    "WelfareKitError",
    "__version__",
    "hookimpl",
    "validate_business_id",
]
