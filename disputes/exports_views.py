"""Excel downloads of a filtered case list. Small lists stream at once; past
`EXPORT_ASYNC_ROWS` rows a worker writes the file (disputes.tasks.case_export_task) and the
user follows its progress to a download link only they can open (governance/exports.py)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from disputes import exports
from disputes.forms import CaseFilterForm
from disputes.tasks import case_export_task
from governance.errors import Forbidden
from governance.exports import export_job_create
from governance.pages import page_errors
from governance.scoping import request_scope
from governance.signals import client_ip
from governance.xlsx import xlsx_response


def export_threshold() -> int:
    return int(getattr(settings, "EXPORT_ASYNC_ROWS", 5000))


def _plain(filters: dict[str, Any]) -> dict[str, Any]:
    """The selector filters as JSON values (dates as ISO text), for the background task."""
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in filters.items()}


@require_GET
@page_errors
def case_list_export(request: HttpRequest) -> HttpResponse:
    """The case list's current filters as .xlsx (`?reveal=1`: personal data in full, for the
    roles that may see it, audited)."""
    scope = request_scope(request)
    form = CaseFilterForm(request.GET or None, scope=scope)
    filters: dict[str, Any] = {}
    if form.is_bound:
        form.is_valid()
        if "region" in form.errors:
            raise Http404
        filters = form.selector_filters()
    filters.setdefault("ordering", "-created_at")
    reveal = request.GET.get("reveal") == "1"
    if reveal and not exports.may_reveal(scope):
        raise Forbidden(_("无权导出当事人完整信息"))
    total = exports.case_export_count(scope=scope, filters=filters)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    filename = f"cases-{stamp}.xlsx"
    if reveal:
        exports.case_export_audit(actor=request.user, scope=scope, filters=filters, rows=total,
                                  ip_address=client_ip(request))
    if total > export_threshold():
        job = export_job_create(owner=request.user, title=_("案件清单导出"), filename=filename, kind="disputes.cases",
                                params={"filters": _plain(filters), "reveal": reveal}, rows_total=total)
        transaction.on_commit(lambda: case_export_task.delay(job.pk))
        return redirect("export-status", pk=job.pk)
    rows = exports.case_export_rows(scope=scope, filters=filters, reveal=reveal)
    return xlsx_response(filename=filename, title=_("案件清单"), header=exports.case_export_header(), rows=rows)
