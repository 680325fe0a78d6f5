from django.conf import settings


def portal(request):
    """Portal name, organiser and the inbox badge, for the base layout."""
    unread = 0
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        unread = user.notifications.filter(read_at__isnull=True).count()
    return {
        "PORTAL_NAME": settings.PORTAL_NAME,
        "PORTAL_ORGANISER": settings.PORTAL_ORGANISER,
        "unread_count": unread,
    }
