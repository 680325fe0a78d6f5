"""Mid-term review, racehorse view and acceptance (issue 13), under /task-books/projects/."""

from django.urls import path

from . import views_acceptance as views

urlpatterns = [
    path("<int:pk>/acceptance/", views.project_section, name="acceptance_section"),
    path("<int:pk>/midterm/", views.midterm_decide, name="midterm_decide"),
    path("<int:pk>/acceptance/apply/", views.acceptance_apply, name="acceptance_apply"),
    path("<int:pk>/acceptance/judge/", views.acceptance_judge, name="acceptance_judge"),
    path("<int:pk>/acceptance/decide/", views.acceptance_decide, name="acceptance_decide"),
    path("<int:pk>/acceptance/files/<int:file_pk>/", views.acceptance_file, name="acceptance_file"),
    path("<int:pk>/acceptance/certificate/", views.acceptance_certificate, name="acceptance_certificate"),
    path("bangs/<int:bang_pk>/racehorse/", views.racehorse, name="racehorse"),
]
