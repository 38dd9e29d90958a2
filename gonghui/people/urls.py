from django.urls import path

from gonghui.people import views, views_import

app_name = "people"
urlpatterns = [
    path("", views.member_list, name="list"),
    path("count/", views.member_count, name="count"),
    path("export.csv", views.member_export, {"format": "csv"}, name="export_csv"),
    path("export.xlsx", views.member_export, {"format": "xlsx"}, name="export_xlsx"),
    path("new/", views.member_register, name="register"),
    path("<int:pk>/", views.person_detail, name="detail"),
    path("<int:pk>/edit/", views.person_edit, name="edit"),
    path("<int:pk>/reveal/", views.person_reveal, name="reveal"),
    path("memberships/<int:pk>/transfer/", views.membership_transfer, name="transfer"),
    path("memberships/<int:pk>/end/", views.membership_end, name="end"),
    path("import/", views_import.import_start, name="import"),
    path("import/<int:pk>/", views_import.import_job, name="import_job"),
    path("import/<int:pk>/apply/", views_import.import_job_apply, name="import_apply"),
    path("import/<int:pk>/cancel/", views_import.import_job_cancel, name="import_cancel"),
    path("import/<int:pk>/errors/", views_import.import_job_errors, name="import_errors"),
    path("batches/", views_import.batch_list, name="batches"),
    path("batches/<int:pk>/", views_import.batch_detail, name="batch"),
    path("batches/<int:pk>/roll-back/", views_import.batch_roll_back, name="batch_roll_back"),
]
