from django.urls import include, path

app_name = "notices"

urlpatterns = [
    # The public side: /notices/, a notice's page, the feed, filing an objection, reading its status.
    path("", include("notices.urls_public")),
    # Organiser staff (publish, amend, handle objections) and the lead unit's written response.
    path("", include("notices.urls_staff")),
]
