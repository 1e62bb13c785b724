"""Kernel pieces every app's pages build on.

- `page_errors`: the page half of the one error vocabulary (governance/errors.py). A view
  wrapped in it requires a signed-in user, and the application errors escaping it become
  the page's answer: missing or out of scope → 404, wrong role or no jurisdiction → 403,
  malformed input the form did not catch → 400 with the service's message. Conflicts and
  other errors a page can explain are caught by the view itself and shown as Django messages.
- `paginate`: one page of a list through `DeferredJoinPaginator` (deep pages join only
  their own rows), numbered by `?page=`.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest

from governance.errors import Forbidden, InvalidInput, NotFound
from governance.pagination import DeferredJoinPaginator

PAGE_SIZE = 20


def page_errors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Map application errors escaping a page view: missing/out of scope → 404, role → 403,
    malformed input the form did not catch → 400 with the service's Chinese message."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound:
            raise Http404 from None
        except Forbidden as exc:  # includes NoJurisdiction: a user without a region
            raise PermissionDenied(exc.message) from None
        except InvalidInput as exc:
            return HttpResponseBadRequest(exc.message)

    return login_required(wrapper)


def paginate(request: HttpRequest, queryset, *, per_page: int = PAGE_SIZE) -> Page:
    """The page `?page=` names of `queryset` (the last page for a number past the end)."""
    return DeferredJoinPaginator(queryset, per_page).get_page(request.GET.get("page"))
