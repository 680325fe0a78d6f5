from django.urls import path

from . import views

app_name = "applications"

urlpatterns = [
    path("", views.my_applications, name="list"),
    path("start/<int:bang_pk>/", views.start, name="start"),
    path("review/", views.review_queue, name="review"),
    path("routes/", views.routes, name="routes"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/attachments/<int:item_pk>/", views.upload, name="upload"),
    path("<int:pk>/submit/", views.confirm, name="confirm"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/revise/", views.revise, name="revise"),
    path("<int:pk>/compare/", views.compare, name="compare"),
    path("<int:pk>/decide/", views.decide, name="decide"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("versions/<int:pk>/receipt/", views.receipt, name="receipt"),
    path("versions/<int:pk>/receipt.pdf", views.receipt_pdf, name="receipt_pdf"),
    path("lists/<int:pk>/summary/", views.list_summary, name="list_summary"),
    path("lists/<int:pk>/summary.xlsx", views.list_summary_export, name="list_summary_export"),
]
