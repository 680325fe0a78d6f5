from django.urls import include, path

from . import views

app_name = "reviews"

urlpatterns = [
    # The expert pool (专家库) and the expert's own profile: reviews/urls_pool.py.
    path("", include("reviews.urls_pool")),
    # Staff of the list's organiser
    path("lists/<int:pk>/", views.list_review, name="list"),
    path("lists/<int:pk>/open/", views.review_open, name="open"),
    path("lists/<int:pk>/rubric/", views.rubric_edit, name="rubric"),
    path("lists/<int:pk>/deadline/", views.deadline_change, name="deadline"),
    path("lists/<int:pk>/close/", views.scoring_close, name="close"),
    path("lists/<int:pk>/ranking.xlsx", views.ranking_export, name="ranking_export"),
    path("bangs/<int:pk>/opinion.pdf", views.opinion_pdf, name="opinion_pdf"),
    path("bangs/<int:pk>/panel/", views.bang_panel, name="panel"),
    path("bangs/<int:pk>/ranking/", views.ranking, name="ranking"),
    path("bangs/<int:pk>/unawarded/", views.bang_unawarded, name="unawarded"),
    path("draws/<int:pk>/replay/", views.draw_replay, name="replay"),
    path("seats/<int:pk>/remove/", views.assignment_remove, name="remove"),
    path("decisions/<int:pk>/withdraw/", views.decision_withdraw, name="decision_withdraw"),
    path("decisions/<int:pk>/carry/", views.decision_carry, name="decision_carry"),
    path("scores/<int:pk>/", views.staff_score, name="staff_score"),
    path("scores/<int:pk>/reopen/", views.score_reopen, name="reopen"),
    # Experts
    path("mine/", views.dashboard, name="dashboard"),
    path("seats/<int:pk>/", views.assignment, name="assignment"),
    path("seats/<int:pk>/conflict/", views.assignment_conflict, name="conflict"),
    path("seats/<int:pk>/scores/", views.panel_scores, name="panel_scores"),
    path("seats/<int:pk>/applications/<int:application_pk>/", views.score, name="score"),
    path("seats/<int:pk>/applications/<int:application_pk>/confirm/", views.score_confirm, name="score_confirm"),
    path("seats/<int:pk>/attachments/<int:attachment_pk>/", views.seat_attachment, name="attachment"),
    # The issuing enterprise
    path("enterprise/", views.enterprise_index, name="enterprise"),
    path("enterprise/bangs/<int:pk>/", views.enterprise_bang, name="enterprise_bang"),
    path("enterprise/bangs/<int:pk>/applications/<int:application_pk>/", views.enterprise_application,
         name="enterprise_application"),
]
