from django.urls import path

from gonghui.core.imports.urls import import_urls
from gonghui.honours.views import campaigns, documents, nominations, register

app_name = "honours"
urlpatterns = [
    path("", campaigns.campaign_list, name="campaigns"),
    path("settings/", campaigns.settings_page, name="settings"),
    path("campaigns/new/", campaigns.campaign_create, name="campaign_create"),
    path("campaigns/<int:pk>/", campaigns.campaign_detail, name="campaign"),
    path("campaigns/<int:pk>/edit/", campaigns.campaign_edit, name="campaign_edit"),
    path("campaigns/<int:pk>/rules/", campaigns.rule_add, name="rule_add"),
    path(
        "campaigns/<int:pk>/rules/<int:rule_pk>/remove/", campaigns.rule_remove, name="rule_remove"
    ),
    path("campaigns/<int:pk>/quotas/", campaigns.quotas, name="quotas"),
    path("campaigns/<int:pk>/nominate/", nominations.nomination_create, name="nominate"),
    path("campaigns/<int:pk>/notice/", campaigns.notice_publish, name="notice_publish"),
    path("campaigns/<int:pk>/committee/", campaigns.committee_set, name="committee"),
    path("campaigns/<int:pk>/vote/", campaigns.vote_start, name="vote_start"),
    path(
        "campaigns/<int:pk>/certificates/",
        campaigns.certificates_request,
        name="certificates_request",
    ),
    path("certificates/<int:pk>/", campaigns.certificates_batch, name="certificates"),
    path("register/<int:pk>/certificate.pdf", register.certificate_one, name="certificate"),
    path("nominations/<int:pk>/", nominations.nomination_detail, name="nomination"),
    path(
        "nominations/<int:pk>/approval-form.pdf",
        documents.nomination_approval_form,
        {"file_format": "pdf"},
        name="approval_form_pdf",
    ),
    path(
        "nominations/<int:pk>/approval-form.docx",
        documents.nomination_approval_form,
        {"file_format": "docx"},
        name="approval_form_docx",
    ),
    path(
        "campaigns/<int:pk>/approval-forms.pdf",
        documents.campaign_approval_forms,
        {"file_format": "pdf"},
        name="approval_forms_pdf",
    ),
    path(
        "campaigns/<int:pk>/approval-forms.docx",
        documents.campaign_approval_forms,
        {"file_format": "docx"},
        name="approval_forms_docx",
    ),
    path("campaigns/<int:pk>/notice.pdf", documents.notice_document, name="notice_pdf"),
    path("nominations/<int:pk>/edit/", nominations.nomination_edit, name="nomination_edit"),
    path("nominations/<int:pk>/step/", nominations.nomination_step, name="nomination_step"),
    path("nominations/<int:pk>/clearance/", nominations.clearance_record, name="clearance"),
    path("nominations/<int:pk>/attachments/", nominations.attachment_add, name="attachment_add"),
    path(
        "nominations/<int:pk>/attachments/<int:attachment_pk>/",
        nominations.attachment_download,
        name="attachment",
    ),
    path("nominations/<int:pk>/votes/", nominations.votes_record, name="votes"),
    path("objections/", nominations.objection_list, name="objections"),
    path("objections/<int:pk>/", nominations.objection_detail, name="objection"),
    path("objections/<int:pk>/reveal/", nominations.objection_reveal, name="objection_reveal"),
    path("register/", register.honouree_list, name="register"),
    path("register/export.csv", register.honouree_export, {"format": "csv"}, name="register_csv"),
    path(
        "register/export.xlsx", register.honouree_export, {"format": "xlsx"}, name="register_xlsx"
    ),
    *import_urls("honours.honourees", prefix="register/import/", name="register_import"),
    path("register/<int:pk>/", register.honouree_detail, name="honouree"),
    path("register/<int:pk>/photo/", register.honouree_photo, name="honouree_photo"),
    path("register/<int:pk>/photo.img", register.honouree_photo_file, name="honouree_photo_file"),
    path("register/<int:pk>/status/", register.honouree_status, name="honouree_status"),
    path("register/<int:pk>/update/", register.honouree_update, name="honouree_update"),
    path("benefits/", register.benefits, name="benefits"),
    path("benefits/rates/", register.rate_set, name="rate_set"),
    path("sanatorium/", register.session_list, name="sessions"),
    path("sanatorium/<int:pk>/", register.session_detail, name="session"),
    path("sanatorium/<int:pk>/book/", register.session_book, name="session_book"),
]
