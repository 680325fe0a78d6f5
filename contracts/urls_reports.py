"""Stage reports and self-management (issue 13 section 2), under /task-books/projects/."""

from django.urls import path

from . import views_reports

urlpatterns = [
    path("reports/overdue/", views_reports.reports_overdue, name="reports_overdue"),
    path("<int:pk>/reports/<int:stage>/", views_reports.report_detail, name="report_detail"),
    path("<int:pk>/reports/<int:stage>/comment/", views_reports.report_comment, name="report_comment"),
    path("<int:pk>/reports/<int:stage>/accept/", views_reports.report_accept, name="report_accept"),
    path("<int:pk>/reports/<int:stage>/return/", views_reports.report_return, name="report_return"),
    path("<int:pk>/reports/<int:stage>/files/<int:file_pk>/", views_reports.report_file, name="report_file"),
    path("<int:pk>/changes/new/", views_reports.change_new, name="change_new"),
]
