from django.urls import path

from gonghui.core.imports.urls import import_urls
from gonghui.orgs import views, views_tabular

app_name = "orgs"
urlpatterns = [
    path("orgs/", views.org_list, name="list"),
    path("orgs/pick/", views.organisation_choices, name="pick"),
    path("units/pick/", views.unit_choices, name="pick_unit"),
    *import_urls("orgs.organisations", prefix="orgs/import/", name="import"),
    path("orgs/export.csv", views_tabular.org_export_csv, name="export_csv"),
    path("orgs/export.xlsx", views_tabular.org_export_xlsx, name="export_xlsx"),
    path("orgs/<str:code>/", views.org_detail, name="detail"),
    path("orgs/<str:code>/edit/", views.org_edit, name="edit"),
    path("orgs/<str:code>/new/", views.org_create, name="create"),
    path("orgs/<str:code>/move/", views.org_move, name="move"),
    path("units/", views.unit_list, name="unit_list"),
    path("units/new/", views.unit_create, name="unit_create"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
]
