"""From figures to points, ranks and grades: pure functions over plain values (no queries),
so each rule is tested on its own (docs/assessment.md "Scoring").

- A scored line: its formula over the figures, times its weight, clamped to [0, max points]
  (bonus and deduction lines to [0, cap or max points]); a rate whose denominator is 0 shows
  "—" and earns the line's full points (nothing happened that could be done badly), a
  bonus or deduction nothing. A manual line without an approved score earns 0 ("待评分").
- A group: the sum of its lines, deductions subtracted, clamped to [0, its points]; a group
  of bonus lines only adds up to its lines' caps.
- The total: the sum of the catalogues.
- Ranks: competition ranking (1, 2, 2, 4) by total among the units of one parent; vetoed
  units come after all the others, in order of their totals, and are graded 不合格.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from assessment.formulas import formula_eval
from assessment.metrics import METRICS, Figure
from assessment.models import Grade, ItemKind, RubricItem
from governance.errors import InvalidInput

CENT = Decimal("0.01")


def _d(value: float | Decimal) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Line:
    item_id: int
    numerator: int | None
    denominator: int | None
    value: Decimal | None
    points: Decimal  # signed: a deduction is negative
    note: str


def line_score(item: RubricItem, *, figure: Figure | None, manual: Decimal | None, coef: int) -> Line:
    """The points of one scored line."""
    full = float(item.max_points)
    limit = item.cap if item.kind in (ItemKind.BONUS, ItemKind.DEDUCTION) and item.cap is not None else item.max_points
    numerator = denominator = None
    value = None
    note = ""
    figures: dict[str, float | int | None] = {"full": full, "coef": coef, "n": 0, "d": 0, "rate": 0.0,
                                             "score": 0.0, "normal": 0, "yellow": 0, "red": 0}
    metric = METRICS.get(item.metric) if item.metric else None
    if metric is not None:
        figure = figure or Figure()
        numerator, denominator = figure.numerator, figure.denominator
        figures.update(n=figure.numerator, d=figure.denominator or 0, **figure.extra)
        if metric.rate:
            if not figure.denominator:
                return Line(item.pk, numerator, denominator, None, _d(limit), _("无应考核事项，按满分计"))
            figures["rate"] = figure.rate
            value = _d(figure.rate)
        else:
            value = _d(figure.numerator)
    else:
        if manual is None:
            return Line(item.pk, None, None, None, Decimal("0.00"), _("待评分"))
        figures["score"] = float(manual)
        value = _d(manual)
    try:
        default = ("full * rate / 100" if metric.rate else "n") if metric is not None else "score"
        raw = formula_eval(item.formula or default, figures)
    except InvalidInput as error:
        return Line(item.pk, numerator, denominator, value, Decimal("0.00"), error.message[:200])
    points = min(max(_d(raw * float(item.weight)), Decimal(0)), _d(limit))
    if item.kind == ItemKind.DEDUCTION:
        points = -points
    return Line(item.pk, numerator, denominator, value, points, note)


def unit_total(items: Sequence[RubricItem], lines: Mapping[int, Line]) -> tuple[Decimal, dict[int, Decimal]]:
    """(total, points per group) from the scored lines of one unit."""
    children: dict[int | None, list[RubricItem]] = defaultdict(list)
    for item in items:
        children[item.parent_id].append(item)

    def points(item: RubricItem) -> Decimal:
        if item.kind != ItemKind.GROUP:
            return lines[item.pk].points if item.pk in lines else Decimal(0)
        below = children[item.pk]
        summed = sum((points(c) for c in below), Decimal(0))
        if below and all(c.kind == ItemKind.BONUS for c in below):
            ceiling = sum((c.cap if c.cap is not None else c.max_points for c in below), Decimal(0))
        else:
            ceiling = item.max_points
        groups[item.pk] = min(max(summed, Decimal(0)), ceiling)
        return groups[item.pk]

    groups: dict[int, Decimal] = {}
    total = sum((points(item) for item in children[None]), Decimal(0))
    return _d(total), groups


def grade_for(total: Decimal, *, vetoed: bool, excellent: Decimal, good: Decimal, passing: Decimal) -> str:
    if vetoed:
        return Grade.FAIL
    if total >= excellent:
        return Grade.EXCELLENT
    if total >= good:
        return Grade.GOOD
    if total >= passing:
        return Grade.PASS
    return Grade.FAIL


def ranks(entries: Iterable[tuple[int, Decimal, bool]]) -> dict[int, int]:
    """Competition ranks of (unit id, total, vetoed) entries of one parent."""
    entries = list(entries)
    result: dict[int, int] = {}
    position = 0
    for vetoed_group in (False, True):
        group = sorted((e for e in entries if e[2] == vetoed_group), key=lambda e: (-e[1], e[0]))
        previous: Decimal | None = None
        previous_rank = 0
        for index, (unit_id, total, _vetoed) in enumerate(group):
            rank = previous_rank if total == previous else position + index + 1
            result[unit_id] = rank
            previous, previous_rank = total, rank
        position += len(group)
    return result
