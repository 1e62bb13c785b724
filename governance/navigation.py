"""Navigation of the shared layout and the role → landing page map, filled by the apps.

The kernel names no feature app: each app registers its items and its roles' landing pages
from its `AppConfig.ready()` with `register_nav(...)` and `register_role_home(...)`; the
kernel registers its own (notifications, the admin site) below. Items name URL patterns; an
item whose URL name does not resolve is skipped, so the layout never breaks on a link.

- The bar shows the items in `order` (smallest first). The numbers in use: 10 我的网格,
  20–50 the case pages, 90 通知, 100 系统管理; a new page picks a free number between.
- A role lands on the registration with the highest `priority` (an app above another may
  take a role's landing over by registering it higher). Two different pages at the same
  top priority for one role are a configuration error, not a coin toss.

Registering the same item or landing page again changes nothing (ready() may run twice).
"""
from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from governance.models import ADMIN_ROLES, Role

ALL_ROLES = frozenset(Role.values)
# The roles that do the platform's work (the apps' case, field and party pages); the three
# administrators of 三员分立 are not among them and see none of those pages.
BUSINESS_ROLES = ALL_ROLES - ADMIN_ROLES
DEFAULT_ORDER = 500


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str
    roles: frozenset[str]
    staff_only: bool = False  # the Django admin lets in is_staff users only
    order: int = DEFAULT_ORDER  # position in the bar, smallest first


@dataclass(frozen=True)
class NavLink:
    url: str
    label: str
    url_name: str
    active: bool


# The registries, and what the layout reads from them (rebuilt on every registration).
_nav: dict[str, NavItem] = {}
_homes: dict[str, dict[str, int]] = {}  # role → {url_name: priority}
NAV_ITEMS: tuple[NavItem, ...] = ()
ROLE_HOME: dict[str, str] = {}  # role → the landing page's URL name


def register_nav(*items: NavItem) -> None:
    """Add items to the navigation bar (called from an app's ready())."""
    global NAV_ITEMS
    for item in items:
        unknown = item.roles - ALL_ROLES
        if unknown:
            raise ImproperlyConfigured(f"navigation item {item.url_name!r} names unknown roles {sorted(unknown)}")
        known = _nav.get(item.url_name)
        if known is not None and known != item:
            raise ImproperlyConfigured(f"navigation item {item.url_name!r} is registered twice, differently")
        _nav[item.url_name] = item
    NAV_ITEMS = tuple(sorted(_nav.values(), key=lambda item: item.order))


def register_role_home(role: str, url_name: str, *, priority: int = 0) -> None:
    """Make `url_name` where "/" sends `role`, unless a higher priority names another page."""
    if role not in ALL_ROLES:
        raise ImproperlyConfigured(f"landing page {url_name!r} registered for unknown role {role!r}")
    homes = _homes.setdefault(role, {})
    homes[url_name] = priority
    top = max(homes.values())
    winners = sorted(name for name, rank in homes.items() if rank == top)
    if len(winners) > 1:
        raise ImproperlyConfigured(f"role {role!r} has several landing pages at priority {top}: {winners}")
    ROLE_HOME[role] = winners[0]


# The kernel's own pages.
register_nav(
    NavItem("notifications", _("通知"), ALL_ROLES, order=90),
    NavItem("audit-log", _("审计日志"), frozenset({Role.AUDIT_ADMIN}), order=95),
    NavItem("admin:index", _("系统管理"), frozenset({Role.ADMINISTRATOR, Role.SECURITY_ADMIN}), staff_only=True,
            order=100),
)
register_role_home(Role.ADMINISTRATOR, "admin:index")
register_role_home(Role.SECURITY_ADMIN, "admin:index")
register_role_home(Role.AUDIT_ADMIN, "audit-log")


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
