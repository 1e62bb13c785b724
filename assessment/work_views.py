"""The assessors' and leaders' working pages: 一票否决 (propose, decide) and the manual
scoring sheet (enter with evidence, approve as a second person). Thin, like views.py."""
from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessment import selectors
from assessment.forms import LetterForm, ManualScoreForm, ReviewForm, VetoForm
from assessment.models import PeriodState
from assessment.services.manual import letter_review, letter_save, manual_score_decide, manual_score_submit
from assessment.services.periods import adjustment_decide, adjustment_propose
from assessment.services.vetoes import veto_decide, veto_propose
from governance import clock
from governance.errors import ApplicationError
from governance.forms import int_or_none
from governance.pages import page_errors
from governance.permissions import can, require
from governance.scoping import request_scope


def _fail(request: HttpRequest, error: ApplicationError) -> None:
    if error.status in (403, 404):
        raise error
    messages.error(request, error.message)


@page_errors
def vetoes(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    require(scope, "assessment.view")
    units = list(selectors.veto_units(scope=scope))
    form = VetoForm(request.POST or None, units=units)
    if request.method == "POST":
        require(scope, "assessment.veto_propose")
        if form.is_valid():
            try:
                veto_propose(actor=request.user, **form.cleaned_data)
            except ApplicationError as error:
                _fail(request, error)
            else:
                messages.success(request, _("已提出一票否决，待县级以上决定"))
                return redirect("assessment:vetoes")
    return render(request, "assessment/vetoes.html", {
        "vetoes": selectors.veto_list(scope=scope), "form": form,
        "can_propose": can(scope, "assessment.veto_propose") and bool(units),
        "can_decide": can(scope, "assessment.veto_decide") and scope.level in ("county", "city"),
    })


@require_POST
@page_errors
def veto_decision(request: HttpRequest, veto_id: int) -> HttpResponse:
    try:
        veto_decide(actor=request.user, veto_id=veto_id, approve=request.POST.get("approve") == "1")
    except ApplicationError as error:
        _fail(request, error)
    else:
        messages.success(request, _("已决定"))
    return redirect("assessment:vetoes")


@page_errors
def scoring(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    require(scope, "assessment.score")
    periods = list(selectors.period_list(scope=scope).filter(state__in=[PeriodState.OPEN, PeriodState.COMPUTED]))
    chosen = int_or_none(request.GET.get("period") or request.POST.get("period"))
    today = clock.localdate()
    started = [p for p in periods if p.start <= today]
    period = next((p for p in periods if p.pk == chosen), started[0] if started else None)
    if request.method == "POST" and period is not None:
        form = ManualScoreForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                manual_score_submit(actor=request.user, period_id=period.pk, unit_id=request.POST.get("unit"),
                                    item_id=request.POST.get("item"), points=form.cleaned_data["points"],
                                    note=form.cleaned_data["note"], evidence=form.cleaned_data["evidence"])
            except ApplicationError as error:
                _fail(request, error)
            else:
                messages.success(request, _("已提交，待本部门另一人审核"))
        else:
            messages.error(request, next(iter(form.errors.values()))[0])
        return redirect(f"{reverse('assessment:scoring')}?period={period.pk}")
    rows = selectors.scoring_sheet(scope=scope, period=period) if period else []
    return render(request, "assessment/scoring.html", {"periods": periods, "period": period, "rows": rows,
                                                       "user_id": request.user.pk})


@require_POST
@page_errors
def scoring_decision(request: HttpRequest, manual_id: int) -> HttpResponse:
    try:
        score = manual_score_decide(actor=request.user, manual_id=manual_id, approve=request.POST.get("approve") == "1")
    except ApplicationError as error:
        _fail(request, error)
        return redirect("assessment:scoring")
    messages.success(request, _("已审核"))
    return redirect(f"{reverse('assessment:scoring')}?period={score.period_id}")


@page_errors
def letters(request: HttpRequest) -> HttpResponse:
    """综治责任书 of a year: the list in scope, signing (saving) one, and a 履责点评."""
    scope = request_scope(request)
    require(scope, "assessment.view")
    year = int_or_none(request.GET.get("year") or request.POST.get("year")) or clock.localdate().year
    units = list(scope.regions().filter(level__in=["township", "county"]).order_by("code"))
    periods = [p for p in selectors.period_list(scope=scope).filter(year=year)]
    form = LetterForm(request.POST or None, request.FILES or None, units=units, prefix="letter")
    review = ReviewForm(request.POST or None, periods=periods, prefix="review")
    if request.method == "POST":
        require(scope, "assessment.letter_manage")
        try:
            if "review-text" in request.POST and review.is_valid():
                letter_review(actor=request.user, letter_id=int_or_none(request.POST.get("letter")) or 0,
                              period_id=review.cleaned_data["period_id"], text=review.cleaned_data["text"])
                messages.success(request, _("已保存履责点评"))
                return redirect(f"{reverse('assessment:letters')}?year={year}")
            if "letter-party_head" in request.POST and form.is_valid():
                data = form.cleaned_data
                targets = dict(data["targets"])
                if data["target_total"] is not None:
                    targets["total"] = data["target_total"]
                letter_save(actor=request.user, unit_id=data["unit_id"], year=year, party_head=data["party_head"],
                            government_head=data["government_head"], issuer=data["issuer"], targets=targets,
                            signed_on=data["signed_on"], scan=data["scan"])
                messages.success(request, _("已保存责任书"))
                return redirect(f"{reverse('assessment:letters')}?year={year}")
        except ApplicationError as error:
            _fail(request, error)
    return render(request, "assessment/letters.html", {
        "year": year, "letters": selectors.letter_list(scope=scope, year=year), "form": form, "review": review,
        "can_manage": can(scope, "assessment.letter_manage") and bool(units),
    })


@require_POST
@page_errors
def adjustment_propose_page(request: HttpRequest, period_id: int, unit_id: int) -> HttpResponse:
    """Propose a 核增/核减 of a published period's score (a second person approves it)."""
    scope = request_scope(request)
    require(scope, "assessment.adjust")
    period = selectors.period_get(scope=scope, period_id=period_id)
    score = selectors.unit_score_get(scope=scope, period=period, unit_id=unit_id)
    try:
        adjustment_propose(actor=request.user, unit_score_id=score.pk, points=request.POST.get("points"),
                           reason=request.POST.get("reason", ""))
    except ApplicationError as error:
        _fail(request, error)
    else:
        messages.success(request, _("已提出得分调整，待另一人审核"))
    return redirect("assessment:unit", period_id=period.pk, unit_id=score.unit_id)


@require_POST
@page_errors
def adjustment_decision(request: HttpRequest, adjustment_id: int) -> HttpResponse:
    try:
        adjustment = adjustment_decide(actor=request.user, adjustment_id=adjustment_id,
                                       approve=request.POST.get("approve") == "1")
    except ApplicationError as error:
        _fail(request, error)
        return redirect("assessment:rankings")
    messages.success(request, _("已审核"))
    score = adjustment.unit_score
    return redirect("assessment:unit", period_id=score.period_id, unit_id=score.unit_id)
