"""Kernel pages: the role landing page."""
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from governance.navigation import nav_links, role_home_url


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each role to its main screen (map in governance/navigation.py).

    When that screen's app is not wired yet, show a plain landing page with the user's
    jurisdiction and the links that do exist.
    """
    url = role_home_url(request.user)
    if url is not None:
        return redirect(url)
    return render(request, "governance/home.html", {"links": nav_links(request.user)})
