"""The staff workspace, at ``/workspace/``."""

from django.urls import path

from edms import draft_views, views

app_name = "edms"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("documents/", views.document_list, name="documents"),
    path("documents/new/", views.document_register_view, name="register"),
    path("documents/<int:pk>/", views.document_detail, name="document"),
    path("documents/<int:pk>/resolution/", views.resolution_create, name="resolution"),
    path("documents/<int:pk>/send/", views.document_send, name="send"),
    path("exchange/", views.exchange_incoming, name="exchange"),
    path("dispatches/<int:pk>/print/", views.dispatch_print, name="dispatch_print"),
    path(
        "exchange/<int:pk>/<str:action>/",
        views.dispatch_handle,
        name="dispatch",
    ),
    path("documents/<int:pk>/files/", views.attachment_upload, name="upload"),
    path("assignments/<int:pk>/<str:step>/", views.assignment_action, name="assignment"),
    path("files/<int:pk>/", views.attachment_download, name="download"),
    path("control/", views.control, name="control"),
    path("drafts/new/", draft_views.draft_create, name="draft_new"),
    path("drafts/<int:pk>/", draft_views.draft_detail, name="draft"),
    path("drafts/<int:pk>/remark/", draft_views.draft_remark, name="draft_remark"),
    path("drafts/<int:pk>/version/", draft_views.draft_version, name="draft_version"),
    path("drafts/<int:pk>/withdraw/", draft_views.draft_withdraw, name="draft_withdraw"),
    path("drafts/versions/<int:pk>/<str:which>/", draft_views.draft_file, name="draft_file"),
    path("steps/<int:pk>/p7s/", draft_views.step_signature, name="step_signature"),
    path("steps/<int:pk>/<str:action>/", draft_views.step_action, name="step"),
    path("certificate/", draft_views.certificate_page, name="certificate"),
]
