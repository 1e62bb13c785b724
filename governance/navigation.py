"""Navigation of the shared layout and the role → landing page map.

Both are declared here, in one place. Items name URL patterns; an item whose URL name does
not resolve (its app is not wired yet) is skipped, so the layout never breaks on a link.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from governance.models import Role

ALL_ROLES = frozenset(Role.values)


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str
    roles: frozenset[str]
    staff_only: bool = False  # the Django admin lets in is_staff users only


@dataclass(frozen=True)
class NavLink:
    url: str
    label: str
    url_name: str
    active: bool


NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem("grids:mine", _("我的网格"), frozenset({Role.GRID_WORKER})),
    NavItem("disputes:inbox", _("待办"), frozenset({Role.WINDOW_STAFF, Role.HANDLER, Role.DISPATCHER})),
    NavItem("disputes:dashboard", _("调度大屏"), frozenset({Role.DISPATCHER, Role.LEADER})),
    NavItem("disputes:intake", _("受理登记"), frozenset({Role.WINDOW_STAFF})),
    NavItem("disputes:list", _("案件查询"), ALL_ROLES - {Role.ADMINISTRATOR}),
    NavItem("assessment:rankings", _("考核排名"), frozenset({Role.LEADER, Role.DISPATCHER})),
    NavItem("notifications", _("通知"), ALL_ROLES),
    NavItem("admin:index", _("系统管理"), frozenset({Role.ADMINISTRATOR}), staff_only=True),
)

# Where "/" sends each role. Leaders go to the dispatch dashboard until the assessment
# rankings page exists; then point Role.LEADER at "assessment:rankings".
ROLE_HOME: dict[str, str] = {
    Role.WINDOW_STAFF: "disputes:inbox",
    Role.HANDLER: "disputes:inbox",
    Role.DISPATCHER: "disputes:dashboard",
    Role.LEADER: "disputes:dashboard",
    Role.GRID_WORKER: "grids:mine",
    Role.ADMINISTRATOR: "admin:index",
}


def url_or_none(url_name: str) -> str | None:
    try:
        return reverse(url_name)
    except NoReverseMatch:
        return None


def role_home_url(user) -> str | None:
    """The landing URL of the user's role, or None when that page is not wired."""
    url_name = ROLE_HOME.get(user.role)
    if url_name is None or (url_name.startswith("admin:") and not user.is_staff):
        return None
    return url_or_none(url_name)


def nav_links(user, current_path: str = "") -> list[NavLink]:
    """Navigation for `user`: items of their role whose URL resolves."""
    if user is None or not user.is_authenticated:
        return []
    resolved = []
    for item in NAV_ITEMS:
        if user.role not in item.roles or (item.staff_only and not user.is_staff):
            continue
        url = url_or_none(item.url_name)
        if url is not None:
            resolved.append((item, url))
    # The active item is the one whose URL is the longest prefix of the current path
    # (/cases/dashboard/ marks 调度大屏, not 案件查询 at /cases/).
    matches = [url for _, url in resolved if current_path and current_path.startswith(url) and url != "/"]
    active_url = max(matches, key=len, default=None)
    return [
        NavLink(url=url, label=str(item.label), url_name=item.url_name, active=url == active_url)
        for item, url in resolved
    ]
