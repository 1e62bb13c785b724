"""Every file a signed-in user takes away is audited (等保 安全审计; PIPL art. 55 for personal data).

`DownloadAuditMiddleware` appends one `AuditLog` row ("download") for each successful response
that hands a file over (`Content-Disposition: attachment`, or any file response): Excel
exports, PDFs and .docx reports, attachments, backups of the audit log itself. One place, so
an export added later is audited without remembering to: the view needs no call of its own.
The row names the path, the file name and the query string with ID numbers and phones
scrubbed (filters may hold a search term); revealing exports also record their own row with
the row count.
"""
from __future__ import annotations

from django.http import FileResponse, HttpRequest, HttpResponse

from governance.client_ip import client_ip
from governance.log_filters import scrub
from governance.services import audit_record

QUERY_MAX = 500


def _filename(response: HttpResponse) -> str:
    disposition = response.get("Content-Disposition", "")
    return disposition.split("filename", 1)[-1].lstrip("*=").strip('"; ') if "filename" in disposition else ""


def hands_over_a_file(response: HttpResponse) -> bool:
    if response.status_code != 200:
        return False
    return isinstance(response, FileResponse) or response.get("Content-Disposition", "").startswith("attachment")


class DownloadAuditMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hands_over_a_file(response):
            audit_record(actor=user, action="download", target_type="file", target_id=request.path[:50],
                         region_id=getattr(user, "region_id", None), ip_address=client_ip(request),
                         detail={"path": request.path, "file": _filename(response)[:200],
                                 "query": scrub(request.META.get("QUERY_STRING", ""))[:QUERY_MAX]})
        return response
