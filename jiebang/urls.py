from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from accounts.two_factor_views import SignInView
from bangs.api import BangListViewSet, BangViewSet
from core import views as core_views
from notices.api import NoticeViewSet
from stats.api import StatsViewSet

router = DefaultRouter()
router.register("lists", BangListViewSet, basename="api-lists")
router.register("bangs", BangViewSet, basename="api-bangs")
router.register("notices", NoticeViewSet, basename="api-notices")
router.register("stats", StatsViewSet, basename="api-stats")

urlpatterns = [
    path("", core_views.home, name="home"),
    path("dashboard/", core_views.dashboard, name="dashboard"),
    path("healthz", core_views.healthz, name="healthz"),
    path("calendar/", core_views.calendar_days, name="calendar_days"),
    path("downloads/", core_views.downloads, name="downloads"),
    path("downloads/<int:pk>/", core_views.download, name="download"),
    path("downloads/new/", core_views.download_edit, name="download_create"),
    path("downloads/<int:pk>/edit/", core_views.download_edit, name="download_edit"),
    # The language choice only sets the language cookie, so it takes no CSRF token: a form with one
    # would make every anonymous page unique to its visitor, and uncacheable (core.pagecache).
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    # Django's login page, stopping after the password for a user who needs a second factor.
    path("accounts/login/", SignInView.as_view(), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("accounts/", include("accounts.urls")),
    path("demands/", include("demands.urls")),
    path("inbox/", include("notifications.urls")),
    path("bangs/", include("bangs.urls")),
    path("applications/", include("applications.urls")),
    path("reviews/", include("reviews.urls")),
    path("notices/", include("notices.urls")),
    path("task-books/", include("contracts.urls")),
    path("verify/", include("contracts.urls_verify")),
    path("stats/", include("stats.urls")),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/", include(router.urls)),
    path("admin/", admin.site.urls),
]

if settings.BENCH_FLOOR:
    urlpatterns.append(path("bench/floor/", core_views.bench_floor, name="bench_floor"))

handler400 = "core.errors.bad_request"
handler403 = "core.errors.permission_denied"
handler404 = "core.errors.page_not_found"
handler500 = "core.errors.server_error"

admin.site.site_header = settings.PORTAL_NAME
admin.site.site_title = settings.PORTAL_NAME
