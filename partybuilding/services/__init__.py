"""Partybuilding writes (keyword-only, atomic, taking the actor), one module per part."""
from partybuilding.services.activities import ActivityInput, activity_log
from partybuilding.services.funds import expense_decide, expense_submit, fund_set
from partybuilding.services.grading import star_rate
from partybuilding.services.imports import member_import, read_rows
from partybuilding.services.organisation import (
    GroupInput,
    MemberInput,
    agreement_create,
    group_change,
    group_create,
    group_deactivate,
    meeting_record,
    member_add,
    member_build,
    member_deactivate,
    organisation_create,
    part_time_member_add,
    unit_create,
)

__all__ = [
    "ActivityInput", "GroupInput", "MemberInput", "activity_log", "agreement_create", "expense_decide",
    "expense_submit", "fund_set", "group_change", "group_create", "group_deactivate", "meeting_record",
    "member_add", "member_build", "member_deactivate", "member_import", "read_rows", "organisation_create", "part_time_member_add",
    "star_rate", "unit_create",
]
