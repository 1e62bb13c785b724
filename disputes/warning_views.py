"""研判预警 and 研判报告 pages. Thin: parse a form, call one selector or service, render;
conflicts become messages on the page (docs/warnings.md)."""
from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from disputes.models import ReportState
from disputes.selectors.reports import report_get
from disputes.selectors.reports import report_list as reports_of
from disputes.selectors.warnings import warning_assignees, warning_get
from disputes.selectors.warnings import warning_list as warnings_of
from disputes.services import reports as report_services
from disputes.services import warning_follow
from disputes.warning_forms import ReportRequestForm, WarningAcknowledgeForm, WarningAssignForm, WarningFilterForm
from governance import clock
from governance import permissions as governance_permissions
from governance.errors import Conflict, InvalidInput
from governance.pages import page_errors, paginate
from governance.scoping import request_scope

FORMATS = {"pdf": "application/pdf",
           "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


def _first_error(form) -> str:
    for errors in form.errors.values():
        return str(errors[0])
    return _("提交的内容有误")


@require_GET
@page_errors
def warning_list(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    governance_permissions.require(scope, "disputes.warning_view")
    form = WarningFilterForm(request.GET or None, scope=scope)
    page = paginate(request, warnings_of(scope=scope, filters=form.selector_filters()))
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "disputes/warnings/list.html", {
        "form": form, "page": page, "query": params.urlencode(),
        "can_handle": governance_permissions.can(scope, "disputes.warning_handle"),
    })


@require_GET
@page_errors
def warning_detail(request: HttpRequest, warning_id: int) -> HttpResponse:
    scope = request_scope(request)
    governance_permissions.require(scope, "disputes.warning_view")
    warning = warning_get(scope=scope, warning_id=warning_id)
    can_handle = governance_permissions.can(scope, "disputes.warning_handle") and warning.state != "acknowledged"
    return render(request, "disputes/warnings/detail.html", {
        "warning": warning, "can_handle": can_handle,
        "acknowledge_form": WarningAcknowledgeForm() if can_handle else None,
        "assign_form": WarningAssignForm(assignees=warning_assignees(scope=scope)) if can_handle else None,
    })


def _perform(request: HttpRequest, warning_id: int, action, success: str) -> HttpResponse:
    try:
        action()
    except Conflict as exc:
        messages.error(request, exc.message)
    except InvalidInput as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect("analysis:warning", warning_id=warning_id)


@require_POST
@page_errors
def warning_acknowledge(request: HttpRequest, warning_id: int) -> HttpResponse:
    form = WarningAcknowledgeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return redirect("analysis:warning", warning_id=warning_id)
    return _perform(request, warning_id, lambda: warning_follow.warning_acknowledge(
        actor=request.user, warning_id=warning_id, note=form.cleaned_data["note"]), _("已确认该预警"))


@require_POST
@page_errors
def warning_assign(request: HttpRequest, warning_id: int) -> HttpResponse:
    scope = request_scope(request)
    form = WarningAssignForm(request.POST, assignees=warning_assignees(scope=scope))
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return redirect("analysis:warning", warning_id=warning_id)
    return _perform(request, warning_id, lambda: warning_follow.warning_assign(
        actor=request.user, warning_id=warning_id, assignee_id=form.cleaned_data["assignee"],
        note=form.cleaned_data["note"]), _("已指定跟进人"))


@require_http_methods(["GET", "POST"])
@page_errors
def report_list(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    governance_permissions.require(scope, "disputes.report_view")
    can_request = governance_permissions.can(scope, "disputes.report_request")
    form = None
    if can_request:
        today = clock.localdate()
        initial = {"region": scope.region_id, "month": f"{today.year}-{today.month:02d}"}
        form = ReportRequestForm(request.POST or None, scope=scope, initial=initial)
    if request.method == "POST":
        if form is None:
            governance_permissions.require(scope, "disputes.report_request")
        elif not form.is_valid():
            messages.error(request, _first_error(form))
        else:
            try:
                report = report_services.report_request(actor=request.user, region_id=form.cleaned_data["region"],
                                                        month=form.cleaned_data["month"])
            except (Conflict, InvalidInput) as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("已提交生成第%(version)s版报告，请稍后刷新") % {"version": report.version})
                return redirect("analysis:reports")
    page = paginate(request, reports_of(scope=scope))
    return render(request, "disputes/reports/list.html", {"form": form, "page": page, "query": "",
                                                         "ready": ReportState.READY})


@require_GET
@page_errors
def report_download(request: HttpRequest, report_id: int, fmt: str) -> FileResponse:
    scope = request_scope(request)
    governance_permissions.require(scope, "disputes.report_view")
    report = report_get(scope=scope, report_id=report_id)
    file = {"pdf": report.pdf, "docx": report.docx}.get(fmt)
    if not file or report.state != ReportState.READY:
        raise Http404
    try:
        handle = file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    name = f"{report.region.name}{report.month:%Y年%m月}研判报告（第{report.version}版）.{fmt}"
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=FORMATS[fmt])
    response["Cache-Control"] = "private, no-store"
    return response
