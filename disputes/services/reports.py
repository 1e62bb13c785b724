"""研判报告: asking for a region's monthly report and generating it (a Celery task).

One row per (region, month) holds the current files (`AnalysisReport`, unique). Asking again
regenerates: the version goes up, the task renders that version and replaces the files, and
`history` records each generated version (when, for whom). A task for a version that is no
longer the latest does nothing, so a double click or a redelivered message renders once.
"""
from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any

from celery import current_app
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from disputes import reports
from disputes.models import AnalysisReport, ReportState
from disputes.selectors.reports import unscoped_report_figures
from governance import clock
from governance import permissions as governance_permissions
from governance.errors import Conflict, InvalidInput
from governance.models import RegionLevel, User
from governance.scoping import scope_for

logger = logging.getLogger(__name__)
GENERATE_TASK = "disputes.tasks.report_generate_task"
MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
EARLIEST = dt.date(2000, 1, 1)
# A request still pending after this long lost its task (a worker died): it may be asked again.
PENDING_FOR = dt.timedelta(minutes=10)


def report_month_parse(value: Any) -> dt.date:
    """"2026-05" → 2026-05-01; a month not yet begun, or malformed, is invalid input."""
    match = MONTH.match(str(value or "").strip())
    month = None
    if match and 1 <= int(match[2]) <= 12:
        month = dt.date(int(match[1]), int(match[2]), 1)
    if month is None or month < EARLIEST:
        message = _("请选择有效的月份")
        raise InvalidInput(message, extra={"fields": {"month": message}})
    if month > clock.localdate():
        message = _("只能生成已开始月份的报告")
        raise InvalidInput(message, extra={"fields": {"month": message}})
    return month


def _generate_later(report_id: int, version: int) -> None:
    current_app.tasks[GENERATE_TASK].delay(report_id, version)


@transaction.atomic
def report_request(*, actor: User, region_id: Any, month: Any) -> AnalysisReport:
    """Ask for (or regenerate) the report of a region inside the actor's jurisdiction (a
    region outside looks missing) for a month that has begun; generated after commit."""
    scope = scope_for(actor)
    governance_permissions.require(scope, "disputes.report_request")
    region = scope.region_in_scope(region_id)
    if region.level == RegionLevel.VILLAGE:
        message = _("研判报告按乡镇(街道)及以上区划生成")
        raise InvalidInput(message, extra={"fields": {"region": message}})
    first = report_month_parse(month)
    now = clock.now()
    report = AnalysisReport.objects.select_for_update().filter(region=region, month=first).first()
    if report is None:
        report = AnalysisReport(region=region, month=first, requested_by=actor)
        report.set_region(region)
        try:
            with transaction.atomic():
                report.save(force_insert=True)
        except IntegrityError:
            report = AnalysisReport.objects.select_for_update().get(region=region, month=first)
    elif report.state == ReportState.PENDING and report.requested_at and now - report.requested_at < PENDING_FOR:
        raise Conflict(_("该报告正在生成，请稍后刷新"), code="pending")
    AnalysisReport.objects.filter(pk=report.pk).update(
        version=F("version") + 1, state=ReportState.PENDING, requested_by=actor, requested_at=now, error="",
        updated_at=now)
    report.refresh_from_db()
    version = report.version
    transaction.on_commit(lambda: _generate_later(report.pk, version), robust=True)
    return report


def report_generate(*, report_id: int, version: int) -> str:
    """Render `version` of the report and store its files (the task's body). Idempotent: a
    report already at another version, or already generated, is left alone."""
    report = AnalysisReport.objects.select_related("region", "requested_by").filter(pk=report_id).first()
    if report is None or report.version != version or report.state != ReportState.PENDING:
        return "skipped"
    now = clock.now()
    try:
        figures = unscoped_report_figures(region=report.region, month=report.month)
        pdf = reports.report_pdf(figures, generated_at=now, version=version)
        docx = reports.report_docx(figures, generated_at=now, version=version)
    except Exception:
        logger.exception("report %s version %s failed", report_id, version)
        AnalysisReport.objects.filter(pk=report_id, version=version, state=ReportState.PENDING).update(
            state=ReportState.FAILED, error=_("生成失败，请重试"), updated_at=clock.now())
        return "failed"
    return _report_store(report, version=version, pdf=pdf, docx=docx, now=now)


@transaction.atomic
def _report_store(report: AnalysisReport, *, version: int, pdf: bytes, docx: bytes, now: dt.datetime) -> str:
    locked = AnalysisReport.objects.select_for_update().filter(pk=report.pk, version=version,
                                                               state=ReportState.PENDING).first()
    if locked is None:
        return "skipped"
    old = [f.name for f in (locked.pdf, locked.docx) if f]
    stem = f"report-{locked.region.code}-{locked.month:%Y%m}-v{version}"
    locked.pdf.save(f"{stem}.pdf", ContentFile(pdf), save=False)
    locked.docx.save(f"{stem}.docx", ContentFile(docx), save=False)
    locked.history = [*locked.history, {"version": version, "generated_at": now.isoformat(),
                                        "requested_by": locked.requested_by.display_name or locked.requested_by.username}]
    locked.state, locked.generated_at, locked.error = ReportState.READY, now, ""
    locked.save(update_fields=["pdf", "docx", "history", "state", "generated_at", "error", "updated_at"])
    storage = locked.pdf.storage
    transaction.on_commit(lambda: [storage.delete(name) for name in old if storage.exists(name)], robust=True)
    return "ready"
