"""Import and export of grids and grid workers (.xlsx / .csv): upload → preview with a
row-by-row Chinese error report → apply all or nothing; export in the same format. The
uploaded file waits in the session between the preview and the apply."""
from __future__ import annotations

import base64

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from governance.clock import localdate
from governance.errors import InvalidInput
from governance.forms import StyledForm
from governance.pages import page_errors
from governance.permissions import can, require
from grids.exports import ROWS
from grids.manage_views import viewer_scope
from grids.services.imports import import_rows
from grids.transfer import LAYOUTS, MAX_BYTES, read_rows, write_rows

SESSION_KEY = "grids_import"
CONTENT_TYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                 "csv": "text/csv; charset=utf-8"}


class UploadForm(StyledForm):
    kind = forms.ChoiceField(label=gettext_lazy("导入内容"), choices=[
        ("grids", gettext_lazy("网格")), ("workers", gettext_lazy("网格员任职"))])
    file = forms.FileField(label=gettext_lazy("文件(.xlsx 或 .csv)"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}))


def _parse(kind: str, name: str, data: bytes) -> list[dict[str, str]]:
    return read_rows(name=name, data=data, layout=LAYOUTS[kind])


@page_errors
@require_http_methods(["GET", "POST"])
def transfer(request: HttpRequest) -> HttpResponse:
    """The page: export links, and the upload form with its preview."""
    scope = viewer_scope(request)
    form, result = None, None
    if can(scope, "grids.manage"):
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > MAX_BYTES:
                form.add_error("file", _("文件过大(最大 %(mb)s MB)") % {"mb": MAX_BYTES // (1024 * 1024)})
            else:
                data, kind = upload.read(), form.cleaned_data["kind"]
                try:
                    result = import_rows(actor=request.user, kind=kind, rows=_parse(kind, upload.name, data),
                                         apply=False)
                except InvalidInput as exc:
                    form.add_error("file", exc.message)
                else:
                    request.session[SESSION_KEY] = {"kind": kind, "name": upload.name,
                                                    "data": base64.b64encode(data).decode()}
    elif request.method == "POST":
        require(scope, "grids.manage")
    return render(request, "grids/manage/transfer.html", {"form": form, "result": result})


@page_errors
@require_http_methods(["POST"])
def transfer_apply(request: HttpRequest) -> HttpResponse:
    scope = viewer_scope(request)
    require(scope, "grids.manage")
    pending = request.session.get(SESSION_KEY)
    if not pending:
        messages.error(request, _("没有待导入的文件,请重新上传"))
        return redirect("grids:transfer")
    rows = _parse(pending["kind"], pending["name"], base64.b64decode(pending["data"]))
    result = import_rows(actor=request.user, kind=pending["kind"], rows=rows, apply=True)
    if not result.applied:
        return render(request, "grids/manage/transfer.html", {"form": UploadForm(), "result": result})
    del request.session[SESSION_KEY]
    messages.success(request, _("导入完成:新增 %(c)s 条,更新 %(u)s 条,未变 %(n)s 条") % {
        "c": result.counts["created"], "u": result.counts["updated"], "n": result.counts["unchanged"]})
    return redirect("grids:transfer")


@page_errors
@require_GET
def transfer_export(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    scope = viewer_scope(request)
    if kind not in LAYOUTS or fmt not in CONTENT_TYPES:
        raise Http404
    body = write_rows(layout=LAYOUTS[kind], rows=ROWS[kind](scope), fmt=fmt)
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{kind}-{localdate():%Y%m%d}.{fmt}"'
    return response
