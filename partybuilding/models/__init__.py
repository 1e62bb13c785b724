"""The partybuilding app's models, one module per part: the organisation (organisations, grid
party groups, members, resident units and their part-time committee members, agreements and
joint meetings), activities (with the 三会一课 rhythm as data), funds, and star grading (评星晋级)."""
from partybuilding.models.activities import Activity, ActivityKind, ActivityPhoto, RhythmPeriod, RhythmRule
from partybuilding.models.funds import ExpenseState, FundExpense, PartyFund
from partybuilding.models.grading import GradedKind, StarCriterion, StarRating
from partybuilding.models.organisation import (
    Gender,
    JointAgreement,
    JointMeeting,
    MemberKind,
    OrganisationLevel,
    PartTimeMember,
    PartyGroup,
    PartyGroupChange,
    PartyGroupKind,
    PartyMember,
    PartyOrganisation,
    ResidentUnit,
    ResidentUnitKind,
)

__all__ = [
    "Activity", "ActivityKind", "ActivityPhoto", "ExpenseState", "FundExpense", "Gender", "JointAgreement",
    "JointMeeting", "MemberKind", "OrganisationLevel", "PartTimeMember", "PartyFund", "PartyGroup",
    "PartyGroupChange", "PartyGroupKind", "PartyMember", "PartyOrganisation", "ResidentUnit", "ResidentUnitKind",
    "RhythmPeriod", "RhythmRule", "GradedKind", "StarCriterion", "StarRating",
]
