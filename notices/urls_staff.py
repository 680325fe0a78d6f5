from django.urls import path

from . import views_staff as views

urlpatterns = [
    path("lists/<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/amend/", views.amend, name="amend"),
    path("<int:pk>/record/", views.record, name="record"),
    path("objections/", views.queue, name="queue"),
    path("objections/<int:pk>/", views.objection, name="objection"),
    path("objections/<int:pk>/accept/", views.objection_accept, name="objection_accept"),
    path("objections/<int:pk>/refuse/", views.objection_refuse, name="objection_refuse"),
    path("objections/<int:pk>/ask/", views.objection_ask, name="objection_ask"),
    path("objections/<int:pk>/decide/", views.objection_decide, name="objection_decide"),
    path("objections/<int:pk>/note/", views.objection_add_note, name="objection_note"),
    path("objections/<int:pk>/files/<int:file_pk>/", views.objection_file, name="objection_file"),
    path("responses/", views.responses, name="responses"),
    path("responses/<int:pk>/", views.response, name="response"),
    path("responses/<int:pk>/file/", views.response_file, name="response_file"),
    path("awards/<int:pk>/approval.pdf", views.approval_pdf, name="approval_pdf"),
]
