"""A cache of the public pages as anonymous visitors see them (issue 9).

Home, the bang browser, a list, a bang, the feed and the open-data API are the pages everybody
reads, and read alike by everyone who is not signed in. `public_page` keeps the rendered response
per path and language, and serves it again while both of these hold:

- the public version (`PublicVersion`, one row, one query per request) is the one it was rendered
  at. Every save or delete of a model that these pages show raises it, in the writer's
  transaction: the apps list their models with `watch()`, and code that writes them in bulk calls
  `bump()` itself;
- the clock has not reached the next moment at which a page changes by itself: a list opening, a
  deadline passing (`boundary()` asks the apps), and at most `PUBLIC_PAGE_CACHE_SECONDS` in any
  case, so a relative time ("距截止还有 3 天") is never older than that.

Pages are kept per scheme, host, path with query, Accept header and language.
Only requests without a session or messages cookie are served from the cache, and only a 200 that
sets no cookie, embeds no CSRF token and shows no message is kept: what a signed-in user, or a
visitor with a message waiting, sees is never cached, and nothing personal is ever stored.
The cache is the "pages" alias (per process by default). A failing cache is a miss, never an error.
"""

import datetime
import hashlib
import logging
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone
from django.utils.cache import patch_vary_headers

logger = logging.getLogger(__name__)

KEPT_HEADERS = ("Content-Type", "Content-Disposition", "Last-Modified", "Vary", "Allow")
_boundaries: list[Callable[[datetime.datetime], datetime.datetime | None]] = []


def current_version() -> int:
    from .models import PublicVersion

    return PublicVersion.objects.filter(pk=1).values_list("version", flat=True).first() or 0


def bump(**_ignored) -> None:
    """Raise the public version: every cached public page is stale from the writer's commit on."""
    from .models import PublicVersion

    if not PublicVersion.objects.filter(pk=1).update(version=F("version") + 1):
        PublicVersion.objects.get_or_create(pk=1, defaults={"version": 1})


def watch(*models) -> None:
    """Raise the public version whenever a row of these models is saved or deleted."""
    for model in models:
        uid = f"pagecache:{model._meta.label}"
        post_save.connect(bump, sender=model, dispatch_uid=f"{uid}:save", weak=False)
        post_delete.connect(bump, sender=model, dispatch_uid=f"{uid}:delete", weak=False)
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(bump, sender=field.remote_field.through, dispatch_uid=f"{uid}:{field.name}",
                                weak=False)


def register_boundary(function: Callable[[datetime.datetime], datetime.datetime | None]) -> None:
    """`function(now)` returns the next moment after `now` at which a public page changes by
    itself (or None). The apps register theirs; core cannot import them."""
    if function not in _boundaries:
        _boundaries.append(function)


def boundary(now: datetime.datetime) -> datetime.datetime:
    until = now + datetime.timedelta(seconds=settings.PUBLIC_PAGE_CACHE_SECONDS)
    for function in _boundaries:
        moment = function(now)
        if moment is not None and moment < until:
            until = moment
    return until


def _cacheable_request(request) -> bool:
    return (
        settings.PUBLIC_PAGE_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and getattr(settings, "MESSAGE_COOKIE_NAME", "messages") not in request.COOKIES
    )


def _keepable(request, response) -> bool:
    messages = getattr(request, "_messages", None)
    user = getattr(request, "user", None)
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not (messages is not None and len(messages))
        and not (user is not None and user.is_authenticated)
    )


def _cache():
    return caches["pages"]


def public_page(view):
    """Serve `view` to anonymous visitors from the public page cache (see the module)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not _cacheable_request(request):
            return view(request, *args, **kwargs)
        version = current_version()
        # Everything the response may depend on: the feed and the API print absolute links (host
        # and scheme), the API answers by the Accept header.
        asked = "\n".join((
            request.scheme, request.get_host(), request.get_full_path(), request.META.get("HTTP_ACCEPT", ""),
        )).encode("utf-8", "surrogateescape")
        key = "public:%d:%s:%s:%s" % (
            version, getattr(request, "LANGUAGE_CODE", ""), request.method == "HEAD", hashlib.sha256(asked).hexdigest(),
        )
        now = timezone.now()
        try:
            entry = _cache().get(key)
        except Exception:  # a cache that fails is a miss
            logger.warning("public page cache unavailable", exc_info=True)
            entry = None
        if entry is not None and entry["until"] > now.timestamp():
            return _response(entry)
        response = view(request, *args, **kwargs)

        def keep(response):
            if not _keepable(request, response):
                return response
            until = boundary(now)
            entry = {
                "until": until.timestamp(),
                "status": response.status_code,
                "content": response.content,
                "headers": [(name, response[name]) for name in KEPT_HEADERS if name in response],
            }
            timeout = max(1, int((until - now).total_seconds()) + 1)
            try:
                _cache().set(key, entry, timeout)
            except Exception:
                logger.warning("public page cache unavailable", exc_info=True)
            return response

        if callable(getattr(response, "render", None)) and not getattr(response, "is_rendered", True):
            response.add_post_render_callback(keep)
        else:
            keep(response)
        return response

    return wrapped


def _response(entry):
    from django.http import HttpResponse

    response = HttpResponse(entry["content"], status=entry["status"])
    for name, value in entry["headers"]:
        response[name] = value
    patch_vary_headers(response, ("Cookie",))
    return response
