"""Notification inbox pages: the list (with links to the cases), mark one or all read.

Per recipient: another user's notification answers 404, like a missing one.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from governance.errors import NotFound
from governance.notifications import (
    notification_list,
    notification_mark_all_read,
    notification_mark_read,
    notification_unread_count,
)

PAGE_SIZE = 20


@login_required
def notification_list_view(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    notifications = notification_list(user=request.user)
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "governance/notifications.html", {
        "page_obj": page, "unread_only": unread_only, "unread_count": notification_unread_count(user=request.user),
    })


@login_required
@require_POST
def notification_read_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark read; with `open` in the form, go on to the notification's link (the case)."""
    try:
        notification = notification_mark_read(user=request.user, notification_id=pk)
    except NotFound as exc:
        raise Http404(exc.message) from None
    link = notification.link
    if request.POST.get("open") and link and url_has_allowed_host_and_scheme(
            link, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(link)
    return redirect("notifications")


@login_required
@require_POST
def notification_read_all_view(request: HttpRequest) -> HttpResponse:
    count = notification_mark_all_read(user=request.user)
    messages.success(request, _("已将%(count)s条通知标为已读") % {"count": count})
    return redirect("notifications")
