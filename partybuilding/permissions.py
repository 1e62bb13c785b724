"""Who may do what in partybuilding: one action → roles map, registered as
"partybuilding.<action>" (governance/permissions.py); unknown actions allow no one."""
from __future__ import annotations

from governance.models import Role

# Everyone in a jurisdiction with party-building work reads its pages.
VIEWERS = frozenset({Role.LEADER, Role.ADMINISTRATOR, Role.DISPATCHER, Role.GRID_WORKER})
# Keeping the organisation's records: groups, members, units, activities.
KEEPERS = frozenset({Role.LEADER, Role.ADMINISTRATOR, Role.DISPATCHER, Role.GRID_WORKER})

ACTIONS = {
    "view": VIEWERS,
    "organisation_manage": frozenset({Role.LEADER, Role.ADMINISTRATOR, Role.DISPATCHER}),
    "group_manage": KEEPERS,
    "member_manage": KEEPERS,
    "activity_log": KEEPERS,
    "unit_manage": frozenset({Role.LEADER, Role.ADMINISTRATOR, Role.DISPATCHER}),
    "fund_set": frozenset({Role.LEADER, Role.ADMINISTRATOR}),
    "expense_submit": frozenset({Role.LEADER, Role.ADMINISTRATOR, Role.DISPATCHER}),
    "expense_decide": frozenset({Role.LEADER, Role.ADMINISTRATOR}),
    "star_rate": frozenset({Role.LEADER, Role.ADMINISTRATOR}),
}


def registered_actions() -> dict[str, frozenset[str]]:
    return {f"partybuilding.{name}": roles for name, roles in ACTIONS.items()}
