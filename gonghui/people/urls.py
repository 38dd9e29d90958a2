from django.urls import path

from gonghui.core.imports.urls import import_urls
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
    *import_urls("people.roster", prefix="import/", name="import"),
    path("batches/", views_import.batch_list, name="batches"),
    path("batches/<int:pk>/", views_import.batch_detail, name="batch"),
    path("batches/<int:pk>/roll-back/", views_import.batch_roll_back, name="batch_roll_back"),
]
