from django.urls import path

from . import views_funds

urlpatterns = [
    path("", views_funds.project_list, name="project_list"),
    path("<int:pk>/", views_funds.project_detail, name="project_detail"),
    path("<int:pk>/payments/new/", views_funds.payment_new, name="payment_record"),
    path("<int:pk>/payments/<int:payment_pk>/answer/", views_funds.payment_answer, name="payment_answer"),
    path("<int:pk>/payments/<int:payment_pk>/receipt/", views_funds.payment_receipt, name="payment_receipt"),
    path("<int:pk>/disbursements/new/", views_funds.disbursement_new, name="disbursement_record"),
    path("lists/<int:pk>/ledger.xlsx", views_funds.ledger_export, name="ledger_export"),
]
