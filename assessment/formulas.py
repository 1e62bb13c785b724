"""Scoring formulas of the rubric, parsed and evaluated by simpleeval (never `eval`).

A formula is an arithmetic expression over the line's figures: fixed points ("full"), per
count ("(n-2)*5"), per percentage point ("full - (100 - rate) * 0.5"), tiered
("full if rate >= 95 else full * 0.6"), with `min`, `max`, `abs`, `round`. Validation parses
the text, refuses unknown names, and evaluates it over sample figures, so "does not parse",
"unknown name" and "divides by zero" are refused with a Chinese message when the rubric is
saved, not when a period is computed.
"""
from __future__ import annotations

import ast
import math
from collections.abc import Mapping

from django.utils.translation import gettext as _
from simpleeval import InvalidExpression, SimpleEval

from governance.errors import InvalidInput

FUNCTIONS = {"min": min, "max": max, "abs": abs, "round": round}
VARIABLES = {
    "n": _("分子或件数"), "d": _("分母"), "rate": _("比率(百分数)"), "full": _("本项分值"),
    "coef": _("分档系数"), "score": _("人工评分"), "normal": _("普通督办数"), "yellow": _("黄牌督办数"),
    "red": _("红牌督办数"),
}
# Figures a formula is tried on when it is saved: a real period must never be the first to
# find it broken (both ends of a rate, zero counts, one of everything).
SAMPLES = (
    {"n": 0, "d": 1, "rate": 0.0, "full": 10.0, "coef": 1, "score": 0.0, "normal": 0, "yellow": 0, "red": 0},
    {"n": 1, "d": 2, "rate": 50.0, "full": 10.0, "coef": 2, "score": 5.0, "normal": 1, "yellow": 1, "red": 1},
    {"n": 3, "d": 3, "rate": 100.0, "full": 30.0, "coef": 3, "score": 30.0, "normal": 2, "yellow": 0, "red": 2},
)


def _error(message: str) -> InvalidInput:
    return InvalidInput(message, code="bad_formula", extra={"fields": {"formula": message}})


def formula_validate(text: str) -> str:
    """The formula, stripped, or InvalidInput with a Chinese message."""
    text = (text or "").strip()
    if not text:
        return text
    if len(text) > 300:
        raise _error(_("计分公式过长（最多300个字符）"))
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError:
        raise _error(_("计分公式无法解析：%(formula)s") % {"formula": text}) from None
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id not in VARIABLES and node.id not in FUNCTIONS:
            raise _error(_("计分公式中有未知的名称「%(name)s」，可用：%(names)s") % {
                "name": node.id, "names": "、".join(VARIABLES)})
    for sample in SAMPLES:
        formula_eval(text, sample)
    return text


def formula_eval(text: str, figures: Mapping[str, float | int | None]) -> float:
    """The formula's value over `figures` (floats); InvalidInput when it cannot be computed."""
    names = {key: (0 if value is None else value) for key, value in figures.items()}
    evaluator = SimpleEval(names=names, functions=FUNCTIONS)
    try:
        value = evaluator.eval(text)
    except ZeroDivisionError:
        raise _error(_("计分公式出现除以零：%(formula)s") % {"formula": text}) from None
    except (InvalidExpression, SyntaxError, TypeError, ValueError, OverflowError, KeyError):
        raise _error(_("计分公式无法计算：%(formula)s") % {"formula": text}) from None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _error(_("计分公式的结果不是数值：%(formula)s") % {"formula": text})
    return float(value)
