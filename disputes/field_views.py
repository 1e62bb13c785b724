"""The grid worker's phone pages: the field report (现场上报) and their own reports.

Thin: the form parses, `case_report_field` checks and writes, `field_reports_mine` reads.
A grid outside the worker's holding is a field error on the form (the service's message);
the page itself is 403 for a user who may not register cases.
"""
from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from disputes.field_forms import FieldReportForm
from disputes.selectors.field import FIELD_REPORTS_LIMIT, field_reports_mine
from disputes.services.field import case_report_field
from governance.errors import ApplicationError, InvalidInput
from governance.forms import int_or_none
from governance.pages import page_errors
from governance.permissions import require
from governance.scoping import request_scope
from grids.contract import worker_grids


@page_errors
def field_report(request: HttpRequest) -> HttpResponse:
    """现场上报: category, a few words, photos, the location — one screen, one tap to send.
    `?grid=<id>&patrol=<id>` preset the grid and the patrol the report comes from."""
    scope = request_scope(request)
    require(scope, "disputes.register")
    grids = worker_grids(scope=scope, worker_id=request.user.pk)
    if request.method == "POST":
        form = FieldReportForm(request.POST, request.FILES, grids=grids)
        if form.is_valid():
            try:
                case = case_report_field(actor=request.user, data=form.report_input(),
                                         photos=form.cleaned_data["photos"],
                                         submit_token=form.cleaned_data["submit_token"])
            except InvalidInput as exc:
                form.add_service_errors(exc.extra.get("fields") or {})
                if not form.errors:
                    form.add_error(None, exc.message)
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("已上报，编号 %(number)s，已送%(center)s综治中心受理") % {
                    "number": case.number, "center": case.owning_region.name})
                return redirect("disputes:field_reports")
    else:
        held = {g.grid_id for g in grids}
        initial = {"patrol": int_or_none(request.GET.get("patrol")) or ""}
        grid_id = int_or_none(request.GET.get("grid"))
        if grid_id in held:
            initial["grid"] = grid_id
        form = FieldReportForm(grids=grids, initial=initial)
    return render(request, "disputes/field_report.html", {"form": form, "grids": grids})


@require_GET
@page_errors
def field_reports(request: HttpRequest) -> HttpResponse:
    """我的上报: the worker's own reports, newest first, with their state and who holds them."""
    scope = request_scope(request)
    reports = field_reports_mine(scope=scope, user_id=request.user.pk)
    return render(request, "disputes/field_reports.html", {"reports": reports, "limit": FIELD_REPORTS_LIMIT})
