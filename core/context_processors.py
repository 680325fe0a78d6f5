from django.conf import settings


def portal(request):
    """Portal name, organiser and the inbox badge, for the base layout."""
    unread = 0
    nav_key = "anonymous"
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        unread = user.notifications.filter(read_at__isnull=True).count()
        # The main menu depends on these alone, so base.html renders it once per combination.
        nav_key = "user:%s:%d:%d" % (",".join(sorted(user.role_codes)), user.is_superuser,
                                     user.organisation_id is not None)
    return {
        "PORTAL_NAME": settings.PORTAL_NAME,
        "PORTAL_ORGANISER": settings.PORTAL_ORGANISER,
        "unread_count": unread,
        "nav_key": nav_key,
    }
