"""Party-building pages: groups (list, detail with members, activities calendar and history),
creating a group, adding members, logging an activity, the member import, resident units,
funds, and the statistics with their Excel export. Scoped through the selectors; errors go
through governance.pages.page_errors (outside the jurisdiction → 404, wrong role → 403)."""
from __future__ import annotations

import calendar
import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from governance import clock
from governance.errors import ApplicationError, Conflict, InvalidInput
from governance.forms import int_or_none
from governance.pages import page_errors, paginate
from governance.permissions import can, require
from governance.scoping import request_scope
from partybuilding import forms, selectors, services
from partybuilding.exports import stats_workbook
from partybuilding.models import ExpenseState, GradedKind, PartyGroupKind
from partybuilding.selectors import stats

WEEKDAYS = [gettext_lazy("一"), gettext_lazy("二"), gettext_lazy("三"), gettext_lazy("四"), gettext_lazy("五"),
            gettext_lazy("六"), gettext_lazy("日")]


def _year(request: HttpRequest) -> int:
    year = int_or_none(request.GET.get("year") or request.POST.get("year"))
    return year if year and 2000 <= year <= 2100 else stats.default_year()


@page_errors
def group_list(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    require(scope, "partybuilding.view")
    kind = request.GET.get("kind", "")
    kind = kind if kind in PartyGroupKind.values else ""
    page = paginate(request, selectors.party_group_list(scope=scope, kind=kind))
    reminders = selectors.rhythm_reminders(scope=scope, group_ids=[g.pk for g in page])
    late = {}
    for reminder in reminders:
        late.setdefault(reminder.group_id, []).append(reminder)
    coverage = stats.coverage_rows(scope=scope, level=stats.stats_levels(scope)[0])
    covered, grids = sum(row.covered for row in coverage), sum(row.grids for row in coverage)
    return render(request, "partybuilding/group_list.html", {
        "page": page, "groups": [(g, late.get(g.pk, [])) for g in page], "kind": kind,
        "kinds": PartyGroupKind.choices, "covered": covered, "grids": grids,
        "can_create": can(scope, "partybuilding.group_manage"),
    })


def _calendar(activities, year: int, month: int) -> list[list[tuple[int, list]]]:
    """Weeks of (day, activities that day) for the month; day 0 pads the weeks."""
    by_day: dict[int, list] = {}
    for activity in activities:
        by_day.setdefault(activity.held_on.day, []).append(activity)
    return [[(day, by_day.get(day, [])) for day in week]
            for week in calendar.Calendar().monthdayscalendar(year, month)]


@page_errors
def group_detail(request: HttpRequest, group_id: int) -> HttpResponse:
    scope = request_scope(request)
    require(scope, "partybuilding.view")
    group = selectors.party_group_get(scope=scope, group_id=group_id)
    today = clock.localdate()
    try:
        year, month = (int(part) for part in request.GET.get("month", "").split("-"))
        dt.date(year, month, 1)
    except ValueError:
        year, month = today.year, today.month
    first, last = stats.month_bounds(year, month)
    month_activities = list(selectors.activity_list(scope=scope, group_id=group.pk, since=first, until=last))
    previous = first - dt.timedelta(days=1)
    following = last + dt.timedelta(days=1)
    return render(request, "partybuilding/group_detail.html", {
        "group": group, "grids": list(group.grids.all()), "units": list(group.units.all()),
        "members": list(selectors.member_list(scope=scope, group_id=group.pk)),
        "weeks": _calendar(month_activities, year, month), "month": first, "activities": month_activities,
        "previous": f"{previous.year}-{previous.month}", "following": f"{following.year}-{following.month}",
        "reminders": selectors.rhythm_reminders(scope=scope, group_ids=[group.pk]),
        "changes": list(group.changes.select_related("actor")[:20]),
        "can_manage": can(scope, "partybuilding.group_manage"), "weekdays": WEEKDAYS,
    })


def _form_page(request, template: str, form, context: dict) -> HttpResponse:
    return render(request, template, {"form": form, **context})


@page_errors
def group_create(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    require(scope, "partybuilding.group_manage")
    form = forms.GroupForm(request.POST or None, scope=scope)
    if request.method == "POST" and form.is_valid():
        try:
            group = services.group_create(actor=request.user, data=services.GroupInput(**form.cleaned_data))
        except ApplicationError as exc:
            forms.apply_error(form, exc)
        else:
            messages.success(request, _("已成立党小组“%(name)s”") % {"name": group.name})
            return redirect("partybuilding:group", group_id=group.pk)
    return _form_page(request, "partybuilding/form.html", form, {"title": _("成立网格党小组")})


def _group_form_page(request: HttpRequest, group_id: int, *, action: str, form_class, save, title: str,
                     **extra) -> HttpResponse:
    """A form about one group: `save(group, cleaned_data)` calls the service and returns the
    success message; a service error lands on the form."""
    scope = request_scope(request)
    group = selectors.party_group_get(scope=scope, group_id=group_id)
    require(scope, action)
    form = form_class(request.POST or None, scope=scope, group=group)
    if request.method == "POST" and form.is_valid():
        try:
            message = save(group, form.cleaned_data)
        except ApplicationError as exc:
            forms.apply_error(form, exc)
        else:
            messages.success(request, message)
            return redirect("partybuilding:group", group_id=group.pk)
    return _form_page(request, "partybuilding/form.html", form, {"title": title, "group": group, **extra})


@page_errors
def member_add(request: HttpRequest, group_id: int) -> HttpResponse:
    def save(group, data) -> str:
        member = services.member_add(actor=request.user, data=services.MemberInput(group_id=group.pk, **data))
        return _("已添加党员 %(name)s") % {"name": member.name}

    return _group_form_page(request, group_id, action="partybuilding.member_manage", form_class=forms.MemberForm,
                            save=save, title=_("添加党员"))


@page_errors
def activity_log(request: HttpRequest, group_id: int) -> HttpResponse:
    def save(group, data) -> str:
        services.activity_log(actor=request.user, data=services.ActivityInput(
            group_id=group.pk, photos=request.FILES.getlist("photos"), **data))
        return _("已登记活动")

    return _group_form_page(request, group_id, action="partybuilding.activity_log", form_class=forms.ActivityForm,
                            save=save, title=_("登记活动"), photos=True)


@page_errors
def group_change(request: HttpRequest, group_id: int) -> HttpResponse:
    def save(group, data) -> str:
        services.group_change(actor=request.user, group_id=group.pk, grid_ids=data["grid_ids"],
                              leader_id=data["leader_id"], note=data["note"])
        return _("已保存变更")

    return _group_form_page(request, group_id, action="partybuilding.group_manage", form_class=forms.GroupChangeForm,
                            save=save, title=_("调整党小组"))


@page_errors
def member_import(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    require(scope, "partybuilding.member_manage")
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    row_errors = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            count = services.member_import(actor=request.user, rows=services.read_rows(upload.name, upload.read()))
        except InvalidInput as exc:
            row_errors = exc.extra.get("rows", [])
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已导入 %(n)s 名党员") % {"n": count})
            return redirect("partybuilding:groups")
    return _form_page(request, "partybuilding/import.html", form, {"row_errors": row_errors})


# name → (form, service, success message) of the units page's forms.
UNIT_FORMS = {
    "unit": (forms.UnitForm, "unit_create", gettext_lazy("已登记驻区单位")),
    "term": (forms.PartTimeForm, "part_time_member_add", gettext_lazy("已登记兼职委员")),
    "agreement": (forms.AgreementForm, "agreement_create", gettext_lazy("已登记共建协议")),
    "meeting": (forms.MeetingForm, "meeting_record", gettext_lazy("已记录联席会议")),
}
UNIT_FORM_TITLES = {"unit": gettext_lazy("登记驻区单位"), "term": gettext_lazy("登记兼职委员"),
                    "agreement": gettext_lazy("登记共建协议"), "meeting": gettext_lazy("记录党建联席会议")}


@page_errors
def units(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    require(scope, "partybuilding.view")
    # Four forms on one page; the submit button's name says which one was posted.
    posted = {name: request.POST if name in request.POST else None for name in UNIT_FORMS}
    bound = {name: form_class(posted[name], request.FILES if name == "agreement" else None, scope=scope)
             for name, (form_class, _service, _message) in UNIT_FORMS.items()}
    for name, form in bound.items():
        if form.is_bound and form.is_valid():
            _form_class, service, message = UNIT_FORMS[name]
            try:
                getattr(services, service)(actor=request.user, **form.cleaned_data)
            except ApplicationError as exc:
                forms.apply_error(form, exc)
            else:
                messages.success(request, message)
                return redirect("partybuilding:units")
    return render(request, "partybuilding/units.html", {
        "page": paginate(request, selectors.unit_list(scope=scope)),
        "terms": selectors.part_time_member_list(scope=scope)[:50],
        "agreements": selectors.agreement_list(scope=scope)[:20], "meetings": selectors.meeting_list(scope=scope)[:20],
        "forms": [(name, bound[name], UNIT_FORM_TITLES[name]) for name in UNIT_FORMS],
        "can_manage": can(scope, "partybuilding.unit_manage"),
    })


@page_errors
def funds(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    require(scope, "partybuilding.view")
    year = _year(request)
    expense_form = forms.ExpenseForm(request.POST if "expense" in request.POST else None, scope=scope)
    fund_form = forms.FundForm(request.POST if "fund" in request.POST else None, scope=scope)
    if request.method == "POST":
        try:
            if expense_form.is_bound and expense_form.is_valid():
                services.expense_submit(actor=request.user, **expense_form.cleaned_data)
                messages.success(request, _("已提交经费支出，待他人审批"))
                return redirect(f"{request.path}?year={year}")
            if fund_form.is_bound and fund_form.is_valid():
                services.fund_set(actor=request.user, year=year, **fund_form.cleaned_data)
                messages.success(request, _("已更新年度经费"))
                return redirect(f"{request.path}?year={year}")
        except ApplicationError as exc:
            forms.apply_error(expense_form if expense_form.is_bound else fund_form, exc)
    return render(request, "partybuilding/funds.html", {
        "year": year, "rows": stats.fund_rows(scope=scope, year=year),
        "expenses": paginate(request, selectors.expense_list(scope=scope, year=year)),
        "expense_form": expense_form, "fund_form": fund_form, "pending": ExpenseState.PENDING,
        "can_submit": can(scope, "partybuilding.expense_submit"), "can_decide": can(scope, "partybuilding.expense_decide"),
        "can_set": can(scope, "partybuilding.fund_set"),
    })


@require_POST
@page_errors
def expense_decide(request: HttpRequest, expense_id: int) -> HttpResponse:
    decision = request.POST.get("decision")
    if decision not in ("approve", "reject"):
        raise InvalidInput(_("请选择批准或驳回"))
    try:
        services.expense_decide(actor=request.user, expense_id=expense_id, approve=decision == "approve")
    except (InvalidInput, Conflict) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已批准") if decision == "approve" else _("已驳回"))
    return redirect(f"{reverse('partybuilding:funds')}?year={_year(request)}")


@page_errors
def stats_page(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    require(scope, "partybuilding.view")
    levels = stats.stats_levels(scope)
    level = request.GET.get("level")
    result = stats.party_stats(scope=scope, year=_year(request), level=level if level in levels else None)
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(stats_workbook(result), content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
        response["Content-Disposition"] = f'attachment; filename="party-stats-{result.year}.xlsx"'
        return response
    return render(request, "partybuilding/stats.html", {
        "stats": result, "levels": levels, "months": [_("%(m)s月") % {"m": m} for m in range(1, 13)]})


@page_errors
def stars(request: HttpRequest) -> HttpResponse:
    """Star grading (评星晋级): the ratings with their history, and rating an organisation."""
    scope = request_scope(request)
    require(scope, "partybuilding.view")
    kind = request.GET.get("kind")
    kind = kind if kind in GradedKind.values else GradedKind.PARTY_ORGANISATION
    criteria = selectors.star_criteria(kind=kind)
    form = forms.StarForm(request.POST or None, scope=scope, kind=kind, criteria=criteria,
                          initial={"year": stats.default_year()})
    if request.method == "POST" and form.is_valid():
        subject = {"organisation_id" if kind == GradedKind.PARTY_ORGANISATION else "unit_id":
                   form.cleaned_data["subject_id"]}
        try:
            rating = services.star_rate(actor=request.user, year=form.cleaned_data["year"], scores=form.scores(),
                                        **subject)
        except ApplicationError as exc:
            forms.apply_error(form, exc)
        else:
            messages.success(request, _("已评定为 %(n)s 星") % {"n": rating.stars})
            return redirect(f"{reverse('partybuilding:stars')}?kind={kind}")
    return render(request, "partybuilding/stars.html", {
        "page": paginate(request, selectors.star_rating_list(scope=scope)), "form": form, "kind": kind,
        "kinds": GradedKind.choices, "can_rate": can(scope, "partybuilding.star_rate"),
    })
