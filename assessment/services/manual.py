"""Manual scores (entered by the assessing department, with evidence, approved by a second
person of the department) and responsibility letters (综治责任书) with their 履责点评."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from assessment.models import (
    AssessmentPeriod,
    ItemKind,
    LetterReview,
    ManualScore,
    ManualState,
    ResponsibilityLetter,
    Rubric,
    RubricItem,
)
from governance import clock
from governance.errors import Conflict, Forbidden, InvalidInput, NotFound
from governance.models import User
from governance.permissions import require
from governance.scoping import Scope, scope_for

EVIDENCE_MAX_BYTES = 10 * 1024 * 1024


def _period_open(period_id: Any) -> AssessmentPeriod:
    try:
        period = AssessmentPeriod.objects.select_for_update().get(pk=int(period_id))
    except (AssessmentPeriod.DoesNotExist, TypeError, ValueError):
        raise NotFound(_("未找到该考核期")) from None
    if period.frozen:
        raise Conflict(_("考核期「%(period)s」%(state)s，成绩已固定，不能修改") % {
            "period": period.label, "state": period.get_state_display()}, code="period_frozen")
    return period


def _department_item(scope: Scope, item_id: Any, period: AssessmentPeriod) -> RubricItem:
    try:
        item = RubricItem.objects.select_related("rubric").get(pk=int(item_id))
    except (RubricItem.DoesNotExist, TypeError, ValueError):
        raise NotFound(_("未找到该考核指标")) from None
    if item.rubric.region_id != period.region_id or item.rubric.year != period.year:
        raise NotFound(_("未找到该考核指标"))
    if item.kind not in (ItemKind.MANUAL, ItemKind.BONUS, ItemKind.DEDUCTION) or item.metric:
        raise InvalidInput(_("该指标自动计算，不能人工评分"), extra={"fields": {"item": _("该指标自动计算")}})
    if not scope.department_id or item.department_id != scope.department_id:
        raise Forbidden(_("只能为本部门负责考核的指标评分"), code="other_department")
    return item


@transaction.atomic
def manual_score_submit(*, actor: User, period_id: int, unit_id: int, item_id: int, points: Any, note: str = "",
                        evidence: UploadedFile | None = None) -> ManualScore:
    """Enter (or correct) a manual score; it counts once approved by a second person."""
    scope = scope_for(actor)
    require(scope, "assessment.score")
    period = _period_open(period_id)
    item = _department_item(scope, item_id, period)
    unit = scope.region_in_scope(unit_id)
    if unit.level != item.rubric.level:
        raise InvalidInput(_("该单位不适用此考核细则"), extra={"fields": {"unit": _("该单位不适用此考核细则")}})
    limit = item.cap if item.kind != ItemKind.MANUAL and item.cap is not None else item.max_points
    try:
        value = Decimal(str(points)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise InvalidInput(_("得分必须是数字"), extra={"fields": {"points": _("得分必须是数字")}}) from None
    if value < 0 or value > limit:
        message = _("得分须在0到%(max)s分之间") % {"max": f"{limit.normalize():f}"}
        raise InvalidInput(message, code="score_out_of_range", extra={"fields": {"points": message}})
    if evidence is not None and evidence.size > EVIDENCE_MAX_BYTES:
        raise InvalidInput(_("佐证材料不能超过10MB"), extra={"fields": {"evidence": _("佐证材料不能超过10MB")}})
    score = ManualScore.objects.filter(period=period, unit=unit, item=item).first() or ManualScore(
        period=period, unit=unit, item=item)
    score.set_region(unit)
    score.points, score.note, score.entered_by = value, (note or "").strip(), actor
    score.state, score.approved_by, score.approved_at = ManualState.SUBMITTED, None, None
    if evidence is not None:
        score.evidence = evidence
    score.save()
    return score


@transaction.atomic
def manual_score_decide(*, actor: User, manual_id: int, approve: bool) -> ManualScore:
    """Approve or send back a manual score: a second person of the same department."""
    scope = scope_for(actor)
    require(scope, "assessment.score")
    score = scope.filter(ManualScore.objects.select_for_update().select_related("item")).filter(pk=manual_id).first()
    if score is None:
        raise NotFound(_("未找到该评分"))
    _period_open(score.period_id)
    if score.item.department_id != scope.department_id:
        raise Forbidden(_("只能审核本部门负责考核的指标"), code="other_department")
    if score.entered_by_id == actor.pk:
        raise InvalidInput(_("评分须由另一人审核"), code="second_person")
    if score.state != ManualState.SUBMITTED:
        raise Conflict(_("该评分已审核"), code="invalid_state")
    score.state = ManualState.APPROVED if approve else ManualState.REJECTED
    score.approved_by, score.approved_at = actor, clock.now()
    score.save(update_fields=["state", "approved_by", "approved_at", "updated_at"])
    return score


@transaction.atomic
def letter_save(*, actor: User, unit_id: int, year: int, party_head: str, government_head: str, issuer: str,
                targets: dict[str, Any] | None = None, signed_on: dt.date | None = None,
                scan: UploadedFile | None = None) -> ResponsibilityLetter:
    """The unit's 综治责任书 for a year (one per unit and year): signatories, targets per
    indicator code (and "total"), signed date and scan."""
    scope = scope_for(actor)
    require(scope, "assessment.letter_manage")
    unit = scope.region_in_scope(unit_id)
    if not ((party_head or "").strip() and (government_head or "").strip() and (issuer or "").strip()):
        raise InvalidInput(_("请填写签订双方负责人"), extra={"fields": {"party_head": _("请填写签订双方负责人")}})
    clean: dict[str, float] = {}
    codes = set(RubricItem.objects.filter(rubric__in=Rubric.objects.filter(year=year, level=unit.level))
                .values_list("code", flat=True))
    for code, value in (targets or {}).items():
        if code != "total" and code not in codes:
            raise InvalidInput(_("目标中的指标编号「%(code)s」不存在") % {"code": code},
                               extra={"fields": {"targets": _("指标编号无效")}})
        try:
            clean[code] = float(value)
        except (TypeError, ValueError):
            raise InvalidInput(_("目标值必须是数字"), extra={"fields": {"targets": _("目标值必须是数字")}}) from None
    letter = ResponsibilityLetter.objects.filter(unit=unit, year=year).first() or ResponsibilityLetter(
        unit=unit, year=year)
    letter.set_region(unit)
    letter.party_head, letter.government_head, letter.issuer = party_head.strip(), government_head.strip(), \
        issuer.strip()
    letter.targets, letter.signed_on = clean, signed_on
    if scan is not None:
        letter.scan = scan
    letter.save()
    return letter


@transaction.atomic
def letter_review(*, actor: User, letter_id: int, period_id: int, text: str) -> LetterReview:
    """履责点评 of a letter for one period (written again: replaced)."""
    scope = scope_for(actor)
    require(scope, "assessment.letter_manage")
    letter = scope.filter(ResponsibilityLetter.objects.all()).filter(pk=letter_id).first()
    if letter is None:
        raise NotFound(_("未找到该责任书"))
    if not (text or "").strip():
        raise InvalidInput(_("请填写履责点评"), extra={"fields": {"text": _("请填写履责点评")}})
    period = AssessmentPeriod.objects.filter(pk=period_id, year=letter.year).first()
    if period is None:
        raise NotFound(_("未找到该考核期"))
    review, _created = LetterReview.objects.update_or_create(
        letter=letter, period=period, defaults={"text": text.strip(), "reviewer": actor})
    return review
