from django.urls import path

from gonghui.honours import views

app_name = "honours"
urlpatterns = [
    path("", views.campaign_list, name="campaigns"),
    path("campaigns/new/", views.campaign_create, name="campaign_create"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign"),
    path("campaigns/<int:pk>/rules/", views.rule_add, name="rule_add"),
    path("campaigns/<int:pk>/rules/<int:rule_pk>/remove/", views.rule_remove, name="rule_remove"),
    path("campaigns/<int:pk>/quotas/", views.quotas, name="quotas"),
    path("campaigns/<int:pk>/nominate/", views.nomination_create, name="nominate"),
    path("campaigns/<int:pk>/notice/", views.notice_publish, name="notice_publish"),
    path("campaigns/<int:pk>/committee/", views.committee_set, name="committee"),
    path("campaigns/<int:pk>/vote/", views.vote_start, name="vote_start"),
    path(
        "campaigns/<int:pk>/certificates/", views.certificates_request, name="certificates_request"
    ),
    path("certificates/<int:pk>/", views.certificates_batch, name="certificates"),
    path("register/<int:pk>/certificate.pdf", views.certificate_one, name="certificate"),
    path("nominations/<int:pk>/", views.nomination_detail, name="nomination"),
    path("nominations/<int:pk>/edit/", views.nomination_edit, name="nomination_edit"),
    path("nominations/<int:pk>/step/", views.nomination_step, name="nomination_step"),
    path("nominations/<int:pk>/clearance/", views.clearance_record, name="clearance"),
    path("nominations/<int:pk>/attachments/", views.attachment_add, name="attachment_add"),
    path(
        "nominations/<int:pk>/attachments/<int:attachment_pk>/",
        views.attachment_download,
        name="attachment",
    ),
    path("nominations/<int:pk>/votes/", views.votes_record, name="votes"),
    path("objections/", views.objection_list, name="objections"),
    path("objections/<int:pk>/", views.objection_detail, name="objection"),
    path("objections/<int:pk>/reveal/", views.objection_reveal, name="objection_reveal"),
    path("register/", views.honouree_list, name="register"),
    path("register/export.csv", views.honouree_export, {"format": "csv"}, name="register_csv"),
    path("register/export.xlsx", views.honouree_export, {"format": "xlsx"}, name="register_xlsx"),
    path("register/import/", views.honouree_import, name="register_import"),
    path("register/<int:pk>/", views.honouree_detail, name="honouree"),
    path("register/<int:pk>/status/", views.honouree_status, name="honouree_status"),
    path("register/<int:pk>/update/", views.honouree_update, name="honouree_update"),
    path("benefits/", views.benefits, name="benefits"),
    path("benefits/rates/", views.rate_set, name="rate_set"),
    path("sanatorium/", views.session_list, name="sessions"),
    path("sanatorium/<int:pk>/", views.session_detail, name="session"),
    path("sanatorium/<int:pk>/book/", views.session_book, name="session_book"),
]
