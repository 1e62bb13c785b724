"""The audit administrator's audit log: a searchable page and its .xlsx export.

Only `governance.view_audit` / `governance.export_audit` (the audit administrator, 三员分立)
may read it; every export is itself audited. The page changes nothing: the log is
append-only in the model and in the database (governance/models.py AuditLog).
"""
from __future__ import annotations

import datetime as dt
import io
import ipaddress

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from openpyxl import Workbook

from governance.audit_labels import audit_action_choices, audit_label
from governance.audit_selectors import EXPORT_MAX_ROWS, AuditFilters, audit_list
from governance.forms import StyledForm
from governance.pages import page_errors, paginate
from governance.permissions import require
from governance.scoping import request_scope
from governance.services import audit_record
from governance.signals import client_ip

EARLIEST = dt.date(2000, 1, 1)


class AuditFilterForm(StyledForm):
    action = forms.ChoiceField(label=gettext_lazy("动作"), required=False)
    username = forms.CharField(label=gettext_lazy("用户名"), required=False, max_length=150)
    ip_address = forms.CharField(label=gettext_lazy("IP 地址"), required=False, max_length=45)
    target = forms.CharField(label=gettext_lazy("对象"), required=False, max_length=101,
                             help_text=gettext_lazy("对象类型或 类型:编号，如 case:12"))
    date_from = forms.DateField(label=gettext_lazy("起始日期"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=gettext_lazy("截止日期"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("全部")), *audit_action_choices()]

    def clean_ip_address(self) -> str:
        value = self.cleaned_data["ip_address"].strip()
        if value:
            try:
                ipaddress.ip_address(value)
            except ValueError:
                raise forms.ValidationError(_("请输入有效的 IP 地址")) from None
        return value

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        for name in ("date_from", "date_to"):
            value = data.get(name)
            if value and not (EARLIEST <= value <= today + dt.timedelta(days=1)):
                self.add_error(name, _("日期应在 2000-01-01 至今天之间"))
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("截止日期不能早于起始日期"))
        return data

    def filters(self) -> AuditFilters:
        if not self.is_valid():
            return AuditFilters(action="(invalid)")  # no action is named so: nothing matches, the form shows why
        return AuditFilters(**{k: v for k, v in self.cleaned_data.items() if v not in (None, "")})


def _form(request: HttpRequest) -> AuditFilterForm:
    return AuditFilterForm(request.GET or None)


@never_cache
@page_errors
def audit_list_view(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    require(scope, "governance.view_audit")
    form = _form(request)
    filters = form.filters() if request.GET else AuditFilters()
    page = paginate(request, audit_list(scope=scope, filters=filters))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "governance/audit_log.html", {
        "form": form, "page": page, "query": query.urlencode()})


def _cell(value) -> object:
    """Text that a spreadsheet would run as a formula is kept as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@never_cache
@page_errors
def audit_export_view(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    require(scope, "governance.export_audit")
    form = _form(request)
    filters = form.filters() if request.GET else AuditFilters()
    rows = audit_list(scope=scope, filters=filters)[:EXPORT_MAX_ROWS]
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("审计日志"))
    sheet.append([_("时间"), _("动作"), _("动作代码"), _("操作人"), _("对象类型"), _("对象编号"), _("区划"), _("IP 地址"),
                  _("详情")])
    count = 0
    for row in rows.iterator(chunk_size=2000):
        count += 1
        sheet.append([_cell(v) for v in (
            timezone.localtime(row.created_at).strftime("%Y-%m-%d %H:%M:%S"), audit_label(row.action), row.action,
            row.actor.username if row.actor else "", row.target_type, row.target_id,
            row.region.name if row.region else "", row.ip_address or "",
            ", ".join(f"{k}={v}" for k, v in sorted(row.detail.items())))])
    out = io.BytesIO()
    book.save(out)
    audit_record(actor=request.user, action="audit_export", target_type="auditlog", region_id=scope.region_id,
                 ip_address=client_ip(request),
                 detail={"rows": count, "filters": {k: str(v) for k, v in request.GET.items()}})
    response = HttpResponse(out.getvalue(), content_type=(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-log-{stamp}.xlsx"'
    return response
