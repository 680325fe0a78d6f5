from django.urls import include, path

from . import views

app_name = "reviews"

urlpatterns = [
    # The expert pool (专家库) and the expert's own profile: reviews/urls_pool.py.
    path("", include("reviews.urls_pool")),
]
