from functools import cache

from governance.scoping import NoJurisdiction, request_scope


def layout(request):
    """What the shared layout needs: the user's jurisdiction and unread notification count."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    try:
        scope = request_scope(request)
    except NoJurisdiction:
        scope = None

    @cache
    def unread_notifications() -> int:
        return user.notifications.filter(read_at__isnull=True).count()

    return {
        "jurisdiction": user.region if scope else None,
        "scope": scope,
        # Counted when a template shows it (the layout), once; never for an htmx partial.
        "unread_notifications": unread_notifications,
    }
