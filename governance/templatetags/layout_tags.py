"""Template tags of the shared layout (templates/base.html)."""
from django import template

from governance.audit_labels import audit_label as label_of
from governance.audit_labels import audit_target_label
from governance.navigation import nav_links, url_or_none

register = template.Library()


@register.simple_tag(takes_context=True)
def navigation(context) -> list:
    """Navigation links for the current user; links whose URL name is not wired are skipped."""
    request = context.get("request")
    if request is None:
        return []
    return nav_links(getattr(request, "user", None), request.path)


@register.filter
def total_minutes(value) -> int:
    """A timedelta as whole minutes, rounded up (the lockout page's cool-off time)."""
    if value is None:
        return 0
    seconds = int(value.total_seconds())
    return -(-seconds // 60)


@register.simple_tag
def url_if_wired(url_name: str) -> str:
    """reverse(url_name), or "" when that page is not wired (the layout then shows no link)."""
    return url_or_none(url_name) or ""


@register.filter
def audit_label(code: str) -> str:
    """An audit action code as its label (governance/audit_labels.py)."""
    return label_of(code)


@register.filter
def audit_target(target_type: str) -> str:
    """An audit row's object type as a name (案件, 用户, 网格 …)."""
    return audit_target_label(target_type)
