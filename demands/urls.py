from django.urls import path

from . import views

app_name = "demands"

urlpatterns = [
    path("", views.DemandListView.as_view(), name="list"),
    path("new/", views.demand_form, name="create"),
    path("<int:pk>/", views.demand_detail, name="detail"),
    path("<int:pk>/edit/", views.demand_form, name="edit"),
    path("<int:pk>/submit/", views.demand_submit, name="submit"),
    path("<int:pk>/withdraw/", views.demand_withdraw, name="withdraw"),
    path("<int:pk>/screen/", views.demand_screen, name="screen"),
    path("<int:pk>/print/", views.demand_print, name="print"),
    path("<int:pk>/pdf/", views.demand_pdf_download, name="pdf"),
    path("queue/", views.QueueView.as_view(), name="queue"),
    path("queue/bulk-accept/", views.queue_bulk_accept, name="bulk_accept"),
    path("queue/export/", views.queue_export, name="export"),
    path("rounds/", views.RoundListView.as_view(), name="round_list"),
    path("rounds/new/", views.round_edit, name="round_create"),
    path("rounds/<int:pk>/", views.round_edit, name="round_edit"),
    path("fields/new/", views.field_edit, name="field_create"),
    path("fields/<int:pk>/", views.field_edit, name="field_edit"),
]
