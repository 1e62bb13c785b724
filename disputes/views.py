"""Disputes pages: intake, inbox, list, detail with actions, attachments, dashboard, agreement PDF.

Thin views (DESIGN §2): parse input with a form, call a service or a scoped selector, render.
The jurisdiction comes from governance.scoping.request_scope; out of scope is 404 everywhere
(the selectors and services raise NotFound, governance.pages.page_errors turns it into Http404).
Service errors reach the user as Django messages in Chinese.
"""
from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.forms import BoundField
from django.forms.utils import flatatt
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import conditional_escape, escape
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from disputes import documents, permissions, selectors, services
from disputes.action_forms import ACTION_FORMS, action_form
from disputes.actions import ACTION_BY_NAME, EVENT_LABELS
from disputes.dashboard_views import dashboard_scope
from disputes.forms import (
    CaseFilterForm,
    CaseIntakeForm,
    attach_service_errors,
    hint_query,
    party_formset,
)
from disputes.models import OPEN_ASSIGNMENT_STATES, CaseState, ExtensionStatus, MediationOutcome
from disputes.selectors import public as public_selectors
from disputes.selectors import stats
from disputes.selectors.indicators import CASE_INDICATORS
from disputes.services.public import BY_PUBLIC
from governance import clock
from governance.errors import ApplicationError, Conflict, Forbidden, InvalidInput
from governance.pages import page_errors, paginate
from governance.permissions import can, require
from governance.scoping import request_scope
from governance.signals import client_ip
from grids.contract import grid_queryset

# The filter form's selects, rendered by _select_html.
FAST_SELECTS = ("state", "category", "channel", "warning_level", "region", "ordering")
SORTABLE_COLUMNS = ("number", "due_at", "created_at")
STALE_MESSAGE = gettext_lazy("案件已被他人处理，请刷新后重试")
# Inbox tabs in the order the clerk works them; which a user sees: selectors.case_inbox_boxes.
INBOX_TABS: list[tuple[str, Any]] = [
    ("to_accept", gettext_lazy("待受理")),
    ("to_dispatch", gettext_lazy("待分流")),
    ("to_sign", gettext_lazy("待签收")),
    ("in_progress", gettext_lazy("办理中")),
    ("to_callback", gettext_lazy("待回访")),
    ("overdue", gettext_lazy("我的超期")),
    ("escalated", gettext_lazy("升级到本级")),
]


# --- intake -------------------------------------------------------------------------------

@page_errors
def case_intake(request: HttpRequest) -> HttpResponse:
    """一窗受理: one form for the case and its parties; works with and without JavaScript."""
    scope = request_scope(request)
    require(scope, "disputes.register")
    hide_errors = False
    if request.method == "POST":
        add_row = "add_party" in request.POST
        form = CaseIntakeForm(request.POST, request.FILES, scope=scope)
        formset = party_formset(request.POST, add_row=add_row)
        if add_row:
            hide_errors = True  # only a new blank row was asked for
        elif form.is_valid() and formset.is_valid():
            try:
                case = services.case_register(
                    actor=request.user,
                    data=form.case_input(),
                    parties=formset.party_inputs(),
                    submit_token=form.cleaned_data["submit_token"],
                    related_to_ids=form.cleaned_data["related_to"],
                    duplicate_of_id=form.cleaned_data["duplicate_of"],
                    attachments=form.cleaned_data["attachments"],
                )
            except InvalidInput as exc:
                fields = exc.extra.get("fields") or {}
                if not fields or not attach_service_errors(fields, form, formset):
                    form.add_error(None, exc.message)
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("已登记案件 %(number)s") % {"number": case.number})
                if form.cleaned_data["attachments"]:
                    messages.info(request, _("已上传附件%(n)s个") % {"n": len(form.cleaned_data["attachments"])})
                return redirect("disputes:detail", case_id=case.pk)
    else:
        form = CaseIntakeForm(scope=scope, initial=CaseIntakeForm.preset(scope, request.GET))
        formset = party_formset()
    context = {"form": form, "formset": formset, "hide_errors": hide_errors}
    return render(request, "disputes/intake.html", context)


@require_GET
@page_errors
def intake_grid_options(request: HttpRequest) -> HttpResponse:
    """<option>s of the grids in the chosen village (htmx, on village change)."""
    scope = request_scope(request)
    try:
        village_id = int(request.GET.get("village") or 0) or None
    except ValueError:
        village_id = None
    grids = grid_queryset(scope, village_id) if village_id else []
    return render(request, "disputes/partials/grid_options.html", {"grids": grids})


@require_POST
@page_errors
def intake_hints(request: HttpRequest) -> HttpResponse:
    """Related-case hints while typing (关联件/重复件), from the scoped selector. A POST (htmx
    `hx-post`): the ID numbers and phones typed go in the body, never in a URL."""
    scope = request_scope(request)
    query = hint_query(request.POST)
    cases = selectors.related_case_hints(
        scope=scope,
        id_numbers=query["id_numbers"],
        phones=query["phones"],
        village_id=query["village_id"],
        category_id=query["category_id"],
    ) if query["searchable"] else []
    context = {"cases": cases, "related": set(query["related_to"]), "duplicate": query["duplicate_of"],
               "searched": query["searchable"]}
    return render(request, "disputes/partials/hints.html", context)


# --- inbox, list ------------------------------------------------------------------------------

@require_GET
@page_errors
def case_inbox(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    counts = selectors.case_inbox_counts(scope=scope, user=request.user)
    # Only the tabs the user can have work in (a handler never accepts or calls back).
    boxes = selectors.case_inbox_boxes(scope=scope, user=request.user)
    tabs = [{"key": key, "label": label, "count": counts.get(key, 0)} for key, label in INBOX_TABS if key in boxes]
    keys = [tab["key"] for tab in tabs]
    box = request.GET.get("box")
    if box not in keys:
        box = next((tab["key"] for tab in tabs if tab["count"]), keys[0] if keys else None)
    page = paginate(request, selectors.case_inbox(scope=scope, user=request.user, box=box) if box
                    else selectors.case_list(scope=scope).none())
    can_register = can(scope, "disputes.register")
    context = {"tabs": tabs, "box": box, "page": page, "can_register": can_register}
    template = "disputes/partials/inbox_table.html" if request.htmx else "disputes/inbox.html"
    return render(request, template, context)


@require_GET
@page_errors
def case_list(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    form = CaseFilterForm(request.GET or None, scope=scope)
    filters: dict[str, Any] = {}
    if form.is_bound:
        form.is_valid()
        if "region" in form.errors:
            raise Http404  # a malformed region looks like an unknown one
        filters = form.selector_filters()
    filters.setdefault("ordering", "-created_at")
    page = paginate(request, selectors.case_list(scope=scope, filters=filters))
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "form": form,
        "indicator": _indicator_banner(filters),
        "selects": {name: _select_html(form[name]) for name in FAST_SELECTS} if not request.htmx else {},
        "page": page,
        "query": params.urlencode(),
        "sort_links": _sort_links(params, filters["ordering"]),
        "drill_fields": [form[name] for name in CaseFilterForm.DRILL_FIELDS],
        "drill_summary": form.drill_summary() if form.is_bound else [],
    }
    template = "disputes/partials/case_table.html" if request.htmx else "disputes/list.html"
    return render(request, template, context)


INDICATOR_PARTS = {"num": gettext_lazy("计入分子的案件"), "den": gettext_lazy("计入分母的案件"),
                   "miss": gettext_lazy("未达标的案件")}


def _indicator_banner(filters: dict[str, Any]) -> dict[str, Any] | None:
    """What the list shows when it was reached from an assessment score (the drill-down)."""
    spec = CASE_INDICATORS.get(str(filters.get("indicator") or ""))
    if spec is None:
        return None
    return {"label": spec.label, "part": INDICATOR_PARTS.get(str(filters.get("part") or "num"), ""),
            "start": filters.get("period_from"), "end": filters.get("period_to")}


def _select_html(bound_field: BoundField) -> str:
    """A single <select> rendered in Python, with the same markup as Django's Select widget
    templates but without one template render per <option> (a county's 300-odd villages
    took ~60 ms that way). A field with errors keeps the widget's own rendering."""
    widget = bound_field.field.widget
    if bound_field.errors or widget.allow_multiple_selected:
        return str(bound_field)
    attrs = bound_field.build_widget_attrs({**widget.attrs, "id": bound_field.auto_id})
    wanted = set(widget.format_value(bound_field.value()))
    chosen = False
    parts: list[str] = []

    def option(value: Any, label: Any) -> str:
        nonlocal chosen
        value = "" if value is None else str(value)
        selected = not chosen and value in wanted
        chosen = chosen or selected
        return f'<option value="{escape(value)}"{" selected" if selected else ""}>{conditional_escape(label)}</option>'

    for value, label in widget.choices:
        if isinstance(label, list | tuple):
            inner = "".join(option(v, lab) for v, lab in label)
            parts.append(f'<optgroup label="{conditional_escape(value)}">{inner}</optgroup>')
        else:
            parts.append(option(value, label))
    return mark_safe(f'<select name="{escape(bound_field.html_name)}"{flatatt(attrs)}>{"".join(parts)}</select>')  # nosec B308 B703: every value escaped above


def _sort_links(params, ordering: str) -> dict[str, dict[str, str]]:
    """Column header links: a click sorts by the column, a second click reverses it."""
    links = {}
    for column in SORTABLE_COLUMNS:
        query = params.copy()
        query["ordering"] = f"-{column}" if ordering == column else column
        arrow = " ↑" if ordering == column else " ↓" if ordering == f"-{column}" else ""
        links[column] = {"query": query.urlencode(), "arrow": arrow}
    return links


# --- detail and actions ------------------------------------------------------------------------

@require_GET
@page_errors
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    scope = request_scope(request)
    case = selectors.case_get(scope=scope, case_id=case_id, related=selectors.PAGE_DETAIL_RELATED, sections=True)
    events = selectors.case_timeline(scope=scope, case=case)
    # The case's dispatches and extension requests are shown on the page anyway; the open
    # dispatch and a pending request come from those lists instead of queries of their own.
    # Sections the case has no rows in (case.has_*) cost no query.
    assignments = list(case.assignments.select_related("department", "region", "assigned_by", "signed_by"))
    extensions = list(case.extensions.select_related("requested_by", "decided_by")) if case.has_extensions else []
    supervisions = list(case.supervisions.select_related("by__region", "withdrawn_by")) \
        if case.has_supervisions else []
    assignment = next((a for a in assignments if a.status in OPEN_ASSIGNMENT_STATES and a.is_lead), None)
    assists = [a for a in assignments if a.status in OPEN_ASSIGNMENT_STATES and not a.is_lead]
    available = permissions.case_available_actions(
        user=request.user, case=case, assignment=assignment, assists=assists,
        pending_extension=any(e.status == ExtensionStatus.PENDING for e in extensions),
        approved_extensions=sum(e.status == ExtensionStatus.APPROVED for e in extensions),
        supervisions=supervisions)
    withdrawable = {s.pk for s in supervisions if permissions.may_withdraw(request.user, s)} \
        if "supervise_withdraw" in available else set()
    try:
        permissions.require_action(user=request.user, case=case, action="reveal", assignment=assignment,
                                   assists=assists)
        can_reveal = True
    except Forbidden:
        can_reveal = False
    state_labels = dict(CaseState.choices)
    timeline = [
        {"event": event, "label": EVENT_LABELS.get(event.action, event.action),
         "from": state_labels.get(event.from_state, ""), "to": state_labels.get(event.to_state, ""),
         "by_public": event.actor_id is None and (event.data or {}).get("by") == BY_PUBLIC}
        for event in events
    ]
    referrals = list(case.referrals.select_related("organisation")) if case.has_referrals else []
    action_forms = [
        {"name": name, "label": ACTION_BY_NAME[name].button, "form": action_form(name, case=case, scope=scope)}
        for name in available
        if name in ACTION_FORMS and not ACTION_BY_NAME[name].section
    ]
    context = {
        "case": case,
        "timeline": timeline,
        "parties": case.parties.all(),
        "assignments": assignments,
        # The holder's 办理期限 passed (it stays when the case moves up: the unit was late).
        "overdue_assignments": {a.pk for a in assignments if a.status in OPEN_ASSIGNMENT_STATES and a.due_at
                                and a.due_at < clock.now()},
        "mediations": case.mediations.select_related("created_by") if case.has_mediations else [],
        "attachments": case.attachments.select_related("uploaded_by") if case.has_attachments else [],
        "supervisions": supervisions,
        "withdrawable": withdrawable,
        "extensions": extensions,
        "action_forms": action_forms,
        "mediation_form": action_form("mediation", case=case, scope=scope) if "mediation" in available else None,
        "attachment_form": action_form("attachment", case=case, scope=scope) if "attachment" in available else None,
        "withdraw_form": "assist_withdraw" in available,
        "referrals": referrals,
        "confirm_form": action_form("confirm_request", case=case, scope=scope) if "confirm_request" in available
        and case.has_mediations else None,
        "result_form": action_form("referral_result", case=case, scope=scope)
        if "referral_result" in available and any(r.status == "open" for r in referrals) else None,
        "open_statuses": OPEN_ASSIGNMENT_STATES,
        "can_reveal": can_reveal,
        "agreement": MediationOutcome.AGREEMENT,
        # An online case: the resident's consent and rating (no query for other channels).
        "public_record": public_selectors.case_public_record(scope=scope, case=case),
        "filed": case.state in selectors.FILED_STATES,
    }
    return render(request, "disputes/detail.html", context)


def _first_error(form) -> str:
    for errors in form.errors.values():
        if errors:
            return str(errors[0])
    return _("输入有误")


@require_POST
@page_errors
def case_action(request: HttpRequest, case_id: int, action: str) -> HttpResponse:
    """POST /cases/<id>/<action>/: one action form → one service → message → back to the case."""
    if action not in ACTION_FORMS:
        raise Http404
    scope = request_scope(request)
    case = selectors.case_get(scope=scope, case_id=case_id)  # 404 before anything else
    form = action_form(action, case=case, scope=scope, data=request.POST, files=request.FILES)
    if not form.is_valid():
        messages.error(request, _first_error(form))
    else:
        try:
            services.action_perform(ACTION_BY_NAME[action], actor=request.user, case_id=case.pk, data=form.service_data())
        except Conflict as exc:
            # The page the user acted on was out of date (someone else moved the case): say
            # so, rather than "this state does not allow …", whatever check tripped first.
            seen = form.cleaned_data.get("version")
            stale = exc.code == "stale" or (seen is not None and seen != case.version)
            messages.error(request, STALE_MESSAGE if stale else exc.message)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("%(action)s：操作成功") % {"action": ACTION_BY_NAME[action].button})
    return redirect("disputes:detail", case_id=case.pk)


@require_POST
@page_errors
def party_reveal(request: HttpRequest, case_id: int, party_id: int, field: str) -> HttpResponse:
    """Show one full ID number or phone (audited by the service); 显示完整 on the detail page."""
    if field not in ("id_number", "phone"):
        raise Http404
    scope = request_scope(request)
    case = selectors.case_get(scope=scope, case_id=case_id)
    if not any(p.pk == party_id for p in case.parties.all()):
        raise Http404
    value = services.party_reveal(actor=request.user, party_id=party_id, field=field, ip_address=client_ip(request))
    context = {"case": case, "value": value, "field": field}
    template = "disputes/partials/revealed.html" if request.htmx else "disputes/party_reveal.html"
    return render(request, template, context)


# --- attachments -----------------------------------------------------------------

@require_GET
@page_errors
def attachment_download(request: HttpRequest, case_id: int, attachment_id: int) -> FileResponse:
    scope = request_scope(request)
    case = selectors.case_get(scope=scope, case_id=case_id)
    attachment = case.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=attachment.original_name,
                        content_type=attachment.content_type)


# --- printed documents (disputes/documents.py): a print view and a PDF each -------------------

def _printing(request: HttpRequest, *, full: bool, links: dict[str, str] | None) -> documents.Printing:
    # The print view's inline style sheet carries the request's CSP nonce (not the PDF).
    nonce = str(request.csp_nonce) if links and hasattr(request, "csp_nonce") else ""
    return documents.Printing(by=str(request.user), at=clock.now(), full=full, links=links, nonce=nonce)


# Each document's PDF route, by document (the print view links to it).
PDF_ROUTES = {"receipt": "disputes:receipt_pdf", "rejection_notice": "disputes:rejection_notice_pdf",
              "agreement": "disputes:agreement_pdf", "mediation_record": "disputes:mediation_record_pdf",
              "dossier": "disputes:dossier_pdf"}


def _document_response(request: HttpRequest, *, case, document: str, as_pdf: bool, html) -> HttpResponse:
    """The document's print view (HTML with a toolbar) or its PDF. `html(links)` renders it;
    `links` is None for the PDF."""
    if as_pdf:
        response = HttpResponse(documents.pdf(html(None)), content_type="application/pdf")
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=False, filename=f"{documents.TITLES[document]}-{case.number}.pdf")
    else:
        links = {"pdf": reverse(PDF_ROUTES[document], kwargs=request.resolver_match.kwargs),
                 "back": reverse("disputes:detail", args=[case.pk])}
        response = HttpResponse(html(links))
    response["Cache-Control"] = "private, no-store"  # personal data: never kept by a proxy or the browser
    return response


def _identity(request: HttpRequest, case, document: str):
    """Full party details for a document that states identity, when the user may reveal
    them (audited by the service), else None (the document prints masked values)."""
    return services.party_details_for_print(actor=request.user, case_id=case.pk, document=document,
                                            ip_address=client_ip(request))


def _receipt(request: HttpRequest, case_id: int, *, as_pdf: bool) -> HttpResponse:
    scope = request_scope(request)
    case = selectors.case_get(scope=scope, case_id=case_id)
    parties = selectors.case_document_parties(scope=scope, case=case)
    track_url = request.build_absolute_uri(documents.PUBLIC_TRACK_PATH)
    return _document_response(request, case=case, document="receipt", as_pdf=as_pdf, html=lambda links: (
        documents.receipt_html(case=case, parties=parties, track_url=track_url,
                               printing=_printing(request, full=False, links=links))))


@require_GET
@page_errors
def receipt_print(request: HttpRequest, case_id: int) -> HttpResponse:
    """受理回执, print view."""
    return _receipt(request, case_id, as_pdf=False)


@require_GET
@page_errors
def receipt_pdf(request: HttpRequest, case_id: int) -> HttpResponse:
    """受理回执 as PDF."""
    return _receipt(request, case_id, as_pdf=True)


def _rejection_notice(request: HttpRequest, case_id: int, *, as_pdf: bool) -> HttpResponse:
    scope = request_scope(request)
    case = selectors.case_get(scope=scope, case_id=case_id)
    event = selectors.case_rejection(scope=scope, case=case)
    parties = selectors.case_document_parties(scope=scope, case=case)
    return _document_response(request, case=case, document="rejection_notice", as_pdf=as_pdf, html=lambda links: (
        documents.rejection_notice_html(case=case, event=event, parties=parties,
                                        printing=_printing(request, full=False, links=links))))


@require_GET
@page_errors
def rejection_notice_print(request: HttpRequest, case_id: int) -> HttpResponse:
    """不予受理告知书, print view (a rejected case only)."""
    return _rejection_notice(request, case_id, as_pdf=False)


@require_GET
@page_errors
def rejection_notice_pdf(request: HttpRequest, case_id: int) -> HttpResponse:
    """不予受理告知书 as PDF."""
    return _rejection_notice(request, case_id, as_pdf=True)


def _mediation_document(request: HttpRequest, case_id: int, mediation_id: int, *, document: str,
                        as_pdf: bool) -> HttpResponse:
    scope = request_scope(request)
    case = selectors.case_get(scope=scope, case_id=case_id)
    mediation = selectors.case_mediation_get(scope=scope, case=case, mediation_id=mediation_id,
                                             agreement=document == "agreement")
    parties = selectors.case_document_parties(scope=scope, case=case)
    details = _identity(request, case, document)
    render_html = documents.agreement_html if document == "agreement" else documents.mediation_record_html
    return _document_response(request, case=case, document=document, as_pdf=as_pdf, html=lambda links: render_html(
        case=case, mediation=mediation, parties=parties, details=details,
        printing=_printing(request, full=details is not None, links=links)))


@require_GET
@page_errors
def agreement_print(request: HttpRequest, case_id: int, mediation_id: int) -> HttpResponse:
    """人民调解协议书, print view. Full party details only for users who may reveal them (audited)."""
    return _mediation_document(request, case_id, mediation_id, document="agreement", as_pdf=False)


@require_GET
@page_errors
def agreement_pdf(request: HttpRequest, case_id: int, mediation_id: int) -> HttpResponse:
    """人民调解协议书 as PDF. Full party details only for users who may reveal them (audited)."""
    return _mediation_document(request, case_id, mediation_id, document="agreement", as_pdf=True)


@require_GET
@page_errors
def mediation_record_print(request: HttpRequest, case_id: int, mediation_id: int) -> HttpResponse:
    """调解笔录, print view."""
    return _mediation_document(request, case_id, mediation_id, document="mediation_record", as_pdf=False)


@require_GET
@page_errors
def mediation_record_pdf(request: HttpRequest, case_id: int, mediation_id: int) -> HttpResponse:
    """调解笔录 as PDF."""
    return _mediation_document(request, case_id, mediation_id, document="mediation_record", as_pdf=True)


def _dossier(request: HttpRequest, case_id: int, *, as_pdf: bool) -> HttpResponse:
    scope = request_scope(request)
    case = selectors.case_get(scope=scope, case_id=case_id)
    dossier = selectors.case_dossier(scope=scope, case=case)
    details = _identity(request, case, "dossier")
    return _document_response(request, case=case, document="dossier", as_pdf=as_pdf, html=lambda links: (
        documents.dossier_html(dossier=dossier, details=details,
                               printing=_printing(request, full=details is not None, links=links))))


@require_GET
@page_errors
def dossier_print(request: HttpRequest, case_id: int) -> HttpResponse:
    """案件卷宗 of a filed case, print view."""
    return _dossier(request, case_id, as_pdf=False)


@require_GET
@page_errors
def dossier_pdf(request: HttpRequest, case_id: int) -> HttpResponse:
    """案件卷宗 of a filed case as PDF."""
    return _dossier(request, case_id, as_pdf=True)


# --- dispatch dashboard (the page itself: disputes/dashboard_views.py) ---------------------------

@require_GET
@page_errors
def dashboard_data(request: HttpRequest) -> JsonResponse:
    """Chart data for the dashboard; every figure from a scoped, set-based aggregate, each
    bar with the case-list filters it counts (a click opens that list)."""
    scope = dashboard_scope(request)
    region_id = request.GET.get("region")
    region = scope.region_in_scope(region_id) if region_id not in (None, "") else None  # outside: 404
    # ?cards=1: the red/yellow card list too (the wall screen shows it; the dashboard has queues)
    return JsonResponse(stats.dashboard_data(scope=scope, today=clock.localdate(), region=region,
                                             cards=request.GET.get("cards") == "1", now=clock.now()))
