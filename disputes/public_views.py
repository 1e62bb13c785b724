"""The residents' pages (网上 channel, "群众少跑腿"), mounted at /public/ (DisputesConfig.url_mounts):
submit a matter online (/public/report/), look its progress up and rate the result
(/public/track/), both offered by the landing page (/public/). No sign-in: nothing here may
show another case, a staff name or a note.

- Flooding is held off by rate limits per client address (governance.signals.client_ip, IPv6
  per /64), counted in the Django cache through django-ratelimit (settings PUBLIC_*_RATE); a
  lookup also counts the failures per case number, so guessing one case's phone digits from
  many addresses stops too. Over a limit the page answers 429 with a Chinese message.
- A wrong number and a wrong phone get the same "未找到" answer in the form, with status 200 (the
  lookup was answered; nothing is missing); the page then shows nothing else. The rating form carries a signed, short-lived proof of the lookup, never the digits.
- Errors of the services come back as field messages; nothing is saved when any check fails.
"""
from __future__ import annotations

import ipaddress

from django.conf import settings
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.core import get_usage

from disputes import services
from disputes.public_forms import PublicRatingForm, PublicReportForm, PublicTrackForm
from disputes.selectors import public as public_selectors
from governance.errors import ApplicationError, InvalidInput
from governance.models import RegionLevel
from governance.signals import client_ip

RECEIPT_SALT = "disputes.public.receipt"
RECEIPT_MAX_AGE = 24 * 3600
TRACK_SALT = "disputes.public.track"
TRACK_MAX_AGE = 30 * 60  # the rating form stays valid this long after a lookup
# One answer for a wrong number and a wrong phone alike.
NOT_FOUND_MESSAGE = gettext_lazy("未找到该案件，请核对案件编号和联系电话后4位")


# --- Rate limits ------------------------------------------------------------------------------


def _client_key(group: str, request: HttpRequest) -> str:
    """The address a limit counts: the client's, an IPv6 client per /64 (one subscriber)."""
    address = client_ip(request) or "unknown"
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    return str(ipaddress.ip_network(f"{ip}/64", strict=False).network_address) if ip.version == 6 else str(ip)


def _over_limit(request: HttpRequest, group: str, rate: str, *, key=_client_key, increment: bool = True) -> bool:
    """Count this request (`increment`) and tell whether it is over the limit; without
    `increment`, whether the next counted request would be (the failures already used it up)."""
    usage = get_usage(request, group=group, key=key, rate=rate, increment=increment)
    if not usage:
        return False
    return usage["should_limit"] if increment else usage["count"] >= usage["limit"]


def _number_key(number: str):
    return lambda group, request: public_selectors.public_number_normalise(number)


def _limited(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    context["limited"] = _("操作过于频繁，请稍后再试")
    return render(request, template, context, status=429)


# --- The landing page ------------------------------------------------------------------------


@require_GET
def public_home(request: HttpRequest) -> HttpResponse:
    """/public/, the address on posters: the two things a resident can do here."""
    return render(request, "disputes/public/home.html")


# --- 网上反映 -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def public_report(request: HttpRequest) -> HttpResponse:
    """The online submission form; a valid one becomes a case and sends the resident to the receipt."""
    refresh = request.method == "POST" and "refresh" in request.POST
    if request.method != "POST" or refresh:
        # "更新选项" without JavaScript re-renders the region selects for the chosen county/township.
        form = PublicReportForm(request.POST if refresh else None)
        return render(request, "disputes/public/report.html", {"form": form, "hide_errors": refresh})
    form = PublicReportForm(request.POST, request.FILES)
    if _over_limit(request, "public-report", settings.PUBLIC_REPORT_RATE):
        return _limited(request, "disputes/public/report.html", {"form": form, "hide_errors": True})
    if form.is_valid():
        try:
            case = services.case_submit_public(
                data=form.case_input(), parties=form.party_inputs(), consent=form.cleaned_data["consent"],
                photos=form.cleaned_data["photos"], ip=client_ip(request),
                submit_token=form.cleaned_data["submit_token"],
            )
        except InvalidInput as exc:
            fields = exc.extra.get("fields") or {}
            if not fields or not form.add_service_errors(fields):
                form.add_error(None, exc.message)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            receipt = signing.dumps(case.pk, salt=RECEIPT_SALT)
            return redirect(f"{reverse('public:receipt')}?{urlencode({'r': receipt})}")
    return render(request, "disputes/public/report.html", {"form": form}, status=400)


@require_GET
def public_receipt(request: HttpRequest) -> HttpResponse:
    """The case number of the submission just made (a signed, day-long receipt in the URL)."""
    try:
        case_id = signing.loads(request.GET.get("r", ""), salt=RECEIPT_SALT, max_age=RECEIPT_MAX_AGE)
    except signing.BadSignature:
        raise Http404 from None
    track = public_selectors.unscoped_public_track_by_id(case_id)
    if track is None:
        raise Http404
    return render(request, "disputes/public/receipt.html", {"track": track})


@require_GET
def public_region_options(request: HttpRequest) -> HttpResponse:
    """<option>s of the townships of a county or the villages of a township (htmx, on change)."""
    county = request.GET.get("county")
    if county is not None:
        rows = public_selectors.public_regions(level=RegionLevel.TOWNSHIP, parent_id=county)
        context = {"rows": rows, "placeholder": _("请选择乡镇(街道)"), "reset_village": True}
    else:
        rows = public_selectors.public_regions(level=RegionLevel.VILLAGE, parent_id=request.GET.get("township"))
        context = {"rows": rows, "placeholder": _("请选择村(社区)"), "reset_village": False}
    return render(request, "disputes/public/region_options.html", context)


# --- 进度查询 and the rating ---------------------------------------------------------------------


def _track_context(track, **extra) -> dict:
    context = {"form": PublicTrackForm(), "track": track, **extra}
    if track is not None and track.can_rate:
        context["rating_form"] = PublicRatingForm(initial={"token": signing.dumps(track.case_id, salt=TRACK_SALT)})
    return context


@require_http_methods(["GET", "POST"])
def public_track(request: HttpRequest) -> HttpResponse:
    """Look a case up by its number and the last 4 digits of the resident's phone."""
    if request.method != "POST":
        return render(request, "disputes/public/track.html", {"form": PublicTrackForm()})
    form = PublicTrackForm(request.POST)
    number = request.POST.get("number", "")
    if _over_limit(request, "public-track", settings.PUBLIC_TRACK_RATE) or _over_limit(
            request, "public-track-number", settings.PUBLIC_TRACK_NUMBER_RATE, key=_number_key(number),
            increment=False):
        return _limited(request, "disputes/public/track.html", {"form": form})
    if not form.is_valid():
        return render(request, "disputes/public/track.html", {"form": form}, status=400)
    track = public_selectors.unscoped_public_track(number=form.cleaned_data["number"],
                                                   phone_tail=form.cleaned_data["phone_tail"])
    if track is None:
        # Count the failure against the number, whichever part was wrong.
        _over_limit(request, "public-track-number", settings.PUBLIC_TRACK_NUMBER_RATE, key=_number_key(number))
        # 200: the form was answered (a 404 would say the page is missing); the failure counts
        # against the number above, which is what holds guessing off.
        return render(request, "disputes/public/track.html", {"form": form, "not_found": NOT_FOUND_MESSAGE})
    return render(request, "disputes/public/track.html", _track_context(track))


@require_POST
def public_rate(request: HttpRequest) -> HttpResponse:
    """The resident's satisfaction rating, from the form the lookup showed."""
    if _over_limit(request, "public-track", settings.PUBLIC_TRACK_RATE):
        return _limited(request, "disputes/public/track.html", {"form": PublicTrackForm()})
    form = PublicRatingForm(request.POST)
    try:
        case_id = signing.loads(request.POST.get("token", ""), salt=TRACK_SALT, max_age=TRACK_MAX_AGE)
    except signing.BadSignature:
        return render(request, "disputes/public/track.html",
                      {"form": PublicTrackForm(), "not_found": _("页面已过期，请重新查询后再评价")}, status=400)
    track = public_selectors.unscoped_public_track_by_id(case_id)
    if track is None:
        raise Http404
    if not form.is_valid():
        context = _track_context(track)
        context["rating_form"] = form
        return render(request, "disputes/public/track.html", context, status=400)
    try:
        services.case_rate_public(case_id=case_id, level=form.cleaned_data["level"],
                                  comment=form.cleaned_data["comment"], ip=client_ip(request))
    except ApplicationError as exc:
        return render(request, "disputes/public/track.html", _track_context(track, error=exc.message), status=409)
    track = public_selectors.unscoped_public_track_by_id(case_id)
    return render(request, "disputes/public/track.html", _track_context(track, rated=_("感谢您的评价")))
