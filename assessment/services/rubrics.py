"""Rubric writes: the default township rubric, copying a year's rubric to the next, saving a
line (its formula validated), and the check that the points add up."""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from assessment.formulas import formula_validate
from assessment.metrics import METRICS
from assessment.models import ItemDepth, ItemKind, Rubric, RubricItem
from assessment.rubric_default import COUNTY_RUBRIC, TOWNSHIP_RUBRIC, Line
from governance.errors import Conflict, InvalidInput
from governance.models import Region, RegionLevel

POSITIVE = (ItemKind.AUTOMATIC, ItemKind.MANUAL)


def rubric_check(rubric: Rubric, items: list[RubricItem] | None = None) -> None:
    """The points add up: the catalogues (bonus-only ones aside) to the rubric's total, and
    each group's automatic and manual lines to the group's points. InvalidInput otherwise."""
    items = items if items is not None else list(rubric.items.all())
    children: dict[int | None, list[RubricItem]] = defaultdict(list)
    for item in items:
        children[item.parent_id].append(item)
    catalogue_sum = sum((i.max_points for i in children[None] if i.kind not in (ItemKind.BONUS, ItemKind.DEDUCTION)),
                        Decimal(0))
    if catalogue_sum != rubric.total_points:
        message = _("各考核类别分值合计为%(sum)s分，应为总分%(total)s分") % {
            "sum": _num(catalogue_sum), "total": _num(rubric.total_points)}
        raise InvalidInput(message, code="points_mismatch", extra={"fields": {"max_points": message}})
    for item in items:
        if item.kind != ItemKind.GROUP or item.pk is None:  # a group added in the same form has no lines yet
            continue
        lines = [c for c in children[item.pk] if c.kind in POSITIVE or c.kind == ItemKind.GROUP]
        total = sum((c.max_points for c in lines), Decimal(0))
        if lines and total != item.max_points:
            message = _("「%(name)s」下各项分值合计为%(sum)s分，应为%(points)s分") % {
                "name": item.name, "sum": _num(total), "points": _num(item.max_points)}
            raise InvalidInput(message, code="points_mismatch", extra={"fields": {"max_points": message}})


def _num(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _line_clean(*, kind: str, metric: str, formula: str, max_points: Any, cap: Any) -> dict[str, Any]:
    if kind not in ItemKind.values:
        raise InvalidInput(_("指标类型无效"), extra={"fields": {"kind": _("指标类型无效")}})
    if (kind == ItemKind.AUTOMATIC or metric) and metric not in METRICS:
        raise InvalidInput(_("请选择自动计算的指标"), extra={"fields": {"metric": _("请选择自动计算的指标")}})
    try:
        points = Decimal(str(max_points))
        cap_value = None if cap in (None, "") else Decimal(str(cap))
    except ArithmeticError:
        raise InvalidInput(_("分值必须是数字"), extra={"fields": {"max_points": _("分值必须是数字")}}) from None
    if points < 0 or (cap_value is not None and cap_value < 0):
        raise InvalidInput(_("分值不能为负数"), extra={"fields": {"max_points": _("分值不能为负数")}})
    return {"kind": kind, "metric": metric if kind != ItemKind.GROUP else "",
            "formula": formula_validate(formula) if kind != ItemKind.GROUP else "",
            "max_points": points, "cap": cap_value}


@transaction.atomic
def rubric_item_save(*, rubric_id: int, item_id: int | None = None, parent_id: int | None = None, code: str,
                     name: str, kind: str, metric: str = "", formula: str = "", max_points: Any = 0,
                     cap: Any = None, weight: Any = 1, department_id: int | None = None) -> RubricItem:
    """Add or change one line; the formula is validated and the rubric must still add up
    (otherwise nothing is saved). Refused while a published period uses the rubric."""
    rubric = Rubric.objects.select_for_update().get(pk=rubric_id)
    _require_unused(rubric)
    values = _line_clean(kind=kind, metric=metric, formula=formula, max_points=max_points, cap=cap)
    if not (code or "").strip() or not (name or "").strip():
        raise InvalidInput(_("请填写编号和名称"), extra={"fields": {"name": _("请填写编号和名称")}})
    item = RubricItem.objects.get(pk=item_id, rubric=rubric) if item_id else RubricItem(rubric=rubric)
    parent = RubricItem.objects.get(pk=parent_id, rubric=rubric) if parent_id else None
    item.parent = parent
    item.depth = min(parent.depth + 1, ItemDepth.SUB_ITEM) if parent else ItemDepth.CATALOGUE
    item.code, item.name, item.weight, item.department_id = code.strip(), name.strip(), Decimal(str(weight)), \
        department_id
    for key, value in values.items():
        setattr(item, key, value)
    item.save()
    rubric_check(rubric)
    return item


def _require_unused(rubric: Rubric) -> None:
    from assessment.models import AssessmentPeriod, PeriodState

    if AssessmentPeriod.objects.filter(region_id=rubric.region_id, year=rubric.year,
                                       state__in=[PeriodState.PUBLISHED, PeriodState.LOCKED]).exists():
        raise Conflict(_("该年度已有发布的考核期，考核细则不能修改；请复制为新年度细则"), code="rubric_in_use")


def _create_lines(rubric: Rubric, lines: tuple[Line, ...] | list[dict], parent: RubricItem | None,
                  sort: list[int]) -> list[RubricItem]:
    created = []
    for line in lines:
        spec = line if isinstance(line, dict) else {
            "code": line.code, "name": line.name, "kind": line.kind, "metric": line.metric, "formula": line.formula,
            "max_points": line.points, "cap": line.cap, "description": line.description, "weight": 1,
            "department_id": None, "target": None, "children": line.children}
        values = _line_clean(kind=spec["kind"], metric=spec["metric"], formula=spec["formula"],
                             max_points=spec["max_points"], cap=spec["cap"])
        sort[0] += 10
        item = RubricItem.objects.create(
            rubric=rubric, parent=parent, code=spec["code"], name=spec["name"], description=spec["description"],
            depth=min(parent.depth + 1, ItemDepth.SUB_ITEM) if parent else ItemDepth.CATALOGUE,
            weight=spec["weight"], department_id=spec["department_id"], target=spec["target"], sort=sort[0], **values)
        created.append(item)
        created.extend(_create_lines(rubric, spec["children"], item, sort))
    return created


@transaction.atomic
def rubric_seed_default(*, region: Region, year: int, departments: dict[str, int] | None = None,
                        level: str = RegionLevel.TOWNSHIP) -> Rubric:
    """The default rubric of `region` (a city) for `year`: the 1,000-point township rubric,
    or with `level` county the 100-point county rubric; idempotent (an existing rubric is
    returned unchanged). `departments` maps line codes to assessing departments."""
    if region.level != RegionLevel.CITY:
        raise InvalidInput(_("考核细则由市级发布"), extra={"fields": {"region": _("考核细则由市级发布")}})
    township = level == RegionLevel.TOWNSHIP
    name = (_("%(year)s年度乡镇(街道)综治工作考核细则") if township else _("%(year)s年度县(区)综治工作考核细则")) % {
        "year": year}
    rubric, created = Rubric.objects.get_or_create(
        region=region, level=level, year=year,
        defaults={"name": name, "total_points": 1000 if township else 100, "excellent_from": 900 if township else 90,
                  "good_from": 800 if township else 80, "pass_from": 600 if township else 60})
    if not created:
        return rubric
    items = _create_lines(rubric, TOWNSHIP_RUBRIC if township else COUNTY_RUBRIC, None, [0])
    for item in items:
        if departments and item.code in departments:
            item.department_id = departments[item.code]
            item.save(update_fields=["department", "updated_at"])
    rubric_check(rubric, items)
    return rubric


def _spec(item: RubricItem, children: dict[int | None, list[RubricItem]]) -> dict[str, Any]:
    return {"code": item.code, "name": item.name, "kind": item.kind, "metric": item.metric, "formula": item.formula,
            "max_points": item.max_points, "cap": item.cap, "description": item.description, "weight": item.weight,
            "department_id": item.department_id, "target": item.target,
            "children": [_spec(c, children) for c in children[item.pk]]}


@transaction.atomic
def rubric_copy(*, rubric_id: int, year: int) -> Rubric:
    """Copy a rubric, every line with it, to another year (the next year's starting point)."""
    source = Rubric.objects.get(pk=rubric_id)
    if Rubric.objects.filter(region_id=source.region_id, level=source.level, year=year).exists():
        raise Conflict(_("%(year)s年度的考核细则已存在") % {"year": year}, code="rubric_exists")
    copy = Rubric.objects.create(
        region_id=source.region_id, level=source.level, year=year,
        name=source.name.replace(str(source.year), str(year)), total_points=source.total_points,
        excellent_from=source.excellent_from, good_from=source.good_from, pass_from=source.pass_from,
        volume_tiering=source.volume_tiering)
    children: dict[int | None, list[RubricItem]] = defaultdict(list)
    for item in source.items.order_by("sort", "code"):
        children[item.parent_id].append(item)
    _create_lines(copy, [_spec(i, children) for i in children[None]], None, [0])
    rubric_check(copy)
    return copy
