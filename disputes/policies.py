"""The closed loop's rules (LoopPolicy), read once per use: who may call back, the return
window, how many extensions a case may have, and when the sweep urges (催办) by itself.

One lookup rule, as for time limits: the category's row, else its parent category's, else
the level's default; no row at all sets no limit (callbacks by the intake or the owning
center, no return window, no count of extensions, no automatic 催办). The rows are seeded
from DOMAIN.md by migration 0011_rules_loop_policy and edited in the admin (闭环规则).
Reads only; the services and the sweep apply the rules.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q

from disputes.models import CallbackBy, Category, LoopPolicy, UrgeWhen

# The first automatic 催办 of an overdue step comes this long after its deadline (the
# deadline is the last second of its day, so the sweep urges from the next day on: 12345
# "催办 the day after expiry").
OVERDUE_AFTER = dt.timedelta(seconds=1)


@dataclass(frozen=True)
class LoopRule:
    """One LoopPolicy row, flattened; the defaults are the rule when no row applies."""

    callback_by: str = CallbackBy.INTAKE_OR_OWNER
    return_window_working_days: int | None = None
    max_extensions: int | None = None
    urge_when: str = UrgeWhen.NEVER
    urge_cooldown_hours: int = 24
    policy_id: int | None = None

    @classmethod
    def of(cls, policy: LoopPolicy) -> LoopRule:
        return cls(callback_by=policy.callback_by, return_window_working_days=policy.return_window_working_days,
                   max_extensions=policy.max_extensions, urge_when=policy.urge_when,
                   urge_cooldown_hours=policy.urge_cooldown_hours, policy_id=policy.pk)

    @property
    def intake_may_call_back(self) -> bool:
        return self.callback_by in (CallbackBy.INTAKE_OR_OWNER, CallbackBy.INTAKE)

    @property
    def owner_may_call_back(self) -> bool:
        return self.callback_by in (CallbackBy.INTAKE_OR_OWNER, CallbackBy.OWNER)

    def may_extend_again(self, approved: int) -> bool:
        """Whether a case with `approved` extensions may have another (max_extensions)."""
        return self.max_extensions is None or approved < self.max_extensions

    def first_urge_at(self, *, due_at: dt.datetime | None, yellow_at: dt.datetime | None) -> dt.datetime | None:
        """When the sweep first urges a step running to `due_at` (yellow card at `yellow_at`)."""
        if due_at is None or self.urge_when == UrgeWhen.NEVER:
            return None
        if self.urge_when == UrgeWhen.DUE_SOON and yellow_at is not None:
            return min(yellow_at, due_at + OVERDUE_AFTER)
        return due_at + OVERDUE_AFTER

    def next_urge_at(self, now: dt.datetime) -> dt.datetime:
        """After an automatic 催办 at `now`: no other before the cool-down has passed."""
        return now + dt.timedelta(hours=self.urge_cooldown_hours)


NO_RULE = LoopRule()


class LoopRules:
    """The LoopPolicy rows (a small table) and the rule that picks one."""

    def __init__(self, rules: dict[tuple[str, int | None], LoopRule]):
        self.rules = rules

    @classmethod
    def load(cls, *, level: str | None = None, policy_model=LoopPolicy) -> LoopRules:
        """The rows of `level` when given (one query), else every row."""
        rows = policy_model.objects.all()
        if level is not None:
            rows = rows.filter(level=level)
        return cls({(p.level, p.category_id): LoopRule.of(p) for p in rows})

    def rule_for(self, *, level: str, category_id: int | None, parent_id: int | None) -> LoopRule:
        for key in (category_id, parent_id, None):
            rule = self.rules.get((level, key))
            if rule is not None:
                return rule
        return NO_RULE

    def case_rule(self, case) -> LoopRule:
        """The rule of a case (its owning level and category; `case.category` loaded)."""
        return self.rule_for(level=case.owning_level, category_id=case.category_id,
                             parent_id=case.category.parent_id)

    def where(self, holds: Callable[[LoopRule], bool]) -> Q:
        """A condition on cases (owning_level, category_id) true where `holds(rule)` is: one
        term per level, an id list only for levels whose categories disagree."""
        levels = {level for level, _category in self.rules}
        if not levels:
            return Q() if holds(NO_RULE) else Q(pk__in=[])
        parents = dict(Category.objects.values_list("id", "parent_id"))
        q = Q(pk__in=[])
        for level in sorted(levels):
            verdicts = {cid: holds(self.rule_for(level=level, category_id=cid, parent_id=parent))
                        for cid, parent in parents.items()}
            default = holds(self.rule_for(level=level, category_id=None, parent_id=None))
            yes = {cid for cid, ok in verdicts.items() if ok}
            no = set(verdicts) - yes
            if not no and default:
                q |= Q(owning_level=level)
            elif not yes and not default:
                continue
            elif default:
                q |= Q(owning_level=level) & ~Q(category_id__in=sorted(no))
            else:
                q |= Q(owning_level=level, category_id__in=sorted(yes))
        # Levels without a row follow NO_RULE.
        if holds(NO_RULE):
            q |= ~Q(owning_level__in=sorted(levels))
        return q


def case_loop_rule(case) -> LoopRule:
    """The loop rule of one case (one query: the rows of its owning level)."""
    return LoopRules.load(level=case.owning_level).case_rule(case)
