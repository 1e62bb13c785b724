"""Who may do what in assessment: one action → roles map, registered as "assessment.<action>"
(governance/permissions.py); unknown actions allow no one. Which rows each may see is the
rule in docs/assessment.md, applied by assessment/selectors.py."""
from __future__ import annotations

from governance.models import Role

VIEWERS = frozenset({Role.LEADER, Role.ADMINISTRATOR, Role.DISPATCHER})

ACTIONS = {
    "view": VIEWERS,
    # The rubric, the periods' rhythm and the recompute button.
    "manage": frozenset({Role.ADMINISTRATOR}),
    "publish": frozenset({Role.ADMINISTRATOR, Role.LEADER}),
    "adjust": frozenset({Role.ADMINISTRATOR, Role.LEADER}),
    # Manual scores: entered and approved by the assessing department's people.
    "score": frozenset({Role.HANDLER, Role.DISPATCHER, Role.LEADER}),
    # 一票否决: proposed by a township or a department; decided at county level or above.
    "veto_propose": frozenset({Role.LEADER, Role.DISPATCHER, Role.HANDLER}),
    "veto_decide": frozenset({Role.LEADER}),
    "letter_manage": frozenset({Role.LEADER, Role.ADMINISTRATOR, Role.DISPATCHER}),
}


def registered_actions() -> dict[str, frozenset[str]]:
    return {f"assessment.{name}": roles for name, roles in ACTIONS.items()}
