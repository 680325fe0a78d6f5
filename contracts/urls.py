from django.urls import include, path

from . import views, views_ceremony

app_name = "contracts"

urlpatterns = [
    path("", views.task_book_list, name="list"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/versions/<int:number>/", views.version_compare, name="version"),
    path("<int:pk>/comment/", views.comment, name="comment"),
    path("<int:pk>/indicators/<str:key>/confirm/", views.indicator_confirm, name="indicator_confirm"),
    path("<int:pk>/finalise/", views.finalise, name="finalise"),
    path("<int:pk>/amend/", views.amend, name="amend"),
    path("<int:pk>/pdf/", views.pdf, name="pdf"),
    path("<int:pk>/parties/<int:party_pk>/sign/", views.sign, name="sign"),
    path("<int:pk>/parties/<int:party_pk>/scan/", views.scan, name="scan"),
    path("lists/<int:pk>/signing/", views_ceremony.ceremony, name="ceremony"),
    path("order-template/", views_ceremony.order_template, name="order_template"),
    # Execution (issue 13): the project hub, money (funds), stage reports and self-management
    # (reports), the mid-term review, the racehorse view and acceptance (acceptance).
    path("projects/", include("contracts.urls_funds")),
    path("projects/", include("contracts.urls_reports")),
    path("projects/", include("contracts.urls_acceptance")),
]
