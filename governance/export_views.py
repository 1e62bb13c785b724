"""Background exports, owner only: the progress page (htmx polls it until the file is ready)
and the download. Anyone but the owner gets 404 (governance/exports.py)."""
from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from governance.exports import export_job_get
from governance.models import ExportStatus
from governance.pages import page_errors
from governance.xlsx import XLSX_TYPE


@require_GET
@page_errors
def export_status(request: HttpRequest, pk: int) -> HttpResponse:
    job = export_job_get(user=request.user, job_id=pk)
    template = "governance/partials/export_progress.html" if request.htmx else "governance/export_status.html"
    return render(request, template, {"job": job, "done": job.status == ExportStatus.DONE,
                                      "running": job.status in (ExportStatus.PENDING, ExportStatus.RUNNING)})


@require_GET
@page_errors
def export_download(request: HttpRequest, pk: int) -> FileResponse:
    job = export_job_get(user=request.user, job_id=pk)
    if job.status != ExportStatus.DONE or not job.file:
        raise Http404
    try:
        handle = job.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=job.filename, content_type=XLSX_TYPE)
