"""The tables of forms_intake, one module per concern; Django finds them all through this package.

``registration``: submissions of Annex 2, the divisions they refer to, staff divisions, the timeline, the
tally and Wagtail's log entries of submissions. ``outreach``: imported insured, population and employer
data, the roster of unregistered people, door-to-door visits and suspect records (seed items 5, 15–17).
``api``: the business systems' API clients, call log, outbox and deliveries, and the results they report.
"""

from forms_intake.models.api import (
    ApiCallLog,
    ApiClient,
    Delivery,
    EnrolmentResult,
    OutboxEvent,
    SocialSecurityCard,
    Subscription,
)
from forms_intake.models.corrections import CorrectionRequest
from forms_intake.models.exports import ExportAudit
from forms_intake.models.notifications import Notification
from forms_intake.models.outreach import (
    CoverageCount,
    DataImport,
    Employer,
    InsuredPerson,
    PopulationRecord,
    RosterEntry,
    SubmissionInsurance,
    SuspectRecord,
    Visit,
)
from forms_intake.models.registration import (
    Division,
    StaffDivision,
    Submission,
    SubmissionEvent,
    SubmissionLogEntry,
    SubmissionTally,
)
from forms_intake.models.saved_filters import SavedFilter
from forms_intake.models.spot_checks import SpotCheck, SpotCheckItem
from forms_intake.models.verification import SavedDraft, VerificationCode

__all__ = [
    "ApiCallLog",
    "ApiClient",
    "Delivery",
    "EnrolmentResult",
    "OutboxEvent",
    "SocialSecurityCard",
    "Subscription",
    "CorrectionRequest",
    "CoverageCount",
    "ExportAudit",
    "Notification",
    "DataImport",
    "Employer",
    "InsuredPerson",
    "PopulationRecord",
    "RosterEntry",
    "SubmissionInsurance",
    "SuspectRecord",
    "Visit",
    "Division",
    "RegistrationPage",
    "StaffDivision",
    "StatusLookupPage",
    "Submission",
    "SubmissionEvent",
    "SubmissionLogEntry",
    "SubmissionTally",
    "SavedDraft",
    "SavedFilter",
    "SpotCheck",
    "SpotCheckItem",
    "VerificationCode",
]

# Django finds an app's page types through its models module too; they live with the pages they serve.
from forms_intake.pages import RegistrationPage, StatusLookupPage  # noqa: E402
