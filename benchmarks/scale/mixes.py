"""The mixes of real data (DOMAIN.md "Observed mixes"), as weights for synthetic cases only,
and the weighted draws from the generator's one Random: channels, categories, states by age,
red and yellow cards, risk grades, and how the year's cases spread over its days."""
from __future__ import annotations

import bisect
import datetime as dt
import random
from collections.abc import Iterable, Sequence

CHANNEL_MIX = [("visit", 35), ("grid", 25), ("phone", 14), ("hotline", 12), ("online", 8),
               ("department", 3), ("superior", 3)]
# Weights of leaf categories by keyword in their name; unmatched leaves share the rest.
CATEGORY_KEYWORD_WEIGHTS = [("婚姻", 17), ("邻里", 16), ("损害", 22), ("合同", 15), ("劳动", 7),
                            ("宅基地", 5), ("山林", 3), ("物业", 4), ("消费", 2), ("交通", 3), ("医疗", 2),
                            ("噪声", 2)]
# State mixes by the case's age (days since registration) for cases that are not red/yellow.
STATE_MIX_BY_AGE = [
    (14, [("registered", 10), ("accepted", 10), ("dispatched", 14), ("in_progress", 34), ("resolved", 12),
          ("closed", 14), ("rejected", 6)]),
    (60, [("registered", 1), ("accepted", 3), ("dispatched", 5), ("in_progress", 20), ("resolved", 10),
          ("closed", 55), ("rejected", 6)]),
    (10_000, [("accepted", 1), ("dispatched", 1), ("in_progress", 4), ("resolved", 2), ("closed", 86),
              ("rejected", 6)]),
]
RED_SHARE = 0.08
YELLOW_SHARE = 0.05
RED_STATE_MIX = [("registered", 5), ("accepted", 15), ("dispatched", 20), ("in_progress", 60)]
RED_ESCALATED_SHARE = 0.4  # red township cases already moved up to the county
COUNTY_OWNED_SHARE = 0.08  # cases owned by the county center from the start (上级交办, large groups)
TIMED = ("registered", "accepted", "dispatched", "in_progress")
STEP_OF_STATE = {"registered": "accept", "accepted": "accept", "dispatched": "sign", "in_progress": "handle",
                 "resolved": "callback", "closed": "callback", "rejected": "accept"}
# Natural-day approximations of the default working-day limits (x 7/5); synthetic data only.
STEP_DAYS = {"accept": 3, "sign": 3, "handle": 21, "callback": 7}
RISK_MIX = [(None, 30), ("blue", 40), ("yellow", 20), ("orange", 8), ("red", 2)]


def _pick(rng: random.Random, cumulative: list[float], items: Sequence):
    return items[bisect.bisect_right(cumulative, rng.random() * cumulative[-1])]


def _cumulative(weights: Iterable[float]) -> list[float]:
    out, total = [], 0.0
    for w in weights:
        total += w
        out.append(total)
    return out


class Mix:
    """A weighted choice, drawn from the generator's one Random."""

    def __init__(self, pairs: Sequence[tuple[object, float]]) -> None:
        self.items = [p[0] for p in pairs]
        self.cum = _cumulative(p[1] for p in pairs)

    def draw(self, rng: random.Random):
        return _pick(rng, self.cum, self.items)


def category_mix(categories: list[tuple[int, str, str]]) -> Mix:
    pairs: list[tuple[object, float]] = []
    matched_weight = 0.0
    unmatched = []
    for cat in categories:
        weight = next((w for kw, w in CATEGORY_KEYWORD_WEIGHTS if kw in cat[1]), None)
        if weight is None:
            unmatched.append(cat)
        else:
            # Several leaves may share a keyword; they share its weight.
            share = sum(1 for c in categories if kw_of(c[1]) == kw_of(cat[1]))
            pairs.append((cat, weight / share))
            matched_weight += weight / share
    rest = max(5.0, 100.0 - matched_weight)
    pairs += [(cat, rest / len(unmatched)) for cat in unmatched]
    return Mix(pairs)


def kw_of(name: str) -> str | None:
    return next((kw for kw, _ in CATEGORY_KEYWORD_WEIGHTS if kw in name), None)


def days_weights(anchor: dt.date) -> list[tuple[dt.date, float]]:
    """The 365 days before the anchor, weekdays three times as busy as weekends, growing."""
    days = []
    for i in range(365, 0, -1):
        day = anchor - dt.timedelta(days=i)
        weight = (1.0 if day.weekday() < 5 else 0.35) * (0.85 + 0.3 * (365 - i) / 365)
        days.append((day, weight))
    return days


def daily_counts(n: int, days: list[tuple[dt.date, float]]) -> list[int]:
    """Split n cases over days by weight, exactly n in total (largest remainder)."""
    total = sum(w for _, w in days)
    raw = [n * w / total for _, w in days]
    counts = [int(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - counts[i], reverse=True)
    for i in order[: n - sum(counts)]:
        counts[i] += 1
    return counts
