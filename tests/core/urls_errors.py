"""The portal's URLs plus views that fail, for the 500 page tests."""

from django.db import connection
from django.urls import path

from jiebang.urls import handler400, handler403, handler404, handler500  # noqa: F401 (Django reads them here)
from jiebang.urls import urlpatterns as portal_urlpatterns


def boom(request):
    raise RuntimeError("boom")


def database_down(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


urlpatterns = [path("boom/", boom), path("database-down/", database_down), *portal_urlpatterns]
